"""Publishing to the fediverse (ActivityPub), against a peer that is not the gallery's code:
a small HTTP server on loopback acting as a Mastodon-like actor, with its own RSA key,
serving its actor document and checking every POST it receives (signature, Digest, Date)
with its own implementation of Mastodon's documented algorithm (draft-cavage HTTP
Signatures, rsa-sha256 over `(request-target) host date digest`), written here from the
spec with `cryptography` alone (tests/fedpeer.py). The gallery is driven through the test client; it fetches
the peer's actor and delivers to the peer's inboxes over real HTTP.

What is checked: WebFinger and the actor against Mastodon's contract; a signed Follow
accepted with a signed Accept; a work's Create delivered after its delay, alt text as the
image's `name`, the 1200 px share rendition only; a Delete after an unpublish and after a
person-at-risk report; nothing sent for a work taken down before its delay; the followers
collection shows a count, never who; bad signatures 401, bad JSON 400; SSRF refused
without the tests' switch; everything 404 and nothing queued when FEDERATION is off; the
page cache never mixes the Note and the page. With FEDERATION_ACTORS: the prisoners' and
campaigns' actors found and followed like the gallery's, their boosts of their own works
alone, one delivery per inbox, the Delete to their followers, 404 when off or unknown."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select, update

from fedpeer import AP, Peer, sign_request
from gallery import federation
from gallery.core.database import begin_write
from gallery.extensions import db
from gallery.federation import net
from gallery.media import media_store as store
from gallery.models import (
    Announcement,
    Campaign,
    ContentWarning,
    Follower,
    OutgoingActivity,
    Report,
    ReportCategory,
    Work,
    utcnow,
)
from gallery.verbs import decisions, editing, reports, submissions, unpublishing
from helpers import count_rows, png_bytes

HOST = "gallery.test"
BASE = f"https://{HOST}"
ACTOR_PATH = "/ap/gallery"
ACTOR = BASE + ACTOR_PATH
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
ALT = 'A fist & a "flower" behind <bars>'


@pytest.fixture
def app(app_factory):
    """The gallery with federation on, its peer allowed on loopback over http."""
    application = app_factory(
        FEDERATION=True, PUBLIC_URL=BASE, FEDERATION_ALLOW_PRIVATE=True, PAGE_CACHE=True
    )
    with application.app_context():
        yield application
        assert federation.courier(application).join(20)


def settle(app) -> None:
    """Wait for the delivery thread the last commit started (no sleeping)."""
    assert federation.courier(app).join(20), "the federation thread did not finish"


def get(client, path: str, accept: str | None = AP, **kw: Any):
    headers = {"Accept": accept} if accept else {}
    return client.get(path, base_url=BASE, headers=headers, **kw)


def gallery_key(client) -> tuple[str, str]:
    doc = get(client, ACTOR_PATH).get_json()
    return doc["publicKey"]["id"], doc["publicKey"]["publicKeyPem"]


def send(
    client,
    peer: Peer,
    activity: dict[str, Any],
    path: str = ACTOR_PATH + "/inbox",
    *,
    key=None,
    body=None,
):
    raw = json.dumps(activity).encode()
    headers = sign_request(key or peer.key, peer.key_id, "POST", path, HOST, raw)
    return client.post(path, base_url=BASE, data=raw if body is None else body, headers=headers)


def follow(client, peer: Peer) -> dict[str, Any]:
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": peer.base + "/follows/1",
        "type": "Follow",
        "actor": peer.actor_id,
        "object": ACTOR,
    }
    response = send(client, peer, activity)
    assert response.status_code == 202, response.get_data(as_text=True)
    return activity


def published(app, pending, prisoners=(), **fields: Any) -> Work:
    work, _token = pending(png_bytes((1600, 1000)), alt_text=ALT, **fields)
    decisions.approve_work(store(app), work.id, moderator_id=None)
    db.session.commit()
    return work


# ---- WebFinger and the actor, as Mastodon expects them ----


def test_webfinger_finds_the_gallery_actor(client):
    response = get(client, f"/.well-known/webfinger?resource=acct:gallery@{HOST}", accept=None)
    assert response.status_code == 200
    assert response.mimetype == "application/jrd+json"
    doc = response.get_json()
    assert doc["subject"] == f"acct:gallery@{HOST}"
    selfs = [link for link in doc["links"] if link["rel"] == "self"]
    assert selfs == [{"rel": "self", "type": AP, "href": ACTOR}]


@pytest.mark.parametrize(
    ("resource", "status"),
    [
        ("", 400),
        ("gallery", 400),
        ("acct:", 400),
        ("acct:gallery@" + "x" * 300, 400),
        ("acct:nobody@" + HOST, 404),
        ("acct:gallery@elsewhere.example", 404),
    ],
)
def test_webfinger_refuses_what_it_does_not_know(client, resource, status):
    assert (
        get(client, "/.well-known/webfinger", query_string={"resource": resource}).status_code
        == status
    )


def test_the_actor_document_has_what_mastodon_requires(client):
    response = get(client, ACTOR_PATH)
    assert response.status_code == 200
    assert response.mimetype == AP
    doc = response.get_json()
    assert "https://www.w3.org/ns/activitystreams" in doc["@context"]
    assert "https://w3id.org/security/v1" in doc["@context"]
    assert doc["id"] == ACTOR
    assert doc["type"] == "Service"
    assert doc["preferredUsername"] == "gallery"
    assert doc["name"] and doc["summary"] and doc["url"].startswith(BASE)
    assert doc["icon"]["url"].startswith(BASE)
    for box in ("inbox", "outbox", "followers"):
        assert doc[box].startswith(ACTOR + "/")
    assert doc["endpoints"]["sharedInbox"] == BASE + "/ap/inbox"
    key = doc["publicKey"]
    assert key["id"] == ACTOR + "#main-key" and key["owner"] == ACTOR
    public = serialization.load_pem_public_key(key["publicKeyPem"].encode())
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048
    # The same key on every fetch, kept in the database with its private part sealed.
    assert get(client, ACTOR_PATH).get_json()["publicKey"] == key
    db.session.commit()
    from gallery.models import SiteSetting

    stored = db.session.get(SiteSetting, "federation.key.gallery").value
    assert "PRIVATE KEY" not in stored
    assert get(client, "/ap/somebody-else").status_code == 404


# ---- following, publishing, taking down ----


def test_follow_create_and_delete_reach_the_peer_signed(
    app, client, peer, pending, azat, make_moderator
):
    peer.gallery_key = gallery_key(client)
    sent = follow(client, peer)
    # The gallery fetched alice's actor from her server to check the signature.
    assert "/users/alice" in peer.gets
    settle(app)
    [accept] = peer.of_type("Accept")
    assert accept["why_not"] is None, accept["why_not"]
    assert accept["path"] == "/users/alice/inbox"
    assert accept["json"]["actor"] == ACTOR
    assert accept["json"]["object"]["id"] == sent["id"]
    db.session.commit()
    [row] = db.session.scalars(select(Follower)).all()
    assert (row.follower_id, row.inbox) == (peer.actor_id, peer.base + "/inbox")

    # The followers collection: a count, never who.
    response = get(client, ACTOR_PATH + "/followers")
    assert response.get_json()["totalItems"] == 1
    assert peer.actor_id not in response.get_data(as_text=True)
    assert "orderedItems" not in response.get_json() and "first" not in response.get_json()

    work = published(
        app,
        pending,
        title="Free <Azat> & all",
        prisoner_ids=(azat.id,),
        contact_email="artist@example.org",
    )
    settle(app)
    [create] = peer.of_type("Create")
    assert create["why_not"] is None, create["why_not"]
    assert create["path"] == "/inbox"  # the shared inbox
    note = create["json"]["object"]
    work_url = f"{BASE}/works/{work.public_id}"
    assert create["json"]["actor"] == ACTOR
    assert note["type"] == "Note" and note["id"] == work_url and note["url"] == work_url
    assert note["to"] == [PUBLIC] and note["cc"] == [ACTOR + "/followers"]
    assert note["published"].endswith("Z")
    assert "Free &lt;Azat&gt; &amp; all" in note["content"]
    assert "Azat" in note["content"] and "CC BY 4.0" in note["content"]
    [image] = note["attachment"]
    assert image["type"] == "Image" and image["mediaType"] == "image/jpeg"
    assert image["name"] == ALT
    share = work.renditions["share"]
    assert (image["width"], image["height"]) == (share["width"], share["height"]) == (1200, 750)
    assert image["url"].endswith("/" + share["files"]["jpeg"])
    assert "artist@example.org" not in create["body"].decode()
    assert work.renditions["large"]["files"]["jpeg"] not in create["body"].decode()

    # The work's address answers its Note to ActivityPub, the page to browsers.
    response = get(client, f"/works/{work.public_id}")
    assert response.status_code == 200 and response.mimetype == AP
    assert "Accept" in response.headers["Vary"] and "no-cache" in response.headers["Cache-Control"]
    assert response.get_json()["attachment"][0]["name"] == ALT
    page = get(client, f"/works/{work.public_id}", accept="text/html")
    assert page.mimetype == "text/html" and "Accept" in page.headers["Vary"]
    # The outbox lists its Create.
    outbox = get(client, ACTOR_PATH + "/outbox").get_json()
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 1
    items = get(client, ACTOR_PATH + "/outbox?page=1").get_json()["orderedItems"]
    assert [i["object"]["id"] for i in items] == [work_url]

    # A correction of its alt text goes out as an Update with a newer `updated`.
    mod = make_moderator()
    editing.edit_work(
        work.id, mod.id, title=work.title, alt_text="A fist and a flower", tag_names=[]
    )
    db.session.commit()
    settle(app)
    [revised] = peer.of_type("Update")
    assert revised["why_not"] is None, revised["why_not"]
    assert revised["json"]["object"]["id"] == work_url
    assert revised["json"]["object"]["attachment"][0]["name"] == "A fist and a flower"
    assert revised["json"]["object"]["updated"] >= note["published"]

    unpublishing.unpublish_work(store(app), work.id, mod.id, "It shows a face.")
    db.session.commit()
    settle(app)
    [gone] = peer.of_type("Delete")
    assert gone["why_not"] is None, gone["why_not"]
    assert gone["json"]["object"] == {"id": work_url, "type": "Tombstone"}
    assert get(client, f"/works/{work.public_id}").status_code == 404
    assert count_rows(OutgoingActivity) == 0


def test_undo_follow_forgets_the_follower(app, client, peer, pending):
    peer.gallery_key = gallery_key(client)
    sent = follow(client, peer)
    settle(app)
    undo = {
        "id": peer.base + "/follows/1/undo",
        "type": "Undo",
        "actor": peer.actor_id,
        "object": sent,
    }
    assert send(client, peer, undo, "/ap/inbox").status_code == 202
    assert count_rows(Follower) == 0
    published(app, pending)
    settle(app)
    assert peer.of_type("Create") == []


def test_a_work_waits_for_its_delay_and_goes_nowhere_if_taken_down(
    app_factory, peer, pending, make_moderator
):
    app = app_factory(
        FEDERATION=True, PUBLIC_URL=BASE, FEDERATION_ALLOW_PRIVATE=True, FEDERATION_DELAY=86400
    )
    with app.app_context():
        client = app.test_client()
        peer.gallery_key = gallery_key(client)
        follow(client, peer)
        settle(app)
        kept = published(app, pending, title="Kept")
        withdrawn = published(app, pending, title="Withdrawn")
        hidden = published(app, pending, title="Hidden")
        settle(app)
        assert peer.of_type("Create") == []  # not due for a day
        unpublishing.unpublish_work(store(app), withdrawn.id, make_moderator().id, "A face.")
        db.session.commit()
        settle(app)
        assert db.session.get(Announcement, withdrawn.id) is None
        # However a work leaves the public pages, the courier looks again when it is due.
        db.session.execute(update(Work).where(Work.id == hidden.id).values(hidden=True))
        # A day later (the due time moved, not waited for), cron's command sends what is due.
        db.session.execute(update(Announcement).values(due_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["federate"])
        assert result.exit_code == 0, result.output
        assert "Announced 1 work(s), dropped 1 taken down" in result.output
        assert db.session.get(Announcement, hidden.id) is None
        creates = peer.of_type("Create")
        assert [c["json"]["object"]["id"] for c in creates] == [f"{BASE}/works/{kept.public_id}"]
        assert creates[0]["why_not"] is None
        assert peer.of_type("Delete") == []  # nothing was sent of the withdrawn one
        settle(app)


def test_a_person_at_risk_report_sends_a_delete(app, client, peer, pending, make_moderator):
    peer.gallery_key = gallery_key(client)
    follow(client, peer)
    work = published(app, pending)
    settle(app)
    assert len(peer.of_type("Create")) == 1
    reports.file_report(store(app), work.id, ReportCategory.PERSON_AT_RISK, None)
    db.session.commit()
    settle(app)
    [gone] = peer.of_type("Delete")
    assert gone["json"]["object"]["id"] == f"{BASE}/works/{work.public_id}"
    assert gone["why_not"] is None
    # A moderator keeps it: it is announced again (after the delay: none in the tests).
    [report] = db.session.scalars(select(Report)).all()
    reports.handle_report(store(app), report.id, make_moderator().id, "dismiss", None)
    db.session.commit()
    settle(app)
    assert len(peer.of_type("Create")) == 2


def test_an_artist_withdrawing_an_announced_work_sends_a_delete(app, client, peer, pending):
    peer.gallery_key = gallery_key(client)
    follow(client, peer)
    work, token = pending(png_bytes((1600, 1000)), alt_text=ALT)
    decisions.approve_work(store(app), work.id, moderator_id=None)
    db.session.commit()
    settle(app)
    assert len(peer.of_type("Create")) == 1
    submissions.withdraw_work(store(app), token)
    db.session.commit()
    settle(app)
    [gone] = peer.of_type("Delete")
    assert gone["json"]["object"]["id"] == f"{BASE}/works/{work.public_id}"


def test_hostile_inbox_bodies_are_4xx(app, client, peer):
    path = ACTOR_PATH + "/inbox"
    for body in (
        b"[]",
        b"null",
        b'"Follow"',
        b'{"type": 5}',
        b"\x00\xff",
        b"{" * 5000,
        b"[" * 100_000,
    ):
        headers = sign_request(peer.key, peer.key_id, "POST", path, HOST, body)
        assert client.post(path, base_url=BASE, data=body, headers=headers).status_code == 400
    big = b'{"type": "Note", "content": "' + b"x" * (300 * 1024) + b'"}'
    headers = sign_request(peer.key, peer.key_id, "POST", path, HOST, big)
    assert client.post(path, base_url=BASE, data=big, headers=headers).status_code == 413
    assert count_rows(Follower) == 0 and count_rows(OutgoingActivity) == 0


# ---- what the inbox refuses ----


def test_bad_signatures_are_refused_and_store_nothing(app, client, peer):
    follow_ = {"id": peer.base + "/f", "type": "Follow", "actor": peer.actor_id, "object": ACTOR}
    path = ACTOR_PATH + "/inbox"
    # Unsigned.
    raw = json.dumps(follow_).encode()
    assert (
        client.post(path, base_url=BASE, data=raw, headers={"Content-Type": AP}).status_code == 401
    )
    # Signed with another key than alice's.
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert send(client, peer, follow_, key=other).status_code == 401
    # A body changed after signing (the Digest no longer matches).
    tampered = json.dumps({**follow_, "id": peer.base + "/g"}).encode()
    assert send(client, peer, follow_, body=tampered).status_code == 401
    # A signature by one actor for an activity of another.
    assert (
        send(client, peer, {**follow_, "actor": "https://elsewhere.example/u/bob"}).status_code
        == 401
    )
    # Malformed JSON.
    broken = b'{"type": "Follow",'
    headers = sign_request(peer.key, peer.key_id, "POST", path, HOST, broken)
    assert client.post(path, base_url=BASE, data=broken, headers=headers).status_code == 400
    assert count_rows(Follower) == 0 and count_rows(OutgoingActivity) == 0


def test_other_activities_are_acknowledged_and_dropped(app, client, peer):
    like = {"id": peer.base + "/l", "type": "Like", "actor": peer.actor_id, "object": ACTOR}
    assert send(client, peer, like).status_code == 202
    assert count_rows(Follower) == 0 and count_rows(OutgoingActivity) == 0


def test_private_addresses_are_refused_without_the_tests_switch(app_factory, peer, pending):
    app = app_factory(FEDERATION=True, PUBLIC_URL=BASE)
    with app.app_context():
        client = app.test_client()
        follow_ = {
            "id": peer.base + "/f",
            "type": "Follow",
            "actor": peer.actor_id,
            "object": ACTOR,
        }
        response = send(client, peer, follow_)
        assert response.status_code == 401, response.get_data(as_text=True)
        assert peer.gets == []  # never asked
        for url in (
            peer.actor_id,
            "http://example.org/",
            "https://127.0.0.1/",
            "https://localhost/",
            "https://[::1]/",
            "https://10.0.0.8/",
            "https://169.254.169.254/",
            "https://[::ffff:127.0.0.1]/",
            "https://user:pw@example.org/",
        ):
            with pytest.raises(net.Refused):
                net.request("GET", url, {})
        assert count_rows(Follower) == 0
        # A follower whose inbox is on this machine (however it got there) is never
        # delivered to: the row is given up at once.
        port = peer.server.server_address[1]
        db.session.add(
            Follower(
                actor="gallery", follower_id=peer.actor_id, inbox=f"https://127.0.0.1:{port}/inbox"
            )
        )
        db.session.commit()
        work, _ = pending(png_bytes())
        decisions.approve_work(store(app), work.id, moderator_id=None)
        db.session.commit()
        settle(app)
        done = federation.deliver_due()
        assert peer.received == []
        assert count_rows(OutgoingActivity) == 0 and done.sent == 0


# ---- off by default ----


def test_off_by_default_everything_is_404_and_nothing_queued(app_factory, pending, peer):
    app = app_factory()
    assert app.config["FEDERATION"] is False
    with app.app_context():
        client = app.test_client()
        for path in (
            f"/.well-known/webfinger?resource=acct:gallery@{HOST}",
            ACTOR_PATH,
            ACTOR_PATH + "/outbox",
            ACTOR_PATH + "/followers",
        ):
            assert get(client, path).status_code == 404, path
        assert (
            send(
                client, peer, {"type": "Follow", "actor": peer.actor_id, "object": ACTOR}
            ).status_code
            == 404
        )
        work, _ = pending(png_bytes())
        decisions.approve_work(store(app), work.id, moderator_id=None)
        db.session.commit()
        assert get(client, f"/works/{work.public_id}").status_code == 404
        assert get(client, f"/works/{work.public_id}", accept="text/html").status_code == 200
        assert count_rows(Announcement) == 0 and count_rows(OutgoingActivity) == 0
        assert peer.gets == [] and peer.received == []


def test_federation_needs_a_public_url_and_a_plain_name(app_factory):
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        app_factory(FEDERATION=True)
    with pytest.raises(RuntimeError, match="FEDERATION_NAME"):
        app_factory(FEDERATION=True, PUBLIC_URL=BASE, FEDERATION_NAME="a/b")


# ---- the page cache never mixes the Note and the page ----


def test_the_page_cache_keeps_the_page_and_the_note_apart(app, client, peer, pending):
    peer.gallery_key = gallery_key(client)
    work = published(app, pending)
    settle(app)
    path = f"/works/{work.public_id}"
    for _ in range(2):  # the second HTML answer comes from the cache
        page = get(client, path, accept="text/html")
        assert page.mimetype == "text/html" and "Accept" in page.headers["Vary"]
        note = get(client, path)
        assert note.mimetype == AP and note.get_json()["type"] == "Note"
    ld = get(
        client, path, accept='application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    )
    assert ld.mimetype == AP
    assert get(client, path, accept="*/*").mimetype == "text/html"


def test_a_changed_secret_key_never_makes_the_actor_fail(app, client):
    key = get(client, ACTOR_PATH).get_json()["publicKey"]
    app.config["SECRET_KEY"] = "another"  # the sealed private key can no longer be opened
    response = get(client, ACTOR_PATH)
    assert response.status_code == 200
    assert response.get_json()["publicKey"] == key


def test_a_content_warning_goes_out_as_sensitive_with_its_summary(
    app, client, peer, pending, make_moderator
):
    """A work published with a warning is a sensitive Note with the warning as summary (the
    CW Mastodon shows before the image); a moderator's later change goes out as an Update."""
    peer.gallery_key = gallery_key(client)
    follow(client, peer)
    settle(app)
    work = published(app, pending, content_warning=ContentWarning.DEATH)
    settle(app)
    [create] = peer.of_type("Create")
    assert create["why_not"] is None, create["why_not"]
    note = create["json"]["object"]
    assert note["sensitive"] is True and note["summary"] == "Content warning: death"
    mod = make_moderator()
    editing.set_content_warning(work.id, mod.id, None)
    db.session.commit()
    settle(app)
    [revised] = peer.of_type("Update")
    assert revised["why_not"] is None, revised["why_not"]
    assert revised["json"]["object"]["sensitive"] is False
    assert "summary" not in revised["json"]["object"]


