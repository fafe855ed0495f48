"""What the outbox, the messages and their delivery share: the kinds of message, the SMTP
settings read from the app's config, and the secret that seals the rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)


APPROVED, REJECTED, UNPUBLISHED = "approved", "rejected", "unpublished"
# To a letter's writer who left an address: the letter was posted, or will not be.
LETTER_SENT, LETTER_REFUSED = "letter-sent", "letter-refused"
# To a reader: confirm the digest sign-up; the weekly digest; the SOS digest (the mirrors).
DIGEST_CONFIRM, DIGEST, DIGEST_SOS = "digest-confirm", "digest", "digest-sos"
# To a moderator who opted in: how many things wait (counts only).
MODERATOR_ALERT = "moderator-alert"
DIGESTS = (DIGEST, DIGEST_SOS)  # carry List-Unsubscribe (RFC 2369, RFC 8058)
KINDS = (
    APPROVED,
    REJECTED,
    UNPUBLISHED,
    LETTER_SENT,
    LETTER_REFUSED,
    DIGEST_CONFIRM,
    DIGEST,
    DIGEST_SOS,
    MODERATOR_ALERT,
)
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
    use_tls = _flag(config["MAIL_USE_TLS"]) and not use_ssl
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
        timeout=float(config["MAIL_TIMEOUT"]),
    )


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])
