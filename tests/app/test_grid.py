"""The /works grid: filters, keyset pagination, bad input and a constant number of queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from gallery.extensions import db
from gallery.models import Campaign

BASE = datetime(2025, 1, 1, tzinfo=UTC)


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card__title">([^<]+)</h3>', html)


@pytest.fixture
def thirty(app, make_work):
    """30 approved works, 'W29' the newest; three share one timestamp to test tie-breaking."""
    works = []
    for n in range(30):
        when = BASE + timedelta(minutes=n if n not in (10, 11, 12) else 10)
        works.append(make_work(title=f"W{n:02d}", published_at=when))
    return works


def test_pages_walk_every_work_once_in_order(app, client, thirty):
    app.config["WORKS_PER_PAGE"] = 7
    seen: list[str] = []
    url = "/works"
    pages = 0
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += titles(html)
        nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
        pages += 1
    assert pages == 5
    # Newest first: W29 (minute 29) down to W13, then the three published at minute 10,
    # the newest id first (W12, W11, W10), then W09 (minute 9) down to W00.
    expected = (
        [f"W{n:02d}" for n in range(29, 12, -1)]
        + ["W12", "W11", "W10"]
        + [f"W{n:02d}" for n in range(9, -1, -1)]
    )
    assert len(expected) == 30 and len(set(expected)) == 30
    assert seen == expected


def test_newer_link_goes_back(app, client, thirty):
    app.config["WORKS_PER_PAGE"] = 7
    first = titles(client.get("/works").get_data(as_text=True))
    html2 = client.get("/works?page=2").get_data(as_text=True)
    prev = re.search(r'<a rel="prev" href="([^"]+)"', html2).group(1).replace("&amp;", "&")
    assert titles(client.get(prev).get_data(as_text=True)) == first


def test_page_numbers_map_onto_the_keyset(app, client, thirty):
    app.config["WORKS_PER_PAGE"] = 7
    by_cursor = client.get("/works").get_data(as_text=True)
    nxt = re.search(r'<a rel="next" href="([^"]+)"', by_cursor).group(1).replace("&amp;", "&")
    assert titles(client.get(nxt).get_data(as_text=True)) == titles(
        client.get("/works?page=2").get_data(as_text=True)
    )
    assert "There are no more works." in client.get("/works?page=99").get_data(as_text=True)


@pytest.mark.parametrize("page", ["abc", "-3", "0", "1e9", "99999999999", ""])
def test_malformed_page_numbers_fall_back_to_page_one(client, make_work, page):
    make_work(title="Only one")
    response = client.get(f"/works?page={page}")
    assert response.status_code == 200
    assert titles(response.get_data(as_text=True)) == ["Only one"]


@pytest.mark.parametrize(
    "query",
    [
        "after=garbage",
        "before=1-x",
        "after=" + "9" * 30 + "-1",
        "after=99999999999999999999-1",
        "prisoner=<script>",
        "campaign=" + "a" * 200,
        "tag=UPPER",
    ],
)
def test_malformed_filters_and_cursors_are_400(client, query):
    response = client.get(f"/works?{query}")
    assert response.status_code == 400
    assert "could not be understood" in response.get_data(as_text=True)


def test_unknown_filter_slug_is_404(client):
    assert client.get("/works?prisoner=nobody-here").status_code == 404


def test_filters(client, make_prisoner, make_work):
    ada, bea = make_prisoner(name="Ada"), make_prisoner(name="Bea")
    c = Campaign(slug="rally", title="Rally")
    db.session.add(c)
    db.session.commit()
    make_work(title="For Ada", prisoners=(ada,), tag_names=("poster",))
    make_work(title="For Bea", prisoners=(bea,), campaign_id=c.id, tag_names=("poster", "letters"))
    make_work(title="For both", prisoners=(ada, bea), tag_names=("letters",))
    got = lambda q: sorted(titles(client.get(f"/works?{q}").get_data(as_text=True)))  # noqa: E731
    assert got(f"prisoner={ada.slug}") == ["For Ada", "For both"]
    assert got("campaign=rally") == ["For Bea"]
    assert got("tag=letters") == ["For Bea", "For both"]
    assert got(f"prisoner={bea.slug}&tag=poster") == ["For Bea"]
    assert got("") == ["For Ada", "For Bea", "For both"]


def test_filter_form_keeps_the_choice(client, make_prisoner, make_work):
    ada = make_prisoner(name="Ada")
    make_work(prisoners=(ada,))
    html = client.get(f"/works?prisoner={ada.slug}").get_data(as_text=True)
    assert f'<option value="{ada.slug}" selected>' in html
    assert "Clear filters" in html


def test_grid_runs_a_constant_number_of_statements(
    app, client, make_prisoner, make_work, count_statements
):
    app.config["WORKS_PER_PAGE"] = 24
    ada = make_prisoner()

    def statements_for(url: str) -> int:
        db.session.expire_all()
        with count_statements() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    for n in range(3):
        make_work(prisoners=(ada,), tag_names=(f"t{n}",))
    few = {
        u: statements_for(u)
        for u in (
            "/works",
            f"/works?prisoner={ada.slug}",
            "/",
            "/prisoners",
            f"/prisoners/{ada.slug}",
        )
    }
    for n in range(3, 30):
        make_work(prisoners=(ada, make_prisoner()), tag_names=(f"t{n}", "x"))
    many = {u: statements_for(u) for u in few}
    assert many == few
    assert (
        few["/works"] <= 10
    )  # one of them: the works' texts in other languages, one the prisoners' names, one
    # the works' other images
