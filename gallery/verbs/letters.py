"""The letter desk: a visitor writes to a prisoner; a volunteer translates the letter into
Russian, checks it against the list and approves or refuses it; a moderator posts the
approved ones in a batch and marks it sent. Every step but the writer's own is audited.

What a letter says is sealed (models/letters.py): these verbs seal and open it with keys of
their own purposes, derived from SECRET_KEY. The writer's address and private token are
sealed together and erased once the writer has been told (sent or refused), or after
LETTER_EMAIL_DAYS whatever happened."""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from .. import mail
from ..core import secretbox
from ..core.database import after_commit, begin_write
from ..core.errors import NotFound
from ..core.tokens import new_receipt_token, token_hash
from ..extensions import db
from ..models import (
    Letter,
    LetterStatus,
    Prisoner,
    PrisonerStatus,
    Work,
    WorkStatus,
    actions,
    is_cyrillic_only,
    utcnow,
)
from ..models import impact as kinds
from ..models.labels import LETTER_CHECKLIST, LETTER_REFUSALS
from . import NotAllowed, audit, impact

log = logging.getLogger(__name__)

_TEXT, _CONTACT = "letter text", "letter contact"


@dataclass(frozen=True)
class LetterText:
    """A letter as the desk reads it: the writer's words, their name, the translation."""

    body: str
    signature: str
    translation: str | None


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _seal(text: str, purpose: str = _TEXT) -> str:
    return secretbox.seal(text, secret=_secret(), purpose=purpose)


def _open(sealed: str | None, purpose: str = _TEXT) -> str | None:
    if sealed is None:
        return None
    try:
        return secretbox.open_sealed(sealed, secret=_secret(), purpose=purpose)
    except secretbox.InvalidToken:
        # SECRET_KEY changed since: what was sealed before cannot be read any more.
        return None


def read(letter: Letter) -> LetterText:
    """What a letter says, opened (a letter sealed under another SECRET_KEY reads "")."""
    return LetterText(
        body=_open(letter.body_sealed) or "",
        signature=_open(letter.signature_sealed) or "",
        translation=_open(letter.translation_sealed),
    )


def write(
    prisoner: Prisoner,
    *,
    body: str,
    signature: str,
    locale: str,
    work_id: int | None = None,
    email: str | None = None,
) -> tuple[Letter, str]:
    """A new letter, waiting for a volunteer; returns it and its private token (shown to
    the writer once, kept only as a hash, and sealed with the address when one is given).

    NotAllowed("not-accepting") when the prisoner takes no letters here, and
    ("not-postcard-safe") when the chosen work is not a published, postcard-safe work
    made for him."""
    begin_write()
    if not prisoner.accepts_letters():
        raise NotAllowed("not-accepting")
    if work_id is not None:
        work = db.session.get(Work, work_id)
        if (
            work is None
            or work.status != WorkStatus.APPROVED
            or work.hidden
            or not work.postcard_safe
            or prisoner not in work.prisoners
        ):
            raise NotAllowed("not-postcard-safe")
    token = new_receipt_token()
    letter = Letter(
        prisoner_id=prisoner.id,
        work_id=work_id,
        token_hash=token_hash(token),
        locale=locale,
        body_sealed=_seal(body.strip()),
        signature_sealed=_seal(signature.strip()),
    )
    if email:
        letter.email_sealed = _seal(json.dumps({"to": email, "token": token}), _CONTACT)
    db.session.add(letter)
    forget_old_addresses()
    db.session.flush()
    _count(kinds.LETTER_WRITTEN, letter)
    return letter, token


