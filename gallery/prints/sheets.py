"""What a print says, as plain values taken from the rows: a work's sheet (its poster and
wall label), a prisoner's (their flyer). Only what the public pages show goes in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..core.text import today_in
from ..media import Store
from ..models import (
    Licence,
    Prisoner,
    PrisonerStatus,
    Work,
    WorkStatus,
    is_cyrillic_only,
    labels,
    utcnow,
)


@dataclass(frozen=True)
class Standing:
    """A prisoner a work stands with, as the label names them."""

    name: str  # as the reader's language spells it
    native: str | None  # in the prisoner's own script, when that differs
    since: date | None  # set only while they are in prison
    days: int | None


@dataclass(frozen=True)
class StoredImage:
    """A rendition in the media store, read only when a page draws it (a sheet of wall
    labels never does, so it costs no download from a bucket)."""

    store: Store
    key: str
    filename: str

    def read(self) -> bytes:
        """The stored bytes; FileNotFoundError if they went since the sheet was made."""
        data = self.store.read(self.key, self.filename)
        if data is None:
            raise FileNotFoundError("a rendition went while its PDF was being made")
        return data


@dataclass(frozen=True)
class WorkSheet:
    """What a poster and a wall label print of one work."""

    title: str
    artist: str | None  # None: anonymous
    licence: Licence
    by_leave: bool  # all rights reserved: printed with the artist's permission
    prisoners: tuple[Standing, ...]
    url: str  # the work's page, absolute, in the reader's language
    image: StoredImage  # the stored JPEG or PNG
    width: int
    height: int
    printed_on: date
    demo: bool = False


@dataclass(frozen=True)
class PrisonerSheet:
    """What a prisoner's flyer prints: no portrait, nothing the profile page does not show."""

    name: str  # as the reader's language spells it
    native: str | None  # the second line under it, as on the profile page (Prisoner.other_name)
    status: PrisonerStatus
    detained_on: date | None
    released_on: date | None
    days: int | None
    summary: str | None
    guidance: str | None  # Markdown
    address: str | None
    url: str  # the prisoner's page, absolute, in the reader's language
    demo: bool = False
    verified_on: date | None = None  # when the moderators last checked the facts
    printed_on: date | None = None  # where the prisoner is held: the day the count is for


def needs_leave(work: Work) -> bool:
    """Whether a work cannot be printed yet: its licence reserves every right and the
    moderators have not recorded the artist's permission."""
    return work.licence == Licence.ALL_RIGHTS_RESERVED and not work.print_permitted


def largest_image(work: Work, store: Store) -> tuple[StoredImage, int, int] | None:
    """The largest rendition kept in a format a PDF embeds (the PNG of a work with
    transparency, else the JPEG): where it is stored, its width and height; None when
    there is none, or its file is missing."""
    formats = ("png", "jpeg") if work.has_alpha else ("jpeg", "png")
    best: tuple[str, int, int] | None = None
    for info in (work.renditions or {}).values():
        name = next((info["files"][f] for f in formats if f in info.get("files", {})), None)
        if name and (best is None or info["width"] > best[1]):
            best = (name, info["width"], info["height"])
    if not (best and work.image_key and store.stat(work.image_key, best[0])):
        return None
    return StoredImage(store, work.image_key, best[0]), best[1], best[2]


def standing(prisoner: Prisoner, now: datetime, locale: str) -> Standing:
    """A prisoner on a label, named for readers of `locale` (and in their own script when
    that differs): the days are counted only while they are in prison."""
    jailed = prisoner.status == PrisonerStatus.IMPRISONED and prisoner.detained_on is not None
    name = prisoner.name_for(locale)
    native = prisoner.name_native if prisoner.name_native != name else None
    return Standing(
        name,
        native,
        prisoner.detained_on if jailed else None,
        prisoner.days_in_prison(now) if jailed else None,
    )


def work_sheet(
    work: Work, url: str, store: Store, locale: str, now: datetime | None = None
) -> WorkSheet | None:
    """The sheet of a public work that may be printed, with its title in `locale` when
    it is written in it (else as the artist wrote it), for readers of `locale`; None for
    any other work, or one whose image file is missing."""
    image = largest_image(work, store)
    if work.status != WorkStatus.APPROVED or work.hidden or needs_leave(work) or image is None:
        return None
    now = now or utcnow()
    # The printing day where the (first) prisoner is held: the day their count is for.
    zone = work.prisoners[0].timezone if work.prisoners else None
    title = work.text_for("title", locale) if locale else None
    return WorkSheet(
        title=title.text if title else work.title,
        artist=labels.artist_name(work),
        licence=work.licence,
        by_leave=work.licence == Licence.ALL_RIGHTS_RESERVED,
        prisoners=tuple(standing(p, now, locale) for p in work.prisoners),
        url=url,
        image=image[0],
        width=image[1],
        height=image[2],
        printed_on=today_in(zone, now),
        demo=work.is_demo,
    )


