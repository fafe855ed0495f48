"""The letter desk's print files (issue 25), for moderators only: a prisoner's next batch
as a PDF to copy by hand or post (`/moderation/letters/batch.pdf?prisoner=<slug>`) and as
plain text for e-letter services (`batch.txt`), and the archive of the letters sent to
him as one PDF (`archive.pdf`). None of these endpoints is in VOLUNTEER_ENDPOINTS: the
blueprint's gate answers a volunteer 403.

They are made at each request and never cached anywhere (the blueprint marks every
response private; web/builtfiles is for public files): a batch changes with each
approval, and the archive holds what writers wrote. The layouts are in prints/letters.py;
this module opens the sealed texts (verbs.letters.read) and hands it plain values."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Response, abort, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import prints
from ..core.text import is_slug, today_in
from ..media import Store, media_store
from ..models import Letter, Prisoner, is_cyrillic_only
from ..prints import fonts
from ..verbs import letters as desk
from ..web.errors import render_error
from .blueprint import bp
from .letters import _prisoner_arg

log = logging.getLogger(__name__)


def _file(build: Callable[[], bytes], mimetype: str, filename: str) -> ResponseReturnValue:
    """The file shown in the browser under an ASCII name; 503 without the print fonts."""
    try:
        data = build()
    except fonts.FontsMissing:
        log.error("print PDFs need DejaVu Sans: run scripts/ensure-fonts or set PRINT_FONT_DIR")
        return render_error(503, _("Print files cannot be made right now. Please try again later."))
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _prisoner() -> Prisoner:
    """The prisoner ?prisoner= names, or 404: a value no slug could be (a NUL byte, which
    PostgreSQL refuses in a query, or anything too long) is not looked up at all."""
    if not is_slug(request.args.get("prisoner") or ""):
        abort(404)
    return _prisoner_arg()


def _name(prisoner: Prisoner) -> str:
    # accepts_letters() needed a Cyrillic name to take the letters; should the profile lose
    # it since, the card still carries no Latin letter: the name line stays empty.
    return prisoner.postcard_name() or ""


def _batch(prisoner: Prisoner) -> list[prints.BatchLetter] | ResponseReturnValue:
    """The next batch as plain values, or the 409 page: when it is empty, or when a
    translation is not in Cyrillic alone (it was changed after the approval)."""
    letters = desk.batch(prisoner.id)
    if not letters:
        return render_error(
            409, _("There is no approved letter to print for this person: the batch is empty.")
        )
    store = media_store()
    found = []
    for letter in letters:
        translation = desk.read(letter).translation or ""
        if not is_cyrillic_only(translation):
            return render_error(
                409,
                _(
                    "A letter of this batch has no translation in Cyrillic alone. Correct it "
                    "at the desk, then print the batch again."
                ),
            )
        found.append(
            prints.BatchLetter(
                name=_name(prisoner),
                written_on=today_in(prisoner.timezone, letter.created_at),
                translation=translation,
                card=_card(letter, prisoner, store),
            )
        )
    return found


def _card(letter: Letter, prisoner: Prisoner, store: Store) -> prints.Postcard | None:
    """The card of the letter's chosen work, while it may still be printed as one; else
    None, and the letter goes on an A5 sheet."""
    if letter.work is None:
        return None
    return prints.card_for(letter.work, prisoner, store)


def _filename(prefix: str, prisoner: Prisoner, extension: str) -> str:
    day = today_in(prisoner.timezone).isoformat()
    slug = prisoner.slug.encode("ascii", "ignore").decode() or "prisoner"
    return f"{prefix}-{slug}-{day}.{extension}"


@bp.get("/letters/batch.pdf")
def letter_batch_pdf() -> ResponseReturnValue:
    """The next batch in the letters' order: each on the back of its chosen card (front,
    then back) or on an A5 sheet, in Russian only."""
    prisoner = _prisoner()
    letters = _batch(prisoner)
    if not isinstance(letters, list):
        return letters
    title = f"Письма — {_name(prisoner)}".rstrip(" —")
    return _file(
        lambda: prints.batch_pdf(letters, title=title),
        "application/pdf",
        _filename("letters", prisoner, "pdf"),
    )


@bp.get("/letters/batch.txt")
def letter_batch_text() -> ResponseReturnValue:
    """The next batch as UTF-8 text for e-letter services: name, translation, separator."""
    prisoner = _prisoner()
    letters = _batch(prisoner)
    if not isinstance(letters, list):
        return letters
    return _file(
        lambda: prints.batch_text(letters).encode("utf-8"),
        "text/plain",
        _filename("letters", prisoner, "txt"),
    )


@bp.get("/letters/archive.pdf")
def letter_archive_pdf() -> ResponseReturnValue:
    """Every letter sent to this prisoner, original and translation, after a cover page
    in the reader's language."""
    prisoner = _prisoner()
    letters = desk.archive(prisoner.id)
    if not letters:
        return render_error(409, _("No letter to this person has been sent yet."))
    kept = []
    for letter in letters:
        text = desk.read(letter)
        kept.append(
            prints.ArchivedLetter(
                sent_on=today_in(prisoner.timezone, letter.sent_at),
                body=text.body,
                signature=text.signature,
                translation=text.translation,
            )
        )
    name = prisoner.name_for(str(get_locale()))
    return _file(
        lambda: prints.archive_pdf(name, kept),
        "application/pdf",
        _filename("letters-archive", prisoner, "pdf"),
    )