def by_token(token: str) -> Letter | None:
    """The letter a private link opens, or None."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Letter).where(Letter.token_hash == token_hash(token)))


def withdraw(token: str) -> None:
    """The writer takes back a letter not yet sent: the row goes, with everything it said;
    its audit events keep only who did what and when. NotFound for an unknown link,
    NotAllowed("sent") once the letter is posted."""
    begin_write()
    letter = by_token(token)
    if letter is None:
        raise NotFound("no such letter")
    if letter.status == LetterStatus.SENT:
        raise NotAllowed("sent")
    db.session.delete(letter)
    db.session.flush()


def _locked(letter_id: int) -> Letter:
    letter = db.session.scalar(select(Letter).where(Letter.id == letter_id).with_for_update())
    if letter is None:
        raise NotFound("no such letter")
    return letter


def translate(letter_id: int, translation: str, *, moderator_id: int) -> Letter:
    """Keep the Russian translation beside the original while the letter waits to be read:
    once approved, what is printed is what was approved. NotAllowed("not-pending"),
    ("translation-required")."""
    begin_write()
    letter = _locked(letter_id)
    if letter.status != LetterStatus.PENDING:
        raise NotAllowed("not-pending")
    text = translation.strip()
    if not text:
        raise NotAllowed("translation-required")
    letter.translation_sealed = _seal(text)
    letter.translated_at = utcnow()
    _audit(actions.LETTER_TRANSLATE, letter, moderator_id)
    db.session.flush()
    return letter


def approve(letter_id: int, checked: Collection[str], *, moderator_id: int) -> Letter:
    """Approve a pending letter for the next batch. Only with a translation in Cyrillic
    alone (a prison censor stops Latin letters) and every item of the checklist ticked:
    NotAllowed("translation-required"), ("translation-not-cyrillic"), ("checklist"),
    ("not-pending")."""
    begin_write()
    letter = _locked(letter_id)
    if letter.status != LetterStatus.PENDING:
        raise NotAllowed("not-pending")
    translation = _open(letter.translation_sealed)
    if not translation:
        raise NotAllowed("translation-required")
    if not is_cyrillic_only(translation):
        raise NotAllowed("translation-not-cyrillic")
    if set(LETTER_CHECKLIST) - set(checked):
        raise NotAllowed("checklist")
    _decide(letter, LetterStatus.APPROVED, actions.LETTER_APPROVE, moderator_id)
    db.session.flush()
    _count(kinds.LETTER_APPROVED, letter)
    return letter


def refuse(letter_id: int, *, preset: str | None, reason: str | None, moderator_id: int) -> Letter:
    """Refuse a pending or approved letter, with a preset reason the writer reads in their
    language and/or the volunteer's own words; the writer is told if they asked, and
    their address goes. NotAllowed("reason-required"), ("sent")."""
    begin_write()
    letter = _locked(letter_id)
    if letter.status == LetterStatus.SENT:
        raise NotAllowed("sent")
    preset = preset if preset in LETTER_REFUSALS else None
    words = (reason or "").strip() or None
    if not preset and not words:
        raise NotAllowed("reason-required")
    letter.refusal_preset = preset
    letter.refusal_reason = words
    _decide(letter, LetterStatus.REFUSED, actions.LETTER_REFUSE, moderator_id, preset or words)
    _tell_and_forget(letter, mail.LETTER_REFUSED, preset=preset, reason=words)
    db.session.flush()
    return letter


def batch(prisoner_id: int) -> list[Letter]:
    """The approved letters to one prisoner not posted yet, oldest first: the next batch."""
    return _letters_to(prisoner_id, LetterStatus.APPROVED, Letter.decided_at)


def _letters_to(prisoner_id: int, status: LetterStatus, oldest_by: Any) -> list[Letter]:
    stmt = (
        select(Letter)
        .where(Letter.prisoner_id == prisoner_id, Letter.status == status)
        .order_by(oldest_by, Letter.id)
    )
    return list(db.session.scalars(stmt))


def mark_sent(prisoner_id: int, letter_ids: Collection[int], *, moderator_id: int) -> int:
    """Mark these approved letters to this prisoner as posted today (the batch the desk
    showed and printed: a letter approved since is not in it); writers who asked are told,
    and their addresses erased. Returns how many; NotAllowed("empty-batch") for none."""
    begin_write()
    letters = list(
        db.session.scalars(
            select(Letter)
            .where(
                Letter.id.in_(sorted(set(letter_ids))),
                Letter.prisoner_id == prisoner_id,
                Letter.status == LetterStatus.APPROVED,
            )
            .order_by(Letter.id)
            .with_for_update()
        )
    )
    if not letters:
        raise NotAllowed("empty-batch")
    now = utcnow()
    for letter in letters:
        letter.status = LetterStatus.SENT
        letter.sent_at = now
        _tell_and_forget(letter, mail.LETTER_SENT)
        _count(kinds.LETTER_SENT, letter)
    prisoner = db.session.get(Prisoner, prisoner_id)
    audit.record(
        actions.LETTER_SEND,
        moderator_id=moderator_id,
        subject=prisoner.name if prisoner else None,
        reason=str(len(letters)),
    )
    forget_old_addresses()
    db.session.flush()
    return len(letters)


def _decide(
    letter: Letter, status: LetterStatus, action: str, moderator_id: int, reason: str | None = None
) -> None:
    letter.status = status
    letter.decided_at = utcnow()
    letter.decided_by_id = moderator_id
    _audit(action, letter, moderator_id, reason)


def _audit(action: str, letter: Letter, moderator_id: int, reason: str | None = None) -> None:
    audit.record(
        action,
        moderator_id=moderator_id,
        letter_id=letter.id,
        subject=_subject(letter),
        reason=reason,
    )


def _count(kind: str, letter: Letter) -> None:
    """Count a step of the desk on the impact pages once it has committed (never for a step
    rolled back): for the prisoner and the chosen card, never for the writer."""
    prisoner_id, work_id = letter.prisoner_id, letter.work_id
    after_commit(lambda: impact.record(kind, prisoner_id=prisoner_id, work_id=work_id))


def _tell_and_forget(letter: Letter, kind: str, **why: str | None) -> None:
    """Tell the writer, if they left an address, then erase it."""
    contact = _open(letter.email_sealed, _CONTACT)
    if contact:
        mail.tell_writer(letter.id, kind, json.loads(contact), letter.locale, **why)
    letter.email_sealed = None


def forget_old_addresses() -> int:
    """Erase the addresses of letters written more than LETTER_EMAIL_DAYS ago, whatever
    became of them (run by each new letter, each batch sent, and `flask purge`)."""
    days = int(current_app.config["LETTER_EMAIL_DAYS"])
    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(
        update(Letter)
        .where(Letter.email_sealed.is_not(None), Letter.created_at < cutoff)
        .values(email_sealed=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def purge_refused(older_than: timedelta) -> int:
    """Delete refused letters decided more than `older_than` ago (`flask purge`), with all
    they said; their audit events stay, their link cleared. Returns how many."""
    begin_write()
    cutoff = utcnow() - older_than
    old = db.session.scalars(
        select(Letter).where(Letter.status == LetterStatus.REFUSED, Letter.decided_at < cutoff)
    ).all()
    for letter in old:
        db.session.delete(letter)
    forget_old_addresses()
    db.session.flush()
    return len(old)


# ---- reads for the desk and the home page ----

NEEDS_DAYS = 30  # "fewest letters first" counts the letters sent in this many days


def who_needs_letters(limit: int | None = None) -> list[tuple[Prisoner, int]]:
    """The people the desk takes letters for, with how many letters were sent to each in
    the last NEEDS_DAYS days, fewest first (then by name): the order of the home page's
    "write to" block and the desk's "who needs letters"."""
    since = utcnow() - timedelta(days=NEEDS_DAYS)
    sent = (
        select(Letter.prisoner_id, func.count(Letter.id).label("sent"))
        .where(Letter.status == LetterStatus.SENT, Letter.sent_at >= since)
        .group_by(Letter.prisoner_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Prisoner, func.coalesce(sent.c.sent, 0))
        .outerjoin(sent, sent.c.prisoner_id == Prisoner.id)
        .where(Prisoner.status == PrisonerStatus.IMPRISONED)
        .options(selectinload(Prisoner.stories))
    ).all()
    found = [(p, int(n)) for p, n in rows if p.accepts_letters()]
    found.sort(key=lambda pair: (pair[1], pair[0].name.casefold()))
    return found[:limit] if limit else found


