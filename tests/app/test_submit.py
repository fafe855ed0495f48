"""Artists submit works through the real form: every hostile file, every bad input,
the private receipt link, withdrawal, limits, and who may see which image."""

from __future__ import annotations

import io
import os
import re
import socket
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text

from gallery import images
from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import Work, WorkStatus
from helpers import IsolatedClient, count_rows, csrf_token_of, form_data, multipart, png_bytes, post
from imagecheck import ACCEPTED_FILES, REFUSED_FILES, assert_clean_bytes

FORMAT_OF = {"webp": "webp", "jpg": "jpeg", "png": "png"}


def instance_files(app: Flask) -> set[str]:
    """Every file under the instance folder, except the databases' own journal files and
    the decode slots' lock files (gallery/media/slots.py), which stay by design."""
    root = Path(app.instance_path)
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file()
        and not re.search(r"\.sqlite3(-wal|-shm|-journal)?$", p.name)
        and p.parent.name != "slots"
    }


def work_count() -> int:
    return count_rows(Work)


def stored_files(app: Flask, work: Work) -> dict[str, bytes]:
    media = store(app)
    return {
        name: media.path(work.image_key, name).read_bytes() for name in media.files(work.image_key)
    }


def only_work() -> Work:
    db.session.commit()
    return db.session.scalars(select(Work)).one()


@pytest.fixture
def refused(app: Flask, client):
    """Post a form and assert it was refused leaving nothing behind; returns the response."""

    def check(data: dict, status: int):
        before_files, before_rows = instance_files(app), work_count()
        response = post(client, data)
        assert response.status_code == status, response.get_data(as_text=True)[:2000]
        assert instance_files(app) == before_files
        assert work_count() == before_rows
        return response

    return check


# ---- the shared hostile images, through the real form ----


@pytest.mark.parametrize("name", ACCEPTED_FILES)
def test_shared_file_accepted_and_stored_clean(app, client, testdata_dir, name):
    response = post(client, form_data(client, (testdata_dir / name).read_bytes(), filename=name))
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/submissions/")
    work = only_work()
    assert work.status == WorkStatus.PENDING
    files = stored_files(app, work)
    # large and display (JPEG; PNG with transparency, the display size with a WebP too),
    # share and thumb (WebP and JPEG; the share JPEG on white, the thumb PNG with it)
    assert len(files) == (7 if work.has_alpha else 6)
    for filename, data in files.items():
        assert_clean_bytes(data, FORMAT_OF[filename.rpartition(".")[2]])
    assert name not in str(sorted(files)) and name.rpartition(".")[0] not in work.image_key


@pytest.mark.parametrize(("name", "status", "reason"), REFUSED_FILES)
def test_shared_file_refused_politely(refused, client, testdata_dir, name, status, reason):
    response = refused(form_data(client, (testdata_dir / name).read_bytes(), filename=name), status)
    html = response.get_data(as_text=True)
    assert "The image could not be accepted." in html
    assert reason.split(".")[0] in html.replace("&#39;", "'")
    assert 'value="Sun behind bars"' in html  # typed values kept


# ---- generated hostile and odd uploads ----


def test_text_file_named_png(refused, client):
    response = refused(form_data(client, b"just some text\n" * 10, filename="x.png"), 400)
    assert "JPEG, PNG, GIF, WebP, HEIC or AVIF" in response.get_data(as_text=True)


def test_html_named_jpg(refused, client):
    page = b"<!doctype html><html><script>alert(1)</script></html>"
    response = refused(form_data(client, page, filename="x.jpg"), 400)
    assert "JPEG, PNG, GIF, WebP, HEIC or AVIF" in response.get_data(as_text=True)


