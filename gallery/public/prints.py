"""Print-ready PDFs of approved works, campaigns and prisoners (issue 13).

Each has an address per language like the pages (`/fr/works/<id>/poster.pdf`), and the
bare one takes `?lang=`. Only public works print, and a work whose licence reserves
every right only with the moderators' leave (403 until then). Each PDF is built once per
generation of the page cache and per day (the label counts days in prison), into a file
sent to everyone after (web/builtfiles.py); caches must ask again each time (`no-cache`
and an ETag), so a takedown reaches them at once. Each client may ask for
PRINT_RATE_LIMIT. The documents themselves are laid out in gallery/prints/."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, abort, current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import prints
from ..media import media_store
from ..models import Campaign, Work
from ..models import impact as kinds
from ..prints import fonts
from ..web import builtfiles, pagecache
from ..web.counting import count_request
from ..web.errors import render_error
from ..web.http import or_404
from ..web.i18n import url_in_language
from ..web.limits import from_export, limiter
from . import queries

bp = Blueprint("prints", __name__)
log = logging.getLogger(__name__)

# A campaign's posters and labels: its newest works, up to this many (each poster embeds
# an image of up to 2560 px, about a megabyte).
CAMPAIGN_LIMIT = 100


@bp.before_request
def _generation() -> None:
    builtfiles.note_generation(pagecache.generation() if current_app.config["PAGE_CACHE"] else None)


def _limit() -> str:
    return current_app.config["PRINT_RATE_LIMIT"]


def _size() -> str:
    """The ?size= asked for (a4 when absent); 400 for anything else."""
    size = (request.args.get("size") or "a4").lower()
    if size not in prints.SIZES:
        abort(400)
    return size


def _lang() -> str:
    return str(get_locale())


def _pdf(parts: tuple[str, ...], build: Callable[[], bytes], filename: str) -> ResponseReturnValue:
    """A PDF shown in the browser, under an ASCII file name, built once per generation
    (web/builtfiles.py); 503 without the fonts, or while the same PDF is being built
    (BeingBuilt, with Retry-After)."""
    try:
        return builtfiles.serve(
            (request.endpoint or "", *parts, _lang()),
            build,
            mimetype="application/pdf",
            filename=filename,
        )
    except fonts.FontsMissing:
        log.error("print PDFs need DejaVu Sans: run scripts/ensure-fonts or set PRINT_FONT_DIR")
        return render_error(503, _("Print files cannot be made right now. Please try again later."))


def _sheet(work: Work) -> prints.WorkSheet | None:
    return prints.work_sheet(
        work, url_in_language("public.work", public_id=work.public_id), media_store(), _lang()
    )


def _campaign_sheets(slug: str) -> tuple[str, list[prints.WorkSheet]]:
    """A campaign's title in the reader's language and the sheets of its printable works
    (counted as one poster print for the campaign)."""
    found = or_404(queries.campaign_by_slug(slug))
    count_request(kinds.POSTER, campaign_id=found.id)
    shown = found.text_for("title", _lang())
    works = queries.newest_works(CAMPAIGN_LIMIT, queries.GridFilters(campaign=found))
    sheets = [sheet for sheet in map(_sheet, works) if sheet is not None]
    return (shown.text if shown else found.title), sheets


@bp.get("/works/<public_id>/poster.pdf")
@limiter.limit(_limit, exempt_when=from_export)
def poster(public_id: str) -> ResponseReturnValue:
    """A poster of one approved work, A4 or A3 (?size=), with its wall label."""
    size = _size()
    work = or_404(queries.public_work(public_id))
    if request.args.get("v", work.media_version) != work.media_version:
        abort(404)  # an address from before a takedown, as the old media's
    if prints.needs_leave(work):
        return render_error(
            403,
            _(
                "The artist keeps all rights to this work, so it cannot be "
                "printed from the gallery. You can still see it on its page."
            ),
        )
    sheet = or_404(_sheet(work))
    sole = work.prisoners[0].id if len(work.prisoners) == 1 else None
    count_request(kinds.POSTER, work_id=work.id, prisoner_id=sole, campaign_id=work.campaign_id)
    return _pdf(
        (work.public_id, size),
        lambda: prints.poster(sheet, size),
        f"poster-{work.public_id}-{size}-{_lang()}.pdf",
    )


@bp.get("/campaigns/<slug>/posters.pdf")
@limiter.limit(_limit, exempt_when=from_export)
def posters(slug: str) -> ResponseReturnValue:
    """Every printable work of a campaign, a poster per page (one page saying there is
    nothing to print yet when there is none)."""
    size = _size()
    title, sheets = _campaign_sheets(slug)
    return _pdf(
        (slug, size),
        lambda: prints.posters(sheets, size, title=title),
        f"posters-{slug}-{size}-{_lang()}.pdf",
    )


@bp.get("/campaigns/<slug>/labels.pdf")
@limiter.limit(_limit, exempt_when=from_export)
def labels(slug: str) -> ResponseReturnValue:
    """The wall labels of a campaign's printable works, eight to an A4 sheet."""
    title, sheets = _campaign_sheets(slug)
    return _pdf(
        (slug,), lambda: prints.labels_sheet(sheets, title=title), f"labels-{slug}-{_lang()}.pdf"
    )


