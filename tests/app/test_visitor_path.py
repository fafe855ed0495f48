"""Issue 25, the visitor's path to an action: on a work's page, previous and next within
the list the visitor came from (?from=), the large image in a dialog (a plain link without
JavaScript), share links and "more for this prisoner"; on a profile, a jump to "How to
help" and "Write now"; a search for a prisoner's name finds the works made for him."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from gallery.extensions import db
from gallery.models import Campaign, WorkStatus
from helpers import approving, fresh, saved

START = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def hrefs(html: str, rel: str) -> list[str]:
    return [html_lib.unescape(h) for h in re.findall(rf'rel="{rel}" href="([^"]+)"', html)]


def work_links(html: str) -> list[str]:
    """The hrefs of the work cards, in the order shown."""
    return [html_lib.unescape(h) for h in re.findall(r'class="card__link" href="([^"]+)"', html)]


def title_of(html: str) -> str:
    return html_lib.unescape(re.search(r"<h1><span[^>]*>([^<]+)</span>", html).group(1))


@pytest.fixture
def lists(make_prisoner: Any, make_work: Any) -> dict[str, Any]:
    """Five works published a day apart (w1 the oldest): w1, w2, w4 for Azat, w3 and w5 for
    Maria; w2 and w3 in the campaign "rally", w4 tagged "letters"."""
    azat = make_prisoner(
        slug="azat", name="Azat Miftakhov", name_native="Азат Мифтахов", name_native_locale="ru"
    )
    maria = make_prisoner(slug="maria", name="Maria Ponomarenko")
    rally = saved(Campaign(slug="rally", title="Rally", prisoners=[azat, maria]))
    people = {1: azat, 2: azat, 3: maria, 4: azat, 5: maria}
    works = {}
    for n, who in people.items():
        works[n] = make_work(
            title=f"Drawing {n}",
            prisoners=(who,),
            published_at=START + timedelta(days=n),
            campaign_id=rally.id if n in (2, 3) else None,
            tag_names=("letters",) if n == 4 else (),
        )
    return {"works": works, "azat": azat, "maria": maria}


def follow(client: FlaskClient, start: str, rel: str) -> list[str]:
    """The titles met following rel="next" (or "prev") links from a work page to the end."""
    titles = []
    path: str | None = start
    while path:
        html = page(client, path)
        titles.append(title_of(html))
        found = hrefs(html, rel)
        path = found[0] if found else None
        assert len(titles) < 10
    return titles


# ---- previous and next within the list the visitor came from ----


def test_the_grid_links_carry_the_list_and_next_and_previous_walk_it_in_order(client, lists):
    grid = page(client, "/works")
    links = work_links(grid)
    assert [parse_qs(urlsplit(h).query)["from"] for h in links] == [["all"]] * 5
    newest = links[0]
    assert follow(client, newest, "next") == [f"Drawing {n}" for n in (5, 4, 3, 2, 1)]
    oldest = f"/works/{lists['works'][1].public_id}?from=all"
    assert follow(client, oldest, "prev") == [f"Drawing {n}" for n in (1, 2, 3, 4, 5)]
    # The ends have one link only, and a way back to the list.
    first = page(client, newest)
    assert hrefs(first, "prev") == [] and "← Previous work" not in first
    assert '<a class="work-nav__list" href="/works">Back to the list</a>' in first


@pytest.mark.parametrize(
    ("source", "context", "expected"),
    [
        ("/prisoners/azat", "prisoner:azat", (4, 2, 1)),
        ("/prisoners/maria", "prisoner:maria", (5, 3)),
        ("/campaigns/rally", "campaign:rally", (3, 2)),
        ("/works?prisoner=azat", "prisoner:azat", (4, 2, 1)),
        ("/works?prisoner=azat&tag=letters", "prisoner:azat,tag:letters", (4,)),
    ],
)
def test_a_profile_a_campaign_and_a_filtered_grid_each_keep_their_own_order(
    client, lists, source, context, expected
):
    links = work_links(page(client, source))
    assert {parse_qs(urlsplit(h).query)["from"][0] for h in links} == {context}
    assert follow(client, links[0], "next") == [f"Drawing {n}" for n in expected]


def test_the_back_link_returns_to_the_filtered_grid(client, lists):
    w4 = lists["works"][4]
    html = page(client, f"/fr/works/{w4.public_id}?from=prisoner:azat,tag:letters")
    back = re.search(r'class="work-nav__list" href="([^"]+)"', html).group(1)
    assert parse_qs(urlsplit(html_lib.unescape(back)).query) == {
        "prisoner": ["azat"],
        "tag": ["letters"],
    }
    assert "Retour à la liste" in html
    # The language links keep the list; the canonical address and the alternates do not.
    assert f'href="/ru/works/{w4.public_id}?from=prisoner%3Aazat%2Ctag%3Aletters"' in html
    assert f'<link rel="canonical" href="http://localhost/fr/works/{w4.public_id}">' in html
    assert "from=" not in "".join(re.findall(r'<link rel="alternate" hreflang[^>]+>', html))
    assert f'content="http://localhost/fr/works/{w4.public_id}"' in html  # og:url


@pytest.mark.parametrize(
    "bad",
    [
        "nothing",
        "prisoner:",
        "prisoner:Azat",
        "prisoner:nobody",
        "prisoner:maria",  # a list the work is not in
        "tag:letters,prisoner:azat",  # another spelling of a real list
        "prisoner:azat,prisoner:azat",
        "search:",
        "search:!!!",
        "",
    ],
)
def test_a_list_that_does_not_hold_the_work_is_dropped_by_a_redirect(client, lists, bad):
    w4 = lists["works"][4]
    response = client.get(f"/fr/works/{w4.public_id}", query_string={"from": bad})
    assert response.status_code == 301
    assert response.headers["Location"] == f"/fr/works/{w4.public_id}"


def test_a_work_without_a_list_has_no_previous_or_next(client, lists):
    html = page(client, f"/works/{lists['works'][3].public_id}")
    assert 'class="work-nav' not in html and hrefs(html, "next") == []


def test_each_list_is_its_own_cached_page_and_a_search_is_never_kept(
    client, lists, count_statements
):
    w3 = lists["works"][3]
    by_list = {
        "all": ("Drawing 4", "Drawing 2"),
        "prisoner:maria": ("Drawing 5", None),
        "campaign:rally": (None, "Drawing 2"),
    }

    def neighbours(html: str) -> tuple[str | None, str | None]:
        def title(rel: str) -> str | None:
            found = hrefs(html, rel)
            return title_of(page(client, found[0])) if found else None

        return title("prev"), title("next")

    for context, expected in by_list.items():
        first = page(client, f"/works/{w3.public_id}?from={context}")
        with count_statements() as counter:
            again = page(client, f"/works/{w3.public_id}?from={context}")
        assert counter.count == 0 and again == first  # kept, under its own key
        assert neighbours(again) == expected, context
    assert 'class="work-nav' not in page(client, f"/works/{w3.public_id}")
    # A search's words would make a page each: rendered every time, kept by nobody.
    url = f"/works/{w3.public_id}?from=" + quote("search:drawing")
    first = client.get(url)
    assert first.status_code == 200 and "no-store" in first.headers["Cache-Control"]
    with count_statements() as counter:
        again = client.get(url)
    assert counter.count > 0 and again.status_code == 200
    assert 'name="robots" content="noindex"' in again.get_data(as_text=True)


# ---- the large image, share links, more for this prisoner ----


def test_the_image_links_to_its_large_rendition_and_the_dialog_is_named(client, lists):
    work = lists["works"][2]
    html = page(client, f"/works/{work.public_id}")
    link = re.search(r'<a class="work__zoom" href="([^"]+)" data-zoom="work-zoom">', html)
    assert link is not None
    large = client.get(link.group(1))
    assert large.status_code == 200 and large.mimetype == "image/jpeg"
    assert link.group(1).startswith("/media/") and "large" in link.group(1)
    large.close()
    assert "(open the large image)" in html
    dialog = re.search(r'<dialog class="zoom" id="work-zoom" aria-labelledby="([^"]+)">', html)
    assert dialog is not None
    assert re.search(rf'id="{dialog.group(1)}"[^>]*>Drawing 2</h2>', html)
    assert (
        '<button type="button" class="button button--quiet" data-zoom-close>Close</button>' in html
    )
    script = re.search(r'<script src="([^"]+/js/work\.js[^"]*)" defer></script>', html)
    assert script is not None
    with client.get(script.group(1)) as js:
        assert js.status_code == 200 and "showModal" in js.get_data(as_text=True)
    assert "<script>" not in html and "<style" not in html and " style=" not in html


def test_share_links_are_plain_links_to_the_canonical_address(client, lists):
    work = lists["works"][2]
    html = page(client, f"/ru/works/{work.public_id}?from=all")
    canonical = f"http://localhost/ru/works/{work.public_id}"
    box = html.split('<div class="share"', 1)[1].split("</div>", 1)[0]
    assert f'data-share-url="{canonical}"' in box and 'data-share-title="Drawing 2"' in box
    assert "data-share-button hidden>Поделиться…</button>" in box
    links = [html_lib.unescape(h) for h in re.findall(r'href="([^"]+)"', box)]
    assert links[0] == f"mailto:?subject=Drawing%202&body={quote(canonical, safe='/')}"
    hosts = {urlsplit(h).netloc for h in links[1:]}
    assert hosts == {"t.me", "wa.me", "vk.com", "www.facebook.com", "x.com", "bsky.app"}
    for h in links[1:]:
        assert canonical in " ".join(v for vs in parse_qs(urlsplit(h).query).values() for v in vs)
    # Nothing of another site is loaded: every script and image is the gallery's own.
    assert not re.search(r'<(?:script|img|iframe|source)[^>]+src(?:set)?="https?://', html)
    assert not re.search(r'<link rel="(?:stylesheet|preload|icon)"[^>]+href="https?://', html)


def test_more_for_this_prisoner_shows_his_other_works_and_a_link_to_all(client, lists):
    w2 = lists["works"][2]
    html = page(client, f"/works/{w2.public_id}")
    more = html.split('<section class="more-works" aria-labelledby="more-azat">', 1)[1]
    more = more.split("</section>", 1)[0]
    assert "More for Azat Miftakhov" in more
    titles = re.findall(r'<h3 class="card__title"[^>]*>([^<]+)</h3>', more)
    assert titles == ["Drawing 4", "Drawing 1"]  # newest first, itself left out
    assert [parse_qs(urlsplit(h).query)["from"] for h in work_links(more)] == [
        ["prisoner:azat"]
    ] * 2
    assert 'href="/works?prisoner=azat">All works for Azat Miftakhov →</a>' in more


def test_a_work_alone_for_its_prisoner_shows_no_more(client, make_prisoner, make_work):
    alone = make_prisoner(slug="alone", name="Alone")
    work = make_work(title="Only one", prisoners=(alone,))
    assert 'class="more-works"' not in page(client, f"/works/{work.public_id}")


# ---- a profile: the jump to "How to help", and "Write now" ----


def test_a_profile_jumps_to_how_to_help_and_write_now_leads_to_the_letter_desk(client, lists):
    html = page(client, "/fr/prisoners/azat")
    header = html.split('<header class="profile__header">', 1)[1].split("</header>", 1)[0]
    jump = re.search(r'<a href="#help">(.*?)</a>', header)
    assert jump and re.sub(r"<[^>]+>", "", jump.group(1)) == "Comment aider Azat Miftakhov ↓"
    help_section = html.split('<section id="help"', 1)[1].split("</section>", 1)[0]
    assert '<a class="button" href="/fr/prisoners/azat/write">Écrire maintenant</a>' in help_section
    assert '<h3 id="write">Comment lui écrire</h3>' in help_section
    assert client.get("/fr/prisoners/azat/write").status_code == 200


# ---- search: a prisoner's name finds the works made for him ----


def search_titles(client: FlaskClient, q: str) -> list[str]:
    html = page(client, "/search?q=" + quote(q))
    return [
        html_lib.unescape(re.sub(r"<[^>]+>", "", t))
        for t in re.findall(r'<li class="result">.*?<h2><a href="[^"]+"[^>]*>(.*?)</a>', html, re.S)
    ]


def test_a_prisoners_name_finds_his_profile_first_then_the_works_for_him(client, lists):
    from gallery import search

    search.index_prisoner(lists["azat"])
    db.session.commit()
    for q in ("Azat", "Мифтахов", "miftakhov"):
        found = search_titles(client, q)
        assert found[0] == "Azat Miftakhov", q
        assert sorted(found[1:]) == ["Drawing 1", "Drawing 2", "Drawing 4"], q
    # Maria's profile is not in the index here (made straight in the table): her works are.
    assert sorted(search_titles(client, "Ponomarenko")) == ["Drawing 3", "Drawing 5"]
    assert search_titles(client, "Someone") == []


def test_search_results_lead_to_works_whose_next_follows_the_results(client, lists):
    html = page(client, "/search?q=ponomarenko")
    links = re.findall(r'<h2><a href="([^"]+)"', html)
    assert len(links) == 2
    first = html_lib.unescape(links[0])
    assert parse_qs(urlsplit(first).query)["from"] == ["search:ponomarenko"]
    shown = search_titles(client, "ponomarenko")
    assert follow(client, first, "next") == shown
    back = page(client, first)
    assert 'href="/search?q=ponomarenko">Back to the search results</a>' in back


def test_renaming_a_prisoner_moves_his_works_to_the_new_name(client, lists, moderator):
    maria = lists["maria"]
    form = {
        "name": "Maria Ponomarenko-Volkova",
        "status": "imprisoned",
        "timezone": "Europe/Moscow",
        "detained_on": "2022-04-24",
        "story_en": "A journalist.",
        "summary_en": "A journalist from Barnaul.",
        "letter_address": "",
        "sources": "",
        "csrf_token": moderator,
    }
    response = client.post(f"/moderation/prisoners/{maria.id}/edit", data=form)
    assert response.status_code == 303
    assert sorted(search_titles(client, "volkova")) == [
        "Drawing 3",
        "Drawing 5",
        "Maria Ponomarenko-Volkova",
    ]
    form["name"] = "Maria Volkova"
    assert client.post(f"/moderation/prisoners/{maria.id}/edit", data=form).status_code == 303
    assert search_titles(client, "ponomarenko") == []  # the old name has left every row


def test_a_work_approved_later_is_found_by_its_prisoners_name(client, lists, moderator, make_work):
    work = make_work(title="Late kite", prisoners=(lists["maria"],), status=WorkStatus.PENDING)
    assert "Late kite" not in search_titles(client, "ponomarenko")
    response = client.post(
        f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id)
    )
    assert response.status_code == 303
    assert "Late kite" in search_titles(client, "ponomarenko")


def test_reindex_puts_the_prisoners_names_in_the_works_rows(client, runner, lists):
    from gallery import search

    db.session.execute(search.SearchDocument.__table__.delete())
    db.session.commit()
    assert search_titles(client, "ponomarenko") == []
    assert runner.invoke(args=["reindex"]).exit_code == 0
    assert sorted(search_titles(client, "ponomarenko")) == [
        "Drawing 3",
        "Drawing 5",
        "Maria Ponomarenko",
    ]
    fresh()
    rows = db.session.scalars(
        select(search.SearchDocument.body).where(search.SearchDocument.kind == "work")
    ).all()
    assert sum("ponomarenko" in body for body in rows) == 2
    assert sum("мифтахов" in body for body in rows) == 3  # every spelling of a name
