"""Full-text search (/search?q=): folding (case, accents, ё), ranking, only public works,
the index kept in step by every verb, hostile queries, safe highlighting, pages.

Runs on SQLite (FTS5) and, with TEST_DATABASE_URL, on PostgreSQL (tsvector + GIN)."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from markupsafe import Markup
from sqlalchemy import func, select

from gallery import search
from gallery.core.tokens import token_hash
from gallery.extensions import db
from gallery.models import Prisoner, PrisonerStory, Report, Work, WorkStatus
from helpers import approving, csrf_from, csrf_token_of, fresh

_RESULT_LINK = re.compile(r'<li class="result">.*?<h2><a href="([^"]+)"[^>]*>(.*?)</a>', re.DOTALL)


def results(client, q: str, **args) -> list[str]:
    """The titles (names) found for a query, in the order shown."""
    response = client.get("/search", query_string={"q": q, **args})
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    return [
        html_lib.unescape(re.sub(r"<[^>]+>", "", title))
        for _href, title in _RESULT_LINK.findall(page)
    ]


def in_index(work_id: int) -> bool:
    """Whether the index holds a row for the work (the page also checks the work itself,
    so this is what shows the verbs keep the index in step)."""
    fresh()
    stmt = select(search.SearchDocument.id).where(
        search.SearchDocument.kind == "work", search.SearchDocument.ref_id == work_id
    )
    return db.session.scalar(stmt) is not None


def indexed(prisoner: Prisoner) -> Prisoner:
    """A prisoner made by the fixture (straight into the table), put in the index."""
    search.index_prisoner(prisoner)
    db.session.commit()
    return prisoner


# ---- folding: case, accents, ё ----


def test_folding_is_casefold_without_accents_and_yo_is_ye():
    assert search.fold("АЗАТ Café ÉCRIRE Ёлка Straße") == "азат cafe ecrire елка strasse"
    assert search.words("«Free—Azat!» l'été") == ["free", "azat", "l", "ete"]


@pytest.mark.parametrize(
    "query", ["Азат", "азат", "АЗАТ", "Мифтахов", "мифтахов", "azat", "AZAT MIFTAKHOV"]
)
def test_a_prisoner_is_found_by_either_name_in_any_case(client, make_prisoner, query):
    indexed(
        make_prisoner(name="Azat Miftakhov", name_native="Азат Мифтахов", slug="azat-miftakhov")
    )
    make_prisoner(name="Someone Else")
    db.session.commit()
    assert results(client, query) == ["Azat Miftakhov"]


def test_a_prisoner_is_found_by_a_story_in_any_language(client, make_prisoner):
    prisoner = make_prisoner(name="Ada Lovelace")
    prisoner.stories.append(
        PrisonerStory(locale="ru", summary="Поэтесса.", body="Она писала стихи в тюрьме.")
    )
    prisoner.stories.append(
        PrisonerStory(locale="fr", summary=None, body="Elle écrivait des poèmes.")
    )
    db.session.commit()
    indexed(prisoner)
    assert results(client, "стихи") == ["Ada Lovelace"]
    assert results(client, "poemes") == ["Ada Lovelace"]
    assert results(client, "ECRIVAIT") == ["Ada Lovelace"]


def test_french_accents_are_ignored_both_ways(client, make_work):
    make_work(title="Au Café de la Paix")
    make_work(title="Ecrire aux prisonniers")
    assert results(client, "cafe") == ["Au Café de la Paix"]
    assert results(client, "CAFÉ") == ["Au Café de la Paix"]
    assert results(client, "écrire") == ["Ecrire aux prisonniers"]


def test_yo_and_ye_are_one_letter(client, make_work):
    make_work(title="Ёлка на площади")
    make_work(title="Зеленый свет")
    assert results(client, "елка") == ["Ёлка на площади"]
    assert results(client, "зелёный") == ["Зеленый свет"]


def test_words_are_found_by_their_beginning(client, make_work):
    make_work(title="Письма Мифтахову")
    assert results(client, "мифтахов") == ["Письма Мифтахову"]
    assert results(client, "пис") == ["Письма Мифтахову"]
    assert (
        results(client, "мифтаховский") == []
    )  # neither the word nor its stem begins a word there


def test_every_word_must_match(client, make_work):
    make_work(title="Sun behind bars")
    make_work(title="Sun over the sea")
    assert sorted(results(client, "sun")) == ["Sun behind bars", "Sun over the sea"]
    assert results(client, "sun bars") == ["Sun behind bars"]


def test_works_are_found_by_artist_description_alt_text_and_tags(client, make_work):
    make_work(title="One", display_name="Marianne Lumière")
    make_work(title="Two", description="Painted with *ochre* and soot.")
    make_work(title="Three", alt_text="A paper crane over barbed wire")
    make_work(title="Four", tag_names=("протест",))
    assert results(client, "lumiere") == ["One"]
    assert results(client, "ochre") == ["Two"]
    assert results(client, "crane") == ["Three"]
    assert results(client, "Протест") == ["Four"]


# ---- ranking ----


def test_a_title_match_comes_before_a_description_match(client, make_work):
    make_work(title="Letters from the camp", description="Nothing about the word.")
    make_work(title="Untitled", description="A poster about letters, letters and more letters.")
    make_work(title="Letters")
    found = results(client, "letters")
    assert found[:2] == ["Letters from the camp", "Letters"] or found[:2] == [
        "Letters",
        "Letters from the camp",
    ]
    assert found[2] == "Untitled"


def test_works_and_prisoners_are_found_together(client, make_work, make_prisoner):
    indexed(make_prisoner(name="Zhenya Berkovich"))
    make_work(title="For Berkovich")
    page = client.get("/search?q=berkovich").get_data(as_text=True)
    assert sorted(results(client, "berkovich")) == ["For Berkovich", "Zhenya Berkovich"]
    assert "2 results" in page and ">Prisoner</p>" in page and ">Work</p>" in page


# ---- only public works, and the index in step with every change ----


def test_a_pending_work_is_never_found_and_is_found_once_approved(client, moderator, make_work):
    work = make_work(title="Kite over the wall", status=WorkStatus.PENDING)
    assert results(client, "kite") == [] and not in_index(work.id)
    assert (
        client.post(
            f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id)
        ).status_code
        == 303
    )
    assert results(client, "kite") == ["Kite over the wall"] and in_index(work.id)


def test_unpublishing_takes_a_work_out(client, moderator, make_work):
    work = make_work(title="Kite over the wall")
    assert results(client, "kite") == ["Kite over the wall"]
    response = client.post(
        f"/moderation/works/{work.id}/unpublish",
        data={"csrf_token": moderator, "reason": "Shows a face."},
    )
    assert response.status_code == 303
    assert results(client, "kite") == [] and not in_index(work.id)


def test_rejecting_a_reported_work_takes_it_out(client, moderator, make_work):
    work = make_work(title="Kite over the wall")
    token = csrf_from(client.get(f"/works/{work.public_id}/report").get_data(as_text=True))
    client.post(
        f"/works/{work.public_id}/report", data={"category": "offensive", "csrf_token": token}
    )
    fresh()
    report_id = db.session.scalar(select(Report.id))
    response = client.post(
        f"/moderation/reports/{report_id}/handle",
        data={
            "csrf_token": csrf_token_of(client, "/moderation/reports"),
            "action": "reject",
            "note": "No.",
        },
    )
    assert response.status_code == 303
    fresh()
    assert db.session.get(Work, work.id).status == WorkStatus.REJECTED
    assert results(client, "kite") == [] and not in_index(work.id)


def test_a_person_at_risk_report_hides_the_work_from_search_until_kept(
    client, moderator, make_work
):
    work = make_work(title="Kite over the wall")
    token = csrf_from(client.get(f"/works/{work.public_id}/report").get_data(as_text=True))
    response = client.post(
        f"/works/{work.public_id}/report", data={"category": "person-at-risk", "csrf_token": token}
    )
    assert response.status_code == 303
    assert results(client, "kite") == [] and not in_index(work.id)
    fresh()
    report_id = db.session.scalar(select(Report.id))
    client.post(
        f"/moderation/reports/{report_id}/handle",
        data={
            "csrf_token": csrf_token_of(client, "/moderation/reports"),
            "action": "dismiss",
            "note": "",
        },
    )
    assert results(client, "kite") == ["Kite over the wall"] and in_index(work.id)


def test_withdrawing_takes_a_work_out(client, make_work):
    receipt = "r" * 43
    work = make_work(title="Kite over the wall", receipt_token_hash=token_hash(receipt))
    assert results(client, "kite") == ["Kite over the wall"]
    url = f"/submissions/{receipt}"
    response = client.post(
        url + "/withdraw", data={"csrf_token": csrf_token_of(client, url), "confirm": "y"}
    )
    assert response.status_code == 303
    assert results(client, "kite") == [] and not in_index(work.id)


def test_an_edited_title_is_found_by_its_new_words_only(client, moderator, make_work):
    work = make_work(title="Sunflower field", tag_names=("poster",))
    response = client.post(
        f"/moderation/works/{work.id}/edit",
        data={
            "csrf_token": moderator,
            "title": "Moonrise",
            "alt_text": "A paper crane",
            "tags": "letters",
        },
    )
    assert response.status_code == 303
    assert results(client, "sunflower") == []
    assert results(client, "poster") == []
    assert results(client, "moonrise") == ["Moonrise"]
    assert results(client, "crane") == ["Moonrise"]
    assert results(client, "letters") == ["Moonrise"]


def test_a_profile_saved_by_a_moderator_is_found_by_its_new_texts(client, moderator):
    form = {
        "name": "Jane Doe",
        "status": "imprisoned",
        "timezone": "Europe/Moscow",
        "detained_on": "2021-03-04",
        "story_en": "She wrote a poem.",
        "summary_en": "A poet.",
        "letter_address": "Box 1",
        "sources": "",
        "csrf_token": moderator,
    }
    assert client.post("/moderation/prisoners/new", data=form).status_code == 303
    assert results(client, "poem") == ["Jane Doe"]
    fresh()
    jane = db.session.scalar(select(Prisoner).where(Prisoner.name == "Jane Doe"))
    form.update(name="Jane Q. Doe", story_en="She painted a mural.", story_ru="Она рисовала.")
    assert client.post(f"/moderation/prisoners/{jane.id}/edit", data=form).status_code == 303
    assert results(client, "poem") == []
    assert results(client, "mural") == ["Jane Q. Doe"]
    assert results(client, "рисовала") == ["Jane Q. Doe"]


def test_reindex_rebuilds_the_index(client, runner, make_work, make_prisoner):
    make_work(title="Kite over the wall")
    make_work(title="Waiting kite", status=WorkStatus.PENDING)
    make_prisoner(name="Kite Prisoner")  # made straight in the table: not indexed yet
    db.session.execute(
        search.SearchDocument.__table__.delete().where(search.SearchDocument.kind == "work")
    )
    db.session.commit()
    assert results(client, "kite") == []
    out = runner.invoke(args=["reindex"])
    assert out.exit_code == 0 and "1 works, 1 prisoners" in out.output
    assert sorted(results(client, "kite")) == ["Kite Prisoner", "Kite over the wall"]


def test_the_demo_is_searchable_and_its_removal_empties_the_index(client, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert "Azat Miftakhov" in results(client, "Мифтахов")
    assert "Maths is not a crime" in results(client, "maths")
    assert runner.invoke(args=["remove-demo"]).exit_code == 0
    fresh()
    assert db.session.scalar(select(func.count()).select_from(search.SearchDocument)) == 0
    assert results(client, "azat") == []


# ---- hostile and odd queries ----

HOSTILE = [
    '"',
    "'",
    '"unbalanced',
    "(",
    ")",
    "((azat",
    "azat)",
    "*",
    "-",
    "^",
    "^azat",
    "-azat",
    "azat*",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "azat NEAR/2 mif",
    "a OR b AND NOT c",
    "title:azat",
    "{title body}: x",
    "azat AND",
    "NOT azat",
    "\\",
    "'; DROP TABLE work; --",
    "%",
    "_",
    "&|!:*",
    "<->",
    "a:*",
    "!!!",
    "\u200b",
    "\ufffd",
    "😀",
    "\u0301",
    "ǅ",
    "²",
    "🏳️‍🌈 azat",
    "   ",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_odd_queries_never_fail(client, make_work, query):
    make_work(title="Azat and the sea")
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Search</h1>" in page


def test_punctuation_only_says_there_is_nothing_to_look_for(client):
    page = client.get("/search", query_string={"q": '*** ^^ "" ()'}).get_data(as_text=True)
    assert "There is nothing to look for in this search" in page


def test_operators_are_plain_words(client, make_work):
    make_work(title="Azat and the sea")
    make_work(title="Near the wall")
    assert results(client, "NEAR") == ["Near the wall"]
    assert results(client, "azat OR wall") == []  # "or" is a word that is not there
    assert results(client, "NOT azat") == []


def test_an_empty_query_shows_the_form(client):
    response = client.get("/search")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="q"' in page and "Type a few words" in page
    # The form is a public page; results, with a query, are kept out of search engines.
    assert "noindex" not in page and "X-Robots-Tag" not in response.headers
    for query in ("q=", "q=azat", "page=2"):
        response = client.get(f"/search?{query}")
        assert '<meta name="robots" content="noindex">' in response.get_data(as_text=True)
        assert response.headers["X-Robots-Tag"] == "noindex"


def test_too_long_a_query_is_refused_politely(client):
    response = client.get("/search", query_string={"q": "a" * 201})
    assert response.status_code == 400
    assert "Your search is too long. Please use at most 200 characters." in response.get_data(
        as_text=True
    )
    assert client.get("/search", query_string={"q": "a" * 200}).status_code == 200


def test_a_nul_is_refused(client):
    response = client.get("/search?q=azat%00")
    assert response.status_code == 400
    assert "cannot be searched for" in response.get_data(as_text=True)


def test_the_localised_addresses_search_too(client, make_work):
    make_work(title="Kite over the wall")
    page = client.get("/fr/search?q=kite").get_data(as_text=True)
    assert '<html lang="fr">' in page and "<mark>Kite</mark> over the wall" in page


# ---- highlighting ----


def test_highlighting_escapes_everything_and_marks_the_words(client, make_work):
    make_work(title='<script>alert("x")</script> Kite & co', description="A <b>kite</b> *flies*.")
    page = client.get("/search?q=kite").get_data(as_text=True)
    assert "<script>alert" not in page and "<b>kite" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; <mark>Kite</mark> &amp; co" in page
    assert "A <mark>kite</mark> flies." in page


def test_highlight_is_markup_of_escaped_text():
    terms = search.parse_query("cafe мифт")
    out = search.highlight("<i>Café</i> Мифтахову & Cafeteria", terms)
    assert isinstance(out, Markup)
    assert (
        str(out)
        == "&lt;i&gt;<mark>Café</mark>&lt;/i&gt; <mark>Мифтахову</mark> &amp; <mark>Cafeteria</mark>"
    )
    assert str(search.highlight("<mark>x</mark>", search.parse_query("mark"))) == (
        "&lt;<mark>mark</mark>&gt;x&lt;/<mark>mark</mark>&gt;"
    )


def test_a_long_text_is_cut_around_the_first_match():
    text = "word " * 100 + "needle " + "word " * 100
    out = str(search.snippet(text, search.parse_query("needle"), width=80))
    assert out.startswith("…word ") and out.endswith(" word…") and "<mark>needle</mark>" in out
    assert len(out) < 140


# ---- pages ----


def test_results_come_in_pages(app_factory):
    from gallery.media import media_store
    from helpers import IsolatedClient, add_work

    app = app_factory(SEARCH_PER_PAGE=2)
    with app.app_context():
        app.test_client_class = IsolatedClient
        client = app.test_client()
        for n in range(5):
            add_work(media_store(app), title=f"Poster number {n}", alt_text="alt")
        first = client.get("/search?q=poster").get_data(as_text=True)
        assert "5 results" in first and 'rel="next" href="/search?q=poster&amp;page=2"' in first
        seen = [results(client, "poster", page=p) for p in (1, 2, 3)]
        assert [len(s) for s in seen] == [2, 2, 1]
        assert sorted(title for page in seen for title in page) == [
            f"Poster number {n}" for n in range(5)
        ]
        last = client.get("/search?q=poster&page=3").get_data(as_text=True)
        assert 'rel="next"' not in last and 'rel="prev" href="/search?q=poster&amp;page=2"' in last
        beyond = client.get("/search?q=poster&page=9").get_data(as_text=True)
        assert "There are no more results." in beyond
        assert results(client, "poster", page="x") == seen[0]  # a malformed page is page 1


# ---- the migration fills the index of an installation that is upgraded ----

from helpers import migration_app  # noqa: E402  (the migration tests' app; empty_database is conftest's)


def test_the_migration_indexes_what_is_already_there(empty_database, tmp_path, monkeypatch):
    from flask_migrate import upgrade
    from sqlalchemy import text

    app = migration_app(empty_database, tmp_path, monkeypatch)
    with app.app_context():
        upgrade(revision="5e1f2a9c0b7d")
        with db.engine.begin() as conn:
            for work_id, status, hidden in (
                (1, "approved", False),
                (2, "pending", False),
                (3, "approved", True),
            ):
                conn.execute(
                    text(
                        "INSERT INTO work (id, public_id, title, alt_text, licence, own_work, consent, ai_used, "
                        "status, submitted_at, is_demo, hidden, has_alpha) VALUES (:id, :pid, 'Ёлка Café', 'alt', "
                        "'cc0-1.0', true, true, false, :status, '2026-01-01', false, :hidden, false)"
                    ),
                    {
                        "id": work_id,
                        "pid": f"public-id-{work_id:04d}",
                        "status": status,
                        "hidden": hidden,
                    },
                )
            conn.execute(text("INSERT INTO tag (id, slug, name) VALUES (1, 'protest', 'Протест')"))
            conn.execute(text("INSERT INTO work_tag (work_id, tag_id) VALUES (1, 1)"))
            conn.execute(
                text(
                    "INSERT INTO prisoner (id, slug, name, name_native, status, timezone, original_locale, featured, "
                    "is_demo, created_at, updated_at) VALUES (1, 'azat', 'Azat', 'Азат', 'imprisoned', 'UTC', 'en', "
                    "false, false, '2026-01-01', '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO prisoner_story (prisoner_id, locale, summary, body) "
                    "VALUES (1, 'ru', 'Математик.', 'История.')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT kind, ref_id, title, body FROM search_document ORDER BY kind, ref_id")
            ).all()
        assert [tuple(r) for r in rows] == [
            ("prisoner", 1, "azat азат", "математик история"),
            ("work", 1, "елка cafe", "alt протест"),
        ]
        assert [
            (h.kind, h.ref_id)
            for h in search.query._ranked(
                db.engine.dialect.name, search.parse_query("ЕЛКА"), 10, 0
            )[0]
        ] == [("work", 1)]
        db.session.remove()
        db.engine.dispose()