@bp.get("/prisoners/<slug>/flyer.pdf")
@limiter.limit(_limit, exempt_when=from_export)
def flyer(slug: str) -> ResponseReturnValue:
    """A one-page A4 flyer about a prisoner: summary, how to write, a QR code; no portrait."""
    found = or_404(queries.prisoner_by_slug(slug))
    count_request(kinds.POSTER, prisoner_id=found.id)
    sheet = prints.prisoner_sheet(
        found, _lang(), url_in_language("public.prisoner", slug=found.slug)
    )
    return _pdf((found.slug,), lambda: prints.flyer(sheet), f"flyer-{found.slug}-{_lang()}.pdf")


# ---- Solidarity postcards (issue 25): only a published, postcard-safe work, to a prisoner
# it stands with whose profile has a name in Russian Cyrillic; anything else is 404. ----


def _grey() -> bool:
    """?tone=grey (colour when absent); 400 for anything else."""
    tone = (request.args.get("tone") or "colour").lower()
    if tone not in prints.TONES:
        abort(400)
    return tone == "grey"


def _layout() -> int:
    """?layout=1 (one A6 card, the default) or 4 (four on A4); 400 for anything else."""
    raw = request.args.get("layout") or "1"
    if raw not in {str(n) for n in prints.LAYOUTS}:
        abort(400)
    return int(raw)


def _card(public_id: str) -> tuple[Work, str, prints.Postcard]:
    """The work, the prisoner's slug and the card ?prisoner= asks for; 404 unless the work
    is published and postcard-safe and stands with that prisoner, who has a Cyrillic name."""
    work = or_404(queries.public_work(public_id))
    slug = request.args.get("prisoner") or ""
    prisoner = or_404(next((p for p in work.prisoners if p.slug == slug), None))
    card = or_404(prints.card_for(work, prisoner, media_store()))
    count_request(
        kinds.POSTCARD, work_id=work.id, prisoner_id=prisoner.id, campaign_id=work.campaign_id
    )
    return work, prisoner.slug, card


@bp.get("/works/<public_id>/postcard.pdf")
@limiter.limit(_limit, exempt_when=from_export)
def postcard(public_id: str) -> ResponseReturnValue:
    """A solidarity postcard of a postcard-safe work to a prisoner it stands with: one A6
    card, front then back (?layout=1), or four on an A4 sheet with crop marks (?layout=4);
    ?tone=grey for a grey one."""
    layout, grey = _layout(), _grey()
    work, slug, card = _card(public_id)
    tone = prints.TONES[grey]
    return _pdf(
        (work.public_id, work.media_version, slug, str(layout), tone),
        lambda: prints.postcard_pdf(card, layout=layout, grey=grey),
        f"postcard-{work.public_id}-{slug}-{layout}-{tone}.pdf",
    )


@bp.get("/works/<public_id>/postcard.jpg")
@limiter.limit(_limit, exempt_when=from_export)
def postcard_image(public_id: str) -> ResponseReturnValue:
    """The front of a postcard as a JPEG sized for e-letter services (fronts.JPEG_PIXELS),
    without metadata; ?tone=grey for the black and white they print."""
    grey = _grey()
    work, slug, card = _card(public_id)
    tone = prints.TONES[grey]
    return builtfiles.serve(
        (request.endpoint or "", work.public_id, work.media_version, slug, tone),
        lambda: prints.letter_image(card.front.read(), grey),
        mimetype="image/jpeg",
        filename=f"postcard-{work.public_id}-{tone}.jpg",
    )


def _campaign_cards(campaign: Campaign) -> list[prints.Postcard]:
    """The cards of a campaign's newest postcard-safe works that can be printed."""
    store = media_store()
    return [
        card
        for work, prisoner in queries.postcard_pairs(campaign, CAMPAIGN_LIMIT)
        if (card := prints.card_for(work, prisoner, store)) is not None
    ]


@bp.get("/campaigns/<slug>/postcards.pdf")
@limiter.limit(_limit, exempt_when=from_export)
def campaign_postcards(slug: str) -> ResponseReturnValue:
    """A campaign's table sheet: a cover page in the reader's language on how to write and
    post the cards, then every postcard-safe work for the campaign's prisoners, four to an
    A4 sheet (a cover saying there is none yet when there is none)."""
    grey = _grey()
    found = or_404(queries.campaign_by_slug(slug))
    count_request(kinds.POSTCARD, campaign_id=found.id)
    shown = found.text_for("title", _lang())
    cards = _campaign_cards(found)
    tone = prints.TONES[grey]
    return _pdf(
        (slug, tone),
        lambda: prints.postcards_sheet(
            cards,
            title=shown.text if shown else found.title,
            site=current_app.config["SITE_NAME"],
            url=url_in_language("public.campaign", slug=found.slug),
            grey=grey,
        ),
        f"postcards-{slug}-{tone}-{_lang()}.pdf",
    )
