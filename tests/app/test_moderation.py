"""The review queue and decisions: what changes on disk and in the database, and what not."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from gallery.core.tokens import token_hash
from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import (
    Campaign,
    ModerationEvent,
    Moderator,
    Prisoner,
    PrisonerStatus,
    Role,
    Work,
    WorkStatus,
    utcnow,
)
from helpers import approving, csrf_token_of, fresh, spaced


def actions() -> list[str]:
    fresh()
    stmt = (
        select(ModerationEvent)
        .where(ModerationEvent.action != "login")
        .order_by(ModerationEvent.id)
    )
    return [e.action for e in db.session.scalars(stmt)]


def pending(make_work, n: int = 1, **kw) -> list[Work]:
    start = utcnow() - timedelta(hours=1)
    works = [make_work(status=WorkStatus.PENDING, **kw) for _ in range(n)]
    for i, w in enumerate(works):  # distinct, increasing submission times
        w.submitted_at = start + timedelta(minutes=i)
    db.session.commit()
    return works


def files_of(app, work_key: str | None) -> set[str]:
    return store(app).files(work_key) if work_key else set()


def test_queue_shows_pending_works_oldest_first_with_everything(
    client, moderator, make_work, make_prisoner
):
    prisoner = make_prisoner(name="Azat")
    old, new = pending(
        make_work,
        2,
        prisoners=(prisoner,),
        contact_email="artist@example.org",
        description="A *bold* line",
        display_name="Nadia",
        tag_names=("ink",),
        ai_used=True,
    )
    make_work(title="Already public")
    html = client.get("/moderation/").get_data(as_text=True)
    assert html.index(old.title) < html.index(new.title)
    assert "Already public" not in html
    for text in (
        "artist@example.org",
        "Nadia",
        "Azat",
        "ink",
        "CC BY 4.0",
        "<em>bold</em>",
        "Used, says the artist",
        old.alt_text,
        "Review queue (2)",
    ):
        assert text in html, text
    assert f'action="/moderation/works/{old.id}/approve"' in html
    assert f'action="/moderation/works/{old.id}/reject"' in html
    assert 'name="reason"' in html


def test_the_email_is_never_shown_to_visitors(client, make_work):
    work = make_work(contact_email="artist@example.org")
    assert "artist@example.org" not in client.get(f"/works/{work.public_id}").get_data(as_text=True)


def test_queue_pages_by_keyset_at_a_constant_cost(
    app, client, moderator, make_work, count_statements
):
    app.config["MODERATION_PER_PAGE"] = 3
    works = pending(make_work, 7, tag_names=("common",))
    for n, w in enumerate(works):
        w.title = f"Queued {n}"
    db.session.commit()
    seen, costs, url = [], [], "/moderation/"
    while url:
        with count_statements() as counter:
            html = client.get(url).get_data(as_text=True)
        costs.append(counter.count)
        seen += [n for n in range(7) if f">Queued {n}<" in html]
        marker = 'rel="next" href="'
        url = html.split(marker)[1].split('"')[0].replace("&amp;", "&") if marker in html else None
    assert seen == list(range(7))
    assert len(costs) == 3 and len(set(costs)) == 1, costs


def test_deciding_the_last_page_goes_back_to_the_works_still_waiting(
    app, client, moderator, make_work
):
    app.config["MODERATION_PER_PAGE"] = 1
    older, newer = pending(make_work, 2)
    html = client.get("/moderation/").get_data(as_text=True)
    cursor = html.split('rel="next" href="/moderation/?after=')[1].split('"')[0]
    response = client.post(
        "/moderation/bulk-approve",
        data=approving(moderator, newer.id, bulk=True) | {"after": cursor},
    )
    assert response.headers["Location"] == f"/moderation/?after={cursor}"
    # Nothing is left past the cursor, but the older work still waits: start again.
    response = client.get(f"/moderation/?after={cursor}")
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/"
    html = client.get("/moderation/").get_data(as_text=True)
    assert older.title in html and "1 work approved." in html
    assert "Nothing waits for review" not in html
    # With the queue really empty, the page past the cursor says so.
    client.post(f"/moderation/works/{older.id}/approve", data=approving(moderator, older.id))
    html = client.get(f"/moderation/?after={cursor}").get_data(as_text=True)
    assert "Nothing waits for review" in html and "Back to the start of the queue" in html


def test_approve_publishes_and_keeps_files(app, client, moderator, make_work, make_moderator):
    work, other = pending(make_work, 2)
    response = client.post(
        f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id)
    )
    assert response.status_code == 303
    fresh()
    work, other = db.session.get(Work, work.id), db.session.get(Work, other.id)
    assert (
        work.status == WorkStatus.APPROVED
        and work.published_at
        and work.decided_by.username == "mod"
    )
    assert other.status == WorkStatus.PENDING
    assert files_of(app, work.image_key)
    assert client.get(f"/works/{work.public_id}").status_code == 200
    assert actions() == ["approve"]
    # A second decision on the same work changes nothing.
    client.post(
        f"/moderation/works/{work.id}/reject", data={"csrf_token": moderator, "reason": "no"}
    )
    fresh()
    assert db.session.get(Work, work.id).status == WorkStatus.APPROVED
    assert actions() == ["approve"]


def test_reject_deletes_files_keeps_the_row_and_the_artist_reads_why(
    app, client, moderator, make_work
):
    token = secrets.token_urlsafe(32)
    (work,) = pending(make_work, 1, receipt_token_hash=token_hash(token))
    key = work.image_key
    assert files_of(app, key)
    response = client.post(
        f"/moderation/works/{work.id}/reject",
        data={
            "csrf_token": moderator,
            "preset": "unreadable",
            "reason": "Please send a larger scan.",
        },
    )
    assert response.status_code == 303
    fresh()
    work = db.session.get(Work, work.id)
    assert work.status == WorkStatus.REJECTED
    assert work.image_key is None and work.renditions is None and work.image_sha256 is None
    assert store(app).files(key) == set()
    # The preset is kept by its key, so the artist reads it in their own language.
    assert (work.rejection_preset, work.rejection_reason) == (
        "unreadable",
        "Please send a larger scan.",
    )
    event = db.session.scalar(select(ModerationEvent).where(ModerationEvent.action == "reject"))
    assert (event.action, event.moderator.username) == ("reject", "mod")
    assert (
        event.reason
        == "The image is unreadable or too small to show.\n\nPlease send a larger scan."
    )
    receipt = client.get(f"/submissions/{token}").get_data(as_text=True)
    assert "The image is unreadable or too small to show.\n\nPlease send a larger scan." in receipt
    in_russian = client.get(f"/ru/submissions/{token}").get_data(as_text=True)
    assert "too small to show" not in in_russian and "Please send a larger scan." in in_russian
    assert "Изображение" in in_russian.split('class="receipt__reason">')[1].split("</dd>")[0]


def test_reject_without_a_reason_changes_nothing(app, client, moderator, make_work):
    (work,) = pending(make_work)
    response = client.post(
        f"/moderation/works/{work.id}/reject",
        data={"csrf_token": moderator, "preset": "", "reason": "  "},
    )
    assert response.status_code == 303
    assert "Please choose or write a reason." in client.get("/moderation/").get_data(as_text=True)
    fresh()
    assert db.session.get(Work, work.id).status == WorkStatus.PENDING
    assert files_of(app, work.image_key)
    assert actions() == []


def test_bulk_approve_changes_exactly_the_selected_works(app, client, moderator, make_work):
    a, b, c = pending(make_work, 3)
    response = client.post(
        "/moderation/bulk-approve", data=approving(moderator, a.id, c.id, bulk=True)
    )
    assert response.status_code == 303
    fresh()
    assert [db.session.get(Work, w.id).status for w in (a, b, c)] == [
        WorkStatus.APPROVED,
        WorkStatus.PENDING,
        WorkStatus.APPROVED,
    ]
    assert actions() == ["approve", "approve"]


def test_bulk_reject_changes_exactly_the_selected_works(app, client, moderator, make_work):
    a, b, c = pending(make_work, 3)
    approved = make_work()
    keys = {w.id: w.image_key for w in (a, b, c, approved)}
    response = client.post(
        "/moderation/bulk-reject",
        data={
            "csrf_token": moderator,
            "work_ids": [a.id, b.id, approved.id],
            "preset": "unrelated",
        },
    )
    assert response.status_code == 303
    fresh()
    statuses = {w.id: db.session.get(Work, w.id).status for w in (a, b, c, approved)}
    assert statuses == {
        a.id: WorkStatus.REJECTED,
        b.id: WorkStatus.REJECTED,
        c.id: WorkStatus.PENDING,
        approved.id: WorkStatus.APPROVED,
    }
    assert store(app).files(keys[a.id]) == set() == store(app).files(keys[b.id])
    assert store(app).files(keys[c.id]) and store(app).files(keys[approved.id])
    assert actions() == ["reject", "reject"]
    assert "1 was no longer waiting" in client.get("/moderation/").get_data(as_text=True)


def test_bulk_reject_needs_a_reason(client, moderator, make_work):
    (a,) = pending(make_work)
    client.post("/moderation/bulk-reject", data={"csrf_token": moderator, "work_ids": [a.id]})
    fresh()
    assert db.session.get(Work, a.id).status == WorkStatus.PENDING


def test_unpublish_takes_the_work_down_at_once_and_back_to_the_queue(
    app, client, moderator, make_work
):
    work = make_work(title="To take down")
    thumb = work.renditions["thumb"]["files"]["webp"]
    visitor = app.test_client()
    with visitor.get(f"/media/{work.image_key}/{thumb}") as before:
        assert before.headers["Cache-Control"].startswith("public")
    response = client.post(
        f"/moderation/works/{work.id}/unpublish",
        data={"csrf_token": moderator, "reason": "Shows a recognisable face."},
    )
    assert response.status_code == 303
    fresh()
    work = db.session.get(Work, work.id)
    assert work.status == WorkStatus.PENDING and work.published_at is None
    assert files_of(app, work.image_key)
    assert visitor.get(f"/works/{work.public_id}").status_code == 404
    assert "To take down" not in visitor.get("/works").get_data(as_text=True)
    assert visitor.get(f"/media/{work.image_key}/{thumb}").status_code == 404
    with client.get(f"/media/{work.image_key}/{thumb}") as seen:
        assert seen.status_code == 200 and seen.headers["Cache-Control"] == "private, no-store"
    queue = client.get("/moderation/").get_data(as_text=True)
    assert "To take down" in queue and "Shows a recognisable face." in queue
    assert actions() == ["unpublish"]
    # And it can be approved again.
    client.post(f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id))
    assert visitor.get(f"/works/{work.public_id}").status_code == 200


def test_unpublish_needs_a_reason_and_a_published_work(client, moderator, make_work):
    work = make_work()
    client.post(f"/moderation/works/{work.id}/unpublish", data={"csrf_token": moderator})
    (waiting,) = pending(make_work)
    client.post(
        f"/moderation/works/{waiting.id}/unpublish", data={"csrf_token": moderator, "reason": "x"}
    )
    fresh()
    assert db.session.get(Work, work.id).status == WorkStatus.APPROVED
    assert db.session.get(Work, waiting.id).status == WorkStatus.PENDING
    assert actions() == []


def test_edit_fixes_title_alt_text_and_tags_and_logs_the_change(client, moderator, make_work):
    (work,) = pending(make_work, 1, tag_names=("old",))
    response = client.post(
        f"/moderation/works/{work.id}/edit",
        data={
            "csrf_token": moderator,
            "title": "Better title",
            "alt_text": "A clearer description",
            "tags": "poster, letters",
        },
    )
    assert response.status_code == 303
    fresh()
    work = db.session.get(Work, work.id)
    assert work.title == "Better title" and work.alt_text == "A clearer description"
    assert sorted(t.slug for t in work.tags) == ["letters", "poster"]
    event = db.session.scalar(select(ModerationEvent).where(ModerationEvent.action == "edit"))
    assert event.action == "edit" and "Better title" in event.reason and "tags" in event.reason


def test_pending_images_are_for_moderators_only(app, client, make_work, make_moderator, login):
    (work,) = pending(make_work)
    display = work.renditions["share"]["files"]["webp"]
    assert client.get(f"/media/{work.image_key}/{display}").status_code == 404
    make_moderator("mod")
    login("mod")
    with client.get(f"/media/{work.image_key}/{display}") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store"


def test_nav_shows_the_pending_count_to_moderators_only(
    app, client, make_work, make_moderator, login
):
    pending(make_work, 3)
    assert "Review queue" not in client.get("/").get_data(as_text=True)
    make_moderator("mod")
    login("mod")
    html = client.get("/").get_data(as_text=True)
    assert "Review queue (3)" in html and 'action="/logout"' in html


def test_audit_page_lists_events_and_offers_no_way_to_change_them(client, moderator, make_work):
    (work,) = pending(make_work)
    client.post(
        f"/moderation/works/{work.id}/reject",
        data={"csrf_token": moderator, "reason": "Off topic."},
    )
    html = client.get("/moderation/audit").get_data(as_text=True)
    assert "reject" in html and "Off topic." in html and "login" in html
    assert "<form" not in html.split("<main", 1)[1].split("</main>")[0]
    assert client.post("/moderation/audit", data={"csrf_token": moderator}).status_code == 405


# ---- Prisoners and campaigns ----

PRISONER_FORM = {
    "name": "Jane Doe",
    "status": "imprisoned",
    "timezone": "Europe/Moscow",
    "detained_on": "2021-03-04",
    "story_en": "She **wrote** a poem.",
    "summary_en": "A poet.",
    "letter_address": "Box 1",
    "sources_en": "Meduza | https://meduza.io/a\nOVD | http://ovd.info/b",
}


def test_create_prisoner_with_sources_and_unique_stable_slug(client, moderator, make_prisoner):
    make_prisoner(slug="jane-doe", name="Another Jane")
    response = client.post(
        "/moderation/prisoners/new", data={**PRISONER_FORM, "csrf_token": moderator}
    )
    assert response.status_code == 303
    fresh()
    jane = db.session.scalar(select(Prisoner).where(Prisoner.name == "Jane Doe"))
    assert jane.slug == "jane-doe-2"
    assert [(s.title, s.url) for s in jane.sources] == [
        ("Meduza", "https://meduza.io/a"),
        ("OVD", "http://ovd.info/b"),
    ]
    assert jane.text_for("body", "en").text == "She **wrote** a poem."
    client.post(
        f"/moderation/prisoners/{jane.id}/edit",
        data={
            **PRISONER_FORM,
            "name": "Jane Q. Doe",
            "status": "released",
            "released_on": "2024-01-01",
            "csrf_token": moderator,
        },
    )
    fresh()
    jane = db.session.get(Prisoner, jane.id)
    assert (jane.slug, jane.name, jane.status) == (
        "jane-doe-2",
        "Jane Q. Doe",
        PrisonerStatus.RELEASED,
    )
    assert actions() == ["prisoner-create", "prisoner-edit"]
    assert client.get("/prisoners/jane-doe-2").status_code == 200


def test_sources_are_titled_in_each_language_and_undesirable_outlets_marked(client, moderator):
    """One source per address from every language's list, each with its own title; an
    outlet declared "undesirable" in Russia is marked from its address or by a "!"."""
    response = client.post(
        "/moderation/prisoners/new",
        data={
            **PRISONER_FORM,
            "csrf_token": moderator,
            "sources_en": "Meduza, 1 May | https://meduza.io/a\n! A new outlet | https://new.example/x",
            "sources_fr": "Meduza, 1er mai | https://meduza.io/a\nMémoire | https://memo.example/m",
            "sources_ru": "«Медуза», 1 мая | https://meduza.io/a",
        },
    )
    assert response.status_code == 303
    fresh()
    jane = db.session.scalar(select(Prisoner).where(Prisoner.name == "Jane Doe"))
    rows = [(s.url, s.title, s.titles, s.undesirable) for s in jane.sources]
    assert rows == [
        (
            "https://meduza.io/a",
            "Meduza, 1 May",
            {"en": "Meduza, 1 May", "fr": "Meduza, 1er mai", "ru": "«Медуза», 1 мая"},
            True,
        ),
        ("https://new.example/x", "A new outlet", {"en": "A new outlet"}, True),
        ("https://memo.example/m", "Mémoire", {"fr": "Mémoire"}, False),
    ]
    # The form shows each language's list back as it was typed, marks included.
    html = client.get(f"/moderation/prisoners/{jane.id}/edit").get_data(as_text=True)
    assert (
        "! Meduza, 1er mai | https://meduza.io/a" in html
        and "Mémoire | https://memo.example/m" in html
    )
    # The page shows each reader's titles (with its language where it falls back) and the marks.
    page = spaced(client.get("/ru/prisoners/jane-doe").get_data(as_text=True))
    assert (
        "«Медуза», 1 мая" in page
        and '<a href="https://memo.example/m" rel="noopener noreferrer" lang="fr">Mémoire</a>'
        in page
    )
    assert page.count("badge--undesirable") == 2
    assert "за репост материалов изданий с пометкой «нежелательная» штрафуют" in page


def test_prisoner_preview_renders_sanitised_markdown_and_saves_nothing(client, moderator):
    response = client.post(
        "/moderation/prisoners/new",
        data={
            **PRISONER_FORM,
            "story_en": "**Free** her <script>alert(1)</script>",
            "preview": "1",
            "csrf_token": moderator,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>Free</strong>" in html and "<script>alert" not in html
    fresh()
    assert db.session.scalar(select(Prisoner)) is None


@pytest.mark.parametrize(
    "sources", ["Just a title", "Title | ftp://x.org", "| https://x.org", "T | javascript:alert(1)"]
)
def test_bad_source_lines_are_refused(client, moderator, sources):
    response = client.post(
        "/moderation/prisoners/new",
        data={**PRISONER_FORM, "sources_ru": sources, "csrf_token": moderator},
    )
    assert response.status_code == 200
    assert "is not “Title | https://address”" in response.get_data(as_text=True)
    fresh()
    assert db.session.scalar(select(Prisoner)) is None


def test_mark_verified_today_sets_the_date_and_logs_it(client, moderator, make_prisoner):
    prisoner = make_prisoner()
    response = client.post(
        f"/moderation/prisoners/{prisoner.id}/verify", data={"csrf_token": moderator}
    )
    assert response.status_code == 303
    fresh()
    assert db.session.get(Prisoner, prisoner.id).last_verified_on == utcnow().date()
    assert actions() == ["prisoner-verify"]


def test_create_and_edit_a_campaign(client, moderator, make_prisoner):
    prisoner = make_prisoner()
    response = client.post(
        "/moderation/campaigns/new",
        data={
            "title_en": "Rally in Paris",
            "held_on": "2025-09-20",
            "description_en": "Bring a *poster*.",
            "original_locale": "en",
            "prisoners": [prisoner.id],
            "sources_en": "Report | https://example.org/r",
            "csrf_token": moderator,
        },
    )
    assert response.status_code == 303
    fresh()
    campaign = db.session.scalar(select(Campaign))
    assert campaign.slug == "rally-in-paris" and campaign.prisoners == [
        db.session.get(Prisoner, prisoner.id)
    ]
    client.post(
        f"/moderation/campaigns/{campaign.id}/edit",
        data={
            "title_en": "Rally in Paris, again",
            "original_locale": "en",
            "csrf_token": moderator,
        },
    )
    fresh()
    campaign = db.session.get(Campaign, campaign.id)
    assert (campaign.slug, campaign.title, campaign.prisoners) == (
        "rally-in-paris",
        "Rally in Paris, again",
        [],
    )
    assert actions() == ["campaign-create", "campaign-edit"]


# ---- Admin ----


def test_admin_creates_a_moderator_who_can_log_in(app, client, make_moderator, login):
    make_moderator("boss", role=Role.ADMIN)
    login("boss")
    token = csrf_token_of(client, "/moderation/moderators")
    response = client.post(
        "/moderation/moderators/new", data={"csrf_token": token, "username": "newbie"}
    )
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    password = (
        response.get_data(as_text=True)
        .split('id="new-password"')[1]
        .split('value="')[1]
        .split('"')[0]
    )
    assert login("newbie", password, on=app.test_client()).status_code == 303
    assert "moderator-create" in actions()


def test_the_audit_log_names_a_new_accounts_role_in_the_readers_language(
    client, make_moderator, login
):
    make_moderator("boss", role=Role.ADMIN)
    login("boss")
    token = csrf_token_of(client, "/moderation/moderators")
    client.post(
        "/moderation/moderators/new",
        data={"csrf_token": token, "username": "chief", "role": "admin"},
    )
    client.post("/moderation/moderators/new", data={"csrf_token": token, "username": "newbie"})
    # A row written before the role was stored on its own keeps reading as it did.
    db.session.add(ModerationEvent(action="moderator-create", subject="veteran (admin)"))
    db.session.commit()
    ru = client.get("/moderation/audit?lang=ru").get_data(as_text=True)
    assert "<td>chief</td>" in ru and "Роль: администратор" in ru
    assert "<td>newbie</td>" in ru and "Роль: модератор" in ru
    assert "<td>veteran (admin)</td>" in ru and ru.count("(admin)") == 1
    en = client.get("/moderation/audit?lang=en").get_data(as_text=True)
    assert "Role: admin" in en and "Role: moderator" in en


def test_admin_resets_a_password_and_ends_its_sessions(app, client, make_moderator, login):
    make_moderator("boss", role=Role.ADMIN)
    victim = make_moderator("alice")
    other = app.test_client()
    login("alice", on=other)
    login("boss")
    token = csrf_token_of(client, "/moderation/moderators")
    response = client.post(
        f"/moderation/moderators/{victim.id}/reset-password", data={"csrf_token": token}
    )
    password = (
        response.get_data(as_text=True)
        .split('id="new-password"')[1]
        .split('value="')[1]
        .split('"')[0]
    )
    assert other.get("/moderation/").status_code == 302
    assert login("alice", password, on=other).status_code == 303


def test_an_admin_cannot_deactivate_themself(client, make_moderator, login):
    boss = make_moderator("boss", role=Role.ADMIN)
    login("boss")
    token = csrf_token_of(client, "/moderation/moderators")
    response = client.post(
        f"/moderation/moderators/{boss.id}/deactivate",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert response.status_code == 200 and response.request.path == "/moderation/moderators"
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    fresh()
    assert db.session.get(Moderator, boss.id).active is True  # the account row is unchanged
    assert client.get("/moderation/").status_code == 200  # and the admin is still logged in


def test_each_decision_button_names_its_work_for_screen_readers(
    client, make_moderator, login, make_work
):
    from gallery.models import WorkStatus

    work = make_work(status=WorkStatus.PENDING, title="A quiet protest")
    login(make_moderator("mod").username)
    html = client.get("/moderation/").get_data(as_text=True)
    assert f'<h2 class="review__title" id="work-title-{work.id}">A quiet protest</h2>' in html
    assert html.count(f'aria-describedby="work-title-{work.id}"') == 2


def test_audit_log_names_actions_in_words(client, make_moderator, login):
    login(make_moderator("mod").username)
    html = client.get("/moderation/audit").get_data(as_text=True)
    assert '<span title="login">Logged in</span>' in html


def test_profile_form_page_shows_address_action_and_no_empty_preview(
    client, make_moderator, login, make_prisoner
):
    p = make_prisoner(name="Ada Example")
    login(make_moderator("mod").username)
    html = client.get(f"/moderation/prisoners/{p.id}/edit").get_data(as_text=True)
    assert f"Address: /prisoners/{p.slug} (never changes)" in html, html[:200]
    assert f'action="/moderation/prisoners/{p.id}/edit"' in html
    new = client.get("/moderation/prisoners/new").get_data(as_text=True)
    assert "Address:" not in new and 'action="/moderation/prisoners/new"' in new
    assert "preview-box" not in new
