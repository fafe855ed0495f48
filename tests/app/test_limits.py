"""Limits that hold over Tor and behind a NAT (issue 22, section 5): only accepted uploads
count, the onion service's own listener and its proof-of-work challenge, the site's budget
of automatic hides, a moderator who cannot be locked out, 429 pages that say how long to
wait, and limits that survive a dead Redis."""

from __future__ import annotations

import base64
import html
import json
import logging
import re

import pytest
from altcha import Challenge, Payload, solve_challenge
from flask import Flask
from sqlalchemy import select

from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import Licence, Moderator, Report, Work
from helpers import (
    MODERATOR_PASSWORD,
    IsolatedClient,
    add_work,
    csrf_from,
    form_data,
    fresh,
    log_in,
    multipart,
    png_bytes,
    post,
    spaced,
)

ONION_PORT = 5001
# A challenge a test solves in a few milliseconds.
EASY = {"CHALLENGE_COST": 1, "CHALLENGE_COUNTER": 4}
ONION = {"environ_overrides": {"SERVER_PORT": str(ONION_PORT)}}
_CHALLENGE_RE = re.compile(r'<altcha-widget challenge="([^"]+)"')
_STAMP_RE = re.compile(r'name="altcha_wait" value="([^"]+)"')


def challenge_of(page: str) -> Challenge | None:
    match = _CHALLENGE_RE.search(page)
    return Challenge.from_dict(json.loads(html.unescape(match.group(1)))) if match else None


def solved(page: str) -> str:
    """What the widget would put in the form's `altcha` field, from the page's challenge."""
    challenge = challenge_of(page)
    assert challenge is not None, "the page offers no challenge"
    solution = solve_challenge(challenge)
    assert solution is not None
    return Payload(challenge, solution).to_base64()


def make_app(app_factory, **config) -> Flask:
    app = app_factory(**config)
    app.test_client_class = IsolatedClient
    return app


def onion_submit(client, *, solve: bool = True, **fields):
    page = client.get("/submit", **ONION).get_data(as_text=True)
    data = form_data(client, png_bytes(), csrf_token=csrf_from(page), **fields)
    if solve:
        data["altcha"] = solved(page)
    body, content_type = multipart(data)
    return client.post("/submit", data=body, content_type=content_type, **ONION)


# ---- only accepted uploads use up the budget ----


def test_ten_refused_submissions_leave_the_budget_whole(app_factory):
    app = make_app(app_factory, SUBMIT_RATE_LIMIT="10 per hour")
    client = app.test_client()
    with app.app_context():
        refused = [post(client, form_data(client, png_bytes(), title=None)) for _ in range(7)]
        refused.append(post(client, form_data(client, png_bytes(), website="http://spam.example")))
        refused.append(post(client, form_data(client, b"not an image at all")))
        refused.append(post(client, form_data(client, None)))
        assert [r.status_code for r in refused] == [400] * 10
        assert post(client, form_data(client, png_bytes())).status_code == 303


def test_accepted_submissions_still_use_up_the_budget(app_factory):
    app = make_app(app_factory, SUBMIT_RATE_LIMIT="1 per hour")
    client = app.test_client()
    with app.app_context():
        assert post(client, form_data(client, png_bytes())).status_code == 303
        assert post(client, form_data(client, png_bytes())).status_code == 429


# ---- 429 pages say how long to wait ----


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "You can try again in 1 hour."),
        ("fr", "Vous pourrez réessayer dans 1 heure."),
        ("ru", "Попробовать снова можно через 1 час."),
    ],
)
def test_a_429_page_says_how_long_to_wait_in_the_readers_language(app_factory, language, words):
    app = make_app(app_factory, SUBMIT_RATE_LIMIT="1 per hour")
    client = app.test_client()
    with app.app_context():
        assert post(client, form_data(client, png_bytes())).status_code == 303
        data = form_data(client, png_bytes())
        body, content_type = multipart(data)
        response = client.post(
            f"/{language}/submit" if language != "en" else "/submit",
            data=body,
            content_type=content_type,
            headers={"Accept-Language": language},
        )
    assert response.status_code == 429
    assert 3500 <= int(response.headers["Retry-After"]) <= 3600
    assert words in spaced(response.get_data(as_text=True))


