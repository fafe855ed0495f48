"""Moderators' accounts: login, sessions that really end, rate limits, `next`, CLI."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from gallery.core import passwords
from gallery.extensions import db
from gallery.models import ModerationEvent, Moderator, Role
from gallery.moderation import auth
from helpers import MODERATOR_PASSWORD, count_rows, fresh, log_in


def events(action: str) -> list[ModerationEvent]:
    fresh()
    return list(db.session.scalars(select(ModerationEvent).where(ModerationEvent.action == action)))


def logged_in(client) -> bool:
    response = client.get("/moderation/")
    return response.status_code == 200 and "Review queue" in response.get_data(as_text=True)


def test_login_opens_the_queue_and_is_logged(client, make_moderator, login):
    make_moderator("alice")
    response = login("Alice ")  # case and spaces do not matter
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation/"
    assert logged_in(client)
    assert [e.subject for e in events("login")] == ["alice"]
    assert db.session.scalar(select(Moderator)).last_login_at is not None


def _without_token(html: str) -> str:
    # The CSRF token, and the challenge each page offers (random by design).
    return re.sub(r'(value|challenge)="[^"]+"', "", html)


def test_unknown_user_and_wrong_password_get_the_same_answer(client, make_moderator, login):
    make_moderator("alice")
    unknown = login("nobody", "whatever-password")
    wrong = login("alice", "not-the-password")
    assert unknown.status_code == wrong.status_code == 200
    assert "Wrong username or password." in wrong.get_data(as_text=True)
    assert _without_token(unknown.get_data(as_text=True)).replace("nobody", "X") == _without_token(
        wrong.get_data(as_text=True)
    ).replace("alice", "X")
    assert not logged_in(client)
    assert events("login") == []


def test_a_deactivated_moderator_cannot_log_in(client, make_moderator, login):
    make_moderator("alice", active=False)
    response = login("alice")
    assert response.status_code == 200
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert not logged_in(client)


def test_login_clears_the_session_against_fixation(client, make_moderator, login):
    make_moderator("alice")
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
        before_token = sess["csrf_token"]
    login("alice")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("csrf_token") != before_token
        assert sess["gen"] == 0


def test_a_cookie_replayed_after_logout_is_refused(app, client, make_moderator, login, csrf_token):
    make_moderator("alice")
    login("alice")
    stolen = client.get_cookie("session").value
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/moderation/")})
    assert response.status_code == 303
    assert not logged_in(client)
    client.set_cookie("session", stolen)
    response = client.get("/moderation/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert len(events("logout")) == 1


def test_logout_is_post_only_and_needs_the_csrf_token(client, make_moderator, login):
    make_moderator("alice")
    login("alice")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert logged_in(client)


def test_password_change_ends_every_session(app, client, make_moderator, login, csrf_token):
    make_moderator("alice")
    other = app.test_client()
    login("alice")
    login("alice", on=other)
    assert logged_in(other)
    new = "a brand new passphrase"
    response = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account/password"),
            "current": MODERATOR_PASSWORD,
            "new": new,
            "confirm": new,
        },
    )
    assert response.status_code == 303
    assert not logged_in(client)
    assert not logged_in(other)
    assert login("alice").status_code == 200  # the old password is refused
    assert login("alice", new).status_code == 303
    assert len(events("password-change")) == 1


def test_password_change_needs_the_current_password(client, make_moderator, login, csrf_token):
    make_moderator("alice")
    login("alice")
    response = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account/password"),
            "current": "wrong wrong wrong",
            "new": "another long password",
            "confirm": "another long password",
        },
    )
    assert response.status_code == 200
    assert "The current password is wrong." in response.get_data(as_text=True)
    assert logged_in(client)


def test_deactivation_ends_live_sessions(app, client, make_moderator, login, csrf_token):
    admin = make_moderator("boss", role=Role.ADMIN)
    victim = make_moderator("alice")
    other = app.test_client()
    login("alice", on=other)
    assert logged_in(other)
    login(admin.username)
    response = client.post(
        f"/moderation/moderators/{victim.id}/deactivate",
        data={"csrf_token": csrf_token(client, "/moderation/")},
    )
    assert response.status_code == 303
    assert not logged_in(other)
    assert len(events("moderator-deactivate")) == 1


@pytest.mark.parametrize(
    ("config", "hours"),
    [({}, 12), ({"MODERATOR_SESSION_HOURS": 1}, 1)],
    ids=["default", "configured"],
)
def test_sessions_expire(app_factory, moderator_password_hash, monkeypatch, config, hours):
    app = app_factory(**config)
    with app.app_context():
        db.session.add(Moderator(username="alice", password_hash=moderator_password_hash))
        db.session.commit()
    client = app.test_client()
    response = log_in(client, "alice")
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/"
    assert logged_in(client)
    with client.session_transaction() as sess:
        login_at = sess["login_at"]
    clock = SimpleNamespace(time=lambda: login_at + hours * 3600)
    monkeypatch.setattr(auth, "time", clock)  # the login module's clock only
    assert logged_in(client), f"a session is good for {hours} hours"
    clock.time = lambda: login_at + hours * 3600 + 1
    response = client.get("/moderation/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def _attempt(client, username: str, password: str, addr: str):
    return log_in(client, username, password, environ_base={"REMOTE_ADDR": addr})


def test_brute_force_on_one_account_needs_a_challenge_from_any_address(
    app_factory, moderator_password_hash
):
    # Past the per-account limit nothing is refused (a 429 would lock the real moderator
    # out): each try needs a solved challenge first (tests/app/test_limits.py solves one).
    app = app_factory(LOGIN_ACCOUNT_RATE_LIMIT="3 per minute")
    with app.app_context():
        db.session.add(Moderator(username="alice", password_hash=moderator_password_hash))
        db.session.commit()
    client = app.test_client()
    for n in range(3):
        assert _attempt(client, "alice", f"guess number {n}", f"10.0.0.{n}").status_code == 200
    held = _attempt(client, "alice", MODERATOR_PASSWORD, "10.0.0.99")
    assert held.status_code == 200
    assert "your browser must solve a small anti-spam puzzle" in held.get_data(as_text=True)
    assert not logged_in(client)
    # Another account is not concerned.
    other = _attempt(client, "bob", "guess", "10.0.0.98")
    assert "Wrong username or password." in other.get_data(as_text=True)


def test_brute_force_from_one_client_reaches_429(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT="4 per minute")
    client = app.test_client()
    for n in range(4):
        assert _attempt(client, f"user{n}", "guess", "10.1.1.1").status_code == 200
    assert _attempt(client, "user9", "guess", "10.1.1.1").status_code == 429
    assert _attempt(client, "user9", "guess", "10.1.1.2").status_code == 200


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/moderation/audit", "/moderation/audit"),
        ("/moderation/?after=1-2", "/moderation/?after=1-2"),
        ("//evil.example/", "/moderation/"),
        ("https://evil.example/", "/moderation/"),
        ("/\\evil.example", "/moderation/"),
        ("\\\\evil.example", "/moderation/"),
        ("https:/evil.example", "/moderation/"),
        ("javascript:alert(1)", "/moderation/"),
        ("/\r\nSet-Cookie: x=1", "/moderation/"),
        ("/%0d%0a", "/%0d%0a"),  # still encoded: a harmless path of ours
    ],
)
def test_next_only_goes_to_our_own_paths(client, make_moderator, login, target, expected):
    from urllib.parse import quote

    make_moderator("alice")
    response = login("alice", next=quote(target, safe=""))
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_anonymous_pages_get_sent_to_login_with_next(client):
    response = client.get("/moderation/audit?before=5")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/moderation/audit?before%3D5"


def test_session_cookie_flags_over_https(app_factory):
    app = app_factory(PREFERRED_URL_SCHEME="https")
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain" not in cookie


def test_session_cookie_flags_over_http(client):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_argon2id_with_enough_memory():
    """The production parameters (the tests' apps hash with the minimum: TEST_SETTINGS)."""
    from gallery.config import BY_NAME

    stored = passwords.hash_password("x" * 64)  # outside an app: the declared defaults
    assert stored.startswith("$argon2id$v=19$m=47104,t=1,p=1$")
    assert (
        BY_NAME["ARGON2_MEMORY_KIB"].default == 47104 and BY_NAME["ARGON2_TIME_COST"].default == 1
    )
    assert BY_NAME["ARGON2_PARALLELISM"].default == 1
    memory = int(re.search(r"m=(\d+)", stored).group(1))
    assert memory >= 19 * 1024
    assert passwords.verify(stored, "x" * 64)
    assert not passwords.verify(stored, "x" * 63)
    long = "é" * 200
    assert passwords.verify(passwords.hash_password(long), long)
    with pytest.raises(passwords.WeakPassword):
        passwords.hash_password("short")
    assert not passwords.verify(None, "anything at all")


def test_visitors_get_no_session_cookie(client, make_work):
    work = make_work()
    for path in ("/", "/works", f"/works/{work.public_id}"):
        assert "Set-Cookie" not in client.get(path).headers


# ---- CLI ----


def test_create_moderator_reads_a_piped_password(runner):
    result = runner.invoke(
        args=["create-moderator", "Alice", "--admin"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a long enough password" not in result.output
    moderator = db.session.scalar(select(Moderator))
    assert (moderator.username, moderator.role, moderator.active) == ("alice", Role.ADMIN, True)
    assert passwords.verify(moderator.password_hash, "a long enough password")
    created = events("moderator-create")[0]
    assert (created.subject, created.reason) == ("alice", "admin")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["create-moderator", "bob"], "one long password\nanother long password\n", "differ"),
        (["create-moderator", "bob"], "\n\n", "1 to 256"),
        (
            ["create-moderator", "b"],
            "a long enough password\na long enough password\n",
            "Usernames",
        ),
    ],
)
def test_create_moderator_refuses(runner, args, stdin, message):
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert count_rows(Moderator) == 0


