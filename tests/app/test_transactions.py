"""Verbs flush; the request or the CLI command commits once. Files follow the transaction:
a rejected or withdrawn work's files go only once that commits, a new work's files are
removed when its row never commits, and several verbs can share one transaction."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from gallery.core.database import after_commit, begin_write
from gallery.extensions import db
from gallery.images import sandbox
from gallery.media import media_store as store
from gallery.models import Campaign, ModerationEvent, Prisoner, Tag, Work, WorkStatus
from gallery.verbs import decisions, editing
from gallery.verbs.submissions import NewWork, create_work, submit_work, withdraw_work
from helpers import png_bytes


def stored_keys(app) -> set[str]:
    return {p.name for p in store(app).works.iterdir()}


def staged(app) -> list[str]:
    return [p.name for p in store(app).staging.iterdir()]


def test_a_new_work_rolled_back_leaves_no_file_and_no_row(app):
    work = create_work(
        store(app),
        io.BytesIO(png_bytes()),
        NewWork(title="T", alt_text="alt text", licence="cc0-1.0"),
    )
    assert work.image_key in stored_keys(app)  # in place before the row commits
    db.session.rollback()
    assert stored_keys(app) == set() and staged(app) == []
    assert db.session.scalar(select(func.count()).select_from(Work)) == 0


def test_a_new_work_whose_session_closes_uncommitted_leaves_no_file(app):
    create_work(
        store(app),
        io.BytesIO(png_bytes()),
        NewWork(title="T", alt_text="alt text", licence="cc0-1.0"),
    )
    db.session.remove()  # what the end of a request does after an unhandled error
    assert stored_keys(app) == set()


def test_rejected_files_stay_until_the_rejection_commits(app, make_work, make_moderator):
    moderator = make_moderator("mod")
    work = make_work(status=WorkStatus.PENDING)
    key = work.image_key
    decisions.reject_work(store(app), work.id, moderator.id, "Not related.")
    assert key in stored_keys(app)  # not yet: the rejection could still roll back
    db.session.rollback()
    assert key in stored_keys(app)
    assert db.session.get(Work, work.id).status == WorkStatus.PENDING
    decisions.reject_work(store(app), work.id, moderator.id, "Not related.")
    db.session.commit()
    assert key not in stored_keys(app)


def test_withdrawal_deletes_files_after_the_commit_only(app):
    work, token = submit_work(
        store(app),
        io.BytesIO(png_bytes()),
        NewWork(title="T", alt_text="alt text", licence="cc0-1.0"),
        max_pixels=app.config["MAX_IMAGE_PIXELS"],
    )
    db.session.commit()
    key = work.image_key
    withdraw_work(store(app), token)
    assert key in stored_keys(app)
    db.session.commit()
    assert key not in stored_keys(app)
    assert db.session.get(Work, work.id).status == WorkStatus.WITHDRAWN


def test_two_verbs_share_one_transaction(app, make_work, make_moderator):
    moderator = make_moderator("mod")
    work = make_work(status=WorkStatus.PENDING, tag_names=("old",))
    editing.edit_work(
        work.id, moderator.id, title="New title", alt_text=work.alt_text, tag_names=["new"]
    )
    decisions.approve_work(
        store(app), work.id, moderator.id
    )  # begin_write() keeps the same transaction
    db.session.rollback()
    db.session.expire_all()
    again = db.session.get(Work, work.id)
    assert (again.title, again.status, [t.slug for t in again.tags]) == (
        work.title,
        WorkStatus.PENDING,
        ["old"],
    )
    assert db.session.scalar(select(func.count()).select_from(ModerationEvent)) == 0

    editing.edit_work(
        work.id, moderator.id, title="New title", alt_text=work.alt_text, tag_names=["new"]
    )
    decisions.approve_work(store(app), work.id, moderator.id)
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Work, work.id)
    assert (again.title, again.status) == ("New title", WorkStatus.APPROVED)
    actions = list(db.session.scalars(select(ModerationEvent.action).order_by(ModerationEvent.id)))
    assert actions == ["edit", "approve"]


def test_after_commit_needs_a_write_transaction(app):
    with pytest.raises(RuntimeError):
        after_commit(lambda: None)
    begin_write()
    ran = []
    after_commit(lambda: ran.append(1))
    db.session.rollback()
    assert ran == []
    begin_write()
    after_commit(lambda: ran.append(2))
    db.session.commit()
    assert ran == [2]


def test_seed_demo_loads_everything_or_nothing(app, runner, monkeypatch):
    real = sandbox.process
    calls = []

    def fails_on_the_fourth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(sandbox, "process", fails_on_the_fourth)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert len(calls) == 4
    db.session.rollback()
    for model in (Work, Prisoner, Campaign, Tag):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
    assert stored_keys(app) == set() and staged(app) == []

    monkeypatch.setattr(sandbox, "process", real)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Work)) == 6
    assert len(stored_keys(app)) == 6
