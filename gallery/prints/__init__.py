"""Print-ready PDFs: a poster per work (A4 or A3, the image and its wall label), a sheet of
wall labels, and a one-page flyer per prisoner.

A poster is stuck to a wall at a rally, far from the site, so it must stand alone: who
made the work (the name they chose, never more), under what licence, who it stands with
and for how many days they have been in prison on the day it is printed, and a QR code
with the address back to the work's page in the reader's language. A licence that
reserves every right prints only once a moderator has recorded the artist's permission
(Work.print_permitted), and the label then says it is printed with the artist's permission.

The builders take plain values (WorkSheet, PrisonerSheet) that the views fill in from
the public reads, and translate their words with Flask-Babel (they run in a request).
The text is set in DejaVu Sans (fonts.py), which carries Latin and Cyrillic, embedded as
a subset so it stays searchable and can be copied; the QR codes come from segno and are
drawn as vector squares, sharp at any size. The image is the largest rendition kept: a
JPEG is embedded as stored, without re-encoding; a PNG (a work with transparency) is
embedded losslessly, its alpha kept.

sheets.py turns rows into those plain values, text.py holds the words and styles, and
documents.py lays out the pages. Solidarity postcards (issue 25: a postcard-safe work on
the front, the recipient's name and ways to start in Russian on the back) are laid out by
postcards.py, their fronts cut by fronts.py; the letter desk's batches and archive by
letters.py."""

from __future__ import annotations

from typing import Any

from .sheets import (
    Postcard,
    PostcardBack,
    PrisonerSheet,
    Standing,
    WorkSheet,
    card_for,
    largest_image,
    needs_leave,
    postcard_back,
    prisoner_sheet,
    standing,
    work_sheet,
)

__all__ = [
    "LAYOUTS",
    "SIZES",
    "TONES",
    "ArchivedLetter",
    "BatchLetter",
    "Postcard",
    "PostcardBack",
    "PrisonerSheet",
    "Standing",
    "WorkSheet",
    "archive_pdf",
    "batch_pdf",
    "batch_text",
    "card_for",
    "flyer",
    "labels_sheet",
    "largest_image",
    "letter_image",
    "needs_leave",
    "postcard_back",
    "postcard_pdf",
    "postcards_sheet",
    "poster",
    "posters",
    "prisoner_sheet",
    "standing",
    "work_sheet",
]

# documents.py and text.py lay out with reportlab (about 100 ms and several MB to import):
# their builders are imported at the first print, so a worker that never prints never loads it.
# The postcards' layouts likewise (postcards.py), and their fronts (fronts.py: Pillow only).
_DOCUMENTS = ("SIZES", "flyer", "labels_sheet", "poster", "posters")
_POSTCARDS = ("LAYOUTS", "postcard_pdf", "postcards_sheet")
_FRONTS = ("TONES", "letter_image")
_LETTERS = ("ArchivedLetter", "BatchLetter", "archive_pdf", "batch_pdf", "batch_text")


def __getattr__(name: str) -> Any:
    if name in _DOCUMENTS:
        from . import documents

        return getattr(documents, name)
    if name in _POSTCARDS:
        from . import postcards

        return getattr(postcards, name)
    if name in _LETTERS:
        from . import letters

        return getattr(letters, name)
    if name in _FRONTS:
        from . import fronts

        return getattr(fronts, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
