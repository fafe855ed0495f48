"""What a moderator sees is what gets published: a work whose artist asked for covering, or
whose image the face detector flags, is published only after a moderator has covered it or
recorded that there is nothing to cover, on the image as it is now. That holds for the
Approve button, for "Approve selected", and for anyone posting the forms directly; the face
detector's suggestions are offered, never chosen or drawn as covers for anyone.

The browser side (hatched, not solid, suggestions; the queue's shortcuts) is in
tests/browser/test_browser_moderation.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from gallery.extensions import db
from gallery.models import ModerationEvent, Work, WorkStatus
from helpers import approving, csrf_from, encode, fresh


def portrait(testdata_dir: Path) -> bytes:
    """Pillow's portrait of Grace Hopper on a grey 900 x 700 picture: one face to find."""
    with Image.open(testdata_dir / "hopper.jpg") as face:
        canvas = Image.new("RGB", (900, 700), (128, 128, 128))
        canvas.paste(face.convert("RGB").resize((384, 384)), (250, 150))
    return encode(canvas, "JPEG", quality=92)


def plain() -> bytes:
    return encode(Image.new("RGB", (600, 400), (200, 60, 40)), "PNG")


def status_of(work_id: int) -> WorkStatus:
    fresh()
    return db.session.get(Work, work_id).status


def actions(work_id: int) -> list[str]:
    fresh()
    return list(
        db.session.scalars(
            select(ModerationEvent.action)
            .where(ModerationEvent.work_id == work_id)
            .order_by(ModerationEvent.id)
        )
    )


def approve(client, work_id: int, csrf: str):
    return client.post(f"/moderation/works/{work_id}/approve", data=approving(csrf, work_id))


def test_a_flagged_face_blocks_approval_until_a_moderator_covers_it(
    client, moderator, pending, testdata_dir
):
    work, _token = pending(portrait(testdata_dir))
    refused = approve(client, work.id, moderator)
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert (
        "Not published: the artist asked for covering or the face detector suggests faces." in page
    )
    assert status_of(work.id) == WorkStatus.PENDING
    assert client.application.test_client().get(f"/works/{work.public_id}").status_code == 404
    fresh()
    [box] = db.session.get(Work, work.id).face_suggestions
    # The suggestion is offered, never chosen: the form that applies covers is empty.
    field = re.search(r'<textarea[^>]*name="regions"[^>]*>([^<]*)</textarea>', page)
    assert field and field.group(1).strip() == ""
    assert "outlined with dashes on the image: it is not covered" in page
    covered = client.post(
        f"/moderation/works/{work.id}/redact",
        data={"csrf_token": moderator, "regions": json.dumps([box])},
    )
    assert covered.status_code == 303
    fresh()
    assert db.session.get(Work, work.id).face_suggestions == []  # looked at again, at once
    assert approve(client, work.id, moderator).status_code == 303
    assert status_of(work.id) == WorkStatus.APPROVED
    assert actions(work.id) == ["cover", "approve"]


def test_nothing_to_cover_is_recorded_and_then_approval_goes_through(client, moderator, pending):
    work, _token = pending(plain(), cover_requested=True)
    assert approve(client, work.id, moderator).status_code == 409
    page = client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    assert 'data-key="approve"' not in page  # no button the `a` key could press
    assert "Before it can be approved, cover what identifies someone" in page
    assert f'action="/moderation/works/{work.id}/nothing-to-cover"' in page
    checked = client.post(
        f"/moderation/works/{work.id}/nothing-to-cover", data={"csrf_token": moderator}
    )
    assert checked.status_code == 303
    assert 'data-key="approve"' in client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    assert approve(client, work.id, moderator).status_code == 303
    assert status_of(work.id) == WorkStatus.APPROVED
    assert actions(work.id) == ["cover-checked", "approve"]


