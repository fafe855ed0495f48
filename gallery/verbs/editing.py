"""What a moderator corrects or records on a pending or published work: its title, alt
text and tags (edit_work), its content warning (set_content_warning), and the artist's permission to print it when its licence
reserves every right (set_print_leave): only the artist can allow a reproduction. Other
licences allow printing as they are."""

from __future__ import annotations

from collections.abc import Iterable

from .. import federation, search
from ..core.database import begin_write
from ..core.errors import InvalidInput
from ..core.i18n import N_
from ..core.text import render_markdown
from ..extensions import db
from ..models import ContentWarning, Licence, Work, WorkStatus, WorkText, actions, utcnow
from . import NotAllowed, audit
from .common import editable_work, locked_work, tags_named


class Unchanged:
    """A field the caller does not change (its form does not hold it)."""


UNCHANGED = Unchanged()


def edit_work(
    work_id: int,
    moderator_id: int | None,
    *,
    title: str,
    alt_text: str,
    tag_names: Iterable[str],
    description: str | None | Unchanged = UNCHANGED,
    receipt_token: str | None = None,
) -> list[str]:
    """Fix a work's title, alt text, tags and (when given) description; returns the names
    of the fields changed. moderator_id None: the artist, through their private link, and
    only while the work waits for review (a moderator then sees the change before anything
    is published); with that link's `receipt_token`, the title sealed for the receipt
    (Work.receipt_title) follows the artist's. A moderator's fix leaves that seal as the
    artist wrote it: the server cannot make one without the token. The work keeps its
    place in the queue."""
    work = editable_work(work_id, moderator_id)
    changes = []
    if title != work.title:
        changes.append(f"title: {work.title!r} -> {title!r}")
        work.title = title
    if alt_text != work.alt_text:
        changes.append(f"alt text: {work.alt_text!r} -> {alt_text!r}")
        work.alt_text = alt_text
    if not isinstance(description, Unchanged) and (description or None) != work.description:
        changes.append("description: changed")
        work.description = description or None
        work.description_html = str(render_markdown(description)) if description else None
    old_tags = [t.name for t in work.tags]
    new_tags = tags_named(tag_names)
    if sorted(t.slug for t in new_tags) != sorted(t.slug for t in work.tags):
        changes.append(f"tags: {', '.join(old_tags)} -> {', '.join(t.name for t in new_tags)}")
        work.tags = new_tags
    if receipt_token is not None and moderator_id is None:
        if "title" in [c.split(":", 1)[0] for c in changes] or work.receipt_title is None:
            work.seal_receipt_title(receipt_token)
    if changes:
        search.index_work(work)  # a pending work stays out of the index
        if work.status == WorkStatus.APPROVED and not work.hidden:
            db.session.flush()
            federation.revise(work)  # an Update of its Note, if it was announced
        by_artist = ["by the artist, through the private link"] if moderator_id is None else []
        audit.record(
            actions.EDIT,
            moderator_id=moderator_id,
            work_id=work.id,
            subject=title,
            reason="\n".join(changes + by_artist),
        )
    db.session.flush()
    return [c.split(":", 1)[0] for c in changes]


def set_print_leave(work_id: int, moderator_id: int, permitted: bool) -> Work:
    """Record or withdraw the artist's permission to print a pending or published work
    whose licence reserves every right (its posters and labels then say so)."""
    begin_write()
    work = locked_work(work_id)
    if work.licence != Licence.ALL_RIGHTS_RESERVED or work.status not in (
        WorkStatus.PENDING,
        WorkStatus.APPROVED,
    ):
        raise NotAllowed("no-leave-needed")
    if work.print_permitted != permitted:
        work.print_permitted = permitted
        audit.record(
            actions.PRINT_ALLOW if permitted else actions.PRINT_FORBID,
            moderator_id=moderator_id,
            work_id=work.id,
            subject=work.title,
        )
    db.session.flush()
    return work


def set_postcard_safe(work_id: int, moderator_id: int, safe: bool) -> Work:
    """Mark a published work safe to send to a prisoner as a solidarity postcard, or take
    the mark back: a decision of its own, separate from publishing (no slogans, no war
    imagery, nothing a prison censor would stop, no Latin text on the image). Only a
    published work can carry it; unpublishing clears it (verbs/unpublishing.py)."""
    begin_write()
    work = locked_work(work_id)
    if work.status != WorkStatus.APPROVED:
        raise NotAllowed("not-published")
    if work.postcard_safe != safe:
        work.postcard_safe = safe
        work.postcard_safe_at = utcnow() if safe else None
        audit.record(
            actions.POSTCARD_SAFE if safe else actions.POSTCARD_UNSAFE,
            moderator_id=moderator_id,
            work_id=work.id,
            subject=work.title,
        )
    db.session.flush()
    return work


def set_content_warning(work_id: int, moderator_id: int, warning: ContentWarning | None) -> Work:
    """Set, change or take off a pending or published work's content warning (None: no
    warning). The public pages change with the commit; the fediverse hears of it as an
    update of the work."""
    begin_write()
    work = locked_work(work_id)
    if work.status not in (WorkStatus.PENDING, WorkStatus.APPROVED):
        raise NotAllowed("decided")
    if work.content_warning != warning:
        audit.record(
            actions.CONTENT_WARNING,
            moderator_id=moderator_id,
            work_id=work.id,
            subject=work.title,
            reason=f"{work.content_warning or 'none'} -> {warning or 'none'}",
        )
        work.content_warning = warning
        if work.status == WorkStatus.APPROVED and not work.hidden:
            db.session.flush()
            federation.revise(work)  # an Update of its Note (sensitive, summary), if announced
    db.session.flush()
    return work


def write_work_texts(
    work_id: int,
    locale: str,
    *,
    title: str | None,
    alt_text: str | None,
    description: str | None,
    states: tuple[WorkStatus, ...],
    moderator_id: int | None = None,
) -> Work:
    """Write a work's title, alt text and description in `locale`, a language other than
    the one the artist wrote in (all three empty: that language's row goes). `states`: the
    work's states the writer may change it in (the artist: pending only, so a moderator
    sees every text before it is published; a volunteer translator: published only, never
    an unreviewed image; a moderator: both). moderator_id None: the artist, through their
    private link."""
    begin_write()
    work = locked_work(work_id)
    if work.status not in states:
        raise NotAllowed("texts")
    if locale == work.text_locale:
        raise InvalidInput(N_("Choose a language other than the one the work was written in."))
    row = next((t for t in work.texts if t.locale == locale), None)
    texts = {
        "title": title or None,
        "alt_text": alt_text or None,
        "description": description or None,
    }
    if not any(texts.values()):
        if row is None:
            return work
        work.texts.remove(row)
    else:
        if row is None:
            row = WorkText(locale=locale)
            work.texts.append(row)
        before = (row.title, row.alt_text, row.description)
        row.title, row.alt_text, row.description = (
            texts["title"],
            texts["alt_text"],
            texts["description"],
        )
        row.description_html = str(render_markdown(row.description)) if row.description else None
        if before == (row.title, row.alt_text, row.description):
            return work
    db.session.flush()
    search.index_work(work)  # a pending work stays out of the index
    audit.record(
        actions.WORK_TEXTS,
        moderator_id=moderator_id,
        work_id=work.id,
        subject=work.title,
        reason=locale if moderator_id is not None else f"{locale} (by the artist)",
    )
    db.session.flush()
    return work
