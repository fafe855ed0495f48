"""A proof-of-work challenge (ALTCHA) where a client's address means nothing.

Every Tor user reaches the onion service from the same address, and a crowd behind one
address (a rally's Wi-Fi, a mobile carrier's NAT) is one client to an address limit. So on
the onion service always, and on the whole site while it is under pressure, a form is
accepted only with a solved challenge instead of against its address's budget:

- the page carries a challenge signed with a key derived from SECRET_KEY, which expires
  after CHALLENGE_SECONDS (the `altcha` library builds and checks it);
- the browser solves it in the background (static/js/vendor/altcha.min.js, the widget's
  build without inline styles or workers, so the strict CSP holds, and static/js/challenge.js);
- a solved challenge is accepted once: it is remembered in the limiter's store until it
  expires.

Without JavaScript the same form carries a signed "wait" stamp instead: sent at least
CHALLENGE_WAIT_SECONDS after the page was made, and once, it is accepted too. That costs an
attacker time rather than CPU, which the README says plainly.

"Under pressure" means more than CHALLENGE_PRESSURE sends and reports from everyone
together (the gauge counts every POST to those forms, accepted or not), or CHALLENGE_ALWAYS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

from altcha import Challenge, create_challenge, verify_solution
from flask import current_app, request
from flask_babel import gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .limits import accepted, has_room, is_onion, limiter, spend

log = logging.getLogger(__name__)

ALGORITHM = "PBKDF2/SHA-256"
FIELD = "altcha"  # the widget's hidden field
WAIT_FIELD = "altcha_wait"  # the stamp for browsers without JavaScript
PRESSURE_KEY = "site-pressure"


def _key(purpose: str) -> bytes:
    """A key of its own for each use, derived from SECRET_KEY."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"altcha-{purpose}".encode(), hashlib.sha256).digest()


def note_pressure() -> None:
    """Count one send or report towards the site-wide pressure gauge."""
    if current_app.config["RATELIMIT_ENABLED"]:
        spend(current_app.config["CHALLENGE_PRESSURE"], PRESSURE_KEY)


def under_pressure() -> bool:
    """Whether the whole site asks every client for a challenge right now."""
    if current_app.config["CHALLENGE_ALWAYS"]:
        return True
    if not current_app.config["RATELIMIT_ENABLED"]:
        return False
    return not has_room(current_app.config["CHALLENGE_PRESSURE"], PRESSURE_KEY)


def required() -> bool:
    """Whether this request's form needs a solved challenge (or a ripe wait stamp)."""
    return is_onion() or under_pressure()


def unfinished() -> str:
    """What a public form says when it was sent without a solved challenge (or a ripe wait
    stamp), in the reader's language."""
    return gettext(
        "The anti-spam check was not finished, or was already used. Please wait for it to "
        "finish (or, without JavaScript, for the time it says), then send again."
    )


def form_limit(limit: Any, key_func: Any = None, *, accepted_only: bool = True) -> Any:
    """The rate limit of a public form: counted on POST, only for what was accepted (a 303)
    unless `accepted_only` is False, per `key_func` (the limiter's default: the client's
    address), and lifted where the challenge stands in for addresses (the onion service)."""
    options: dict[str, Any] = {"key_func": key_func} if key_func is not None else {}
    if accepted_only:
        options["deduct_when"] = accepted
    return limiter.limit(limit, methods=["POST"], exempt_when=replaces_address_limits, **options)


def replaces_address_limits() -> bool:
    """Per-address limits do not apply where the challenge stands in for them: the onion
    service, whose clients all share one address.  (Under pressure on the clear web,
    addresses still mean something: the challenge comes on top of their limits.)"""
    return is_onion()


@dataclass(frozen=True)
class Offer:
    """What a form shows: the challenge as JSON for the widget, and the wait stamp."""

    challenge: str
    wait_stamp: str
    wait_minutes: int


def offer() -> Offer:
    """A fresh challenge and wait stamp for a form (nothing is stored: both are signed)."""
    config = current_app.config
    top = max(2, int(config["CHALLENGE_COUNTER"]))
    challenge = create_challenge(
        ALGORITHM,
        int(config["CHALLENGE_COST"]),
        counter=top // 2 + secrets.randbelow(top - top // 2),
        expires_at=int(time.time()) + int(config["CHALLENGE_SECONDS"]),
        hmac_secret=_key("challenge"),
        hmac_key_secret=_key("derived-key"),
    )
    stamp = _stamps().dumps(secrets.token_hex(16))
    minutes = max(1, -(-int(config["CHALLENGE_WAIT_SECONDS"]) // 60))
    return Offer(json.dumps(challenge.to_dict(), separators=(",", ":")), stamp, minutes)


def _stamps() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_key("wait"), salt="wait-stamp")


def passed() -> bool:
    """Whether this POST carries a solved challenge, or a ripe wait stamp, never used before.
    Either is spent by this call."""
    payload = request.form.get(FIELD, "")
    if payload and len(payload) < 4000:
        result = verify_solution(payload, _key("challenge"), hmac_key_secret=_key("derived-key"))
        if result.verified:
            return _first_use("solution", _challenge_id(payload))
        log.info("challenge refused: %s", "expired" if result.expired else "not solved")
    stamp = request.form.get(WAIT_FIELD, "")
    if stamp and len(stamp) < 200:
        config = current_app.config
        try:
            nonce, signed_at = _stamps().loads(
                stamp, max_age=int(config["CHALLENGE_SECONDS"]), return_timestamp=True
            )
        except (BadSignature, SignatureExpired):
            return False
        if time.time() - signed_at.timestamp() >= int(config["CHALLENGE_WAIT_SECONDS"]):
            return _first_use("stamp", str(nonce))
    return False


def _challenge_id(payload: str) -> str:
    try:
        data = json.loads(base64.b64decode(payload))
        return str(Challenge.from_dict(data["challenge"]).parameters.nonce)
    except (ValueError, KeyError, TypeError):  # verified already: cannot happen
        return hashlib.sha256(payload.encode()).hexdigest()


def _first_use(kind: str, identifier: str) -> bool:
    """Remember a used challenge until it expires, in the limiter's store; False when it
    was used before (a replay)."""
    seconds = int(current_app.config["CHALLENGE_SECONDS"])
    if spend(f"1 per {seconds} seconds", f"altcha-{kind}-{identifier}"):
        return True
    log.info("challenge refused: used before")
    return False
