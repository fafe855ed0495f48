"""A work of several images (issue 27): sent together, changed from the private link while
the work waits, each image checked for what to cover, and every public page, the feed, the
API and federation showing them; their files follow the work's (takedown, rejection,
withdrawal)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from gallery import federation
from gallery.extensions import db
from gallery.federation import documents
from gallery.media import media_store as store
from gallery.models import ModerationEvent, Work, WorkImage, WorkStatus
from gallery.verbs import decisions, editing, unpublishing
from helpers import approving, csrf_token_of, encode, form_data, fresh, png_bytes, post

GPS_TAG = 0x8825  # GPSInfo


def jpeg_with_gps(colour: str) -> bytes:
    """A JPEG whose EXIF carries a camera model and a GPS position."""
    im = Image.new("RGB", (160, 120), colour)
    exif = Image.Exif()
    exif[0x0110] = "SpyCam 3000"  # Model
    exif[GPS_TAG] = {1: "N", 2: (55.0, 45.0, 0.0)}
    return encode(im, "JPEG", exif=exif.tobytes())


def send(client, extra: list[tuple[bytes, str]], **overrides):
    """Submit a work whose cover image is a GPS-tagged JPEG, with these other images."""
    data = form_data(client, jpeg_with_gps("#aa3322"), filename="cover.jpg", **overrides)
    for n, (image, alt) in enumerate(extra):
        data[f"more-{n}-image"] = (io.BytesIO(image), f"more{n}.jpg")
        data[f"more-{n}-alt_text"] = alt
    return post(client, data)


def only_work() -> Work:
    fresh()
    return db.session.scalars(select(Work)).one()


def files_of(app, key: str) -> dict[str, bytes]:
    media = store(app)
    return {name: media.path(key, name).read_bytes() for name in media.files(key)}


def three(client) -> tuple[Work, str]:
    response = send(
        client,
        [
            (jpeg_with_gps("#22aa33"), "A green square, the second image"),
            (jpeg_with_gps("#2233aa"), "A blue square, the third image"),
        ],
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return only_work(), response.headers["Location"].rsplit("/", 1)[1]


def status_of(client, url: str) -> int:
    response = client.get(url)
    response.close()  # a file's response holds it open
    return response.status_code


def events(work_id: int) -> list[ModerationEvent]:
    fresh()
    return list(
        db.session.scalars(
            select(ModerationEvent)
            .where(ModerationEvent.work_id == work_id)
            .order_by(ModerationEvent.id)
        )
    )


# ---- sending ----


def test_a_three_image_submission_stores_three_clean_images(app, client):
    page = client.get("/submit").get_data(as_text=True)
    assert "Add up to 5 more images" in page
    assert 'name="more-4-image"' in page and 'name="more-5-image"' not in page
    assert 'name="more-0-alt_text"' in page and 'name="more-0-upload"' in page
    work, token = three(client)
    assert [i.alt_text for i in work.images] == [
        "A green square, the second image",
        "A blue square, the third image",
    ]
    assert [i.position for i in work.images] == [1, 2]
    keys = work.image_keys
    assert len(keys) == len(set(keys)) == 3
    for key in keys:
        files = files_of(app, key)
        assert files
        for name, data in files.items():
            assert b"SpyCam" not in data and b"Exif" not in data, name
    receipt = client.get(f"/submissions/{token}").get_data(as_text=True)
    assert "3 images" in receipt
    shown = re.findall(r'<img src="(/submissions/[^"]+)"', receipt)
    assert len(shown) == 3
    for url in shown:
        assert status_of(client, url) == 200
    assert 'alt="A blue square, the third image"' in receipt


def test_an_extra_image_needs_its_alt_text_and_nothing_is_kept_without(app, client):
    response = send(client, [(png_bytes(), "")])
    assert response.status_code == 400
    assert "Please describe what this image shows." in response.get_data(as_text=True)
    fresh()
    assert db.session.scalars(select(Work)).first() is None
    assert db.session.scalars(select(WorkImage)).first() is None


def test_a_broken_extra_image_refuses_the_whole_submission(app, client):
    response = send(client, [(b"not an image at all", "A picture that is not one")])
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[:2000]
    assert "The image could not be accepted." in html
    assert 'id="more-0-image-error"' in html
    fresh()
    assert db.session.scalars(select(Work)).first() is None
    works = Path(app.instance_path) / "media" / "works"
    assert not works.exists() or not any(works.iterdir())  # the cover's files went too


# ---- the private link, while the work waits ----


def on_receipt(client, token: str, path: str, data: dict | None = None, **kw):
    form = {"csrf_token": csrf_token_of(client, f"/submissions/{token}"), **(data or {})}
    return client.post(f"/submissions/{token}{path}", data=form, **kw)


def test_the_artist_adds_removes_describes_and_chooses_the_cover_from_the_receipt(app, client):
    work, token = three(client)
    before = work.submitted_at
    cover_key = work.image_key
    second, third = (i.id for i in work.images)
    # One more image (the fourth).
    added = on_receipt(
        client,
        token,
        "/images",
        {
            "add-image": (io.BytesIO(jpeg_with_gps("#999999")), "grey.jpg"),
            "add-alt_text": "A grey square, added later",
        },
        content_type="multipart/form-data",
    )
    assert added.status_code == 303
    fresh()
    work = db.session.get(Work, work.id)
    assert [i.alt_text for i in work.images][-1] == "A grey square, added later"
    assert not any(b"SpyCam" in d for d in files_of(app, work.images[-1].image_key).values())
    # A fixed description.
    fixed = on_receipt(
        client, token, f"/images/{second}/alt", {f"alt{second}-alt_text": "A green field"}
    )
    assert fixed.status_code == 303
    # The third image becomes the cover: the two swap their files and descriptions.
    chosen = on_receipt(client, token, f"/images/{third}/cover-image")
    assert chosen.status_code == 303
    fresh()
    work = db.session.get(Work, work.id)
    assert work.alt_text == "A blue square, the third image"
    assert cover_key in [i.image_key for i in work.images]
    # The second image goes, its files with it.
    second_key = db.session.get(WorkImage, second).image_key
    removed = on_receipt(client, token, f"/images/{second}/remove")
    assert removed.status_code == 303
    fresh()
    work = db.session.get(Work, work.id)
    assert len(work.all_images) == 3 and db.session.get(WorkImage, second) is None
    assert not (Path(app.instance_path) / "media" / "works" / second_key).exists()
    assert work.submitted_at == before and work.status == WorkStatus.PENDING
    reasons = [(e.action, e.moderator_id, e.reason) for e in events(work.id)]
    assert [a for a, _m, _r in reasons] == ["image-add", "edit", "cover-image", "image-remove"]
    assert all(m is None and "by the artist, through the private link" in r for _a, m, r in reasons)
    assert (
        "alt text of image 2: 'A green square, the second image' -> 'A green field'"
        in (reasons[1][2])
    )
    page = client.get(f"/submissions/{token}").get_data(as_text=True)
    assert "3 images" in page and 'alt="A grey square, added later"' in page


def test_the_receipt_refuses_image_changes_once_decided(app, client):
    work, token = three(client)
    db.session.get(Work, work.id).status = WorkStatus.APPROVED
    db.session.commit()
    image = work.images[0]
    assert on_receipt(client, token, f"/images/{image.id}/remove").status_code == 409
    assert on_receipt(client, token, f"/images/{image.id}/cover-image").status_code == 409
    alt = on_receipt(
        client, token, f"/images/{image.id}/alt", {f"alt{image.id}-alt_text": "A late change"}
    )
    assert alt.status_code == 409
    fresh()
    assert len(db.session.get(Work, work.id).images) == 2
    # An image of another work, or none: 404.
    assert on_receipt(client, token, "/images/999999/remove").status_code == 404


def test_a_work_has_at_most_max_work_images(app, client):
    app.config["MAX_WORK_IMAGES"] = 3
    work, token = three(client)
    page = client.get(f"/submissions/{token}").get_data(as_text=True)
    assert 'action="/submissions/' + token + '/images"' not in page
    refused = on_receipt(
        client,
        token,
        "/images",
        {"add-image": (io.BytesIO(png_bytes()), "a.png"), "add-alt_text": "One too many"},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 409
    assert "A work can have at most 3 images." in refused.get_data(as_text=True)
    fresh()
    assert len(db.session.get(Work, work.id).images) == 2


# ---- covering each image before approval ----


def approve(client, work_id: int, csrf: str):
    return client.post(f"/moderation/works/{work_id}/approve", data=approving(csrf, work_id))


def test_approval_waits_for_a_look_at_every_image(app, client, moderator):
    work, token = three(client)
    fresh()
    work = db.session.get(Work, work.id)
    for image in work.all_images:
        image.face_suggestions = image.face_suggestions or []
    extra = work.images[1]
    extra.face_suggestions = [[0.1, 0.1, 0.3, 0.3]]
    db.session.commit()
    queue = client.get("/moderation/").get_data(as_text=True)
    assert "See and cover each of its 3 images" in queue
    page = client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    assert page.count("data-cover-stage=") == 3
    assert f'data-cover-stage="image{extra.id}-regions"' in page
    assert approve(client, work.id, moderator).status_code == 409
    # Covered on that image alone: the others stay as they were.
    covered = client.post(
        f"/moderation/works/{work.id}/redact",
        data={
            "csrf_token": moderator,
            "image": str(extra.id),
            f"image{extra.id}-regions": "[[0.1, 0.1, 0.3, 0.3]]",
        },
    )
    assert covered.status_code == 303
    fresh()
    work = db.session.get(Work, work.id)
    assert work.images[1].covered_regions == 1 and work.covered_regions == 0
    assert work.images[1].cover_checked_key == work.images[1].image_key
    assert approve(client, work.id, moderator).status_code == 303
    fresh()
    assert db.session.get(Work, work.id).status == WorkStatus.APPROVED


def test_a_cover_request_needs_a_look_at_every_image(app, client, moderator):
    work, _token = three(client)
    fresh()
    work = db.session.get(Work, work.id)
    work.cover_requested = True
    for image in work.all_images:
        image.face_suggestions = []
    work.cover_checked_key = work.image_key  # the cover image looked at, not the others
    db.session.commit()
    assert approve(client, work.id, moderator).status_code == 409
    nothing = client.post(
        f"/moderation/works/{work.id}/nothing-to-cover", data={"csrf_token": moderator}
    )
    assert nothing.status_code == 303
    assert approve(client, work.id, moderator).status_code == 303


# ---- published ----


def published(app, client) -> Work:
    work, _token = three(client)
    fresh()
    work = db.session.get(Work, work.id)
    for image in work.all_images:
        image.face_suggestions = []
    db.session.commit()
    decisions.approve_work(store(app), work.id, moderator_id=None)
    db.session.commit()
    fresh()
    return db.session.get(Work, work.id)


def test_a_published_work_shows_its_three_images_everywhere(app, client):
    work = published(app, client)
    visitor = app.test_client()
    page = visitor.get(f"/works/{work.public_id}").get_data(as_text=True)
    for alt in (
        "A yellow sun behind black prison bars",
        "A green square, the second image",
        "A blue square, the third image",
    ):
        assert f'alt="{alt}"' in page
    assert len(re.findall(r"<img ", page)) >= 3
    assert "3 images" in visitor.get("/works").get_data(as_text=True)
    api = visitor.get(f"/api/works/{work.public_id}").get_json()
    assert api["alt_text"] == "A yellow sun behind black prison bars"
    assert [m["alt_text"] for m in api["more_images"]] == [
        "A green square, the second image",
        "A blue square, the third image",
    ]
    assert all(m["images"]["thumb"]["width"] for m in api["more_images"])
    feed = visitor.get("/feed.atom").get_data(as_text=True)
    assert feed.count("&lt;img ") == 3
    for image in work.images:
        assert image.image_key in feed


def test_the_media_route_serves_an_extra_image_only_while_published(app, client):
    work, token = three(client)
    fresh()
    image = db.session.get(Work, work.id).images[0]
    name = image.renditions["thumb"]["files"]["webp"]
    url = f"/media/{image.image_key}/{name}"
    visitor = app.test_client()
    assert status_of(visitor, url) == 404  # pending
    published_work = published_again(app, work.id)
    assert status_of(visitor, url) == 200
    # Withdrawn by the artist: 404, and every file of every image gone.
    keys = published_work.image_keys
    assert on_receipt(client, token, "/withdraw", {"confirm": "y"}).status_code == 303
    assert status_of(visitor, url) == 404
    fresh()
    assert db.session.scalars(select(WorkImage)).first() is None
    for key in keys:
        assert not (Path(app.instance_path) / "media" / "works" / key).exists()


def published_again(app, work_id: int) -> Work:
    fresh()
    work = db.session.get(Work, work_id)
    for image in work.all_images:
        image.face_suggestions = []
    db.session.commit()
    decisions.approve_work(store(app), work_id, moderator_id=None)
    db.session.commit()
    fresh()
    return db.session.get(Work, work_id)


def test_a_rejection_deletes_every_image(app, client, make_moderator):
    work, _token = three(client)
    fresh()
    keys = db.session.get(Work, work.id).image_keys
    decisions.reject_work(store(app), work.id, make_moderator().id, "Not for this gallery.")
    db.session.commit()
    fresh()
    work = db.session.get(Work, work.id)
    assert work.image_key is None and work.images == []
    for key in keys:
        assert not (Path(app.instance_path) / "media" / "works" / key).exists()


def test_a_takedown_gives_every_image_a_new_address(app, client, make_moderator):
    work = published(app, client)
    old = work.image_keys
    image = work.images[1]
    name = image.renditions["thumb"]["files"]["webp"]
    visitor = app.test_client()
    assert status_of(visitor, f"/media/{image.image_key}/{name}") == 200
    unpublishing.unpublish_work(store(app), work.id, make_moderator().id, "It shows a face.")
    db.session.commit()
    fresh()
    new = db.session.get(Work, work.id).image_keys
    assert len(new) == 3 and not set(new) & set(old)
    for key in old:
        assert not (Path(app.instance_path) / "media" / "works" / key).exists()
    assert status_of(visitor, f"/media/{old[2]}/{name}") == 404


def test_the_federation_note_carries_every_image(app_factory):
    app = app_factory(FEDERATION=True, PUBLIC_URL="https://gallery.test")
    with app.app_context():
        work = published(app, app.test_client())
        with app.test_request_context(base_url="https://gallery.test"):
            note = documents.note(work, app.config["FEDERATION_NAME"])
        assert federation.courier(app).join(20)  # the delivery thread, with its connection
    assert [a["name"] for a in note["attachment"]] == [
        "A yellow sun behind black prison bars",
        "A green square, the second image",
        "A blue square, the third image",
    ]
    assert all(a["url"].endswith(".jpg") for a in note["attachment"])


def test_the_artist_covers_one_extra_image_from_the_receipt(app, client):
    work, token = three(client)
    image = work.images[0]
    old_key = image.image_key
    covered = on_receipt(
        client,
        token,
        "/cover",
        {"image": str(image.id), f"image{image.id}-regions": "[[0, 0, 0.5, 0.5]]"},
    )
    assert covered.status_code == 303
    fresh()
    work = db.session.get(Work, work.id)
    assert work.images[0].image_key != old_key and work.images[0].covered_regions == 1
    assert work.covered_regions == 0 and work.images[1].covered_regions == 0
    with Image.open(io.BytesIO(files_of(app, work.images[0].image_key)["large.jpg"])) as im:
        assert max(im.convert("RGB").getpixel((5, 5))) < 10  # filled black
    [event] = [e for e in events(work.id) if e.action == "cover"]
    assert event.reason == "1 region on image 2, by the artist"
    # Another work's image, or none such: 404.
    assert on_receipt(client, token, "/cover", {"image": "999999"}).status_code == 404


def test_fsck_counts_every_image_of_every_work(client, runner):
    three(client)
    result = runner.invoke(args=["fsck"])
    assert result.exit_code == 0, result.output
    assert "Checked 3 stored images against" in result.output
    assert "Unreferenced folders found: 0" in result.output


def test_a_backup_copies_every_image_of_a_work(app, client, runner, tmp_path):
    work, _token = three(client)
    dest = tmp_path / "copy"
    result = runner.invoke(args=["backup", str(dest)])
    assert result.exit_code == 0, result.output
    for key in work.image_keys:
        assert sorted(p.name for p in (dest / "media" / "works" / key).iterdir()) == sorted(
            store(app).files(key)
        )


def texts_in(app, work_id: int, locale: str, title: str, alt_text: str) -> None:
    """The artist's title and alt text of a pending work in another language."""
    with app.test_request_context():
        editing.write_work_texts(
            work_id,
            locale,
            title=title,
            alt_text=alt_text,
            description=None,
            states=(WorkStatus.PENDING,),
        )
        db.session.commit()


