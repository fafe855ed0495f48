"""`flask db upgrade` on a new database gives exactly the schema of the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from gallery import search
from gallery.extensions import db
from helpers import migration_app


def test_upgrade_from_empty_matches_the_models(empty_database, tmp_path, monkeypatch):
    app = migration_app(empty_database, tmp_path, monkeypatch)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            # The full-text index (FTS5 tables, a GIN index) is not in the models.
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": search.include_name}
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"prisoner", "work", "campaign", "tag", "moderator", "moderation_event"} <= tables
        db.engine.dispose()


def test_downgrade_to_base_and_up_again(empty_database, tmp_path, monkeypatch):
    app = migration_app(empty_database, tmp_path, monkeypatch)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "work" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_tags_are_refiled_under_their_transliterated_slug(empty_database, tmp_path, monkeypatch):
    """3b9d4c1e7a20: "caf" (from "Café") becomes "cafe", merging with a tag already there."""
    app = migration_app(empty_database, tmp_path, monkeypatch)
    with app.app_context():
        upgrade(revision="ef052ff2ad88")
        with db.engine.begin() as conn:
            for work_id in (1, 2):
                conn.execute(
                    text(
                        "INSERT INTO work (id, public_id, title, alt_text, licence, own_work, consent, "
                        "ai_used, status, submitted_at, is_demo, hidden, has_alpha) VALUES (:id, :pid, "
                        "'t', 'alt text', 'cc0-1.0', true, true, false, 'approved', '2026-01-01', "
                        "false, false, false)"
                    ),
                    {"id": work_id, "pid": f"public-id-{work_id:04d}"},
                )
            conn.execute(
                text(
                    "INSERT INTO tag (id, slug, name) VALUES (1, 'caf', 'Café'), "
                    "(2, 'cafe', 'cafe'), (3, 'poster', 'poster'), (4, 'x', 'Über')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO work_tag (work_id, tag_id) VALUES (1, 1), (1, 2), (2, 1), "
                    "(2, 3), (2, 4)"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            tags = conn.execute(text("SELECT id, slug, name FROM tag ORDER BY id")).all()
            links = conn.execute(
                text("SELECT work_id, tag_id FROM work_tag ORDER BY work_id, tag_id")
            ).all()
        assert [tuple(t) for t in tags] == [
            (2, "cafe", "cafe"),
            (3, "poster", "poster"),
            (4, "uber", "Über"),
        ]
        assert [tuple(link) for link in links] == [(1, 2), (2, 2), (2, 3), (2, 4)]
        db.engine.dispose()


def test_prisoner_texts_move_into_their_english_row(empty_database, tmp_path, monkeypatch):
    """cb80cf436f3f: charges, sentence and letter guidance leave the prisoner row for the
    English row of its texts (made when missing); other languages' rows stay as they were."""
    app = migration_app(empty_database, tmp_path, monkeypatch)
    with app.app_context():
        upgrade(revision="3b9d4c1e7a20")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO prisoner (id, slug, name, status, timezone, charges, sentence, letter_guidance, "
                    "featured, is_demo, created_at, updated_at) VALUES "
                    "(1, 'ada', 'Ada', 'imprisoned', 'UTC', 'Hooliganism', 'Six years', 'Write.', false, false, "
                    "'2026-01-01', '2026-01-01'), "
                    "(2, 'bea', 'Bea', 'imprisoned', 'UTC', 'Theft', NULL, NULL, false, false, "
                    "'2026-01-01', '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO prisoner_story (prisoner_id, locale, summary, body) VALUES "
                    "(1, 'en', 'A poet.', 'Her story.'), (1, 'fr', NULL, 'Son histoire.')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT prisoner_id, locale, body, charges, sentence, letter_guidance "
                    "FROM prisoner_story ORDER BY prisoner_id, locale"
                )
            ).all()
            locales = (
                conn.execute(text("SELECT original_locale FROM prisoner ORDER BY id"))
                .scalars()
                .all()
            )
        assert [tuple(r) for r in rows] == [
            (1, "en", "Her story.", "Hooliganism", "Six years", "Write."),
            (1, "fr", "Son histoire.", None, None, None),
            (2, "en", None, "Theft", None, None),
        ]
        assert locales == ["en", "en"]
        downgrade(revision="3b9d4c1e7a20")
        with db.engine.connect() as conn:
            back = conn.execute(
                text("SELECT id, charges, sentence FROM prisoner ORDER BY id")
            ).all()
        assert [tuple(r) for r in back] == [(1, "Hooliganism", "Six years"), (2, "Theft", None)]
        db.engine.dispose()


def test_edit_events_of_works_that_forgot_their_artist_forget_their_texts(
    empty_database, tmp_path, monkeypatch
):
    """e12c5b62bacb: an edit event kept the old and new title and alt text of a work
    withdrawn or rejected since (or purged); it keeps only which fields changed. A pending
    or published work's events keep their texts."""
    app = migration_app(empty_database, tmp_path, monkeypatch)
    edit = "title: 'Secret Title From Minsk' -> 'Untitled'\nalt text: 'Ivan at Lenina 5' -> 'A portrait'"
    with app.app_context():
        upgrade(revision="d4a8c1f0e6b2")
        with db.engine.begin() as conn:
            for work_id, status in ((1, "withdrawn"), (2, "rejected"), (3, "approved")):
                conn.execute(
                    text(
                        "INSERT INTO work (id, public_id, title, alt_text, licence, own_work, consent, "
                        "ai_used, status, submitted_at, is_demo, hidden, has_alpha) VALUES (:id, :pid, "
                        "'t', 'alt text', 'cc0-1.0', true, true, false, :status, '2026-01-01', "
                        "false, false, false)"
                    ),
                    {"id": work_id, "pid": f"public-id-{work_id:04d}", "status": status},
                )
            for event_id, work_id in ((1, 1), (2, 2), (3, 3), (4, None)):
                conn.execute(
                    text(
                        "INSERT INTO moderation_event (id, at, action, work_id, reason) VALUES "
                        "(:id, '2026-01-02', 'edit', :work, :reason)"
                    ),
                    {"id": event_id, "work": work_id, "reason": edit},
                )
            conn.execute(
                text(
                    "INSERT INTO moderation_event (id, at, action, work_id, reason) VALUES "
                    "(5, '2026-01-02', 'reject', 2, 'Shows a face.')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            reasons = dict(conn.execute(text("SELECT id, reason FROM moderation_event")).all())
        forgotten = (
            "title: changed (the texts were forgotten with the artist's details)\n"
            "alt text: changed (the texts were forgotten with the artist's details)"
        )
        assert reasons == {1: forgotten, 2: forgotten, 3: edit, 4: forgotten, 5: "Shows a face."}
        db.engine.dispose()