# ---- optional actors per prisoner and per campaign (FEDERATION_ACTORS) ----

AZAT_PATH = "/ap/prisoner-azat"
AZAT = BASE + AZAT_PATH
RALLY_PATH = "/ap/campaign-rally"
RALLY = BASE + RALLY_PATH


@pytest.fixture
def topical(app):
    """The federating gallery with an actor for each prisoner and each campaign."""
    app.config["FEDERATION_ACTORS"] = ("prisoners", "campaigns")
    return app


@pytest.fixture
def rally():
    campaign = Campaign(slug="rally", title="Rally for the painters", summary="A day of posters.")
    db.session.add(campaign)
    db.session.commit()
    return campaign


def know_keys(client, peer: Peer, *paths: str) -> None:
    """Tell the peer the keys of these actors, each as its own document publishes it (what
    a Mastodon server fetches by the keyId of a signature)."""
    for path in paths:
        key = get(client, path).get_json()["publicKey"]
        peer.gallery_keys[key["id"]] = key["publicKeyPem"]


def follow_actor(client, peer: Peer, actor: str, path: str, n: int = 1) -> dict[str, Any]:
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{peer.base}/follows/{actor.rsplit('/', 1)[1]}/{n}",
        "type": "Follow",
        "actor": peer.actor_id,
        "object": actor,
    }
    response = send(client, peer, activity, path)
    assert response.status_code == 202, response.get_data(as_text=True)
    return activity


