"""A Mastodon-like peer for the federation tests, written from the specifications and not
from the gallery's code: a small HTTP server on loopback (http.server in a thread) serving
one actor, alice, with her own RSA key, and inboxes that record what they receive and
check it as Mastodon does (draft-cavage HTTP Signatures, rsa-sha256, the Digest and the
Date), with `cryptography` alone. The key that signed a POST is the one the test told the
peer (`gallery_key`), or else the one the peer fetches itself, over HTTP, from the keyId.
The `peer` fixture is in the test modules that use it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import urllib.request
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

AP = "application/activity+json"


def _digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def sign_request(
    key: rsa.RSAPrivateKey, key_id: str, method: str, path: str, host: str, body: bytes
) -> dict[str, str]:
    """Headers of a request signed as Mastodon signs (its FEDERATION.md and the
    draft-cavage-http-signatures-12 text): the signing string is the listed headers, each
    `name: value` on its own line, `(request-target)` being `method path`."""
    headers = {
        "Host": host,
        "Date": format_datetime(datetime.now(UTC), usegmt=True),
        "Digest": _digest(body),
        "Content-Type": AP,
    }
    names = ["(request-target)", "host", "date", "digest"]
    lines = [
        f"(request-target): {method.lower()} {path}"
        if name == "(request-target)"
        else f"{name}: {headers[name.title()]}"
        for name in names
    ]
    signature = key.sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return headers


def check_signature(
    public_pem: str, key_id: str, method: str, path: str, headers: dict[str, str], body: bytes
) -> str | None:
    """None when the request is signed by key_id as Mastodon checks it, else why not."""
    lowered = {k.lower(): v for k, v in headers.items()}
    fields = dict(re.findall(r'(\w+)="([^"]*)"', lowered.get("signature", "")))
    if fields.get("keyId") != key_id:
        return f"keyId {fields.get('keyId')!r}"
    names = fields.get("headers", "").split()
    if not {"(request-target)", "host", "date", "digest"} <= set(names):
        return f"signed headers {names}"
    if lowered.get("digest") != _digest(body):
        return "digest"
    sent = parsedate_to_datetime(lowered["date"])
    if abs(datetime.now(UTC) - sent) > timedelta(hours=12):
        return "date"
    lines = [
        f"(request-target): {method.lower()} {path}"
        if name == "(request-target)"
        else f"{name}: {lowered[name]}"
        for name in names
    ]
    key = serialization.load_pem_public_key(public_pem.encode())
    assert isinstance(key, rsa.RSAPublicKey)
    try:
        key.verify(
            base64.b64decode(fields["signature"]),
            "\n".join(lines).encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        return "signature"
    return None


def _known_key(keys: dict[str, str], headers: dict[str, str]) -> tuple[str, str] | None:
    """The signer's key when the test fetched its actor already, by the Signature's keyId."""
    lowered = {k.lower(): v for k, v in headers.items()}
    key_id = dict(re.findall(r'(\w+)="([^"]*)"', lowered.get("signature", ""))).get("keyId")
    return (key_id, keys[key_id]) if key_id in keys else None


def fetch_key(headers: dict[str, str]) -> tuple[str, str]:
    """The signer's key as a Mastodon server finds it: the keyId of the Signature header,
    fetched (without its fragment) as ActivityPub JSON; its publicKey must be that key."""
    lowered = {k.lower(): v for k, v in headers.items()}
    key_id = dict(re.findall(r'(\w+)="([^"]*)"', lowered["signature"]))["keyId"]
    request = urllib.request.Request(key_id.split("#")[0], headers={"Accept": AP})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.headers.get_content_type() == AP
        actor = json.load(answer)
    key = actor["publicKey"]
    if key["id"] != key_id or key["owner"] != actor["id"]:
        raise ValueError("the actor does not hold that key")
    return key_id, key["publicKeyPem"]


class Peer:
    """alice on a server of her own, on 127.0.0.1: her actor document, her inbox and her
    server's shared inbox, which record what they receive and whether it verified."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.gallery_key: tuple[str, str] | None = None  # (keyId, PEM), told by the test
        # Or several actors' keys, {keyId: PEM}, each as the test fetched its actor.
        self.gallery_keys: dict[str, str] = {}
        self.received: list[dict[str, Any]] = []
        self.gets: list[str] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.actor_id = self.base + "/users/alice"
        self.key_id = self.actor_id + "#main-key"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def actor(self) -> dict[str, Any]:
        pem = (
            self.key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.actor_id,
            "type": "Person",
            "preferredUsername": "alice",
            "inbox": self.actor_id + "/inbox",
            "outbox": self.actor_id + "/outbox",
            "endpoints": {"sharedInbox": self.base + "/inbox"},
            "publicKey": {"id": self.key_id, "owner": self.actor_id, "publicKeyPem": pem},
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                with peer._lock:
                    peer.gets.append(self.path)
                if self.path != "/users/alice":
                    self.send_error(404)
                    return
                body = json.dumps(peer.actor()).encode()
                self.send_response(200)
                self.send_header("Content-Type", AP)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = dict(self.headers.items())
                try:
                    key_id, pem = (
                        peer.gallery_key
                        or _known_key(peer.gallery_keys, headers)
                        or fetch_key(headers)
                    )
                except (OSError, ValueError, KeyError) as exc:
                    why = f"no key ({exc!r})"
                else:
                    why = check_signature(pem, key_id, "POST", self.path, headers, body)
                with peer._lock:
                    peer.received.append(
                        {
                            "path": self.path,
                            "headers": headers,
                            "body": body,
                            "json": json.loads(body),
                            "why_not": why,
                        }
                    )
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.received if r["json"].get("type") == kind]
