"""Content warnings and a work's texts in three languages (issue 26).

A work may carry a warning (violence, self-harm, death, other), set by the artist or a
moderator: every public page then shows it blurred under the warning until the reader lifts
the cover, feeds carry the warning and no image, share previews no image, and slideshows
leave it out unless chosen. Its title, alt text and description may be written in the
other languages by the artist (while it waits) or a volunteer translator (once published)."""

from __future__ import annotations

import re

import feedparser
from sqlalchemy import select

from gallery.extensions import db
from gallery.models import ContentWarning, ModerationEvent, Role, Work, WorkStatus
from helpers import count_rows, csrf_token_of, form_data, fresh, png_bytes, post


def _warned(make_work, **kw):
    return make_work(content_warning=ContentWarning.VIOLENCE, title="Beaten", **kw)


def test_an_artist_sets_a_content_warning_when_sending(client):
    response = post(client, form_data(client, png_bytes(), content_warning="self-harm"))
    assert response.status_code == 303
    fresh()
    assert db.session.scalars(select(Work)).one().content_warning is ContentWarning.SELF_HARM


def test_an_unknown_warning_is_refused_and_nothing_kept(client):
    response = post(client, form_data(client, png_bytes(), content_warning="gore"))
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert count_rows(Work) == 0


def test_a_warned_work_is_covered_on_the_grid_the_work_page_and_search(client, make_work):
    work = _warned(make_work)
    make_work(title="Calm sea")
    for path, where in (
        ("/works", "card"),
        (f"/works/{work.public_id}", "page"),
        ("/search?q=Beaten", "result"),
    ):
        html = client.get(path).get_data(as_text=True)
        cover = re.search(
            rf'<div class="cw">\s*<input type="checkbox" class="cw__toggle" id="cw-{where}-{work.public_id}">\s*'
            rf'<label class="cw__cover" for="cw-{where}-{work.public_id}"><span class="cw__what">Content warning: violence</span>',
            html,
        )
        assert cover, path
        # The image is inside the cover, after the warning.
        assert html.index("cw__work", cover.start()) < html.index(work.image_key, cover.start())
    assert client.get("/works").get_data(as_text=True).count('class="cw"') == 1


def test_a_warned_work_has_no_image_in_feeds_or_share_previews(client, make_work):
    work = _warned(make_work)
    page = client.get(f"/works/{work.public_id}").get_data(as_text=True)
    assert 'property="og:image"' not in page
    assert '<meta property="og:description" content="Content warning: violence">' in page
    feed = feedparser.parse(client.get("/feed.atom").data)
    entry = feed.entries[0]
    assert "Content warning: violence" in entry.summary
    assert "<img" not in entry.summary
    assert [t.term for t in entry.tags] == ["content-warning:violence"]


def test_slideshows_leave_warned_works_out_unless_chosen(client, make_work):
    work = _warned(make_work)
    calm = make_work(title="Calm sea")
    plain = client.get("/show").get_data(as_text=True)
    assert calm.image_key in plain and work.image_key not in plain
    chosen = client.get("/show?warned=1").get_data(as_text=True)
    assert calm.image_key in chosen and work.image_key in chosen


def test_a_moderator_sets_and_takes_off_a_warning(client, moderator, make_work):
    work = make_work(title="Hunger strike")
    response = client.post(
        f"/moderation/works/{work.id}/content-warning",
        data={"csrf_token": moderator, "warning": "death"},
    )
    assert response.status_code == 303
    fresh()
    assert db.session.get(Work, work.id).content_warning is ContentWarning.DEATH
    assert "Content warning: death" in client.get(f"/works/{work.public_id}").get_data(as_text=True)
    client.post(
        f"/moderation/works/{work.id}/content-warning",
        data={"csrf_token": moderator, "warning": ""},
    )
    fresh()
    assert db.session.get(Work, work.id).content_warning is None
    actions = [
        e.reason
        for e in db.session.scalars(
            select(ModerationEvent)
            .where(ModerationEvent.action == "content-warning")
            .order_by(ModerationEvent.id)
        )
    ]
    assert actions == ["none -> death", "death -> none"]
    bad = client.post(
        f"/moderation/works/{work.id}/content-warning",
        data={"csrf_token": moderator, "warning": "gore"},
    )
    assert bad.status_code == 400


def test_the_warning_reads_in_the_readers_language(client, make_work):
    work = _warned(make_work)
    fr = client.get(f"/fr/works/{work.public_id}").get_data(as_text=True)
    ru = client.get(f"/ru/works/{work.public_id}").get_data(as_text=True)
    assert "Avertissement\u00a0: violence" in fr and "Afficher l’œuvre" in fr
    assert "Осторожно: насилие" in ru and "Показать работу" in ru