def test_prisoner_and_campaign_actors_are_found_like_the_gallery(topical, azat, rally):
    client = topical.test_client()
    for name, url, page, shown in (
        ("prisoner-azat", AZAT, f"{BASE}/prisoners/azat", "Azat Miftakhov"),
        ("campaign-rally", RALLY, f"{BASE}/campaigns/rally", "Rally for the painters"),
    ):
        for resource in (f"acct:{name}@{HOST}", url):
            response = get(
                client, "/.well-known/webfinger", accept=None, query_string={"resource": resource}
            )
            assert response.status_code == 200, resource
            assert response.mimetype == "application/jrd+json"
            doc = response.get_json()
            assert doc["subject"] == f"acct:{name}@{HOST}"
            assert [link for link in doc["links"] if link["rel"] == "self"] == [
                {"rel": "self", "type": AP, "href": url}
            ]
        response = get(client, url.removeprefix(BASE))
        assert response.status_code == 200 and response.mimetype == AP
        doc = response.get_json()
        assert "https://w3id.org/security/v1" in doc["@context"]
        assert doc["id"] == url and doc["type"] == "Service"
        assert doc["preferredUsername"] == name
        assert doc["name"] == shown and shown in doc["summary"]
        assert doc["url"] == page and doc["icon"]["url"].startswith(BASE)
        for box in ("inbox", "outbox", "followers"):
            assert doc[box] == f"{url}/{box}"
        assert doc["endpoints"]["sharedInbox"] == BASE + "/ap/inbox"
        key = doc["publicKey"]
        assert key["id"] == url + "#main-key" and key["owner"] == url
        public = serialization.load_pem_public_key(key["publicKeyPem"].encode())
        assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048
        followers = get(client, f"{url.removeprefix(BASE)}/followers").get_json()
        assert followers["totalItems"] == 0 and "orderedItems" not in followers
        assert get(client, f"{url.removeprefix(BASE)}/outbox").get_json()["totalItems"] == 0
    # One key pair signs for all of them, each under its own key id.
    assert (
        get(client, AZAT_PATH).get_json()["publicKey"]["publicKeyPem"]
        == (get(client, ACTOR_PATH).get_json()["publicKey"]["publicKeyPem"])
    )


