"""A moderator's approval or rejection can be undone for DECISION_UNDO_SECONDS: the work
waits in the queue again as it was, the artist is never told, and the audit log keeps both
steps. Until the window ends a rejected work keeps its files and its artist's details
(never shown to visitors); then they go, by the worker's timer or by `send-mail` from cron."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gallery import mail
from gallery.core.tokens import new_receipt_token, token_hash
from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import ModerationEvent, OutgoingMail, Work, WorkStatus, utcnow
from gallery.moderation import finisher
from helpers import IsolatedClient, add_work, approving, csrf_from, fresh, png_bytes
from mailcheck import body, use_mail

WINDOW = 30


@pytest.fixture
def app(app_factory):
    application = app_factory(DECISION_UNDO_SECONDS=WINDOW)
    with application.app_context():
        yield application
    for timer in application.extensions.get(finisher.TIMERS, []):
        timer.cancel()


def with_mail(app, smtp, make_work, **fields):
    """A pending work whose artist asked to be told, with mail on; (work, receipt token)."""
    use_mail(app, smtp)
    token = new_receipt_token()
    work = make_work(
        status=WorkStatus.PENDING,
        image=png_bytes(),
        receipt_token_hash=token_hash(token),
        contact_email="artist@example.org",
        **fields,
    )
    work.notify_token, work.notify_locale = mail.seal_token(token), "en"
    db.session.commit()
    return work, token


def undo_form(html: str) -> list[str]:
    """The work ids the page's Undo form would take back ([] without one)."""
    import re

    form = re.search(r'<form method="post" action="/moderation/undo".*?</form>', html, re.DOTALL)
    return re.findall(r'name="work_ids" value="(\d+)"', form.group(0)) if form else []


def test_an_approval_is_undone_and_the_artist_never_hears_of_it(
    app, client, moderator, make_work, smtp
):
    work, _ = with_mail(app, smtp, make_work)
    old_image = f"/media/{work.image_key}/display.jpg"
    done = client.post(f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id))
    assert done.status_code == 303
    visitor = app.test_client()
    assert visitor.get(f"/works/{work.public_id}").status_code == 200
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert undo_form(page) == [str(work.id)]
    assert "You can undo it within" in page
    assert undo_form(client.get("/moderation/").get_data(as_text=True)) == []  # offered once
    fresh()
    [queued] = db.session.scalars(select(OutgoingMail)).all()
    assert queued.next_attempt_at > utcnow() + timedelta(seconds=WINDOW - 5)  # waits for the window
    undone = client.post(
        "/moderation/undo", data={"csrf_token": csrf_from(page), "work_ids": str(work.id)}
    )
    assert undone.status_code == 303
    assert "Undone: the work waits for review again." in client.get(
        undone.headers["Location"]
    ).get_data(as_text=True)
    fresh()
    again = db.session.get(Work, work.id)
    assert (again.status, again.published_at, again.decided_by_id) == (
        WorkStatus.PENDING,
        None,
        None,
    )
    assert visitor.get(f"/works/{work.public_id}").status_code == 404
    assert visitor.get(old_image).status_code == 404  # its files moved, as after a takedown
    assert db.session.scalars(select(OutgoingMail)).all() == []
    events = db.session.scalars(
        select(ModerationEvent)
        .where(ModerationEvent.work_id == work.id)
        .order_by(ModerationEvent.id)
    ).all()
    assert [(e.action, e.reason) for e in events] == [("approve", None), ("undo", "approve undone")]
    assert smtp.inbox.received() == []