# ---- the onion service's own listener ----


def test_onion_clients_solve_a_challenge_instead_of_sharing_one_address_budget(app_factory):
    app = make_app(app_factory, ONION_PORT=ONION_PORT, SUBMIT_RATE_LIMIT="1 per hour", **EASY)
    with app.app_context():
        # Clear-web pages carry no challenge.
        assert challenge_of(app.test_client().get("/submit").get_data(as_text=True)) is None
        # Three Tor users (as many as you like) each send a work, past the per-address
        # limit of 1 that they would otherwise have shared.
        for _ in range(3):
            assert onion_submit(app.test_client()).status_code == 303
        refused = onion_submit(app.test_client(), solve=False)
        assert refused.status_code == 400
        assert "The anti-spam check was not finished" in refused.get_data(as_text=True)
        fresh()
        assert len(db.session.scalars(select(Work)).all()) == 3


def test_onion_moderators_and_readers_share_no_address_budget(app_factory, moderator_password_hash):
    app = make_app(
        app_factory,
        ONION_PORT=ONION_PORT,
        LOGIN_RATE_LIMIT="1 per minute",
        API_RATE_LIMIT="1 per minute",
        **EASY,
    )
    with app.app_context():
        db.session.add(Moderator(username="alice", password_hash=moderator_password_hash))
        db.session.commit()
    assert [app.test_client().get("/api/works", **ONION).status_code for _ in range(3)] == [200] * 3
    guesser = app.test_client()
    for n in range(3):
        page = guesser.get("/login", **ONION).get_data(as_text=True)
        wrong = guesser.post(
            "/login",
            data={
                "username": "alice",
                "password": f"guess {n}",
                "csrf_token": csrf_from(page),
                "altcha": solved(page),
            },
            **ONION,
        )
        assert "Wrong username or password." in wrong.get_data(as_text=True)
    moderator = app.test_client()
    page = moderator.get("/login", **ONION).get_data(as_text=True)
    data = {"username": "alice", "password": MODERATOR_PASSWORD, "csrf_token": csrf_from(page)}
    assert "solve a small anti-spam puzzle" in moderator.post(
        "/login", data=data, **ONION
    ).get_data(as_text=True)
    page = moderator.get("/login", **ONION).get_data(as_text=True)
    data.update(csrf_token=csrf_from(page), altcha=solved(page))
    assert moderator.post("/login", data=data, **ONION).status_code == 303


def test_a_solved_challenge_is_accepted_once(app_factory):
    app = make_app(app_factory, ONION_PORT=ONION_PORT, **EASY)
    client = app.test_client()
    with app.app_context():
        page = client.get("/submit", **ONION).get_data(as_text=True)
        answer = solved(page)
        statuses = []
        for _ in range(2):
            body, content_type = multipart(form_data(client, png_bytes(), altcha=answer))
            statuses.append(
                client.post("/submit", data=body, content_type=content_type, **ONION).status_code
            )
        assert statuses == [303, 400]
        forged = json.loads(base64.b64decode(answer))
        forged["challenge"]["parameters"]["expiresAt"] += 3600
        body, content_type = multipart(
            form_data(
                client, png_bytes(), altcha=base64.b64encode(json.dumps(forged).encode()).decode()
            )
        )
        assert (
            client.post("/submit", data=body, content_type=content_type, **ONION).status_code == 400
        )


def test_a_request_the_proxy_marks_as_onion_gets_the_challenge(app_factory):
    app = make_app(app_factory, PROXY_FIX_HOPS=1, **EASY)
    page = app.test_client().get("/submit", headers={"X-Forwarded-For": "onion"})
    assert challenge_of(page.get_data(as_text=True)) is not None