@pytest.mark.parametrize(
    "name", ["prisoner-nobody", "campaign-nobody", "prisoner-", "campaign-", "prisoner-rally"]
)
def test_unknown_topic_actors_are_404(topical, azat, rally, name):
    client = topical.test_client()
    assert get(client, f"/.well-known/webfinger?resource=acct:{name}@{HOST}").status_code == 404
    assert (
        get(
            client, "/.well-known/webfinger", query_string={"resource": f"{BASE}/ap/{name}"}
        ).status_code
        == 404
    )
    for suffix in ("", "/outbox", "/followers"):
        assert get(client, f"/ap/{name}{suffix}").status_code == 404


def test_topic_actors_are_404_when_the_setting_is_off(app, client, peer, azat, rally):
    for path in (AZAT_PATH, RALLY_PATH):
        for suffix in ("", "/outbox", "/followers"):
            assert get(client, path + suffix).status_code == 404, path + suffix
        name = path.rsplit("/", 1)[1]
        assert get(client, f"/.well-known/webfinger?resource=acct:{name}@{HOST}").status_code == 404
    assert (
        send(
            client,
            peer,
            {"type": "Follow", "actor": peer.actor_id, "object": AZAT},
            AZAT_PATH + "/inbox",
        ).status_code
        == 404
    )
    # Sent to the shared inbox, a Follow of an actor that does not exist is dropped.
    assert (
        send(
            client, peer, {"type": "Follow", "actor": peer.actor_id, "object": AZAT}, "/ap/inbox"
        ).status_code
        == 202
    )
    assert count_rows(Follower) == 0 and count_rows(OutgoingActivity) == 0
    # The gallery's own actor is as it was.
    assert get(client, ACTOR_PATH).status_code == 200


