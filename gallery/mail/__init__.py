"""Telling an artist by e-mail what a moderator decided, when they asked for it.

At submission the artist may tick "E-mail me when a moderator decides" (with an address).
The work then keeps its receipt token, encrypted (secretbox), and the page's language.
When a moderator approves, rejects or unpublishes it, the decision verb calls
tell_artist(), which adds an OutgoingMail row in the decision's own transaction: its
payload (address, absolute receipt link, language, reason) is encrypted too. Nothing is
sent before the commit; after it, a background thread delivers what is due, and
`flask --app gallery send-mail` does the same from cron (and for rows a dead worker left).

- No MAIL_SERVER (or no MAIL_DEFAULT_SENDER): no row is queued, nothing is sent, no error.
- A row is claimed before sending (attempts + 1 and a lease on next_attempt_at, in one
  short transaction that only one sender can win), so two workers or a worker and cron
  never send it twice; a sender that dies leaves it due again once the lease ends.
- Delivered: the row is deleted. A temporary failure (server down, 4xx, timeout): retried
  after 30 s, 2 min, 10 min, 1 h; after the fifth failed attempt, or at once on a
  permanent refusal (5xx), the row is deleted with a log line. A failure never reaches
  the request, and never undoes the decision.
- Logs name the row and the work, never the address, the link or the SMTP server's reply
  (which can quote the address).

The message is plain text in the artist's language: one subject for every decision (no
title, no cause), what was decided (with the moderator's reason for a rejection), the
private link. No image, no title of the work. Its subject and its sender's name are
neutral and name neither the gallery nor a protest: an artist's mail provider (in Russia,
one under SORM) sees them. Its Message-ID is random: nothing of the worker (process id,
time, host name).

TLS unless told otherwise: STARTTLS on port 587 by default (MAIL_USE_TLS), TLS from the
first byte with MAIL_USE_SSL (port 465); clear text only with MAIL_USE_TLS=false, for a
relay on the same host. The server's certificate is always checked.

smtplib rather than Flask-Mail: Flask-Mail 0.10 calls starttls() without an SSL context,
which in Python does not check the server's certificate (a man in the middle would read
the address and the private link), has no timeout (a silent server would hang the sender
for ever), and does not send under TESTING."""
from __future__ import annotations

import json
import logging
import secrets
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from ..core import secretbox
from ..core.database import after_commit, begin_write
from ..extensions import db
from ..models.labels import PRESET_REASONS
from ..models import OutgoingMail, Work, utcnow
from ..core.typography import typeset

log = logging.getLogger(__name__)

APPROVED, REJECTED, UNPUBLISHED = "approved", "rejected", "unpublished"
KINDS = (APPROVED, REJECTED, UNPUBLISHED)
# Wait after failed attempt 1, 2, 3, 4; the fifth failure gives up.
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A claimed row is someone's for this long: longer than a batch can take to send.
LEASE = timedelta(minutes=10)
BATCH = 20
SMTP_TIMEOUT = 20  # seconds, for connecting and for every reply
# The app.extensions key of the function that builds a receipt's absolute address:
# (token, language) -> URL. The public side, which owns the route, registers it.
RECEIPT_LINK = "gallery.receipt_link"
_COURIER = "gallery.mail_courier"
_TOKEN = "receipt token"
_PAYLOAD = "outgoing mail"


