"""Federation over real HTTP both ways: the gallery served by a threaded Werkzeug server on
loopback, the Mastodon-like peer (tests/fedpeer.py, written from the specifications) on
another port. The peer finds the gallery by WebFinger, reads its actor, follows it with a
signed POST; it checks the gallery's Accept and Create with the key it fetches itself from
the keyId in their signatures, as Mastodon does. Nothing is handed over by the test."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from fedpeer import AP, sign_request
from gallery import federation
from gallery.extensions import db
from gallery.media import media_store as store
from gallery.verbs import decisions
from helpers import png_bytes

ALT = "A red kite over a prison wall"


@pytest.fixture
def app(app_factory) -> Iterator[Any]:
    """The gallery with federation on (the app every fixture of the test uses), served on a
    free loopback port: its PUBLIC_URL."""
    application = app_factory(
        FEDERATION=True, PUBLIC_URL="http://127.0.0.1:1", FEDERATION_ALLOW_PRIVATE=True
    )
    server = make_server("127.0.0.1", 0, application, threaded=True)
    # Every absolute address is built on it, from now on.
    application.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="gallery", daemon=True)
    thread.start()
    try:
        with application.app_context():
            yield application
            assert federation.courier(application).join(20)
    finally:
        server.shutdown()
        server.server_close()


def fetch(url: str, accept: str) -> tuple[str, dict[str, Any]]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.headers.get_content_type(), json.load(answer)


def test_a_peer_finds_follows_and_receives_over_http(app, peer, pending):
    url = app.config["PUBLIC_URL"]
    host = urlsplit(url).netloc
    # WebFinger, as Mastodon asks it.
    kind, jrd = fetch(
        f"{url}/.well-known/webfinger?resource=acct:gallery@{host}", "application/jrd+json"
    )
    assert kind == "application/jrd+json"
    [link] = [x for x in jrd["links"] if x["rel"] == "self" and x["type"] == AP]
    kind, actor = fetch(link["href"], AP)
    assert kind == AP and actor["type"] == "Service" and actor["id"] == link["href"]

    # alice follows, with a request signed by the peer's own code.
    follow = {
        "id": peer.base + "/follows/9",
        "type": "Follow",
        "actor": peer.actor_id,
        "object": actor["id"],
    }
    body = json.dumps(follow).encode()
    inbox = urlsplit(actor["inbox"]).path
    headers = sign_request(peer.key, peer.key_id, "POST", inbox, host, body)
    request = urllib.request.Request(actor["inbox"], data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=20) as answer:
        assert answer.status == 202
    # A forged one (the body changed after signing) is refused.
    forged = urllib.request.Request(
        actor["inbox"], data=body.replace(b"/9", b"/8"), headers=headers, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=20)
    assert refused.value.code == 401
    refused.value.close()  # its answer's socket

    assert federation.courier(app).join(20)
    [accept] = peer.of_type("Accept")
    assert accept["why_not"] is None, accept["why_not"]  # checked with the fetched key

    work, _ = pending(png_bytes((1600, 1000)), alt_text=ALT)
    decisions.approve_work(store(app), work.id, moderator_id=None)
    db.session.commit()
    assert federation.courier(app).join(20)
    [create] = peer.of_type("Create")
    assert create["why_not"] is None, create["why_not"]
    note = create["json"]["object"]
    assert note["attachment"][0]["name"] == ALT
    # The Note's address answers the Note to ActivityPub, over HTTP too.
    kind, fetched = fetch(note["id"], AP)
    assert kind == AP and fetched["id"] == note["id"]


def test_a_peer_follows_a_prisoners_actor_over_http(app, peer, pending, azat):
    """FEDERATION_ACTORS: the peer finds @prisoner-azat by WebFinger, follows it, and checks
    its Accept and its boost with the key it fetches from the prisoner's actor itself."""
    app.config["FEDERATION_ACTORS"] = ("prisoners",)
    url = app.config["PUBLIC_URL"]
    host = urlsplit(url).netloc
    kind, jrd = fetch(
        f"{url}/.well-known/webfinger?resource=acct:prisoner-azat@{host}", "application/jrd+json"
    )
    [link] = [x for x in jrd["links"] if x["rel"] == "self" and x["type"] == AP]
    kind, actor = fetch(link["href"], AP)
    assert kind == AP and actor["preferredUsername"] == "prisoner-azat"
    follow = {
        "id": peer.base + "/follows/azat",
        "type": "Follow",
        "actor": peer.actor_id,
        "object": actor["id"],
    }
    body = json.dumps(follow).encode()
    headers = sign_request(peer.key, peer.key_id, "POST", urlsplit(actor["inbox"]).path, host, body)
    request = urllib.request.Request(actor["inbox"], data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=20) as answer:
        assert answer.status == 202
    assert federation.courier(app).join(20)
    [accept] = peer.of_type("Accept")
    assert accept["why_not"] is None, accept["why_not"]
    assert accept["json"]["actor"] == actor["id"]

    work, _ = pending(png_bytes((1600, 1000)), alt_text=ALT, prisoner_ids=(azat.id,))
    decisions.approve_work(store(app), work.id, moderator_id=None)
    db.session.commit()
    assert federation.courier(app).join(20)
    [boost] = peer.of_type("Announce")
    assert boost["why_not"] is None, boost["why_not"]  # its key fetched from its keyId
    assert boost["json"]["actor"] == actor["id"]
    # What it boosts is there for the peer's server to fetch: the gallery's Note.
    kind, note = fetch(boost["json"]["object"], AP)
    assert kind == AP and note["type"] == "Note" and note["attachment"][0]["name"] == ALT
    assert peer.of_type("Create") == []
