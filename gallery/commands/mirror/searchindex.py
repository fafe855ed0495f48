"""The search of a static copy: one small index a language, written into the copy as a
script (`<lang>/search/search-index.js`), which the copy's search page loads and searches
in the browser (static/js/offline-search.js). A script, not JSON: a page opened from
`file://` may load a script beside it, never fetch a file.

Each entry is a work, a prisoner or a campaign whose page the copy holds: its title (in
that language, as the page shows it), what is said under it, the words it is found by
(title, artist, prisoners' names in every script, campaign), and its page's address
relative to the search page. Nothing else: no description, no e-mail, no pending or
hidden work (their pages are not in the copy)."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Iterable, Iterator

from flask_babel import force_locale
from sqlalchemy import select

from ...extensions import db
from ...models import Campaign, Prisoner, Work, WorkStatus, labels

INDEX_NAME = "search-index.js"
GLOBAL = "artProtestSearchIndex"  # the variable the script sets (offline-search.js reads it)


def index_file(code: str) -> str:
    return f"{code}/search/{INDEX_NAME}"


def search_index(code: str, has_file: Callable[[str], bool]) -> bytes:
    """The index of language `code`, as a script; only entries whose page is in the copy
    (has_file: the copy's file, relative to DEST, was written)."""
    here = f"{code}/search"
    entries = []
    with force_locale(code):
        for kind, page, title, under, words in _entries(code):
            if has_file(page):
                entries.append(
                    {
                        "k": kind,
                        "t": title,
                        "s": under,
                        "u": posixpath.relpath(page, here),
                        "w": " ".join(w for w in words if w),
                    }
                )
    payload = json.dumps({"lang": code, "entries": entries}, ensure_ascii=False, sort_keys=True)
    # "</" never closes anything here (a script file), but stays harmless if inlined.
    payload = payload.replace("</", "<\\/")
    return f"window.{GLOBAL} = window.{GLOBAL} || {{}};\nwindow.{GLOBAL}[{json.dumps(code)}] = {payload};\n".encode()


def _entries(code: str) -> Iterator[tuple[str, str, str, str, Iterable[str]]]:
    works = db.session.scalars(
        select(Work)
        .where(Work.status == WorkStatus.APPROVED, Work.hidden.is_(False))
        .order_by(Work.published_at.desc(), Work.id.desc())
    )
    for work in works:
        shown = work.text_for("title", code)
        title = shown.text if shown else work.title
        artist = labels.artist_name(work) or ""
        prisoners = [p.name_for(code) for p in work.prisoners]
        campaign = _campaign_title(work.campaign, code) if work.campaign else ""
        under = " · ".join(part for part in (artist, ", ".join(prisoners), campaign) if part)
        words = [title, work.title, artist, campaign, *_all_names(work.prisoners, code)]
        yield "work", f"{code}/works/{work.public_id}/index.html", title, under, words
    for prisoner in db.session.scalars(select(Prisoner).order_by(Prisoner.id)):
        name = prisoner.name_for(code)
        other = prisoner.other_name(code)
        yield (
            "prisoner",
            f"{code}/prisoners/{prisoner.slug}/index.html",
            name,
            other.text if other else "",
            _all_names([prisoner], code),
        )
    for campaign in db.session.scalars(select(Campaign).order_by(Campaign.id)):
        title = _campaign_title(campaign, code)
        yield (
            "campaign",
            f"{code}/campaigns/{campaign.slug}/index.html",
            title,
            "",
            [title, campaign.title, *_all_names(campaign.prisoners, code)],
        )


def _campaign_title(campaign: Campaign, code: str) -> str:
    shown = campaign.text_for("title", code)
    return shown.text if shown else campaign.title


def _all_names(prisoners: Iterable[Prisoner], code: str) -> list[str]:
    """Every name a prisoner is written under: in this language, the base name, the
    name in their own script (so «Мифтахов» finds Azat Miftakhov on the English copy)."""
    names: list[str] = []
    for prisoner in prisoners:
        names.extend([prisoner.name_for(code), prisoner.name, prisoner.name_native or ""])
    return names