@dataclass(frozen=True)
class Settings:
    """Where and how to send, from MAIL_* (or FLASK_MAIL_*) settings."""

    server: str
    port: int
    use_tls: bool
    use_ssl: bool
    username: str | None
    password: str | None
    sender: str
    timeout: float


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def settings(app: Flask | None = None) -> Settings | None:
    """The SMTP settings, or None when mail is off (no MAIL_SERVER or no sender)."""
    config = (app or current_app).config
    server = str(config.get("MAIL_SERVER") or "").strip()
    sender = str(config.get("MAIL_DEFAULT_SENDER") or "").strip()
    if not server or not sender:
        return None
    use_ssl = _flag(config.get("MAIL_USE_SSL"))
    # STARTTLS unless MAIL_USE_TLS says false (or TLS starts with the connection).
    use_tls = _flag(config.get("MAIL_USE_TLS", True)) and not use_ssl
    try:
        port = int(config.get("MAIL_PORT") or (465 if use_ssl else 587 if use_tls else 25))
    except (TypeError, ValueError):
        log.warning("MAIL_PORT is not a number: no mail is sent")
        return None
    return Settings(
        server=server,
        port=port,
        use_tls=use_tls,
        use_ssl=use_ssl,
        username=str(config["MAIL_USERNAME"]) if config.get("MAIL_USERNAME") else None,
        password=str(config["MAIL_PASSWORD"]) if config.get("MAIL_PASSWORD") else None,
        sender=sender,
        timeout=float(config.get("MAIL_TIMEOUT") or SMTP_TIMEOUT),
    )


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


# ---- at submission ----


def seal_token(token: str) -> str:
    """A receipt token as Work.notify_token keeps it: encrypted with the app's secret."""
    return secretbox.seal(token, secret=_secret(), purpose=_TOKEN)


# ---- in the decision's transaction ----


def tell_artist(work: Work, kind: str, *, reason: str | None = None, preset: str | None = None,
                delay: timedelta | None = None) -> None:  # fmt: skip
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
        delete(OutgoingMail).where(OutgoingMail.work_id == work_id, OutgoingMail.kind == kind,
                                   OutgoingMail.attempts == 0)  # fmt: skip
    )
    return result.rowcount or 0


def _queue(work: Work, kind: str, reason: str | None, preset: str | None,
           delay: timedelta | None) -> None:  # fmt: skip
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
        log.warning("work %s: its receipt token cannot be read (SECRET_KEY changed?); no mail", work.id)
        return
    link: Callable[[str, str | None], str] | None = app.extensions.get(RECEIPT_LINK)
    if link is None:
        log.warning("no receipt link builder registered; no mail for work %s", work.id)
        return
    try:
        url = link(token, work.notify_locale)
    except RuntimeError:  # outside a request without PUBLIC_URL or SERVER_NAME: no host to link to
        log.warning("work %s: no PUBLIC_URL or SERVER_NAME to build the receipt link outside a "
                    "request; no mail", work.id)  # fmt: skip
        return
    rejected = kind == REJECTED
    payload = {"to": work.contact_email, "url": url, "locale": work.notify_locale,
               "reason": ((reason or "").strip() or None) if rejected else None,
               "preset": preset if rejected and preset in PRESET_REASONS else None}  # fmt: skip
    sealed = secretbox.seal(json.dumps(payload), secret=_secret(), purpose=_PAYLOAD)
    row = OutgoingMail(kind=kind, payload=sealed, work_id=work.id)
    if delay:
        row.next_attempt_at = utcnow() + delay
    db.session.add(row)
    log.info("queued the %s message for work %s", kind, work.id)


# ---- the message ----


