"""Visitors' reports: filing them, the instant hiding, and moderators handling them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import Licence, ModerationEvent, Report, ReportCategory, Work, WorkStatus
from helpers import add_work, csrf_from, csrf_token_of, fresh


def report(client, work, category: str, text: str = "", **extra):
    page = client.get(f"/works/{work.public_id}/report")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        f"/works/{work.public_id}/report",
        data={"category": category, "text": text, "csrf_token": token, **extra},
    )


def test_every_public_work_has_a_report_link(client, make_work):
    work = make_work()
    html = client.get(f"/works/{work.public_id}").get_data(as_text=True)
    assert f'href="/works/{work.public_id}/report"' in html


@pytest.mark.parametrize("category", ["unrelated", "copyright", "offensive"])
def test_a_report_lands_in_the_list_and_leaves_the_work_up(client, make_work, category):
    work = make_work()
    response = report(client, work, category, "Details here")
    assert response.status_code == 303 and response.headers["Location"] == "/reports/thanks"
    assert "Thank you for your report" in client.get("/reports/thanks").get_data(as_text=True)
    fresh()
    (row,) = db.session.scalars(select(Report))
    assert (row.work_id, row.category, row.text, row.handled_at) == (
        work.id,
        ReportCategory(category),
        "Details here",
        None,
    )
    assert client.get(f"/works/{work.public_id}").status_code == 200


def test_other_needs_an_explanation(client, make_work):
    work = make_work()
    response = report(client, work, "other")
    assert response.status_code == 400
    assert "Please tell us what is wrong." in response.get_data(as_text=True)
    fresh()
    assert db.session.scalar(select(Report)) is None


def test_person_at_risk_hides_the_work_at_once(app, client, make_work):
    work = make_work(title="Risky")
    thumb = work.renditions["thumb"]["files"]["webp"]
    assert report(client, work, "person-at-risk").status_code == 303
    assert client.get(f"/works/{work.public_id}").status_code == 404
    assert "Risky" not in client.get("/works").get_data(as_text=True)
    assert "Risky" not in client.get("/").get_data(as_text=True)
    assert client.get(f"/media/{work.image_key}/{thumb}").status_code == 404
    fresh()
    assert db.session.get(Work, work.id).hidden
    assert db.session.scalar(select(ModerationEvent)).action == "auto-hide"
    assert store(app).files(work.image_key)  # kept until a moderator decides


def test_reports_need_csrf_and_a_public_work(client, make_work):
    work = make_work()
    assert (
        client.post(f"/works/{work.public_id}/report", data={"category": "offensive"}).status_code
        == 400
    )
    waiting = make_work(status=WorkStatus.PENDING)
    assert client.get(f"/works/{waiting.public_id}/report").status_code == 404
    fresh()
    assert db.session.scalar(select(Report)) is None


def test_reports_are_rate_limited(app_factory):
    app = app_factory(REPORT_RATE_LIMIT="2 per hour")
    client = app.test_client()
    with app.app_context():
        public_id = add_work(
            store(app), title="W", alt_text="alt text", licence=Licence.CC0
        ).public_id
    statuses = []
    for _ in range(3):
        token = csrf_token_of(client, f"/works/{public_id}/report")
        statuses.append(
            client.post(
                f"/works/{public_id}/report", data={"category": "offensive", "csrf_token": token}
            ).status_code
        )
    assert statuses == [303, 303, 429]


@pytest.fixture
def reported(client, make_work, make_moderator, login):
    """An approved work reported twice (once as at risk), and a logged-in moderator's token."""
    work = make_work(title="Reported work")
    report(client, work, "offensive")
    report(client, work, "person-at-risk")  # hides it: no more reports after this one
    fresh()  # a write from an old SQLite snapshot would fail
    make_moderator("mod")
    login("mod")
    token = csrf_token_of(client, "/moderation/reports")
    fresh()
    reports = list(db.session.scalars(select(Report).order_by(Report.id)))
    return work, reports, token


def test_moderators_see_open_reports(client, reported):
    html = client.get("/moderation/reports").get_data(as_text=True)
    assert "Reported work" in html and "It identifies a person who could be at risk" in html
    assert 'action="/moderation/reports/' in html


def test_dismissing_the_at_risk_report_shows_the_work_again(client, reported):
    work, (offensive, at_risk), token = reported
    response = client.post(
        f"/moderation/reports/{at_risk.id}/handle",
        data={"action": "dismiss", "note": "Not a real person.", "csrf_token": token},
    )
    assert response.status_code == 303
    fresh()
    assert not db.session.get(Work, work.id).hidden
    assert db.session.get(Report, at_risk.id).handled_at is not None
    assert db.session.get(Report, offensive.id).handled_at is None
    assert client.get(f"/works/{work.public_id}").status_code == 200
    event = db.session.scalar(
        select(ModerationEvent).where(ModerationEvent.action == "report-dismiss")
    )
    assert event.reason == "Not a real person." and event.moderator.username == "mod"


def test_rejecting_through_a_report_deletes_files_and_closes_all_reports(app, client, reported):
    work, (offensive, at_risk), token = reported
    key = work.image_key
    client.post(
        f"/moderation/reports/{offensive.id}/handle",
        data={"action": "reject", "note": "Shows a face.", "csrf_token": token},
    )
    fresh()
    row = db.session.get(Work, work.id)
    assert row.status == WorkStatus.REJECTED and row.image_key is None
    assert row.rejection_reason == "Shows a face."
    assert store(app).files(key) == set()
    assert all(r.handled_at for r in db.session.scalars(select(Report)))


def test_unpublishing_through_a_report_needs_a_reason(client, reported):
    work, (_, at_risk), token = reported
    client.post(
        f"/moderation/reports/{at_risk.id}/handle",
        data={"action": "unpublish", "csrf_token": token},
    )
    fresh()
    assert db.session.get(Work, work.id).status == WorkStatus.APPROVED
    client.post(
        f"/moderation/reports/{at_risk.id}/handle",
        data={"action": "unpublish", "note": "Check again", "csrf_token": token},
    )
    fresh()
    assert db.session.get(Work, work.id).status == WorkStatus.PENDING
    assert all(r.handled_at for r in db.session.scalars(select(Report)))
