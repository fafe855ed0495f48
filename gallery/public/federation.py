"""ActivityPub's addresses (gallery/federation/): WebFinger, the actors (the gallery's, and
with FEDERATION_ACTORS each prisoner's and campaign's, federation/actors.py), their outboxes,
their followers (the count alone), their inboxes and the shared inbox, and a work's Note.
All answer 404 while FEDERATION is off.

The inbox reads at most federation.MAX_DOCUMENT bytes of JSON (400 otherwise), checks the
HTTP Signature with the signer's key fetched from its server (401 when it is missing or
wrong, or the key cannot be had), then takes Follow, Undo{Follow} and Accept; anything
else is acknowledged (202) and dropped. Nothing here ever answers 500 for what a remote
server sent."""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from .. import federation
from ..extensions import csrf, db
from ..federation import actors, documents, reads
from ..federation.base import MAX_DOCUMENT
from ..federation.keys import actor_key
from ..federation.signatures import BadSignature, fetch_actor, verify
from ..verbs import federation as following
from ..web.http import page_arg
from ..web.limits import limiter, network_key

bp = Blueprint("federation", __name__)
log = logging.getLogger(__name__)

ACCT = re.compile(r"acct:([A-Za-z0-9_.~-]{1,64})@([A-Za-z0-9.:\[\]-]{1,255})")


def _on() -> str:
    """The gallery actor's name; 404 when federation is off."""
    if not federation.enabled():
        abort(404)
    return federation.actor_name()


def _actor(name: str) -> actors.Actor:
    """One of the gallery's actors (its own, or a prisoner's or a campaign's when
    FEDERATION_ACTORS has them); 404 when federation is off or there is no such actor (a
    deleted prisoner or campaign has none any more)."""
    _on()
    found = actors.find(name)
    if found is None:
        abort(404)
    return found