def test_svg_and_pdf_refused(refused, client):
    refused(form_data(client, b'<svg xmlns="http://www.w3.org/2000/svg"/>', filename="a.svg"), 400)
    refused(form_data(client, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", filename="a.pdf"), 400)


def test_png_with_zip_appended(app, client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("secret.txt", "the artist's real name")
    response = post(client, form_data(client, png_bytes() + buf.getvalue()))
    assert response.status_code == 303
    for data in stored_files(app, only_work()).values():
        assert b"PK\x03\x04" not in data and b"secret.txt" not in data


@pytest.mark.parametrize(
    "filename",
    [
        "../../x.jpg",
        "a.jpg\x00.php",
        "протест.png",
        "x" * 296 + ".png",
        "/etc/passwd",
        "C:\\evil.png",
    ],
)
def test_client_file_names_are_never_used_or_kept(app, client, caplog, filename):
    caplog.set_level("DEBUG")
    response = post(client, form_data(client, png_bytes(), filename=filename))
    assert response.status_code == 303
    work = only_work()
    stem = filename.replace("\x00", "")[:12]
    assert sorted(store(app).files(work.image_key)) == sorted(
        [f"{size}.{ext}" for size in ("share", "thumb") for ext in ("webp", "jpg")]
        + ["large.jpg", "display.jpg"]
    )
    row = {c.name: getattr(work, c.name) for c in Work.__table__.columns}
    assert stem not in repr(row)
    assert stem not in caplog.text
    assert not list(Path(app.instance_path).rglob("*.php")) and not list(Path("/").glob("x.jpg"))


def test_8000_square_png_is_over_the_pixel_cap(refused, client):
    tiny_file = png_bytes((8000, 8000), colour=0, mode="1")  # a few kB, 64 MP
    response = refused(form_data(client, tiny_file), 413)
    assert "at most 40 megapixels" in response.get_data(as_text=True)


def test_one_byte_over_the_size_limit_is_413(app_factory, database_url):
    app = app_factory(WTF_CSRF_ENABLED=False)
    app.test_client_class = IsolatedClient
    client = app.test_client()
    image = png_bytes((300, 300))

    def data():
        return {
            "title": "T",
            "alt_text": "A blue square",
            "licence": "cc0-1.0",
            "own_work": "y",
            "consent": "y",
            "ai_used": "no",
            "image": (io.BytesIO(image), "a.png"),
        }

    boundary = "fixed-boundary-for-an-exact-length"
    length = len(multipart(data(), boundary)[0])
    app.config["MAX_CONTENT_LENGTH"] = length - 1
    with app.app_context():
        before = instance_files(app)
        response = post(client, data(), boundary=boundary)
        assert response.status_code == 413
        html = response.get_data(as_text=True)
        assert "larger than we accept" in html
        assert instance_files(app) == before and work_count() == 0
        app.config["MAX_CONTENT_LENGTH"] = length
        assert post(client, data(), boundary=boundary).status_code == 303
        assert work_count() == 1


# Werkzeug's form parser drops the temporary file it was filling when it stops at the
# limit; the garbage collector closes it, which pytest reports as an unraisable warning.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_oversized_text_fields_are_413(refused, client):
    refused(form_data(client, png_bytes(), description="x" * 200_000), 413)


# ---- the form itself ----


def test_form_page_has_every_field_with_a_label(client):
    html = client.get("/submit").get_data(as_text=True)
    for name in (
        "image",
        "title",
        "alt_text",
        "description",
        "display_name",
        "email",
        "tags",
        "licence",
        "own_work",
        "consent",
        "ai_used",
        "csrf_token",
    ):
        assert f'name="{name}"' in html, name
    for field_id in (
        "image",
        "title",
        "alt_text",
        "description",
        "display_name",
        "email",
        "tags",
        "own_work",
        "consent",
    ):
        assert f'<label for="{field_id}"' in html, field_id
    assert "What we remove from your file, and why" in html
    assert 'enctype="multipart/form-data"' in html
    for licence in ("CC BY 4.0", "CC BY-SA 4.0", "CC BY-NC 4.0", "CC0", "All rights reserved"):
        assert licence in html


def test_errors_keep_typed_values_and_say_what_is_wrong(refused, client):
    data = form_data(
        client,
        None,
        title="",
        display_name="Mira",
        email="not-an-email",
        description="My *poster*",
        own_work=None,
    )
    html = refused(data, 400).get_data(as_text=True)
    assert "Please choose an image file." in html
    assert "Please give your work a title." in html
    assert "Please enter a valid e-mail address." in html
    assert "We can only publish works made by the person sending them." in html
    assert 'value="Mira"' in html and "My *poster*" in html and 'value="not-an-email"' in html
    assert 'aria-invalid="true"' in html


def test_honeypot_refuses_bots(refused, client):
    html = refused(form_data(client, png_bytes(), website="http://spam.example"), 400).get_data(
        as_text=True
    )
    assert "could not be accepted" in html


def test_csrf_token_is_required(refused, client):
    html = refused(form_data(client, png_bytes(), csrf_token=None), 400).get_data(as_text=True)
    assert "reload the page" in html
    refused(form_data(client, png_bytes(), csrf_token="forged"), 400)


def test_unknown_prisoner_or_campaign_is_refused(refused, client, make_prisoner):
    make_prisoner()
    refused(form_data(client, png_bytes(), prisoners="9999"), 400)
    refused(form_data(client, png_bytes(), campaign="9999"), 400)


def test_everything_typed_is_stored(app, client, make_prisoner):
    ada = make_prisoner(name="Ada")
    data = form_data(
        client,
        png_bytes(),
        display_name="  Mira  ",
        email="mira@example.org",
        description="About it",
        tags="poster, Letters ,, poster",
        prisoners=str(ada.id),
        ai_used="yes",
        licence="cc-by-nc-4.0",
    )
    assert post(client, data).status_code == 303
    work = only_work()
    assert (work.display_name, work.contact_email, work.description) == (
        "Mira",
        "mira@example.org",
        "About it",
    )
    assert sorted(t.slug for t in work.tags) == ["letters", "poster"]
    assert [p.name for p in work.prisoners] == ["Ada"]
    assert work.ai_used and work.own_work and work.consent and work.licence == "cc-by-nc-4.0"


def test_empty_name_means_anonymous(client):
    post(client, form_data(client, png_bytes(), display_name="   "))
    assert only_work().display_name is None


# ---- receipt link, status page, withdrawal ----


def submitted(client, **overrides) -> tuple[str, Work]:
    response = post(client, form_data(client, png_bytes(), **overrides))
    assert response.status_code == 303
    return response.headers["Location"], only_work()


def test_receipt_token_is_long_random_and_only_its_hash_is_stored(client):
    url, work = submitted(client)
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert work.receipt_token_hash and token not in work.receipt_token_hash
    row = {c.name: getattr(work, c.name) for c in Work.__table__.columns}
    assert token not in repr(row)


def test_receipt_page_is_private(client, caplog):
    caplog.set_level("INFO")
    url, _ = submitted(client, email="mira@example.org")
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Waiting for review" in html and "Keep this link private" in html
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in page.headers["X-Robots-Tag"]
    token = url.rsplit("/", 1)[1]
    assert token not in caplog.text and "mira@example.org" not in caplog.text


def test_wrong_token_is_404(client):
    assert client.get("/submissions/" + "A" * 43).status_code == 404
    assert client.get("/submissions/short").status_code == 404


def test_pending_work_is_nowhere_public(client):
    url, work = submitted(client, title="Hidden until reviewed")
    for page in ("/", "/works", f"/works/{work.public_id}"):
        assert "Hidden until reviewed" not in client.get(page).get_data(as_text=True)


def test_receipt_shows_the_rejection_reason(client):
    url, work = submitted(client)
    work.status = WorkStatus.REJECTED
    work.rejection_reason = "The image shows a recognisable face of someone at risk."
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "Not published." in html and "recognisable face of someone at risk" in html
    assert "Withdraw" not in html


def test_withdraw_deletes_the_files_and_keeps_the_row(app, client):
    url, work = submitted(client)
    key = work.image_key
    assert store(app).files(key)
    assert client.get(url + "/withdraw").status_code == 405
    unconfirmed = client.post(url + "/withdraw", data={"csrf_token": csrf_token_of(client, url)})
    assert unconfirmed.status_code == 400
    assert "Please tick the box to confirm." in unconfirmed.get_data(as_text=True)
    assert store(app).files(key) and only_work().status == WorkStatus.PENDING
    response = client.post(
        url + "/withdraw", data={"csrf_token": csrf_token_of(client, url), "confirm": "y"}
    )
    assert response.status_code == 303
    work = only_work()
    assert work.status == WorkStatus.WITHDRAWN and work.image_key is None
    assert not (Path(app.config["MEDIA_ROOT"]) / "works" / key).exists()
    html = client.get(url).get_data(as_text=True)
    assert "Withdrawn by you" in html
    # twice: polite, nothing changes
    again = client.post(
        url + "/withdraw",
        data={"csrf_token": csrf_token_of(client, "/submit"), "confirm": "y"},
        follow_redirects=True,
    )
    assert "can no longer be withdrawn" in again.get_data(as_text=True)


def test_withdraw_needs_csrf(client):
    url, _ = submitted(client)
    assert client.post(url + "/withdraw", data={"confirm": "y"}).status_code == 400
    assert only_work().status == WorkStatus.PENDING


# ---- who may see which image ----


def _media_urls(work: Work, token: str) -> tuple[str, str]:
    name = "display.jpg"
    return f"/media/{work.image_key}/{name}", f"/submissions/{token}/media/{name}"


def _move_to(app: Flask, work: Work, token: str, status: WorkStatus, moderator_id: int) -> None:
    """Bring a pending work to a status the way the site does it (files deleted or not)."""
    from gallery.verbs import decisions as moderation
    from gallery.verbs.submissions import withdraw_work

    if status == WorkStatus.APPROVED:
        moderation.approve_work(store(app), work.id, moderator_id)
    elif status == WorkStatus.REJECTED:
        moderation.reject_work(store(app), work.id, moderator_id, "Not related to the cause.")
    elif status == WorkStatus.WITHDRAWN:
        withdraw_work(store(app), token)
    db.session.commit()


def expect_image(response, ok: bool, cache_control: str) -> None:
    """The JPEG with the media headers (sandboxed, not sniffed, cached as told), or a 404."""
    assert response.status_code == (200 if ok else 404)
    if ok:
        assert response.headers["Cache-Control"] == cache_control
        assert response.headers["Content-Type"] == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response.get_data()[:3] == b"\xff\xd8\xff"


# Who sees a work's image, for every status: (anonymous, receipt holder, moderator).
MEDIA_MATRIX = {
    WorkStatus.PENDING: (False, True, True),
    WorkStatus.APPROVED: (True, False, True),  # the holder sees it publicly, like anyone
    WorkStatus.REJECTED: (False, False, False),  # files deleted
    WorkStatus.WITHDRAWN: (False, False, False),  # files deleted
}


@pytest.mark.parametrize("status", list(WorkStatus))
def test_media_access_matrix(app, client, make_moderator, login, status):
    url, work = submitted(client)
    token = url.rsplit("/", 1)[1]
    public_url, receipt_url = _media_urls(work, token)
    moderator = app.test_client()
    login(make_moderator("mod").username, on=moderator)
    _move_to(app, work, token, status, only_moderator_id())
    anonymous_ok, holder_ok, moderator_ok = MEDIA_MATRIX[status]

    public, private = "public, max-age=31536000, immutable", "private, no-store"
    with app.test_client().get(public_url) as anonymous:
        expect_image(anonymous, anonymous_ok, public)
    with client.get(receipt_url) as holder:
        expect_image(holder, holder_ok, private)
    with moderator.get(public_url) as seen:
        expect_image(seen, moderator_ok, public if status == WorkStatus.APPROVED else private)
    other = "/submissions/" + "B" * 43 + "/media/display.jpg"
    assert client.get(other).status_code == 404


def only_moderator_id() -> int:
    from gallery.models import Moderator

    return db.session.scalars(select(Moderator.id)).one()


@pytest.mark.parametrize(
    "filename", ["../secret_key", "display.exe", "..%2Fsecret_key", "large.png"]
)
def test_media_names_outside_the_renditions_are_404(client, make_work, filename):
    work = make_work()
    assert client.get(f"/media/{work.image_key}/{filename}").status_code == 404


# ---- rate limits and failures ----


def _limited(app: Flask, client, limit_hit_after: int) -> None:
    for _ in range(limit_hit_after):
        assert post(client, form_data(client, png_bytes())).status_code == 303
    before = instance_files(app)
    response = post(client, form_data(client, png_bytes()))
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    assert "You can try again in 1 minute." in response.get_data(as_text=True)
    assert response.headers.get("Retry-After")
    assert instance_files(app) == before
    assert client.get("/submit").status_code == 200  # only POSTs are limited


def test_submissions_are_rate_limited_per_client(app_factory):
    app = app_factory(SUBMIT_RATE_LIMIT="2 per minute")
    app.test_client_class = IsolatedClient
    with app.app_context():
        _limited(app, app.test_client(), 2)


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_rate_limit_in_redis(app_factory):
    prefix = f"test-{os.getpid()}-{os.urandom(4).hex()}"
    app = app_factory(
        SUBMIT_RATE_LIMIT="2 per minute",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
        RATELIMIT_KEY_PREFIX=prefix,
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        _limited(app, app.test_client(), 2)
        import redis

        keys = redis.Redis.from_url("redis://127.0.0.1:6379/15").keys(f"*{prefix}*")
        assert keys, "the limiter wrote nothing to Redis"
        assert not any(b"127.0.0.1" in k for k in keys), "client addresses stored in clear"


def test_database_failure_leaves_no_files_and_keeps_earlier_works(app, client, make_work):
    earlier = make_work(title="Already accepted")
    earlier_files = stored_files(app, earlier)
    before = instance_files(app)

    # A real failure of the database, after the pipeline has stored the new files: a
    # trigger refuses every new row of works (no mock of the session).
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text(
                "CREATE FUNCTION refuse_works() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'the database went away'; END $$"
            )
        )
        db.session.execute(
            text(
                "CREATE TRIGGER refuse_works BEFORE INSERT ON work "
                "FOR EACH ROW EXECUTE FUNCTION refuse_works()"
            )
        )
    else:
        db.session.execute(
            text(
                "CREATE TRIGGER refuse_works BEFORE INSERT ON work "
                "BEGIN SELECT RAISE(ABORT, 'the database went away'); END"
            )
        )
    db.session.commit()
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = post(client, form_data(client, png_bytes()))
    finally:
        db.session.rollback()
        db.session.execute(
            text(
                "DROP TRIGGER refuse_works"
                + (" ON work" if db.engine.dialect.name == "postgresql" else "")
            )
        )
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP FUNCTION refuse_works()"))
        db.session.commit()
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert instance_files(app) == before
    assert work_count() == 1
    assert stored_files(app, earlier) == earlier_files


def test_storage_failure_is_polite_and_leaves_nothing(app, client, monkeypatch):
    # A failing disk is a 500 like any failure (a full one is 507: tests/app/test_errors.py).
    def disk_failing(self, files):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(type(store(app)), "publish", disk_failing)
    before = instance_files(app)
    response = post(client, form_data(client, png_bytes()))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert instance_files(app) == before and work_count() == 0


def test_invalid_image_messages_are_the_pipelines(client, refused):
    html = refused(form_data(client, b"GIF89a" + b"\x00" * 20, filename="a.gif"), 400).get_data(
        as_text=True
    )
    assert images.DAMAGED.split(".")[0] in html


def test_a_database_error_logs_no_email_or_typed_text(app, client, make_work, monkeypatch, caplog):
    from gallery.verbs import submissions

    taken = make_work().public_id
    monkeypatch.setattr(submissions, "new_public_id", lambda: taken)  # a real IntegrityError
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    caplog.set_level("DEBUG")
    response = post(
        client, form_data(client, png_bytes(), email="hidden@example.org", title="Secret title")
    )
    assert response.status_code == 500
    assert "IntegrityError" in caplog.text  # the error is logged...
    assert (
        "hidden@example.org" not in caplog.text and "Secret title" not in caplog.text
    )  # ...not the values
    assert work_count() == 1