def test_an_artist_writes_their_texts_in_another_language_while_waiting(client, pending):
    work, token = pending(png_bytes(), text_locale="en", title="Sun behind bars")
    receipt = client.get(f"/submissions/{token}").get_data(as_text=True)
    assert f'action="/submissions/{token}/texts"' in receipt
    assert '<option value="en">' not in receipt.split("work-texts", 1)[1]  # its own language
    data = {
        "csrf_token": csrf_token_of(client, f"/submissions/{token}"),
        "language": "fr",
        "title": "Soleil derrière les barreaux",
        "alt_text": "Un soleil jaune derrière des barreaux noirs",
        "description": "",
    }
    response = client.post(f"/submissions/{token}/texts", data=data)
    assert response.status_code == 303
    fresh()
    texts = db.session.get(Work, work.id).texts
    assert [(t.locale, t.title, t.alt_text) for t in texts] == [
        ("fr", "Soleil derrière les barreaux", "Un soleil jaune derrière des barreaux noirs")
    ]
    # The moderator sees them with the work, before publishing.
    db.session.get(Work, work.id).status = WorkStatus.APPROVED
    db.session.commit()
    # Once published, the artist's link no longer changes them.
    late = client.post(f"/submissions/{token}/texts", data={**data, "title": "Autre"})
    assert late.status_code == 409
    fresh()
    assert db.session.get(Work, work.id).texts[0].title == "Soleil derrière les barreaux"
    page = client.get(f"/fr/works/{work.public_id}").get_data(as_text=True)
    assert "<h1><span>Soleil derrière les barreaux</span>" in page
    assert 'alt="Un soleil jaune derrière des barreaux noirs"' in page


def test_a_moderator_sees_the_artists_other_texts_in_the_queue(client, moderator, pending):
    work, token = pending(png_bytes(), text_locale="en", title="Sun behind bars")
    client_csrf = moderator
    response = client.post(
        f"/moderation/works/{work.id}/texts",
        data={
            "csrf_token": client_csrf,
            "language": "ru",
            "title": "Солнце за решёткой",
            "alt_text": "",
            "description": "",
        },
    )
    assert response.status_code == 303
    queue = client.get("/moderation/").get_data(as_text=True)
    assert "Солнце за решёткой" in queue


def test_a_volunteer_translates_published_works_only(
    app, client, make_moderator, login, make_work, pending
):
    make_moderator("vol", role=Role.VOLUNTEER)
    assert login("vol").status_code == 303
    published = make_work(title="Sun behind bars", text_locale="en")
    waiting, _token = pending(png_bytes(), title="Unreviewed", text_locale="en")
    listing = client.get("/moderation/translate").get_data(as_text=True)
    assert "Sun behind bars" in listing and "Unreviewed" not in listing
    assert client.get(f"/moderation/works/{waiting.id}/texts").status_code == 404
    token = csrf_token_of(client, f"/moderation/works/{published.id}/texts")
    response = client.post(
        f"/moderation/works/{published.id}/texts",
        data={
            "csrf_token": token,
            "language": "ru",
            "title": "Солнце за решёткой",
            "alt_text": "Жёлтое солнце за чёрной решёткой",
            "description": "",
        },
    )
    assert response.status_code == 303
    ru = client.get(f"/ru/works/{published.public_id}").get_data(as_text=True)
    assert 'alt="Жёлтое солнце за чёрной решёткой"' in ru
    assert client.get(f"/moderation/works/{published.id}").status_code == 403
    # Written in its own language and in Russian, it still misses French.
    assert "Sun behind bars" in client.get("/moderation/translate").get_data(as_text=True)
    # Its own language cannot be chosen.
    same = client.post(
        f"/moderation/works/{published.id}/texts",
        data={"csrf_token": token, "language": "en", "title": "Sun"},
    )
    assert same.status_code == 400
    fresh()
    events = db.session.scalars(
        select(ModerationEvent.action).where(ModerationEvent.action != "login")
    ).all()
    assert events == ["work-texts"]


def test_empty_texts_take_a_language_away(client, moderator, make_work):
    work = make_work(title="Sun behind bars", text_locale="en")
    for title in ("Soleil", ""):
        if not title:  # the page offers to correct French, its texts filled in
            page = client.get(f"/moderation/works/{work.id}/texts").get_data(as_text=True)
            assert f'href="/moderation/works/{work.id}/texts?language=fr">Correct</a>' in page
            filled = client.get(f"/moderation/works/{work.id}/texts?language=fr")
            assert 'name="title" type="text" value="Soleil"' in filled.get_data(as_text=True)
            assert '<option selected value="fr">' in filled.get_data(as_text=True)
        client.post(
            f"/moderation/works/{work.id}/texts",
            data={
                "csrf_token": moderator,
                "language": "fr",
                "title": title,
                "alt_text": "",
                "description": "",
            },
        )
    fresh()
    assert db.session.get(Work, work.id).texts == []


def test_the_api_carries_the_warning_in_the_language_asked_for(client, make_work):
    work = _warned(make_work)
    body = client.get(f"/api/works/{work.public_id}?lang=fr").get_json()
    assert body["content_warning"] == {"code": "violence", "text": "Avertissement\u00a0: violence"}
    plain = make_work(title="Calm sea")
    assert client.get(f"/api/works/{plain.public_id}").get_json()["content_warning"] is None