def test_only_prisoners_when_only_prisoners_are_chosen(app, client, azat, rally):
    app.config["FEDERATION_ACTORS"] = ("prisoners",)
    assert get(client, AZAT_PATH).status_code == 200
    assert get(client, RALLY_PATH).status_code == 404


def test_a_prisoners_follower_gets_that_prisoners_works_alone(
    app, client, peer, pending, azat, make_prisoner, make_moderator
):
    app.config.update(FEDERATION_ACTORS=("prisoners",), FEDERATION_DELAY=86400)
    know_keys(client, peer, AZAT_PATH, ACTOR_PATH)
    sent = follow_actor(client, peer, AZAT, AZAT_PATH + "/inbox")
    settle(app)
    # A signed Accept back, from the prisoner's actor (verified by the peer's own code).
    [accept] = peer.of_type("Accept")
    assert accept["why_not"] is None, accept["why_not"]
    assert accept["path"] == "/users/alice/inbox"
    assert accept["json"]["actor"] == AZAT
    assert accept["json"]["object"]["id"] == sent["id"]
    assert get(client, AZAT_PATH + "/followers").get_json()["totalItems"] == 1
    assert get(client, ACTOR_PATH + "/followers").get_json()["totalItems"] == 0

    other = make_prisoner()
    theirs = published(app, pending, title="For Azat", prisoner_ids=(azat.id,))
    elsewhere = published(app, pending, title="For another", prisoner_ids=(other.id,))
    settle(app)
    assert peer.of_type("Announce") == [] and peer.of_type("Create") == []  # in its delay
    db.session.execute(update(Announcement).values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["federate"])
    assert result.exit_code == 0, result.output
    assert "Announced 2 work(s)" in result.output
    settle(app)
    theirs_url = f"{BASE}/works/{theirs.public_id}"
    # The prisoner's actor boosts the gallery's Note: alice sees it in her home timeline.
    [boost] = peer.of_type("Announce")
    assert boost["why_not"] is None, boost["why_not"]
    assert boost["path"] == "/inbox"  # her server's shared inbox
    assert boost["json"]["actor"] == AZAT
    assert boost["json"]["object"] == theirs_url
    assert PUBLIC in boost["json"]["to"]
    assert peer.of_type("Create") == []  # she does not follow the gallery
    assert elsewhere.public_id not in json.dumps([r["json"] for r in peer.received])
    # The Note it boosts is there for her server to fetch, the gallery's.
    note = get(client, f"/works/{theirs.public_id}").get_json()
    assert note["attributedTo"] == ACTOR
    # The prisoner's outbox has that work alone; the gallery's has both.
    assert get(client, AZAT_PATH + "/outbox").get_json()["totalItems"] == 1
    items = get(client, AZAT_PATH + "/outbox?page=1").get_json()["orderedItems"]
    assert [(i["type"], i["object"]) for i in items] == [("Announce", theirs_url)]
    assert get(client, ACTOR_PATH + "/outbox").get_json()["totalItems"] == 2

    # A takedown: the gallery's Delete reaches her too, signed by the Note's author.
    unpublishing.unpublish_work(store(app), theirs.id, make_moderator().id, "A face.")
    db.session.commit()
    settle(app)
    [gone] = peer.of_type("Delete")
    assert gone["why_not"] is None, gone["why_not"]
    assert gone["json"]["actor"] == ACTOR
    assert gone["json"]["object"] == {"id": theirs_url, "type": "Tombstone"}
    assert get(client, AZAT_PATH + "/outbox").get_json()["totalItems"] == 0

    # Undo: she follows the prisoner no more.
    undo = {"id": sent["id"] + "/undo", "type": "Undo", "actor": peer.actor_id, "object": sent}
    assert send(client, peer, undo, "/ap/inbox").status_code == 202
    assert count_rows(Follower) == 0


