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
for ever), and does not send under TESTING.

The same outbox carries the readers' digest (verbs/digest.py): the confirmation of a
sign-up, the weekly digest and the SOS digest (those two with a one-click unsubscribe,
RFC 8058), and the moderators' alert (counts only). Their subjects are as neutral as the
artists' (compose.py, bulletins.py)."""

from __future__ import annotations

import logging

from flask import Flask

from .base import (
    APPROVED,
    DIGEST,
    DIGEST_CONFIRM,
    DIGEST_SOS,
    DIGESTS,
    KINDS,
    LETTER_REFUSED,
    LETTER_SENT,
    MODERATOR_ALERT,
    REJECTED,
    UNPUBLISHED,
    Settings,
    settings,
)
from .compose import compose
from .delivery import (
    BATCH,
    LEASE,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    Courier,
    Delivery,
    NoTLS,
    after_fork,
    courier,
    deliver_due,
)
from .outbox import (
    page_url,
    private_url,
    queue,
    receipt_url,
    seal_token,
    tell_artist,
    tell_writer,
    withdraw_unsent,
)

log = logging.getLogger(__name__)

__all__ = [
    "APPROVED",
    "BATCH",
    "DIGEST",
    "DIGESTS",
    "DIGEST_CONFIRM",
    "DIGEST_SOS",
    "KINDS",
    "LEASE",
    "LETTER_REFUSED",
    "LETTER_SENT",
    "MAX_ATTEMPTS",
    "MODERATOR_ALERT",
    "REJECTED",
    "RETRY_DELAYS",
    "UNPUBLISHED",
    "Courier",
    "after_fork",
    "Delivery",
    "NoTLS",
    "Settings",
    "compose",
    "courier",
    "deliver_due",
    "init_app",
    "page_url",
    "private_url",
    "queue",
    "receipt_url",
    "seal_token",
    "settings",
    "tell_artist",
    "tell_writer",
    "withdraw_unsent",
]


def init_app(app: Flask) -> None:
    """Say at start-up when mail is half configured (a server without a sender)."""
    courier(app)
    if app.config.get("MAIL_SERVER") and not app.config.get("MAIL_DEFAULT_SENDER"):
        log.warning("MAIL_SERVER is set but MAIL_DEFAULT_SENDER is not: no mail will be sent")
