"""Search that stems (issue 23): a word is found in its other forms, stemmed with Snowball
in the page's language, and a search in one language still finds words of another.

Runs on SQLite (stems computed in Python, stored for FTS5) and, with TEST_DATABASE_URL,
on PostgreSQL (its own `english`, `french` and `russian` configurations)."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text

from gallery import search
from gallery.extensions import db
from gallery.models import Prisoner, PrisonerStory
from helpers import fresh, spaced

_RESULT = re.compile(r'<li class="result">.*?<h2><a href="([^"]+)"[^>]*>(.*?)</a>', re.DOTALL)


def found(client, path: str, q: str) -> list[tuple[str, str]]:
    """(address, title as shown) of each result of a search, in order."""
    response = client.get(path, query_string={"q": q})
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    return [
        (href, html_lib.unescape(re.sub(r"<[^>]+>", "", title)))
        for href, title in _RESULT.findall(page)
    ]


def titles(client, path: str, q: str) -> list[str]:
    return [title for _href, title in found(client, path, q)]


@pytest.fixture
def demo_profile(client, demo) -> str:
    """The demo's prisoner, seeded as `flask seed-demo` does; its address on /ru/."""
    assert demo.is_demo
    return f"/ru/prisoners/{demo.slug}"


# ---- the review's words, on the demo data ----


@pytest.mark.parametrize("query", ["Мифтахова", "Мифтахову", "хулиганство", "МИФТАХОВОЙ"])
def test_russian_forms_find_the_demo_profile(client, demo_profile, query):
    assert demo_profile in [href for href, _title in found(client, "/ru/search", query)]


def test_the_profile_holds_only_other_forms_of_those_words(client, demo_profile):
    # What makes the test above a test of stemming: neither typed word begins a word of
    # the profile, so the folding and prefix matching of before could not find them.
    fresh()
    prisoner_id = db.session.scalar(select(Prisoner.id).where(Prisoner.is_demo.is_(True)))
    doc = search.SearchDocument
    row = db.session.scalar(select(doc).where(doc.kind == "prisoner", doc.ref_id == prisoner_id))
    profile_words = f"{row.title} {row.body}".split()
    assert "хулиганстве" in profile_words and "мифтахов" in profile_words
    for typed in ("хулиганство", "мифтахову"):
        assert not any(w.startswith(typed) for w in profile_words)


def test_the_match_is_marked_as_it_is_written(client, demo_profile):
    page = client.get("/ru/search", query_string={"q": "Мифтахову"}).get_data(as_text=True)
    assert "<mark>Мифтахов</mark>" in page
    assert "<mark>Мифтахову</mark>" not in page  # the profile never writes that form
    page = client.get("/ru/search", query_string={"q": "хулиганство"}).get_data(as_text=True)
    assert "<mark>хулиганстве</mark>" in page


# ---- French and English ----


def test_a_french_plural_finds_the_singular_title(client, make_work):
    make_work(title="Prisonnier", text_locale="fr")
    make_work(title="Prison break")
    assert titles(client, "/fr/search", "prisonniers") == ["Prisonnier"]
    assert titles(client, "/fr/search", "PRISONNIÈRES") == ["Prisonnier"]
    page = client.get("/fr/search", query_string={"q": "prisonniers"}).get_data(as_text=True)
    assert "<mark>Prisonnier</mark>" in page


def test_an_english_title_is_found_from_every_language(client, make_work):
    make_work(title="Letters to the prisoners")
    make_work(title="Лето в колонии")
    for path in ("/en/search", "/fr/search", "/ru/search"):
        assert titles(client, path, "letters") == ["Letters to the prisoners"], path
        assert titles(client, path, "prisoner") == ["Letters to the prisoners"], path
    # Stemmed in English on /en/ and /ru/ (PostgreSQL's `russian` stems Latin words in
    # English): a plural and its singular are one word.
    assert titles(client, "/en/search", "letter prisoners") == ["Letters to the prisoners"]
    assert titles(client, "/ru/search", "letter prisoners") == ["Letters to the prisoners"]


