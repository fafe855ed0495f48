"""A moderator approves what they saw (issue 27): the approve forms carry the work's review
fingerprint as the page showed it, and an artist's edit from the receipt between the page and
the click makes the approval a 409 (the bulk approval leaves that work waiting and says so)."""

from __future__ import annotations

import re

from gallery.extensions import db
from gallery.models import Work, WorkStatus
from helpers import csrf_token_of, fresh, png_bytes


def _edit_from_receipt(client, token: str, title: str):
    data = {
        "words-title": title,
        "words-alt_text": "A yellow sun behind black prison bars",
        "words-description": "",
        "words-tags": "",
        "csrf_token": csrf_token_of(client, f"/submissions/{token}"),
    }
    response = client.post(f"/submissions/{token}/edit", data=data)
    assert response.status_code == 303


def _seen_on(html: str, work_id: int, name: str = "seen") -> str:
    """The fingerprint an approve form of the page carries for a work."""
    if name == "seen":
        form = html.split(f'action="/moderation/works/{work_id}/approve"')[1].split("</form>")[0]
        return re.search(r'name="seen" value="([0-9a-f]+)"', form)[1]
    return re.search(rf'name="seen-{work_id}" value="([0-9a-f]+)"', html)[1]


def _status(work_id: int) -> WorkStatus:
    fresh()
    return db.session.get(Work, work_id).status


def test_the_fingerprint_follows_every_word_the_moderator_reads(pending):
    work, _token = pending(png_bytes(), title="Sun behind bars")
    work = db.session.get(Work, work.id)
    before = work.review_fingerprint
    assert re.fullmatch(r"[0-9a-f]{20}", before)
    assert work.review_fingerprint == before  # stable
    for change in (
        lambda w: setattr(w, "title", "Sun behind bars!"),
        lambda w: setattr(w, "alt_text", w.alt_text + "."),
        lambda w: setattr(w, "description", "Drawn in ink."),
        lambda w: setattr(w, "content_warning", "violence"),
        lambda w: setattr(w, "image_key", "another-key"),
    ):
        db.session.rollback()
        work = db.session.get(Work, work.id)
        change(work)
        assert work.review_fingerprint != before
    db.session.rollback()


def test_an_edit_from_the_receipt_after_the_page_opened_stops_the_approval(
    client, moderator, pending
):
    work, token = pending(png_bytes(), title="Sun behind bars")
    page = client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    seen = _seen_on(page, work.id)
    queue = client.get("/moderation/").get_data(as_text=True)
    assert _seen_on(queue, work.id) == seen == _seen_on(queue, work.id, "seen-")

    _edit_from_receipt(client, token, "Words the moderator never read")
    response = client.post(
        f"/moderation/works/{work.id}/approve", data={"csrf_token": moderator, "seen": seen}
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "this work was changed after you opened it" in html
    assert "Words the moderator never read" in html  # the page shows the work as it is now
    assert _status(work.id) == WorkStatus.PENDING

    # Without a fingerprint (a form from before them, or made by hand): refused too.
    response = client.post(f"/moderation/works/{work.id}/approve", data={"csrf_token": moderator})
    assert response.status_code == 409
    assert _status(work.id) == WorkStatus.PENDING

    # With the page's fresh fingerprint, it is published.
    response = client.post(
        f"/moderation/works/{work.id}/approve",
        data={"csrf_token": moderator, "seen": _seen_on(html, work.id)},
    )
    assert response.status_code == 303
    assert _status(work.id) == WorkStatus.APPROVED
    fresh()
    assert db.session.get(Work, work.id).title == "Words the moderator never read"


def test_a_bulk_approval_leaves_the_changed_works_waiting_and_says_how_many(
    client, moderator, pending
):
    (changed, token), (same, _t) = pending(png_bytes()), pending(png_bytes())
    queue = client.get("/moderation/").get_data(as_text=True)
    seen = {w.id: _seen_on(queue, w.id, "seen-") for w in (changed, same)}
    _edit_from_receipt(client, token, "A new title")
    response = client.post(
        "/moderation/bulk-approve",
        data={
            "csrf_token": moderator,
            "work_ids": [changed.id, same.id],
            **{f"seen-{i}": fp for i, fp in seen.items()},
        },
    )
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 work approved." in html
    assert "1 was not approved: it was changed after you opened this page" in html
    assert _status(changed.id) == WorkStatus.PENDING
    assert _status(same.id) == WorkStatus.APPROVED
