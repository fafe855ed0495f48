"""The artist fixes a pending work's words from the private link (issue 27): title, alt
text, description and tags; audited; the work keeps its place in the queue; once decided,
the link no longer changes them."""

from __future__ import annotations

from sqlalchemy import select

from gallery.extensions import db
from gallery.models import ModerationEvent, Work, WorkStatus
from helpers import csrf_token_of, fresh, png_bytes


def _edit(client, token: str, **fields: str):
    words = {
        "title": "Sun behind bars",
        "alt_text": "A yellow sun behind black prison bars",
        "description": "",
        "tags": "",
        **fields,
    }
    data = {f"words-{name}": value for name, value in words.items()}
    data["csrf_token"] = csrf_token_of(client, f"/submissions/{token}")
    return client.post(f"/submissions/{token}/edit", data=data)


def test_an_artist_fixes_a_pending_works_title_from_the_receipt(client, pending):
    work, token = pending(png_bytes(), title="Sun behnid bars", alt_text="A yellow sun")
    first, _other = work, pending(png_bytes(), title="Later work")
    before = db.session.get(Work, work.id).submitted_at
    page = client.get(f"/submissions/{token}").get_data(as_text=True)
    assert f'action="/submissions/{token}/edit"' in page
    assert 'name="words-title" required type="text" value="Sun behnid bars"' in page
    response = _edit(
        client, token, description="Drawn in *ink*.", tags="sun, bars", title="Sun behind bars"
    )
    assert response.status_code == 303
    assert "Your changes are saved." in client.get(f"/submissions/{token}").get_data(as_text=True)
    fresh()
    saved = db.session.get(Work, work.id)
    assert (saved.title, saved.status, saved.submitted_at) == (
        "Sun behind bars",
        WorkStatus.PENDING,
        before,
    )
    assert "<em>ink</em>" in saved.description_html
    assert sorted(t.name for t in saved.tags) == ["bars", "sun"]
    [event] = db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.work_id == work.id)
    ).all()
    assert event.action == "edit" and event.moderator_id is None
    assert "by the artist, through the private link" in event.reason
    # It keeps its place: still the oldest in the queue.
    oldest = db.session.scalars(
        select(Work).where(Work.status == WorkStatus.PENDING).order_by(Work.submitted_at, Work.id)
    ).first()
    assert oldest.id == first.id


def test_bad_words_are_refused_and_nothing_changes(client, pending):
    work, token = pending(png_bytes(), title="Sun behind bars")
    response = _edit(client, token, title="", alt_text="abc")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please give your work a title." in html
    assert '<details class="receipt-edit" open>' in html
    fresh()
    assert db.session.get(Work, work.id).title == "Sun behind bars"
    assert client.post(f"/submissions/{token}/edit", data={"title": "x"}).status_code == 400


def test_a_decided_work_can_no_longer_be_changed_from_the_link(client, pending):
    work, token = pending(png_bytes(), title="Sun behind bars")
    db.session.get(Work, work.id).status = WorkStatus.APPROVED
    db.session.commit()
    assert "receipt-edit" not in client.get(f"/submissions/{token}").get_data(as_text=True)
    response = _edit(client, token, title="Changed after publishing")
    assert response.status_code == 409
    fresh()
    assert db.session.get(Work, work.id).title == "Sun behind bars"
    csrf = csrf_token_of(client, f"/submissions/{token}")
    assert (
        client.post("/submissions/not-a-token/edit", data={"csrf_token": csrf}).status_code == 404
    )
