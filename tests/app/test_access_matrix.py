"""Every moderation and auth route, for every kind of visitor: who may do what.

Anonymous visitors and deactivated moderators are sent to the login page (302) for every
page and every action and change nothing; moderators get 403 on admin pages; GET on an
action is 405 for everyone; a POST without a CSRF token, or with another session's, is
400 and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import (
    Campaign,
    Letter,
    Moderator,
    Prisoner,
    Report,
    ReportCategory,
    Role,
    Work,
    WorkStatus,
)
from gallery.moderation.blueprint import VOLUNTEER_ENDPOINTS
from helpers import MODERATOR_PASSWORD, approving, csrf_from, form_data, fresh, png_bytes, post

ROLES = ["anonymous", "moderator", "admin", "deactivated", "volunteer"]
ADMIN_ONLY = {
    "moderation.moderators",
    "moderation.create_moderator",
    "moderation.deactivate_moderator",
    "moderation.activate_moderator",
    "moderation.reset_password",
}
PUBLIC = {"auth.login", "auth.logout"}  # open to anyone (logout just forgets a session)
# Actions that answer an empty form with a 400 page in place (scripts read the status)
# rather than a redirect with a flashed message.
EMPTY_IS_400 = {"moderation.redact", "moderation.work_texts"}
# A volunteer translates published works only: the matrix's work is pending, so 404.
PENDING_IS_404_FOR_VOLUNTEERS = {"moderation.work_texts"}
# The desk's print files name a prisoner in ?prisoner=: without one they are 404.
NEEDS_A_QUERY = {
    "moderation.letter_batch_pdf",
    "moderation.letter_batch_text",
    "moderation.letter_archive_pdf",
}
# Actions on one of a work's images, named by the form's `image` field: without one, 404.
EMPTY_IS_404 = {"moderation.choose_cover_image"}
# Letter desk actions that answer an empty form with the letter's page and why, as 409.
EMPTY_IS_409 = {
    "moderation.letter_translate",
    "moderation.letter_approve",
    "moderation.letter_refuse",
}


def state() -> tuple:
    """Everything a moderation action could change, as plain values."""
    fresh()
    rows = (
        [
            (w.id, w.status, w.hidden, w.title, w.image_key)
            for w in db.session.scalars(select(Work).order_by(Work.id))
        ],
        [
            (m.username, m.active, m.session_generation, m.password_hash, m.role)
            for m in db.session.scalars(select(Moderator).order_by(Moderator.id))
        ],
        [
            (p.slug, p.name, p.last_verified_on)
            for p in db.session.scalars(select(Prisoner).order_by(Prisoner.id))
        ],
        [(c.slug, c.title) for c in db.session.scalars(select(Campaign).order_by(Campaign.id))],
        [(r.id, r.handled_at) for r in db.session.scalars(select(Report).order_by(Report.id))],
        [
            (letter.id, letter.status, letter.translation_sealed, letter.sent_at)
            for letter in db.session.scalars(select(Letter).order_by(Letter.id))
        ],
    )
    fresh()
    return rows


@pytest.fixture
def world(app, make_work, make_prisoner, make_moderator):
    """One of everything a route can name, and the accounts of the four roles."""
    prisoner = make_prisoner()
    campaign = Campaign(slug="rally", title="Rally")
    db.session.add(campaign)
    db.session.commit()
    waiting = make_work(status=WorkStatus.PENDING, prisoners=(prisoner,))
    published = make_work()
    db.session.add(Report(work_id=published.id, category=ReportCategory.OFFENSIVE, text="x"))
    db.session.commit()
    make_moderator("mod")
    make_moderator("boss", role=Role.ADMIN)
    make_moderator("gone", active=False)
    target = make_moderator("target")
    make_moderator("vol", role=Role.VOLUNTEER)
    report_id = db.session.scalar(select(Report.id))
    letter = Letter(
        prisoner_id=prisoner.id,
        token_hash="0" * 64,
        locale="en",
        body_sealed="sealed",
        signature_sealed="sealed",
    )
    db.session.add(letter)
    db.session.commit()
    return {
        "work_id": waiting.id,
        "report_id": report_id,
        "moderator_id": target.id,
        "prisoner_id": prisoner.id,
        "campaign_id": campaign.id,
        "letter_id": letter.id,
    }


def guarded_rules(app) -> list:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(("moderation.", "auth."))]
    # Logging out last, so the session stays for the other routes.
    return sorted(rules, key=lambda r: (r.endpoint == "auth.logout", r.endpoint))


def url_of(rule, world: dict) -> str:
    unknown = set(rule.arguments) - set(world)
    assert not unknown, f"add a value for {unknown} of {rule.endpoint} to the matrix"
    return rule.build({name: world[name] for name in rule.arguments})[1]


def log_in_as(role: str, client, login) -> None:
    if role == "anonymous":
        return
    username = {"moderator": "mod", "admin": "boss", "deactivated": "gone", "volunteer": "vol"}[
        role
    ]
    response = login(username, on=client)
    assert response.status_code == (200 if role == "deactivated" else 303)


def expect_login_redirect(response, where: str) -> None:
    assert response.status_code == 302, where
    assert response.headers["Location"].startswith("/login"), where


def expect_answer(response, where: str, *, forbidden: bool, may: bool, ok: tuple[int, ...]) -> None:
    """403 for a moderator on an admin route, the login page for whoever may not, else ok."""
    if forbidden:
        assert response.status_code == 403, where
    elif not may:
        expect_login_redirect(response, where)
    else:
        assert response.status_code in ok, where


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, client, login, world, role):
    log_in_as(role, client, login)
    token = csrf_from(client.get("/login", follow_redirects=True).get_data(as_text=True))
    rules = guarded_rules(app)
    assert len(rules) > 20
    allowed = role in ("moderator", "admin", "volunteer")
    for rule in rules:
        url = url_of(rule, world)
        where = f"{role} {rule.endpoint} {url}"
        admin_only = rule.endpoint in ADMIN_ONLY
        # A volunteer reaches the letter desk only; the landing page sends them there.
        beyond_desk = role == "volunteer" and not (
            rule.endpoint in VOLUNTEER_ENDPOINTS
            or rule.endpoint in PUBLIC
            or rule.endpoint.startswith("auth.")
            or rule.endpoint == "moderation.queue"
        )
        may = rule.endpoint in PUBLIC or (allowed and (role == "admin" or not admin_only))
        refused_with_403 = allowed and ((admin_only and role != "admin") or beyond_desk)

        before = state()
        response = client.get(url)
        if "GET" not in rule.methods:
            assert response.status_code == 405, where
        else:
            ok = (404,) if rule.endpoint in NEEDS_A_QUERY else (200, 302)
            if role == "volunteer" and rule.endpoint in PENDING_IS_404_FOR_VOLUNTEERS:
                ok = (404,)
            expect_answer(response, where, forbidden=refused_with_403, may=may, ok=ok)
        assert state() == before, where

        if "POST" not in rule.methods:
            continue
        before = state()
        data = {"csrf_token": token}
        if rule.endpoint == "moderation.approve":  # says what the moderator saw of the work
            data = approving(token, world["work_id"])
        response = client.post(url, data=data)
        ok = (
            (400,)
            if rule.endpoint in EMPTY_IS_400
            else (409,)
            if rule.endpoint in EMPTY_IS_409
            else (404,)
            if rule.endpoint in EMPTY_IS_404
            else (200, 303)
        )
        if role == "volunteer" and rule.endpoint in PENDING_IS_404_FOR_VOLUNTEERS:
            ok = (404,)
        expect_answer(response, where, forbidden=refused_with_403, may=may, ok=ok)
        if not allowed or refused_with_403 or rule.endpoint in EMPTY_IS_400 | EMPTY_IS_409:
            assert state() == before, where


@pytest.mark.parametrize("role", ["anonymous", "moderator", "admin", "volunteer"])
def test_posts_without_a_valid_csrf_token_are_400(app, client, login, world, role):
    log_in_as(role, client, login)
    stranger = app.test_client()
    foreign = csrf_from(stranger.get("/login").get_data(as_text=True))
    for rule in guarded_rules(app):
        if "POST" not in rule.methods:
            continue
        url = url_of(rule, world)
        before = state()
        assert client.post(url, data={}).status_code == 400, f"{role} {url} without token"
        assert client.post(url, data={"csrf_token": foreign}).status_code == 400, (
            f"{role} {url} foreign"
        )
        assert client.post(url, data={"csrf_token": "garbage"}).status_code == 400
        assert state() == before, url


def test_report_form_needs_csrf_too(client, world):
    work = db.session.scalar(select(Work).where(Work.status == WorkStatus.APPROVED))
    before = state()
    assert (
        client.post(f"/works/{work.public_id}/report", data={"category": "offensive"}).status_code
        == 400
    )
    assert state() == before


def test_the_default_app_refuses_a_public_form_without_its_token(app, client):
    """The app as configured by default (the `app` fixture, nothing overridden): the
    submission form, complete but for its CSRF token, is refused and nothing is stored."""
    works = store(app).works
    before = state()
    response = post(client, form_data(client, png_bytes(), csrf_token=None))
    assert response.status_code == 400
    assert "reload the page and send it again" in response.get_data(as_text=True)
    assert state() == before
    assert list(works.iterdir()) == []
    # The very same form with its token is accepted: the token was all that was missing.
    response = post(client, form_data(client, png_bytes()))
    assert response.status_code == 303 and response.headers["Location"].startswith("/submissions/")
    assert len(state()[0]) == 1 and len(list(works.iterdir())) == 1


def test_with_csrf_off_the_roles_still_hold(app_factory, moderator_password_hash):
    app = app_factory(WTF_CSRF_ENABLED=False)
    with app.app_context():
        db.session.add(Moderator(username="mod", password_hash=moderator_password_hash))
        target = Moderator(username="target", password_hash=moderator_password_hash)
        db.session.add(target)
        db.session.commit()
        target_id = target.id
    client = app.test_client()
    assert client.post(f"/moderation/moderators/{target_id}/deactivate").status_code == 302
    client.post("/login", data={"username": "mod", "password": MODERATOR_PASSWORD})
    assert client.post(f"/moderation/moderators/{target_id}/deactivate").status_code == 403
    with app.app_context():
        assert db.session.get(Moderator, target_id).active
