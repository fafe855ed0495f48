"""The slideshow for a screen or projector at a rally (issue 13): `/show` for the newest
works, `/campaigns/<slug>/show` for a campaign's, one work at a time with its title, artist,
prisoners and a QR code to its page.

With JavaScript (static/js/show.js) the slides advance every `?interval=` seconds and by
keyboard, preloading the next images so the show goes on when the network drops. Without
it, the page is a column of full-screen slides, and a refresh every interval moves on to
`?start=1`, `?start=2`...: pages of one work each, round and round."""

from __future__ import annotations

from functools import lru_cache

import segno
from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from ..models import Campaign, Work
from ..models.impact import qr_address
from ..web.http import or_404
from ..web.i18n import url_in_language
from . import queries

bp = Blueprint("show", __name__)

DEFAULT_INTERVAL = 12  # seconds
MIN_INTERVAL, MAX_INTERVAL = 3, 600
NEWEST = 60  # works in /show
CAMPAIGN_MAX = 200  # works in a campaign's show


def _number(name: str, default: int, low: int, high: int) -> int:
    """A whole number from the query string, kept between low and high; anything that is
    not one (empty, "abc", "²", huge) is the default: a projector has no one to read an error."""
    raw = request.args.get(name, "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        return default
    return min(max(int(raw), low), high)


@lru_cache(maxsize=2048)
def qr_svg(url: str) -> Markup:
    """A QR code of the address, with ?src=qr so a visit from the screen is counted, as
    inline SVG (no request, no script), dark on white. Kept once made: segno takes about
    4 ms a code to choose its mask, 60 a show."""
    code = segno.make(qr_address(url), error="m")
    return Markup(code.svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=True))  # noqa: S704


def _show(
    works: list[Work], endpoint: str, campaign: Campaign | None = None, **values: str
) -> ResponseReturnValue:
    interval = _number("interval", DEFAULT_INTERVAL, MIN_INTERVAL, MAX_INTERVAL)
    # Works with a content warning are left out unless the organiser chose them (?warned=1):
    # a screen in a square has no cover for a passer-by to lift.
    if request.args.get("warned") == "1":
        values = {**values, "warned": "1"}
    else:
        works = [w for w in works if w.content_warning is None]
    start = _number("start", 0, 0, max(len(works) - 1, 0))
    # Without JavaScript, the refresh moves through `?start=N`, one work a page (small
    # pages, so that a static mirror holds a page per step, not every slide each time).
    shown = works[start : start + 1] if request.args.get("start") else works
    slides = []
    for work in shown:
        url = url_in_language("public.work", public_id=work.public_id)
        slides.append({"work": work, "url": url, "qr": qr_svg(url)})
    next_url = None
    if len(works) > 1:
        next_url = url_for(endpoint, **values, interval=interval, start=(start + 1) % len(works))
    return render_template(
        "public/show.html", slides=slides, campaign=campaign, interval=interval, next_url=next_url
    )


@bp.get("/show")
def newest() -> ResponseReturnValue:
    """The newest works, for a screen anywhere."""
    return _show(queries.newest_works(NEWEST), "show.newest")


@bp.get("/campaigns/<slug>/show")
def campaign(slug: str) -> ResponseReturnValue:
    """Every approved work of a campaign, newest first, for the rally's screen."""
    found = or_404(queries.campaign_by_slug(slug))
    works = queries.newest_works(CAMPAIGN_MAX, queries.GridFilters(campaign=found))
    return _show(works, "show.campaign", found, slug=found.slug)
