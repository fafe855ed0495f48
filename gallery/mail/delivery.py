"""Delivery after the commit: claim the rows that are due, send them over SMTP (TLS, the
certificate checked), record the outcome and retry later, and the background Courier
thread of each web worker."""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask

from ..core import secretbox
from ..core.courier import Courier, claim, courier_of, record, renew
from ..models import OutgoingMail, utcnow
from .base import _PAYLOAD, Settings, _secret, settings
from .compose import compose

log = logging.getLogger(__name__)


# Wait after failed attempt 1, 2, 3, 4; the fifth failure gives up.
RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A claimed row is someone's for this long: longer than a batch can take to send.
LEASE = timedelta(minutes=10)
BATCH = 20
_COURIER = "gallery.mail_courier"


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
    columns = (
        OutgoingMail.id,
        OutgoingMail.kind,
        OutgoingMail.payload,
        OutgoingMail.work_id,
        OutgoingMail.attempts,
    )
    return [_Claimed(*row) for row in claim(OutgoingMail, columns, now, batch=BATCH, lease=LEASE)]


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
                log.warning(
                    "the mail server does not offer STARTTLS: nothing is sent in clear "
                    "(MAIL_USE_TLS=false allows it, for a relay on this host only)"
                )
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


def _send(
    config: Settings, claimed: list[_Claimed]
) -> dict[int, tuple[_Claimed, str | None, bool]]:
    """{row id: (row, None when delivered or why not, whether to give up now)}."""
    outcome: dict[int, tuple[_Claimed, str | None, bool]] = {}
    smtp: smtplib.SMTP | None = None
    try:
        for row in claimed:
            try:
                payload = json.loads(
                    secretbox.open_sealed(row.payload, secret=_secret(), purpose=_PAYLOAD)
                )
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


def _record(
    outcome: dict[int, tuple[_Claimed, str | None, bool]], now: datetime, done: Delivery
) -> None:
    record(
        OutgoingMail,
        outcome,
        now,
        done,
        retry_delays=RETRY_DELAYS,
        describe=lambda row: f"the {row.kind} message for work {row.work_id}",
    )


def courier(app: Flask) -> Courier:
    """The app's courier, made once (core/courier.py)."""
    return courier_of(app, _COURIER, deliver_due, "gallery-mail")


def after_fork(app: Flask) -> None:
    """A forked worker gets a courier of its own."""
    renew(app, _COURIER, deliver_due, "gallery-mail")