def compose(kind: str, payload: dict[str, Any], sender: str) -> EmailMessage:
    """The message, in the artist's language: one subject for every decision."""
    locale = payload.get("locale")
    if locale not in current_app.config["LANGUAGES"]:
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        subject = _("News about your request")
        sender_name = _("Notifications")
        paragraphs = [_("Hello,")]
        if kind == APPROVED:
            paragraphs.append(_("A moderator has approved your work: it is now published in the gallery."))
        elif kind == REJECTED:
            paragraphs.append(_("A moderator has decided not to publish your work, and its image has "
                                "been deleted from our server."))  # fmt: skip
            why = [str(PRESET_REASONS[p]) for p in [payload.get("preset")] if p in PRESET_REASONS]
            why += [payload["reason"]] if payload.get("reason") else []
            if why:
                paragraphs.append(_("The moderator’s reason:") + "\n\n" + "\n\n".join(why))
        else:
            paragraphs.append(_("A moderator has taken your work down from the gallery. It is back "
                                "in the review queue."))  # fmt: skip
        if kind == REJECTED:
            paragraphs.append(_("Your private page:") + "\n" + payload["url"])
        else:
            paragraphs.append(_("Your private page, where you can follow your work and withdraw "
                                "it at any time:") + "\n" + payload["url"])  # fmt: skip
        paragraphs.append(_("You asked to be told by e-mail when a moderator decides. Keep this "
                            "link to yourself. Please do not reply to this message."))  # fmt: skip
        # Signed by a role, never by the gallery's name (see above: the provider reads it).
        paragraphs.append(_("The moderation team"))
    # No-break spaces where a French or Russian line must not break (typography.py).
    subject = typeset(subject, locale)
    paragraphs = [typeset(p, locale) for p in paragraphs]
    message = EmailMessage()
    address = parseaddr(sender)[1]
    domain = address.rpartition("@")[2] or "localhost"
    message["Subject"] = subject
    # The configured address, under a neutral name whatever MAIL_DEFAULT_SENDER calls it.
    message["From"] = Address(display_name=sender_name, addr_spec=address)
    message["To"] = payload["to"]
    message["Date"] = formatdate(usegmt=True)
    # Random, at the sender's domain (already in From): email.utils.make_msgid() would
    # add the time and the worker's process id.
    message["Message-ID"] = f"<{secrets.token_hex(16)}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content("\n\n".join(paragraphs) + "\n")  # (it clears Content-* headers)
    message["Content-Language"] = locale
    return message


# ---- delivery, after the commit ----


@dataclass
class Delivery:
    """What one delivery run did."""

    sent: int = 0
    retrying: int = 0
    given_up: int = 0


@dataclass(frozen=True)
class _Claimed:
    id: int
    kind: str
    payload: str
    work_id: int | None
    attempts: int  # including this one


def deliver_due(now: datetime | None = None) -> Delivery:
    """Send every message that is due, batch by batch (in an app context; commits its own
    short transactions: the claim, then the outcome). Nothing when mail is off."""
    done = Delivery()
    config = settings()
    if config is None:
        return done
    while True:
        moment = now or utcnow()
        claimed = _claim(moment)
        if not claimed:
            return done
        outcome = _send(config, claimed)
        _record(outcome, moment, done)