def test_without_javascript_the_form_says_how_to_wait_and_a_ripe_stamp_is_accepted_once(
    app_factory,
):
    app = make_app(app_factory, ONION_PORT=ONION_PORT, CHALLENGE_WAIT_SECONDS=0, **EASY)
    client = app.test_client()
    with app.app_context():
        page = client.get("/fr/submit", **ONION).get_data(as_text=True)
        assert "<noscript>" in page and "a besoin de JavaScript" in page
        stamp = html.unescape(_STAMP_RE.search(page).group(1))
        statuses = []
        for _ in range(2):
            body, content_type = multipart(form_data(client, png_bytes(), altcha_wait=stamp))
            statuses.append(
                client.post("/submit", data=body, content_type=content_type, **ONION).status_code
            )
        assert statuses == [303, 400]


def test_a_stamp_younger_than_the_wait_is_refused(app_factory):
    app = make_app(app_factory, ONION_PORT=ONION_PORT, CHALLENGE_WAIT_SECONDS=300, **EASY)
    client = app.test_client()
    with app.app_context():
        page = client.get("/submit", **ONION).get_data(as_text=True)
        stamp = html.unescape(_STAMP_RE.search(page).group(1))
        body, content_type = multipart(form_data(client, png_bytes(), altcha_wait=stamp))
        assert (
            client.post("/submit", data=body, content_type=content_type, **ONION).status_code == 400
        )


def test_a_site_under_pressure_asks_everyone_for_the_challenge(app_factory):
    app = make_app(app_factory, CHALLENGE_PRESSURE="3 per minute", **EASY)
    client = app.test_client()
    with app.app_context():
        assert challenge_of(client.get("/submit").get_data(as_text=True)) is None
        for _ in range(3):
            post(client, form_data(client, png_bytes(), title=None))
        page = client.get("/submit").get_data(as_text=True)
        assert challenge_of(page) is not None
        assert post(client, form_data(client, png_bytes())).status_code == 400
        page = client.get("/submit").get_data(as_text=True)
        assert post(client, form_data(client, png_bytes(), altcha=solved(page))).status_code == 303


# ---- person-at-risk reports: a budget of automatic hides ----


def _report(client, public_id: str, environ: dict | None = None):
    kw = {"environ_base": environ} if environ else {}
    page = client.get(f"/works/{public_id}/report", **kw).get_data(as_text=True)
    return client.post(
        f"/works/{public_id}/report",
        data={"category": "person-at-risk", "csrf_token": csrf_from(page)},
        **kw,
    )