def test_a_follower_of_the_gallery_and_of_a_prisoner_gets_one_delivery(
    topical, peer, pending, azat, rally, make_moderator
):
    client = topical.test_client()
    know_keys(client, peer, AZAT_PATH, RALLY_PATH, ACTOR_PATH)
    follow_actor(client, peer, ACTOR, ACTOR_PATH + "/inbox")
    follow_actor(client, peer, AZAT, AZAT_PATH + "/inbox")
    # A Follow sent to the shared inbox goes to the actor it names.
    follow_actor(client, peer, RALLY, "/ap/inbox")
    settle(topical)
    assert sorted(a["json"]["actor"] for a in peer.of_type("Accept")) == sorted(
        [ACTOR, AZAT, RALLY]
    )
    assert all(a["why_not"] is None for a in peer.of_type("Accept"))
    assert get(client, RALLY_PATH + "/followers").get_json()["totalItems"] == 1
    # bob, on the same server, follows the campaign alone.
    bob = peer.base + "/users/bob"
    db.session.add(Follower(actor="campaign-rally", follower_id=bob, inbox=peer.base + "/inbox"))
    db.session.commit()

    work = published(app=topical, pending=pending, prisoner_ids=(azat.id,), campaign_id=rally.id)
    settle(topical)
    work_url = f"{BASE}/works/{work.public_id}"
    # alice follows the gallery: its Create reaches her server once, and no boost of it.
    [create] = peer.of_type("Create")
    assert create["why_not"] is None and create["path"] == "/inbox"
    # bob is reached by the campaign's boost, once for the shared inbox.
    [boost] = peer.of_type("Announce")
    assert boost["why_not"] is None, boost["why_not"]
    assert (boost["json"]["actor"], boost["json"]["object"]) == (RALLY, work_url)
    assert len(peer.received) == 3 + 2

    # A correction and a takedown reach that inbox once each.
    mod = make_moderator()
    editing.edit_work(work.id, mod.id, title="Corrected", alt_text=ALT, tag_names=[])
    db.session.commit()
    settle(topical)
    unpublishing.unpublish_work(store(topical), work.id, mod.id, "A face.")
    db.session.commit()
    settle(topical)
    [revised] = peer.of_type("Update")
    [gone] = peer.of_type("Delete")
    assert revised["why_not"] is None and gone["why_not"] is None
    assert gone["json"]["actor"] == ACTOR and gone["path"] == "/inbox"