def prisoner_sheet(
    prisoner: Prisoner, locale: str, url: str, now: datetime | None = None
) -> PrisonerSheet:
    """A prisoner's flyer, with their texts in `locale` or the nearest language written."""
    summary = prisoner.text_for("summary", locale)
    guidance = prisoner.text_for("letter_guidance", locale)
    now = now or utcnow()
    other = prisoner.other_name(locale)
    return PrisonerSheet(
        name=prisoner.name_for(locale),
        native=other.text if other else None,
        status=prisoner.status,
        detained_on=prisoner.detained_on,
        released_on=prisoner.released_on,
        days=prisoner.days_in_prison(now),
        summary=summary.text if summary else None,
        guidance=guidance.text if guidance else None,
        address=prisoner.letter_address,
        url=url,
        demo=prisoner.is_demo,
        verified_on=prisoner.last_verified_on,
        printed_on=today_in(prisoner.timezone, now),
    )


# Solidarity postcards (issue 25): the back of a card, in Russian Cyrillic only.

# Neutral ways to start, in Russian, for a profile whose Russian letter guidance gives none
# of its own: nothing political, nothing a censor could stop.
POSTCARD_STARTERS = ("Здравствуйте!", "Пишу вам из …", "Думаю о вас.")
STARTER_MAX = 60  # characters: a starter is a short line, not a paragraph of guidance
_MARKUP = set("*_[]()`<>#|~")


@dataclass(frozen=True)
class PostcardBack:
    """What the back of a postcard prints: the recipient's name in Cyrillic, the prison
    address only when the profile publishes one in Cyrillic, and two or three ways to
    start. Never a web address, an organisation's name or a Latin letter."""

    name: str
    address: str | None
    starters: tuple[str, ...]


@dataclass(frozen=True)
class Postcard:
    """One card: its front (the work's largest rendition, cropped to cover the card when
    it is drawn) and its back."""

    front: StoredImage
    back: PostcardBack


def guidance_starters(guidance: str | None) -> tuple[str, ...]:
    """The ways to start a letter that a profile's Russian guidance gives, written as
    quoted lines (`> Здравствуйте, Азат!`) or short list items: each at most STARTER_MAX
    characters, in Cyrillic only, without links or other markup; up to three. Fewer than
    two: none (the card then prints POSTCARD_STARTERS)."""
    found = []
    for raw in (guidance or "").splitlines():
        line = raw.strip()
        if not line.startswith((">", "- ", "* ")):
            continue
        line = line.lstrip(">-* ").strip().strip('«»"').strip()
        if (
            line
            and len(line) <= STARTER_MAX
            and not _MARKUP & set(line)
            and "http" not in line.lower()
            and is_cyrillic_only(line)
        ):
            found.append(line)
    found = list(dict.fromkeys(found))[:3]
    return tuple(found) if len(found) >= 2 else ()


def postcard_back(prisoner: Prisoner) -> PostcardBack | None:
    """The back of a postcard to a prisoner; None when the profile has no name in Russian
    Cyrillic (Prisoner.postcard_name): then no postcard is offered."""
    name = prisoner.postcard_name()
    if name is None:
        return None
    story = next((s for s in prisoner.stories if s.locale == "ru"), None)
    address = (prisoner.letter_address or "").strip()
    return PostcardBack(
        name=name,
        address=address if address and is_cyrillic_only(address) else None,
        starters=guidance_starters(story.letter_guidance if story else None) or POSTCARD_STARTERS,
    )


def card_for(work: Work, prisoner: Prisoner, store: Store) -> Postcard | None:
    """The card of a published, postcard-safe work that may be printed, to a prisoner it
    stands with; None for anything else (no Cyrillic name, no image file)."""
    if (
        work.status != WorkStatus.APPROVED
        or work.hidden
        or not work.postcard_safe
        or needs_leave(work)
        or prisoner not in work.prisoners
    ):
        return None
    back = postcard_back(prisoner)
    image = largest_image(work, store)
    if back is None or image is None:
        return None
    return Postcard(image[0], back)