def test_a_rejection_keeps_everything_until_its_window_ends_and_undo_restores_it(
    app, client, moderator, make_work, smtp
):
    work, token = with_mail(app, smtp, make_work, title="Kept for a while")
    key = work.image_key
    done = client.post(
        f"/moderation/works/{work.id}/reject",
        data={"csrf_token": moderator, "preset": "unreadable", "reason": "Too small."},
    )
    assert done.status_code == 303
    fresh()
    rejected = db.session.get(Work, work.id)
    assert rejected.status == WorkStatus.REJECTED and rejected.image_key == key
    assert store(app).read(key, "display.jpg")  # still there, for the undo
    artist = app.test_client()
    assert "Too small." in artist.get(f"/submissions/{token}").get_data(as_text=True)
    assert artist.get(f"/submissions/{token}/media/display.jpg").status_code == 404  # never shown
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    client.post("/moderation/undo", data={"csrf_token": csrf_from(page), "work_ids": str(work.id)})
    fresh()
    back = db.session.get(Work, work.id)
    assert (
        back.status,
        back.title,
        back.image_key,
        back.rejection_reason,
        back.finalize_after,
    ) == (WorkStatus.PENDING, "Kept for a while", key, None, None)
    assert back.notify_token and back.contact_email == "artist@example.org"
    assert db.session.scalars(select(OutgoingMail)).all() == []
    assert "Too small." not in artist.get(f"/submissions/{token}").get_data(as_text=True)


def test_after_the_window_the_rejection_is_final(app, client, moderator, make_work, runner, smtp):
    work, _ = with_mail(app, smtp, make_work, title="Goes soon")
    key = work.image_key
    client.post(
        f"/moderation/works/{work.id}/reject", data={"csrf_token": moderator, "reason": "No."}
    )
    assert mail.courier(app).join(10)  # the commit started the sender (nothing is due yet)
    fresh()
    rejected = db.session.get(Work, work.id)
    rejected.finalize_after = utcnow() - timedelta(seconds=1)  # as if the window had passed
    for row in db.session.scalars(select(OutgoingMail)):
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    page = client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    late = client.post(
        "/moderation/undo", data={"csrf_token": csrf_from(page), "work_ids": str(work.id)}
    )
    assert "Too late to undo" in client.get(late.headers["Location"]).get_data(as_text=True)
    result = runner.invoke(args=["send-mail"])  # what cron runs
    assert result.exit_code == 0 and "Finished 1 rejection(s)" in result.output
    assert mail.courier(app).join(10)  # the undo's commit may have started the sender first
    fresh()
    gone = db.session.get(Work, work.id)
    assert (gone.status, gone.title, gone.image_key, gone.contact_email, gone.notify_token) == (
        WorkStatus.REJECTED,
        "",
        None,
        None,
        None,
    )
    assert store(app).read(key, "display.jpg") is None
    [message] = smtp.inbox.received()
    assert "No." in body(message)


def test_the_workers_timer_finishes_a_rejection_when_its_window_ends(
    app_factory, make_moderator, login, smtp
):
    app = app_factory(DECISION_UNDO_SECONDS=1)
    app.test_client_class = IsolatedClient
    with app.app_context():
        client = app.test_client()
        make_moderator("mod")
        assert login("mod", on=client).status_code == 303
        work = add_work(
            store(app),
            status=WorkStatus.PENDING,
            title="Timed",
            alt_text="Alt text here",
            image=png_bytes(),
        )
        csrf = csrf_from(client.get(f"/moderation/works/{work.id}").get_data(as_text=True))
        key = work.image_key
        rejected = client.post(
            f"/moderation/works/{work.id}/reject", data={"csrf_token": csrf, "reason": "No."}
        )
        assert rejected.status_code == 303, rejected.get_data(as_text=True)
        [timer] = app.extensions[finisher.TIMERS]
        timer.join(10)  # the timer's own thread: no sleep, it ends when its work is done
        assert not timer.is_alive()
        fresh()
        gone = db.session.get(Work, work.id)
        assert (gone.title, gone.image_key) == ("", None)
        assert store(app).read(key, "display.jpg") is None


def test_nothing_else_can_be_undone(app, client, moderator, make_work):
    work = make_work(status=WorkStatus.PENDING)
    page = client.get("/moderation/").get_data(as_text=True)
    client.post(
        f"/moderation/works/{work.id}/edit",
        data={"csrf_token": moderator, "title": "Changed", "alt_text": work.alt_text, "tags": ""},
    )
    late = client.post(
        "/moderation/undo", data={"csrf_token": csrf_from(page), "work_ids": str(work.id)}
    )
    assert "Too late to undo" in client.get(late.headers["Location"]).get_data(as_text=True)
    fresh()
    assert db.session.get(Work, work.id).status == WorkStatus.PENDING
    unknown = client.post("/moderation/undo", data={"csrf_token": moderator, "work_ids": "999999"})
    assert unknown.status_code == 303