def test_a_russian_word_is_found_from_english_and_french(client, make_work):
    make_work(title="Лето в колонии", tag_names=("хулиганство",))
    for path in ("/en/search", "/fr/search"):
        assert titles(client, path, "колония") == ["Лето в колонии"], path
        assert titles(client, path, "хулиганства") == ["Лето в колонии"], path


def test_a_bare_address_stems_in_the_negotiated_language(client, make_work):
    make_work(title="Prisonnier", text_locale="fr")
    response = client.get(
        "/search", query_string={"q": "prisonniers"}, headers={"Accept-Language": "fr"}
    )
    assert "<mark>Prisonnier</mark>" in response.get_data(as_text=True)


def test_a_stem_is_required_like_any_word(client, make_work):
    make_work(title="Prisonnier")
    make_work(title="Prisonnières du silence")
    assert titles(client, "/fr/search", "prisonniers silence") == ["Prisonnières du silence"]


def test_short_words_are_not_prefixes_even_stemmed(client, make_work):
    make_work(title="Les ailes")
    assert titles(client, "/fr/search", "ai") == []
    assert titles(client, "/fr/search", "aile") == ["Les ailes"]


def test_a_profile_story_is_found_in_its_other_forms(client, make_prisoner):
    prisoner = make_prisoner(name="Ada Lovelace")
    prisoner.stories.append(
        PrisonerStory(
            locale="ru",
            summary="Математик.",
            body="Её осудили за «хулиганство» и отправили в колонию.",
        )
    )
    db.session.commit()
    search.index_prisoner(prisoner)
    db.session.commit()
    for q in ("математика", "математику", "колонией", "колонии", "хулиганстве", "осудила"):
        assert titles(client, "/ru/search", q) == ["Ada Lovelace"], q


def test_no_result_advice_fits_a_stemming_search(client, make_work):
    make_work(title="Prisoner")
    make_work(title="Письма Мифтахову")
    advice = {
        "/en/search": "A word is also found in its other forms: “prisoners” finds “prisoner”.",
        "/fr/search": "Un mot est aussi trouvé sous ses autres formes\u00a0: «\u202fprisonniers\u202f» trouve "
        "«\u202fprisonnier\u202f».",
        "/ru/search": "Падеж и число не важны: по запросу «Мифтахова» найдётся и «Мифтахов».",
    }
    for path, words in advice.items():
        page = client.get(path, query_string={"q": "zzzz"}).get_data(as_text=True)
        assert spaced(html_lib.unescape(page)).count(spaced(words)) == 1, path
        assert "начало слова" not in page
    # …and what each says is true.
    assert titles(client, "/en/search", "prisoners") == ["Prisoner"]
    assert titles(client, "/ru/search", "Мифтахова") == ["Письма Мифтахову"]


# ---- the stems as each database makes them ----


def test_stems_mirror_postgresqls_configurations():
    assert search.stem("prisonniers", "french") == search.stem("prisonnier", "french") == "prisonni"
    assert search.stem("мифтахову", "russian") == search.stem("мифтахова", "russian") == "мифтахов"
    assert search.stem("мифтаховой", "russian") == "мифтахов"  # "й" is kept for this
    assert search.stem("prisoners", "russian") == "prison"  # `russian` stems ASCII words in English
    assert search.stem("хулиганстве", "english") == "хулиганстве"
    assert search.stem("2019г", "russian") == "2019г"  # a word with a digit is kept
    assert search.lexemes("prisoners") == ("prisoners", "prison", "prisoner")
    assert search.stems("letters мифтахову 2019 ада") == "letter мифтахов ад"  # stems that differ


def test_the_query_takes_the_pages_language():
    assert search.parse_query("Prisonniers", "fr").forms("prisonniers") == (
        "prisonniers",
        "prisonni",
    )
    assert search.parse_query("Prisoners", "ru").forms("prisoners") == ("prisoners", "prison")
    assert search.parse_query("хулиганство", "en").forms("хулиганство") == (
        "хулиганство",
        "хулиганств",
    )
    assert search.parse_query("x", "de").config == "english"
    assert search.parse_query("prisonniers", "fr").fts5() == '("prisonniers"* OR "prisonni"*)'