def test_past_the_hour_s_budget_reports_wait_for_a_moderator(
    app_factory, caplog, moderator_password_hash
):
    app = make_app(app_factory, AUTO_HIDES_PER_HOUR=2)
    with app.app_context():
        ids = [
            add_work(store(app), title=f"W{n}", alt_text="alt text", licence=Licence.CC0).public_id
            for n in range(3)
        ]
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="gallery"):
        statuses = [
            _report(client, pid, {"REMOTE_ADDR": f"10.7.0.{n}"}).status_code
            for n, pid in enumerate(ids)
        ]
    assert statuses == [303, 303, 303]
    with app.app_context():
        fresh()
        hidden = {w.public_id: w.hidden for w in db.session.scalars(select(Work))}
        assert [hidden[pid] for pid in ids] == [True, True, False]
        assert len(db.session.scalars(select(Report)).all()) == 3
    assert "kept without hiding the work" in caplog.text
    assert client.get(f"/works/{ids[2]}").status_code == 200
    # Moderators see the open reports counted in their menu, and the waiting one said so.
    with app.app_context():
        db.session.add(Moderator(username="mod", password_hash=moderator_password_hash))
        db.session.commit()
    assert log_in(client, "mod").status_code == 303
    page = client.get("/moderation/reports").get_data(as_text=True)
    assert '<span class="badge badge--alert">3 open</span>' in page
    assert "the work is still public" in page
    # The wave was false: one form closes every report and shows the works again.
    response = client.post(
        "/moderation/reports/dismiss-wave",
        data={"hours": "1", "note": "a wave of false reports", "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 reports dismissed." in page and "badge--alert" not in page
    with app.app_context():
        fresh()
        assert not any(w.hidden for w in db.session.scalars(select(Work)))
        assert all(r.handled_at is not None for r in db.session.scalars(select(Report)))


def test_reports_are_counted_by_ipv6_48(app_factory):
    app = make_app(app_factory, REPORT_RATE_LIMIT="1 per hour")
    with app.app_context():
        ids = [
            add_work(store(app), title=f"W{n}", alt_text="alt text", licence=Licence.CC0).public_id
            for n in range(3)
        ]
    client = app.test_client()
    assert _report(client, ids[0], {"REMOTE_ADDR": "2001:db8:1:1::1"}).status_code == 303
    # Another /64 of the same /48: the same budget.
    assert _report(client, ids[1], {"REMOTE_ADDR": "2001:db8:1:2::1"}).status_code == 429
    # Another /48: its own.
    assert _report(client, ids[2], {"REMOTE_ADDR": "2001:db8:2:1::1"}).status_code == 303


# ---- a moderator cannot be locked out ----


def _attempt(client, password: str, addr: str, *, solve: bool = False):
    page = client.get("/login", environ_base={"REMOTE_ADDR": addr}).get_data(as_text=True)
    data = {"username": "alice", "password": password, "csrf_token": csrf_from(page)}
    response = client.post("/login", data=data, environ_base={"REMOTE_ADDR": addr})
    if solve:
        # The held-back answer offers the challenge; the browser solves it and sends again.
        page = response.get_data(as_text=True)
        data.update(csrf_token=csrf_from(page), altcha=solved(page))
        response = client.post("/login", data=data, environ_base={"REMOTE_ADDR": addr})
    return response


def test_thirty_failed_logins_do_not_lock_the_real_moderator_out(
    app_factory, moderator_password_hash
):
    app = make_app(app_factory, **EASY)
    with app.app_context():
        db.session.add(Moderator(username="alice", password_hash=moderator_password_hash))
        db.session.commit()
    attacker = app.test_client()
    for n in range(30):
        assert _attempt(attacker, f"guess {n}", f"10.0.{n // 5}.{n % 5}").status_code == 200
    # Past the account's limit a guess needs a solved challenge, never a 429.
    held = _attempt(app.test_client(), MODERATOR_PASSWORD, "10.9.9.9")
    assert held.status_code == 200
    assert "solve a small anti-spam puzzle" in held.get_data(as_text=True)
    wrong = _attempt(attacker, "guess 31", "10.9.9.8", solve=True)
    assert wrong.status_code == 200 and "Wrong username or password." in wrong.get_data(
        as_text=True
    )
    # The real moderator, on a fresh browser (Tor Browser forgets cookies), gets in.
    assert (
        _attempt(app.test_client(), MODERATOR_PASSWORD, "10.9.9.7", solve=True).status_code == 303
    )


# ---- Redis unreachable ----


def test_an_unreachable_limiter_store_falls_back_to_memory_with_a_warning(app_factory, caplog):
    app = make_app(
        app_factory,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
        SUBMIT_RATE_LIMIT="1 per hour",
        **EASY,
    )
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        with app.app_context():
            assert post(client, form_data(client, png_bytes())).status_code == 303
            # Still limited, in this process's memory.
            assert post(client, form_data(client, png_bytes())).status_code == 429
        assert log_in(client, "nobody", "wrong password").status_code == 200
        assert client.get("/api/works").status_code == 200
    assert "Rate limit storage unreachable - falling back to in-memory storage" in caplog.text
