"""HTTP Signatures as Mastodon speaks them (draft-cavage-http-signatures, rsa-sha256 over
`(request-target) host date digest`), with pyhttpsig: the gallery signs every POST (and the
GETs of remote actors, for servers with "authorized fetch"), and checks the signature,
the Digest of the body and the Date (within 12 hours) of everything posted to its inbox,
with the key of the actor the keyId names, fetched from its server."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from httpsig import HeaderSigner, HeaderVerifier
from httpsig.utils import parse_signature_header

from .base import ACTIVITY_JSON, MAX_DOCUMENT
from .net import Refused, request, target

SIGNED = ("(request-target)", "host", "date", "digest")
CLOCK_SKEW = timedelta(hours=12)


class BadSignature(Exception):
    """A request whose signature is missing, malformed, stale or wrong (answered 401)."""


def digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def _digest_matches(header: str, body: bytes) -> bool:
    """Whether the Digest header (RFC 3230: `SHA-256=...`, the name in any case, perhaps
    among others) holds the body's SHA-256."""
    ours = digest(body).split("=", 1)[1]
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "sha-256" and value == ours:
            return True
    return False


def signed_headers(
    key_id: str, private_pem: str | None, method: str, url: str, body: bytes | None = None
) -> dict[str, str]:
    """The headers of a signed request (Host, Date, Digest for a body, Signature); without
    a key (keys.KeyPair.private_pem None), unsigned."""
    where = target(url)
    headers = {
        "Host": where.netloc,
        "Date": format_datetime(datetime.now(UTC), usegmt=True),
    }
    names = ["(request-target)", "host", "date"]
    if body is not None:
        headers["Digest"] = digest(body)
        names.append("digest")
    if private_pem is None:
        return headers
    signer = HeaderSigner(
        key_id, private_pem, algorithm="rsa-sha256", headers=names, sign_header="signature"
    )
    signed = signer.sign(headers, method=method, path=where.path)
    headers["Signature"] = signed["signature"]
    return headers


def fetch_actor(url: str, key_id: str, private_pem: str | None) -> dict[str, Any]:
    """A remote actor's document (signed GET; https and public addresses only, a timeout,
    a size cap); Refused when it cannot be had or is not an actor."""
    headers = signed_headers(key_id, private_pem, "GET", url)  # Refused: not an address we reach
    headers["Accept"] = (
        f'{ACTIVITY_JSON}, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    )
    try:
        answer = request("GET", url, headers, limit=MAX_DOCUMENT)
    except Refused:
        raise
    except Exception as exc:  # noqa: BLE001 - OSError, http.client's errors, a bad host name
        raise Refused(f"could not fetch the actor ({type(exc).__name__})") from None
    if answer.status != 200:
        raise Refused(f"the actor's server answered {answer.status}")
    try:
        doc = json.loads(answer.body)
    except (ValueError, RecursionError):
        raise Refused("the actor is not JSON") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
        raise Refused("not an actor")
    return doc


def verify(
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    get_actor: Any,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Check a request's signature; the signer's actor document, or BadSignature.

    `path` is the request target as sent (with its query); `get_actor(url)` fetches an
    actor document (Refused when it cannot)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    raw = lowered.get("signature")
    if not raw:
        raise BadSignature("no signature")
    fields = {k.lower(): v for k, v in parse_signature_header(raw).items()}
    key_id, names = fields.get("keyid"), (fields.get("headers") or "date").lower().split()
    if not key_id or fields.get("algorithm", "rsa-sha256") not in ("rsa-sha256", "hs2019"):
        raise BadSignature("unsupported signature")
    if any(name not in names for name in SIGNED):
        raise BadSignature("the signature must cover (request-target) host date digest")
    if not _digest_matches(lowered.get("digest", ""), body):
        raise BadSignature("the digest does not match the body")
    try:
        sent = parsedate_to_datetime(lowered.get("date", ""))
    except (TypeError, ValueError, IndexError):
        raise BadSignature("no date") from None
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    if abs((now or datetime.now(UTC)) - sent) > CLOCK_SKEW:
        raise BadSignature("the date is too far from now")
    try:
        actor = get_actor(key_id.split("#")[0])
    except Refused as exc:
        raise BadSignature(f"no key: {exc}") from None
    key = actor.get("publicKey")
    if isinstance(key, list):
        key = next((k for k in key if isinstance(k, dict) and k.get("id") == key_id), None)
    if not isinstance(key, dict) or key.get("id") != key_id or not key.get("publicKeyPem"):
        raise BadSignature("the actor has no such key")
    if key.get("owner", actor["id"]) != actor["id"]:
        raise BadSignature("the key is not the actor's")
    fixed = dict(headers)
    # pyhttpsig reads the algorithm to choose its hash; hs2019 with an RSA key is rsa-sha256.
    fixed["Signature"] = raw.replace('algorithm="hs2019"', 'algorithm="rsa-sha256"')
    if "algorithm" not in fields:
        fixed["Signature"] = raw + ',algorithm="rsa-sha256"'
    try:
        good = HeaderVerifier(
            fixed,
            key["publicKeyPem"],
            required_headers=list(SIGNED),
            method=method,
            path=path,
            sign_header="signature",
        ).verify()
    except Exception:  # noqa: BLE001 - pyhttpsig raises bare Exceptions for bad input
        good = False
    if not good:
        raise BadSignature("the signature does not verify")
    return actor