def test_a_new_image_needs_a_new_look(app, client, moderator, pending):
    """ "Nothing to cover" holds for the image as it was: when the artist covers something
    afterwards, or asks for covering, the moderators must look again."""
    work, token = pending(plain(), cover_requested=True)
    client.post(f"/moderation/works/{work.id}/nothing-to-cover", data={"csrf_token": moderator})
    artist = app.test_client()
    receipt = artist.get(f"/submissions/{token}").get_data(as_text=True)
    assert (
        artist.post(
            f"/submissions/{token}/cover",
            data={"csrf_token": csrf_from(receipt), "regions": "[[0.1, 0.1, 0.2, 0.2]]"},
        ).status_code
        == 303
    )
    assert approve(client, work.id, moderator).status_code == 409
    assert status_of(work.id) == WorkStatus.PENDING


def test_a_request_for_cover_after_the_look_blocks_again(app, client, moderator, pending):
    work, token = pending(plain())
    client.post(f"/moderation/works/{work.id}/nothing-to-cover", data={"csrf_token": moderator})
    artist = app.test_client()
    receipt = artist.get(f"/submissions/{token}").get_data(as_text=True)
    assert (
        artist.post(
            f"/submissions/{token}/cover-request", data={"csrf_token": csrf_from(receipt)}
        ).status_code
        == 303
    )
    assert approve(client, work.id, moderator).status_code == 409
    assert status_of(work.id) == WorkStatus.PENDING


def test_a_work_the_detector_never_saw_is_looked_at_before_it_is_published(
    client, moderator, pending, testdata_dir
):
    """From the queue, straight away: the detector runs in the approval itself."""
    work, _token = pending(portrait(testdata_dir), looked=False)
    fresh()
    assert db.session.get(Work, work.id).face_suggestions is None
    assert approve(client, work.id, moderator).status_code == 409
    assert status_of(work.id) == WorkStatus.PENDING
    other, _ = pending(plain(), looked=False)
    assert approve(client, other.id, moderator).status_code == 303
    assert status_of(other.id) == WorkStatus.APPROVED
    fresh()
    assert db.session.get(Work, other.id).face_suggestions == []  # looked at, nothing found


def test_bulk_approval_skips_works_that_wait_for_a_cover_decision(
    client, moderator, pending, testdata_dir
):
    face, _ = pending(portrait(testdata_dir))
    asked, _ = pending(plain(), cover_requested=True)
    fine, _ = pending(plain())
    done = client.post(
        "/moderation/bulk-approve",
        data=approving(moderator, face.id, asked.id, fine.id, bulk=True),
    )
    assert done.status_code == 303
    queue = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "1 work approved." in queue
    assert (
        "2 were not published: their artists asked for covering or the face detector suggests faces."
        in queue
    )
    assert [status_of(w.id) for w in (face, asked, fine)] == [
        WorkStatus.PENDING,
        WorkStatus.PENDING,
        WorkStatus.APPROVED,
    ]


def test_the_receipt_shows_suggestions_as_outlines_not_covers(
    app, pending, testdata_dir, client, moderator
):
    work, token = pending(portrait(testdata_dir))
    client.get(f"/moderation/works/{work.id}")  # the detector looks
    page = app.test_client().get(f"/submissions/{token}").get_data(as_text=True)
    field = re.search(r'<textarea[^>]*name="regions"[^>]*>([^<]*)</textarea>', page)
    assert field and field.group(1).strip() == ""
    assert 'data-cover-suggestions="[[' in page or "data-cover-suggestions='[[" in page
    assert "Nothing is covered until you press the button below." in page


def test_the_queue_says_why_a_work_cannot_be_approved_yet(client, moderator, pending):
    asked, _ = pending(plain(), cover_requested=True)
    fine, _ = pending(plain())
    queue = client.get("/moderation/").get_data(as_text=True)
    assert queue.count('data-key="approve"') == 1
    assert f'href="/moderation/works/{asked.id}#cover"' in queue
    assert f'action="/moderation/works/{fine.id}/approve"' in queue
    assert f'action="/moderation/works/{asked.id}/approve"' not in queue