def test_create_moderator_accepts_the_interfaces_short_pipe_with_a_warning(runner):
    # interfaces.md: "so a script can pipe printf 'pw\npw\n'"; the web forms still ask for 12+.
    result = runner.invoke(args=["create-moderator", "carol"], input="pw\npw\n")
    assert result.exit_code == 0, result.output
    assert "Created moderator carol." in result.output
    assert "shorter than 12 characters" in result.output
    assert passwords.verify(db.session.scalar(select(Moderator)).password_hash, "pw")


def test_create_moderator_refuses_a_taken_name(runner, make_moderator):
    make_moderator("bob")
    result = runner.invoke(args=["create-moderator", "BOB"], input="a long enough password\n" * 2)
    assert result.exit_code != 0 and "taken" in result.output
    assert count_rows(Moderator) == 1


def test_demo_moderator_is_created_once_and_can_log_in(runner, client):
    first = runner.invoke(args=["create-demo-moderator"])
    assert first.exit_code == 0
    password = re.search(r"password: (\S+)", first.output).group(1)
    again = runner.invoke(args=["create-demo-moderator"])
    assert again.exit_code == 0 and again.output == ""
    assert count_rows(Moderator) == 1
    response = log_in(client, "demo-moderator", password)
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/"
    assert logged_in(client)