def _json(
    doc: dict[str, Any], content_type: str = federation.ACTIVITY_JSON, status: int = 200
) -> Response:
    response = Response(
        json.dumps(doc, ensure_ascii=False), status=status, content_type=content_type
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    # Any cache may keep it but must ask again each time (a takedown is at once), and tell
    # it from the page at the same address (a work's Note).
    response.cache_control.no_cache = True
    response.vary.add("Accept")
    return response


def _host() -> str:
    return urlsplit(current_app.config["PUBLIC_URL"]).netloc.lower()


@bp.get("/.well-known/webfinger")
def webfinger() -> ResponseReturnValue:
    """acct:NAME@host (or an actor's address) to the actor: a JRD."""
    _on()
    resource = request.args.get("resource", "")
    found = ACCT.fullmatch(resource)
    if found is None:
        prefix = documents.actor_url("x")[:-1]
        if not resource.startswith(("https://", "http://")) or len(resource) > 600:
            abort(400)  # malformed; a well-formed address of another actor is unknown here
        if not resource.startswith(prefix) or "/" in resource[len(prefix) :]:
            abort(404)
        name = resource[len(prefix) :]
    else:
        if found.group(2).lower() != _host():
            abort(404)
        name = found.group(1)
    return _json(documents.webfinger(_actor(name).name, _host()), federation.JRD_JSON)


@bp.get("/ap/<name>")
def actor(name: str) -> ResponseReturnValue:
    found = _actor(name)
    topic = found if found.kind is not None else None
    return _json(documents.actor(found.name, _key().public_pem, topic))


def _key():
    """The one key pair every actor signs with (actors.py)."""
    return actor_key(federation.actor_name())


@bp.get("/ap/<name>/outbox")
def outbox(name: str) -> ResponseReturnValue:
    """What the actor sent: the gallery's Creates, or a prisoner's or a campaign's
    Announces of its works; the collection, then its pages (?page=1...)."""
    found = _actor(name)
    name = found.name
    url = documents.outbox_url(name)
    if "page" not in request.args:
        return _json(
            {
                "@context": documents.CONTEXT,
                "id": url,
                "type": "OrderedCollection",
                "totalItems": reads.announced_count(found),
                "first": f"{url}?page=1",
            }
        )
    page = page_arg()
    items = reads.outbox_page(name, page, found, federation.actor_name())
    doc: dict[str, Any] = {
        "@context": documents.CONTEXT,
        "id": f"{url}?page={page}",
        "type": "OrderedCollectionPage",
        "partOf": url,
        "orderedItems": items,
    }
    if len(items) == reads.PER_PAGE:
        doc["next"] = f"{url}?page={page + 1}"
    if page > 1:
        doc["prev"] = f"{url}?page={page - 1}"
    return _json(doc)


@bp.get("/ap/<name>/followers")
def followers(name: str) -> ResponseReturnValue:
    """How many follow, never who: a list of who follows a political prisoners' gallery
    would be a gift to those who watch them."""
    name = _actor(name).name
    return _json(
        {
            "@context": documents.CONTEXT,
            "id": documents.followers_url(name),
            "type": "OrderedCollection",
            "totalItems": reads.follower_count(name),
        }
    )


def _inbox_limit() -> str:
    return current_app.config["FEDERATION_INBOX_RATE_LIMIT"]


# One budget for every inbox, counted before anything is read: over it, no sender's key
# is fetched (429, and a server that delivers tries again later).
_inbox_budget = limiter.shared_limit(_inbox_limit, scope="federation-inbox", key_func=network_key)


@bp.post("/ap/<name>/inbox")
@csrf.exempt
@_inbox_budget
def inbox(name: str) -> ResponseReturnValue:
    return _receive(_actor(name).name)


@bp.post("/ap/inbox")
@csrf.exempt
@_inbox_budget
def shared_inbox() -> ResponseReturnValue:
    """The server's inbox: a Follow or its Undo goes to the actor it names."""
    return _receive(_on(), shared=True)


def work_note(public_id: str) -> ResponseReturnValue:
    """A work's Note, for public.work when asked for ActivityPub JSON."""
    name = _on()
    note = reads.announced_note(public_id, name)
    if note is None:
        abort(404)
    return _json(note)


def _refuse(status: int, why: str) -> Response:
    log.info("inbox: refused (%s)", why)
    return Response(json.dumps({"error": why}), status=status, content_type="application/json")


def _named(obj: object) -> str | None:
    """The name of our actor at address `obj`, if it is one."""
    prefix = documents.actor_url("x")[:-1]
    if not isinstance(obj, str) or not obj.startswith(prefix) or len(obj) > 600:
        return None
    found = actors.find(obj[len(prefix) :])
    return found.name if found is not None else None


def _receive(name: str, shared: bool = False) -> Response:
    length = request.content_length
    if length is not None and length > MAX_DOCUMENT:
        return _refuse(413, "too large")
    body = request.stream.read(MAX_DOCUMENT + 1)
    if len(body) > MAX_DOCUMENT:
        return _refuse(413, "too large")
    try:
        activity = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deep
        return _refuse(400, "not JSON")
    if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
        return _refuse(400, "not an activity")
    kind, sender = activity["type"], activity.get("actor")
    if kind == "Delete" and sender is not None and activity.get("object") == sender:
        # An account deleted on its server: its key is gone with it; nothing to check.
        return Response(status=202)
    obj = activity.get("object")
    if shared:
        # Which actor a Follow (or the Follow an Undo names) is for; else the gallery's.
        followed = obj.get("object") if kind == "Undo" and isinstance(obj, dict) else obj
        name = _named(followed) or name
    keys = _key()
    key_id = documents.key_id(name)

    def get_actor(url: str) -> dict[str, Any]:
        return fetch_actor(url, key_id, keys.private_pem)

    target = request.script_root + request.path
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    headers = dict(request.headers)
    headers["Host"] = request.host
    try:
        remote = verify("POST", target, headers, body, get_actor)
    except BadSignature as exc:
        return _refuse(401, str(exc))
    if not isinstance(sender, str) or sender != remote["id"]:
        return _refuse(401, "the signer is not the activity's actor")
    if kind == "Follow":
        if obj != documents.actor_url(name):
            return Response(status=202)  # not us: dropped
        following.follow(name, remote, activity)
        db.session.commit()
        log.info("inbox: a new follower")
    elif kind == "Undo" and (
        isinstance(obj, str) or (isinstance(obj, dict) and obj.get("type") == "Follow")
    ):
        # The signer's own follow (some servers name it by its id alone): forgotten.
        if following.unfollow(name, remote["id"]):
            log.info("inbox: a follower left")
        db.session.commit()
    return Response(status=202)
