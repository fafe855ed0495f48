"""The rally slideshow, as the server draws it (issue 13): which works, in which order,
the interval, the refresh without JavaScript, the QR code's address. The browser side
(advancing, keys, reduced motion, the network dropping) is in test_browser_show.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import segno

from gallery.extensions import db
from gallery.models import Campaign, WorkStatus, utcnow
from helpers import saved

SLIDE_TITLE = re.compile(r'<span class="slide__title"[^>]*>([^<]+)</span>')


@pytest.fixture
def works(make_work):
    now = utcnow()
    campaign = saved(Campaign(slug="rally", title="Rally for the prisoners", original_locale="en"))
    made = [
        make_work(
            title=f"Poster {n}",
            published_at=now - timedelta(minutes=n),
            campaign_id=campaign.id if n % 2 else None,
        )
        for n in range(1, 6)
    ]
    make_work(title="Still waiting", status=WorkStatus.PENDING, campaign_id=campaign.id)
    hidden = make_work(title="Hidden after a report", campaign_id=campaign.id, published_at=now)
    hidden.hidden = True
    db.session.commit()
    return made


def titles(response) -> list[str]:
    assert response.status_code == 200
    return SLIDE_TITLE.findall(response.get_data(as_text=True))


def test_the_show_has_the_newest_public_works_and_nothing_else(client, works):
    assert titles(client.get("/show")) == [
        "Poster 1",
        "Poster 2",
        "Poster 3",
        "Poster 4",
        "Poster 5",
    ]


def test_a_campaigns_show_has_its_works_only(client, works):
    assert titles(client.get("/campaigns/rally/show")) == ["Poster 1", "Poster 3", "Poster 5"]
    assert client.get("/campaigns/no-such-rally/show").status_code == 404
    assert client.get("/fr/campaigns/rally/show").status_code == 200


@pytest.mark.parametrize(
    ("given", "interval"),
    [
        ("", 12),
        ("20", 20),
        ("1", 3),
        ("100000", 600),
        ("abc", 12),
        ("%C2%B2", 12),
        ("-5", 12),
        ("9" * 40, 12),
        ("%00", 12),
    ],
)
def test_the_interval_is_read_politely(client, works, given, interval):
    page = client.get(f"/show?interval={given}").get_data(as_text=True)
    assert f'data-interval="{interval}"' in page
    assert f'content="{interval}; url=/show?interval={interval}&amp;start=1"' in page


def test_without_javascript_each_refresh_shows_the_next_work(client, works):
    assert titles(client.get("/show?start=3")) == ["Poster 4"]
    last = client.get("/show?start=4&interval=5").get_data(as_text=True)
    assert 'content="5; url=/show?interval=5&amp;start=0"' in last  # around again
    assert titles(client.get("/show?start=0")) == ["Poster 1"]
    assert titles(client.get("/show?start=999")) == ["Poster 5"]


def test_the_refresh_sits_in_noscript_so_scripts_run_the_show(client, works):
    page = client.get("/show").get_data(as_text=True)
    assert re.search(
        r'<noscript><meta http-equiv="refresh" content="12; url=[^"]+"></noscript>', page
    )
    assert '<script src="/static/js/show.js' in page


def test_each_slide_links_its_work_in_the_shows_language(client, works):
    page = client.get("/ru/show").get_data(as_text=True)
    links = re.findall(r'<a class="slide__qr" href="([^"]+)">', page)
    assert links[0] == f"http://localhost/ru/works/{works[0].public_id}"
    assert page.count("<svg") == len(works)  # a QR code a slide, drawn inline
    # The code holds the address with ?src=qr, so a visit from the screen is counted.
    code = segno.make(links[0] + "?src=qr", error="m")
    assert code.svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=True) in page


def test_an_empty_show_says_so(client):
    page = client.get("/fr/show").get_data(as_text=True)
    assert "refresh" not in page
    assert 'class="show__empty"' in page