def test_the_actor_of_a_deleted_prisoner_is_gone(topical, make_prisoner):
    client = topical.test_client()
    prisoner = make_prisoner(slug="gone")
    assert get(client, "/ap/prisoner-gone").status_code == 200
    begin_write()
    db.session.delete(prisoner)
    db.session.commit()
    assert get(client, "/ap/prisoner-gone").status_code == 404
    assert (
        get(client, f"/.well-known/webfinger?resource=acct:prisoner-gone@{HOST}").status_code == 404
    )


def test_a_slug_mastodon_would_refuse_gets_no_actor(topical, client, make_prisoner):
    """Slugs are transliterated to ASCII; one written otherwise (by hand) has no actor."""
    make_prisoner(slug="азат")
    make_prisoner(slug="x" * 60)
    for name in ("prisoner-азат", "prisoner-" + "x" * 60):
        assert get(client, f"/ap/{name}").status_code == 404
        # Not a user name WebFinger takes (400), nor an actor's address here (404).
        acct = {"resource": f"acct:{name}@{HOST}"}
        assert get(client, "/.well-known/webfinger", query_string=acct).status_code == 400
        address = {"resource": f"{BASE}/ap/{name}"}
        assert get(client, "/.well-known/webfinger", query_string=address).status_code == 404