def pending() -> list[Letter]:
    """The letters waiting for a volunteer, oldest first."""
    return list(
        db.session.scalars(
            select(Letter)
            .where(Letter.status == LetterStatus.PENDING)
            .options(selectinload(Letter.prisoner).selectinload(Prisoner.stories))
            .order_by(Letter.created_at, Letter.id)
        )
    )


def pending_count() -> int:
    """How many letters wait for a volunteer."""
    stmt = select(func.count(Letter.id)).where(Letter.status == LetterStatus.PENDING)
    return db.session.scalar(stmt) or 0


def batches() -> list[tuple[Prisoner, list[Letter]]]:
    """Each prisoner's next batch (approved letters not posted yet), by name."""
    letters = db.session.scalars(
        select(Letter)
        .where(Letter.status == LetterStatus.APPROVED)
        .options(selectinload(Letter.prisoner).selectinload(Prisoner.stories))
        .order_by(Letter.decided_at, Letter.id)
    )
    grouped: dict[int, tuple[Prisoner, list[Letter]]] = {}
    for letter in letters:
        grouped.setdefault(letter.prisoner_id, (letter.prisoner, []))[1].append(letter)
    return sorted(grouped.values(), key=lambda pair: pair[0].name.casefold())


def archive(prisoner_id: int) -> list[Letter]:
    """The letters posted to one prisoner, oldest first: what is kept for after release."""
    return _letters_to(prisoner_id, LetterStatus.SENT, Letter.sent_at)


def archive_counts() -> list[tuple[Prisoner, int]]:
    """How many letters the archive holds for each prisoner who has any, by name."""
    rows = db.session.execute(
        select(Prisoner, func.count(Letter.id))
        .join(Letter, Letter.prisoner_id == Prisoner.id)
        .where(Letter.status == LetterStatus.SENT)
        .group_by(Prisoner.id)
    ).all()
    return sorted(((p, int(n)) for p, n in rows), key=lambda pair: pair[0].name.casefold())


def _subject(letter: Letter) -> str:
    # The audit log names the letter by its number and its recipient, never by its words.
    return f"#{letter.id} → {letter.prisoner.name}"