def test_a_new_cover_image_drops_the_alt_texts_written_for_the_old_one(app, client):
    """The work's alt texts in other languages described its old cover image: after a
    swap they are gone (the titles stay), so no reader hears a description of another
    picture, and the audit says so."""
    work, token = three(client)
    third = work.images[1].id
    texts_in(app, work.id, "fr", "Soleil derrière les barreaux", "Un carré rouge")
    chosen = on_receipt(client, token, f"/images/{third}/cover-image")
    assert chosen.status_code == 303
    fresh()
    work = db.session.get(Work, work.id)
    (text,) = work.texts
    assert (text.locale, text.title, text.alt_text) == ("fr", "Soleil derrière les barreaux", None)
    assert work.alt_text == "A blue square, the third image"
    last = events(work.id)[-1]
    assert last.action == "cover-image"
    assert "its alt text in fr described the old cover: removed" in last.reason


def test_the_artist_removes_the_cover_image_and_the_next_one_takes_its_place(app, client):
    """A first image the artist regrets (a face, a place) goes in one step from the
    receipt: its files are deleted, the next image becomes the cover, and the alt texts
    written in other languages for it go with it."""
    work, token = three(client)
    cover_key = work.image_key
    page = client.get(f"/submissions/{token}").get_data(as_text=True)
    assert f'action="/submissions/{token}/images/cover/remove"' in page
    texts_in(app, work.id, "ru", "Три квадрата", "Красный квадрат")
    removed = on_receipt(client, token, "/images/cover/remove")
    assert removed.status_code == 303
    fresh()
    work = db.session.get(Work, work.id)
    assert work.alt_text == "A green square, the second image"
    assert [i.alt_text for i in work.images] == ["A blue square, the third image"]
    assert not (Path(app.instance_path) / "media" / "works" / cover_key).exists()
    assert [(t.locale, t.title, t.alt_text) for t in work.texts] == [("ru", "Три квадрата", None)]
    last = events(work.id)[-1]
    assert (last.action, last.moderator_id) == ("image-remove", None)
    assert "image 1; its alt text in ru described the old cover: removed" in last.reason
    assert work.status == WorkStatus.PENDING


def test_a_work_of_one_image_has_no_cover_to_remove(app, client):
    response = send(client, [])
    assert response.status_code == 303
    token = response.headers["Location"].rsplit("/", 1)[1]
    work = only_work()
    page = client.get(f"/submissions/{token}").get_data(as_text=True)
    assert "/images/cover/remove" not in page
    assert on_receipt(client, token, "/images/cover/remove").status_code == 404
    fresh()
    assert db.session.get(Work, work.id).image_key == work.image_key