def test_actor_names_cannot_collide(app_factory):
    with pytest.raises(RuntimeError, match="prisoner- or campaign-"):
        app_factory(FEDERATION=True, PUBLIC_URL=BASE, FEDERATION_NAME="campaign-art")
    with pytest.raises(RuntimeError, match="FEDERATION_ACTORS"):
        app_factory(FEDERATION=True, PUBLIC_URL=BASE, FEDERATION_ACTORS=("people",))


def test_the_inboxes_are_rate_limited_before_any_key_is_fetched(app_factory, peer):
    """Checking a signature costs a fetch from the sender's server: over the limit, the
    inbox answers 429 and fetches nothing."""
    limited = app_factory(
        FEDERATION=True,
        PUBLIC_URL=BASE,
        FEDERATION_ALLOW_PRIVATE=True,
        FEDERATION_INBOX_RATE_LIMIT="2 per minute",
    )
    client = limited.test_client()
    with limited.app_context():
        assert send(client, peer, {"type": "Like", "actor": peer.actor_id}).status_code == 202
        assert client.post(ACTOR_PATH + "/inbox", base_url=BASE, data=b"{").status_code == 400
        fetched = len(peer.gets)
        over = send(client, peer, {"type": "Like", "actor": peer.actor_id}, path="/ap/inbox")
        assert over.status_code == 429
        assert len(peer.gets) == fetched
        assert federation.courier(limited).join(20)
