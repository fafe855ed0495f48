"""The outbox: a receipt token sealed at submission, and the message row a decision verb
queues in its own transaction (tell_artist, and tell_writer for a letter's writer), with
the private page's absolute address in it."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete

from ..core import secretbox
from ..core.database import after_commit
from ..extensions import db
from ..models import OutgoingMail, Work, utcnow
from ..models.labels import PRESET_REASONS
from .base import (
    _PAYLOAD,
    _TOKEN,
    KINDS,
    LETTER_REFUSED,
    LETTER_SENT,
    REJECTED,
    _secret,
    settings,
)
from .delivery import courier

log = logging.getLogger(__name__)
# The receipt page (public/submit.py) and the name of the language in its address
# (web/i18n.py's ARG): `/submissions/<token>`, or `/fr/submissions/<token>`.
RECEIPT_ENDPOINT = "submit.receipt"
LETTER_ENDPOINT = "letters.status"
LANGUAGE_ARG = "lang_code"


# ---- at submission ----


def seal_token(token: str) -> str:
    """A receipt token as Work.notify_token keeps it: encrypted with the app's secret."""
    return secretbox.seal(token, secret=_secret(), purpose=_TOKEN)


# ---- in the decision's transaction ----


def tell_artist(
    work: Work,
    kind: str,
    *,
    reason: str | None = None,
    preset: str | None = None,
    delay: timedelta | None = None,
) -> None:
    """Queue the message telling the artist of a decision, if they asked and mail is on.

    Called by the decision verbs, in their transaction: the row commits with the decision
    or not at all, and is sent after the commit. Never raises: a message that cannot be
    written is logged (without the address) and the decision goes on. A decision that can
    still be undone queues its message with `delay` (the undo window): undoing it deletes
    the row before it is due (withdraw_unsent)."""
    try:
        _queue(work, kind, reason, preset, delay)
    except Exception:  # noqa: BLE001 - mail must never cost the decision
        log.exception("could not queue the %s message for work %s", kind, work.id)


def withdraw_unsent(work_id: int, kind: str) -> int:
    """Delete this work's queued messages of this kind that no sender has claimed yet (a
    decision undone within its window); returns how many."""
    result = db.session.execute(
        delete(OutgoingMail).where(
            OutgoingMail.work_id == work_id, OutgoingMail.kind == kind, OutgoingMail.attempts == 0
        )
    )
    return result.rowcount or 0


def _queue(
    work: Work, kind: str, reason: str | None, preset: str | None, delay: timedelta | None
) -> None:
    if kind not in KINDS:
        raise ValueError(kind)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if settings(app) is None:
        return
    # After every decision the courier also sends what earlier failures left due.
    after_commit(lambda: courier(app).kick())
    if not work.notify_token or not work.contact_email:
        return  # the artist did not ask (or gave no address)
    try:
        token = secretbox.open_sealed(work.notify_token, secret=_secret(), purpose=_TOKEN)
    except secretbox.InvalidToken:
        log.warning(
            "work %s: its receipt token cannot be read (SECRET_KEY changed?); no mail", work.id
        )
        return
    try:
        url = receipt_url(token, work.notify_locale)
    except RuntimeError:  # outside a request without PUBLIC_URL or SERVER_NAME: no host to link to
        log.warning(
            "work %s: no PUBLIC_URL or SERVER_NAME to build the receipt link outside a "
            "request; no mail",
            work.id,
        )
        return
    rejected = kind == REJECTED
    payload = {
        "to": work.contact_email,
        "url": url,
        "locale": work.notify_locale,
        "reason": ((reason or "").strip() or None) if rejected else None,
        "preset": preset if rejected and preset in PRESET_REASONS else None,
    }
    _enqueue(kind, payload, work_id=work.id, delay=delay)
    log.info("queued the %s message for work %s", kind, work.id)


def tell_writer(
    letter_id: int,
    kind: str,
    contact: dict[str, str],
    locale: str,
    *,
    preset: str | None = None,
    reason: str | None = None,
) -> None:
    """Queue the message telling a letter's writer that it was sent or refused, when they
    left an address (`contact`: the opened Letter.email_sealed, their address and private
    token). Like tell_artist: in the verb's transaction, never raising."""
    try:
        if kind not in (LETTER_SENT, LETTER_REFUSED):
            raise ValueError(kind)
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        if settings(app) is None:
            return
        after_commit(lambda: courier(app).kick())
        url = private_url(LETTER_ENDPOINT, contact["token"], locale)
        payload = {
            "to": contact["to"],
            "url": url,
            "locale": locale,
            "preset": preset,
            "reason": reason,
        }
        _enqueue(kind, payload)
        log.info("queued the %s message for letter %s", kind, letter_id)
    except Exception:  # noqa: BLE001 - mail must never cost the decision
        log.exception("could not queue the %s message for letter %s", kind, letter_id)


def queue(kind: str, payload: dict[str, Any], *, kick: bool = True) -> bool:
    """Queue a message of `kind` (the digests, their confirmation, the moderators' alert)
    in the current write transaction; its payload (address and all) is sealed. False, and
    nothing queued, when mail is off. After the commit the courier sends it (`kick`), or
    the command that queued it calls deliver_due() itself (kick=False)."""
    if kind not in KINDS:
        raise ValueError(kind)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if settings(app) is None:
        return False
    if kick:
        after_commit(lambda: courier(app).kick())
    _enqueue(kind, payload)
    return True


def _enqueue(
    kind: str, payload: dict, *, work_id: int | None = None, delay: timedelta | None = None
) -> None:
    sealed = secretbox.seal(json.dumps(payload), secret=_secret(), purpose=_PAYLOAD)
    row = OutgoingMail(kind=kind, payload=sealed, work_id=work_id)
    if delay:
        row.next_attempt_at = utcnow() + delay
    db.session.add(row)


def receipt_url(token: str, locale: str | None) -> str:
    """A receipt's absolute address in the artist's language (`/fr/submissions/...`): on
    PUBLIC_URL (or SERVER_NAME, else the host of the request: see
    GalleryFlask.create_url_adapter). RuntimeError outside a request without either."""
    return private_url(RECEIPT_ENDPOINT, token, locale)


def private_url(endpoint: str, token: str, locale: str | None) -> str:
    """A private page's absolute address (a receipt, a letter's status) in the reader's
    language; see receipt_url."""
    return page_url(endpoint, locale, token=token)


def page_url(endpoint: str, locale: str | None, **values: Any) -> str:
    """A page's absolute address in the reader's language (`/fr/...`): on PUBLIC_URL (or
    SERVER_NAME, else the request's host); RuntimeError outside a request without either."""
    language = locale if locale in current_app.config["LANGUAGES"] else None
    return current_app.url_for(endpoint, _external=True, **values, **{LANGUAGE_ARG: language})