def _claim(now: datetime) -> list[_Claimed]:
    begin_write()
    due = db.session.execute(
        select(OutgoingMail.id, OutgoingMail.attempts)
        .where(OutgoingMail.next_attempt_at <= now)
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
        .limit(BATCH)
    ).all()
    won = []
    for row_id, attempts in due:
        result = db.session.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id == row_id, OutgoingMail.attempts == attempts)
            .values(attempts=attempts + 1, next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            won.append(row_id)
    rows = db.session.execute(
        select(OutgoingMail.id, OutgoingMail.kind, OutgoingMail.payload, OutgoingMail.work_id,
               OutgoingMail.attempts).where(OutgoingMail.id.in_(won)).order_by(OutgoingMail.id)
    ).all() if won else []  # fmt: skip
    db.session.commit()
    return [_Claimed(*row) for row in rows]


class NoTLS(smtplib.SMTPException):
    """The server does not offer STARTTLS: nothing is sent in clear, the rows wait."""


def _connect(config: Settings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if config.use_ssl:
        smtp = smtplib.SMTP_SSL(config.server, config.port, timeout=config.timeout, context=context)
    else:
        smtp = smtplib.SMTP(config.server, config.port, timeout=config.timeout)
    try:
        if config.use_tls:
            try:
                smtp.starttls(context=context)
            except smtplib.SMTPNotSupportedError:
                log.warning("the mail server does not offer STARTTLS: nothing is sent in clear "
                            "(MAIL_USE_TLS=false allows it, for a relay on this host only)")
                raise NoTLS() from None
        if config.username:
            smtp.login(config.username, config.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _why(exc: BaseException) -> str:
    """What went wrong, without the server's words (they can quote the address)."""
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__} {code}" if code else type(exc).__name__


def _permanent(exc: smtplib.SMTPException) -> bool:
    """A refusal of this message for good (5xx), rather than "try again later" (4xx)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def _send(config: Settings, claimed: list[_Claimed]) -> dict[int, tuple[_Claimed, str | None, bool]]:
    """{row id: (row, None when delivered or why not, whether to give up now)}."""
    outcome: dict[int, tuple[_Claimed, str | None, bool]] = {}
    smtp: smtplib.SMTP | None = None
    try:
        for row in claimed:
            try:
                payload = json.loads(secretbox.open_sealed(row.payload, secret=_secret(), purpose=_PAYLOAD))
                message = compose(row.kind, payload, config.sender)
            except (secretbox.InvalidToken, ValueError, KeyError, TypeError) as exc:
                outcome[row.id] = (row, f"unreadable ({type(exc).__name__})", True)
                continue
            try:
                if smtp is None:
                    smtp = _connect(config)
                smtp.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                outcome[row.id] = (row, _why(exc), _permanent(exc))  # this message only
            except smtplib.SMTPNotSupportedError as exc:  # e.g. a non-ASCII address: never
                outcome[row.id] = (row, _why(exc), True)
            except (OSError, smtplib.SMTPException) as exc:
                # The server is down, refused us (or our sender) or went away: this row and
                # the rest wait for the next attempt, whatever the code said.
                why = _why(exc)
                for rest in claimed:
                    outcome.setdefault(rest.id, (rest, why, False))
                if smtp is not None:
                    smtp.close()
                smtp = None
                break
            except Exception as exc:  # noqa: BLE001 - counted as an attempt like any failure
                outcome[row.id] = (row, _why(exc), False)
            else:
                outcome[row.id] = (row, None, False)
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    return outcome


def _record(outcome: dict[int, tuple[_Claimed, str | None, bool]], now: datetime, done: Delivery) -> None:
    begin_write()
    for row_id, (row, why, give_up) in outcome.items():
        if why is None:
            db.session.execute(delete(OutgoingMail).where(OutgoingMail.id == row_id))
            log.info("sent the %s message for work %s", row.kind, row.work_id)
            done.sent += 1
        elif give_up or row.attempts >= MAX_ATTEMPTS:
            db.session.execute(delete(OutgoingMail).where(OutgoingMail.id == row_id))
            log.warning("gave up the %s message for work %s after %d attempt(s): %s",
                        row.kind, row.work_id, row.attempts, why)  # fmt: skip
            done.given_up += 1
        else:
            db.session.execute(
                update(OutgoingMail).where(OutgoingMail.id == row_id)
                .values(next_attempt_at=now + RETRY_DELAYS[row.attempts - 1])
                .execution_options(synchronize_session=False)
            )  # fmt: skip
            log.warning("the %s message for work %s was not sent (attempt %d of %d): %s",
                        row.kind, row.work_id, row.attempts, MAX_ATTEMPTS, why)  # fmt: skip
            done.retrying += 1
    db.session.commit()


class Courier:
    """The background thread of one app that delivers what is due after a commit queued
    mail: it runs until nothing is due, then ends; a kick while it runs makes it look once
    more. Retries that fall due later wait for the next decision or for `send-mail`."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False

    def kick(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._again = True
                return
            self._thread = threading.Thread(target=self._run, name="gallery-mail", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                with self.app.app_context():
                    deliver_due()
            except Exception:  # noqa: BLE001 - the thread must end cleanly whatever happens
                log.exception("delivering mail failed")
            with self._lock:
                if not self._again:
                    self._thread = None
                    return
                self._again = False

    def join(self, timeout: float) -> bool:
        """Wait for the current run to end; False if it is still running after timeout."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True


def courier(app: Flask) -> Courier:
    """The app's courier, made once."""
    found = app.extensions.get(_COURIER)
    if found is None:
        found = app.extensions.setdefault(_COURIER, Courier(app))
    return found


def after_fork(app: Flask) -> None:
    """A forked worker gets a courier of its own: its parent's lock and thread stay behind."""
    app.extensions[_COURIER] = Courier(app)


def init_app(app: Flask) -> None:
    """Say at start-up when mail is half configured (a server without a sender)."""
    courier(app)
    if app.config.get("MAIL_SERVER") and not app.config.get("MAIL_DEFAULT_SENDER"):
        log.warning("MAIL_SERVER is set but MAIL_DEFAULT_SENDER is not: no mail will be sent")