def test_highlight_marks_every_form():
    terms = search.parse_query("хулиганство мифтахову", "ru")
    out = str(search.highlight("Мифтахова судили за «хулиганство», Мифтахов — математик", terms))
    assert out == (
        "<mark>Мифтахова</mark> судили за «<mark>хулиганство</mark>», "
        "<mark>Мифтахов</mark> — математик"
    )


def test_snippet_ellipses_sit_tight():
    words = ", ".join(f"слово{n}" for n in range(60))  # the cut falls after a comma
    value = f"{words}, и затем начало, {words}."
    out = str(search.snippet(value, search.parse_query("начало", "ru"), width=60))
    assert out == "…и затем <mark>начало</mark>, слово0, слово1, слово2, слово3, слово4…"


def test_postgresql_stems_as_python_does(app):
    """On PostgreSQL, its configurations make the stems Python computes for SQLite (words
    on which PostgreSQL's release of Snowball and the library's agree)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    sample = [
        "prisonniers",
        "prisonnier",
        "libérés",
        "lettres",
        "prisoners",
        "letters",
        "cities",
        "painted",
        "мифтахову",
        "мифтаховой",
        "хулиганстве",
        "колонии",
        "математика",
        "осуждена",
        "2019г",
    ]
    for config in search.STEMMED:
        for word in map(search.fold, sample):
            lexeme = db.session.execute(
                text("SELECT to_tsvector(CAST(:c AS regconfig), :w)::text"),
                {"c": config, "w": word},
            ).scalar_one()
            assert lexeme == f"'{search.stem(word, config)}':1", (config, word)


# ---- an installation that is upgraded, or reindexed ----


def test_reindex_writes_the_stems(client, runner, make_work):
    make_work(title="Письма Мифтахову")
    db.session.execute(search.SearchDocument.__table__.delete())
    db.session.commit()
    assert titles(client, "/ru/search", "Мифтахова") == []
    out = runner.invoke(args=["reindex"])
    assert out.exit_code == 0 and "1 works, 0 prisoners" in out.output
    assert titles(client, "/ru/search", "Мифтахова") == ["Письма Мифтахову"]


from helpers import migration_app  # noqa: E402  (the migration tests' app; empty_database is conftest's)


def _found_by_old_index(dialect: str, word: str) -> list[int]:
    """What the words-only index of 7c4e9b2d1f60 finds (the query code of today asks the new one)."""
    if dialect == "sqlite":
        sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH :q"
        q = f'"{word}"'
    else:
        sql = (
            "SELECT id FROM search_document WHERE (setweight(to_tsvector('simple'::regconfig, "
            "coalesce(title, '')), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'B')) "
            "@@ to_tsquery('simple'::regconfig, :q)"
        )
        q = f"'{word}'"
    return [r for (r,) in db.session.execute(text(sql), {"q": q})]


def _old_work(conn, title: str) -> None:
    """An approved work, id 1, as the schema of e5b7a2c9d013 holds one."""
    conn.execute(
        text(
            "INSERT INTO work (id, public_id, title, alt_text, licence, own_work, consent, ai_used, status, "
            "submitted_at, is_demo, hidden, has_alpha, print_permitted, media_move_pending) "
            "VALUES (1, 'public-id-0001', :title, 'alt', 'cc0-1.0', true, true, false, 'approved', "
            "'2026-01-01', false, false, false, false, false)"
        ),
        {"title": title},
    )


def _old_prisoner(conn, name: str, native: str) -> None:
    """A prisoner, id 1, as the schema of e5b7a2c9d013 holds one."""
    conn.execute(
        text(
            "INSERT INTO prisoner (id, slug, name, name_native, status, timezone, original_locale, featured, "
            "is_demo, created_at, updated_at) VALUES (1, 'azat', :name, :native, 'imprisoned', "
            "'UTC', 'en', false, false, '2026-01-01', '2026-01-01')"
        ),
        {"name": name, "native": native},
    )


def test_the_migration_stems_what_is_there_and_goes_back(empty_database, tmp_path, monkeypatch):
    from flask_migrate import downgrade, upgrade

    app = migration_app(empty_database, tmp_path, monkeypatch)
    with app.app_context():
        upgrade(revision="e5b7a2c9d013")
        with db.engine.begin() as conn:
            _old_work(conn, "Prisonnier")
            _old_prisoner(conn, "Azat", "Азат Мифтахов")
            conn.execute(
                text(
                    "INSERT INTO prisoner_story (prisoner_id, locale, summary, body) VALUES "
                    "(1, 'ru', 'Математик.', 'Осуждён за «хулиганство» Мифтаховой.')"
                )
            )
        upgrade()
        dialect = db.engine.dialect.name
        rows = db.session.execute(
            text(
                "SELECT kind, ref_id, title, body, title_stems, body_stems "
                "FROM search_document ORDER BY kind, ref_id"
            )
        ).all()
        assert [tuple(r) for r in rows] == [
            (
                "prisoner",
                1,
                "azat азат мифтахов",
                "математик осужден за хулиганство мифтаховой",
                "мифтах",
                "осужд хулиганств мифтахов",
            ),
            ("work", 1, "prisonnier", "alt", "prisonni", ""),
        ]

        def hits(q: str, locale: str) -> list[tuple[str, int]]:
            return [
                (h.kind, h.ref_id)
                for h in search.query._ranked(dialect, search.parse_query(q, locale), 10, 0)[0]
            ]

        assert hits("prisonniers", "fr") == [("work", 1)]
        assert hits("Мифтахову хулиганства", "ru") == [("prisoner", 1)]
        db.session.remove()

        downgrade(revision="e5b7a2c9d013")
        assert "title_stems" not in {
            c["name"] for c in sa_inspect(db.engine).get_columns("search_document")
        }
        assert (
            _found_by_old_index(dialect, "мифтаховои") != []
        )  # "й" folded again, as that index expects
        assert _found_by_old_index(dialect, "prisonnier") != []
        db.session.remove()
        upgrade()
        assert hits("Мифтахову", "ru") == [("prisoner", 1)]
        db.session.remove()
        db.engine.dispose()


def test_the_migration_gives_works_their_prisoners_names_and_takes_them_back(
    empty_database, tmp_path, monkeypatch
):
    from flask_migrate import downgrade, upgrade

    app = migration_app(empty_database, tmp_path, monkeypatch)
    with app.app_context():
        upgrade(revision="e5b7a2c9d013")
        with db.engine.begin() as conn:
            _old_work(conn, "Lettres")
            _old_prisoner(conn, "Azat Miftakhov", "Азат Мифтахов")
            conn.execute(text("INSERT INTO work_prisoner (work_id, prisoner_id) VALUES (1, 1)"))
        upgrade(revision="a7d3f9e2c5b8")  # the index as it was: the work's own words only

        def work_body() -> str:
            return db.session.execute(
                text("SELECT body FROM search_document WHERE kind = 'work' AND ref_id = 1")
            ).scalar_one()

        dialect = db.engine.dialect.name

        def hits(q: str) -> list[tuple[str, int]]:
            found = search.query._ranked(dialect, search.parse_query(q, "ru"), 10, 0)[0]
            return [(h.kind, h.ref_id) for h in found]

        assert work_body() == "alt"
        assert hits("Мифтахова") == [("prisoner", 1)]
        db.session.remove()
        upgrade()
        assert work_body() == "alt azat miftakhov азат мифтахов"
        assert hits("Мифтахова") == [("prisoner", 1), ("work", 1)]  # the profile first
        db.session.remove()
        downgrade(revision="a7d3f9e2c5b8")
        assert work_body() == "alt"
        db.session.remove()
        db.engine.dispose()
