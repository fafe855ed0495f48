"""A rejected or withdrawn work's receipt still names it (issue 27): its title is sealed with a
key derived from the receipt token, which the server does not keep, so only the link's holder
reads it once the work has forgotten its artist."""

from __future__ import annotations

from sqlalchemy import select

from gallery.extensions import db
from gallery.models import Work, WorkStatus
from helpers import csrf_token_of, form_data, fresh, png_bytes, post

TITLE = "Sun behind bars, Ufa"


def _submit(client) -> tuple[Work, str]:
    response = post(client, form_data(client, png_bytes(), title=TITLE))
    assert response.status_code == 303
    token = response.headers["Location"].rsplit("/", 1)[1]
    fresh()
    work = db.session.scalars(select(Work).order_by(Work.id.desc())).first()
    return work, token


def _receipt(client, token: str) -> str:
    response = client.get(f"/submissions/{token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _sealed_bytes(work_id: int) -> str:
    fresh()
    return db.session.get(Work, work_id).receipt_title


def test_a_rejected_works_receipt_still_shows_its_title_and_the_row_does_not(client, moderator):
    work, token = _submit(client)
    sealed = _sealed_bytes(work.id)
    assert sealed and TITLE not in sealed and "Sun" not in sealed
    response = client.post(
        f"/moderation/works/{work.id}/reject",
        data={"csrf_token": moderator, "preset": "", "reason": "Not a protest work."},
    )
    assert response.status_code == 303
    fresh()
    saved = db.session.get(Work, work.id)
    assert saved.status == WorkStatus.REJECTED and saved.title == ""
    assert saved.receipt_title == sealed  # forget_artist keeps the seal
    assert saved.receipt_title_for("not-the-token") is None
    html = _receipt(client, token)
    assert f'<dt>Your work</dt><dd class="receipt__sealed-title">{TITLE}\n' in html
    assert "only this private link can read it" in html
    assert client.get("/submissions/not-the-token").status_code == 404


def test_a_withdrawn_works_receipt_still_shows_its_title(client):
    work, token = _submit(client)
    response = client.post(
        f"/submissions/{token}/withdraw",
        data={"csrf_token": csrf_token_of(client, f"/submissions/{token}"), "confirm": "y"},
    )
    assert response.status_code == 303
    fresh()
    saved = db.session.get(Work, work.id)
    assert saved.status == WorkStatus.WITHDRAWN and saved.title == ""
    assert TITLE not in saved.receipt_title
    assert TITLE in _receipt(client, token)


def test_the_artists_edit_reseals_the_title_and_a_moderators_does_not(client, moderator):
    work, token = _submit(client)
    first = _sealed_bytes(work.id)
    data = {
        "words-title": "Moon behind bars",
        "words-alt_text": "A yellow moon behind black prison bars",
        "words-description": "",
        "words-tags": "",
        "csrf_token": csrf_token_of(client, f"/submissions/{token}"),
    }
    assert client.post(f"/submissions/{token}/edit", data=data).status_code == 303
    resealed = _sealed_bytes(work.id)
    assert resealed != first and "Moon" not in resealed
    fresh()
    assert db.session.get(Work, work.id).receipt_title_for(token) == "Moon behind bars"
    # A moderator's fix reaches the work, not the artist's seal (no token on the server).
    response = client.post(
        f"/moderation/works/{work.id}/edit",
        data={
            "csrf_token": moderator,
            "title": "Moon behind bars (2026)",
            "alt_text": "A yellow moon behind black prison bars",
            "tags": "",
        },
    )
    assert response.status_code == 303
    assert _sealed_bytes(work.id) == resealed
    client.post(
        f"/moderation/works/{work.id}/reject",
        data={"csrf_token": moderator, "preset": "", "reason": "Not a protest work."},
    )
    html = _receipt(client, token)
    assert '<dd class="receipt__sealed-title">Moon behind bars\n' in html


def test_a_work_sent_before_the_seal_shows_no_title_once_rejected(client, moderator):
    work, token = _submit(client)
    db.session.get(Work, work.id).receipt_title = None
    db.session.commit()
    client.post(
        f"/moderation/works/{work.id}/reject",
        data={"csrf_token": moderator, "preset": "", "reason": "Not a protest work."},
    )
    html = _receipt(client, token)
    assert "receipt__sealed-title" not in html and "<dt>Title</dt>" not in html
    assert "Not published." in html
