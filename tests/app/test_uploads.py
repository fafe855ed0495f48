"""Resumable uploads (tus 1.0) at /uploads/, staged in the database: the protocol by hand
with the test client, tuspy as an independent client against a real server, and the
submission form taking an upload (and keeping a file sent the plain way after a
mistake)."""

from __future__ import annotations

import base64
import io
import socket
import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select, update
from werkzeug.serving import make_server

from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import Upload, UploadPart, Work, WorkStatus, utcnow
from gallery.verbs import uploads
from helpers import IsolatedClient, count_rows, csrf_from, csrf_token_of, form_data, png_bytes, post
from imagecheck import assert_clean_bytes

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"
FIXED = "Please correct the fields marked below."
KEPT = "you need not choose it again."
TABLES = ("upload", "upload_part")
AGAIN = "please choose it again: browsers do not keep files between attempts."


@pytest.fixture
def tus(app, client):
    """A client of the tus server whose session holds the form's CSRF token."""
    token = csrf_token_of(client, "/submit")

    class Tus:
        csrf = token

        def create(self, length: int, **headers: str):
            return client.post(
                "/uploads/",
                headers={**TUS, "Upload-Length": str(length), "X-CSRFToken": token, **headers},
            )

        def start(self, length: int, **headers: str) -> str:
            response = self.create(length, **headers)
            assert response.status_code == 201, response.status_code
            return response.headers["Location"]

        def head(self, url: str, **headers: str):
            return client.head(url, headers={**TUS, **headers})

        def patch(self, url: str, offset: int, data: bytes, **headers: str):
            return client.patch(
                url,
                data=data,
                headers={**TUS, "Upload-Offset": str(offset), "Content-Type": OCTETS, **headers},
            )

        def upload(self, data: bytes, chunk: int = 1000) -> str:
            url = self.start(len(data))
            for start in range(0, len(data), chunk):
                response = self.patch(url, start, data[start : start + chunk])
                assert response.status_code == 204
            return url

    return Tus()


def id_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def jpeg_with_gps(size: tuple[int, int] = (400, 300)) -> bytes:
    """A JPEG carrying an EXIF block with a camera name and a GPS position."""
    image = Image.new("RGB", size, "#b03020")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    data = out.getvalue()
    assert b"PhoneMaker" in data
    return data


def parts_and_uploads() -> tuple[int, int]:
    return count_rows(Upload), count_rows(UploadPart)


# ---- the protocol, by hand ----


def test_options_says_what_the_server_speaks(app, client):
    response = client.options("/uploads/")
    assert response.status_code == 204
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.headers["Tus-Version"] == "1.0.0"
    assert set(response.headers["Tus-Extension"].split(",")) == {
        "creation",
        "expiration",
        "termination",
    }
    assert response.headers["Tus-Max-Size"] == str(app.config["MAX_CONTENT_LENGTH"])


def test_an_upload_in_three_patches_is_complete_and_taken_whole(app, tus):
    data = png_bytes((300, 200))
    created = tus.create(len(data))
    assert created.status_code == 201
    url = created.headers["Location"]
    assert url.startswith("/uploads/") and len(id_of(url)) >= 43
    assert created.headers["Tus-Resumable"] == "1.0.0"
    expires = parsedate_to_datetime(created.headers["Upload-Expires"])
    assert timedelta(hours=23) < expires - utcnow() <= timedelta(days=1)

    head = tus.head(url)
    assert head.status_code == 200
    assert head.headers["Upload-Offset"] == "0"
    assert head.headers["Upload-Length"] == str(len(data))
    assert head.headers["Cache-Control"] == "no-store"
    assert head.headers["Tus-Resumable"] == "1.0.0"
    assert "Upload-Expires" in head.headers
    assert head.get_data() == b""

    third = len(data) // 3
    for start, end in ((0, third), (third, 2 * third), (2 * third, len(data))):
        response = tus.patch(url, start, data[start:end])
        assert response.status_code == 204
        assert response.headers["Upload-Offset"] == str(end)
        assert response.headers["Tus-Resumable"] == "1.0.0"
    assert tus.head(url).headers["Upload-Offset"] == str(len(data))
    assert parts_and_uploads() == (1, 3)
    # The id is a capability: the database keeps only its hash.
    row = db.session.scalars(select(Upload)).one()
    assert id_of(url) not in row.token_hash and row.offset == row.length == len(data)
    with uploads.take_upload(id_of(url)) as stream:
        assert stream.read() == data


def test_a_patch_at_the_wrong_offset_is_409_and_changes_nothing(tus):
    url = tus.start(100)
    assert tus.patch(url, 0, b"a" * 40).status_code == 204
    response = tus.patch(url, 10, b"b" * 10)
    assert response.status_code == 409
    assert response.headers["Upload-Offset"] == "40"
    assert tus.patch(url, 60, b"b" * 10).status_code == 409
    assert tus.head(url).headers["Upload-Offset"] == "40"


def test_a_patch_of_another_content_type_is_415(tus):
    url = tus.start(100)
    response = tus.patch(url, 0, b"a" * 10, **{"Content-Type": "application/octet-stream"})
    assert response.status_code == 415
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert tus.head(url).headers["Upload-Offset"] == "0"


def test_too_large_is_413_at_creation_and_past_the_length(app, tus):
    response = tus.create(app.config["MAX_CONTENT_LENGTH"] + 1)
    assert response.status_code == 413
    assert count_rows(Upload) == 0
    url = tus.start(10)
    assert tus.patch(url, 0, b"x" * 11).status_code == 413
    assert tus.head(url).headers["Upload-Offset"] == "0"


def test_without_tus_resumable_every_request_but_options_is_412(client, tus):
    url = tus.start(10)
    for response in (
        client.post("/uploads/", headers={"Upload-Length": "10", "X-CSRFToken": tus.csrf}),
        client.post(
            "/uploads/",
            headers={"Upload-Length": "10", "X-CSRFToken": tus.csrf, "Tus-Resumable": "0.2.2"},
        ),
        client.head(url),
        client.patch(url, data=b"x", headers={"Upload-Offset": "0", "Content-Type": OCTETS}),
        client.delete(url),
    ):
        assert response.status_code == 412
        assert response.headers["Tus-Version"] == "1.0.0"
        assert response.headers["Tus-Resumable"] == "1.0.0"
    assert count_rows(Upload) == 1
    assert tus.head(url).headers["Upload-Offset"] == "0"


def test_creation_needs_a_length_and_defers_none(tus):
    assert tus.create(0).status_code == 400
    assert tus.create(10, **{"Upload-Length": "ten"}).status_code == 400
    response = tus.create(10, **{"Upload-Defer-Length": "1"})
    assert response.status_code == 400
    assert count_rows(Upload) == 0


def test_creation_needs_the_sessions_csrf_token(app, client, tus):
    assert client.post("/uploads/", headers={**TUS, "Upload-Length": "10"}).status_code == 403
    stranger = app.test_client()
    foreign = csrf_token_of(stranger, "/submit")
    answer = client.post(
        "/uploads/", headers={**TUS, "Upload-Length": "10", "X-CSRFToken": foreign}
    )
    assert answer.status_code == 403
    assert count_rows(Upload) == 0


def test_without_csrf_protection_creation_needs_no_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=False)
    app.test_client_class = IsolatedClient
    response = app.test_client().post("/uploads/", headers={**TUS, "Upload-Length": "10"})
    assert response.status_code == 201


def test_metadata_keeps_an_image_type_and_never_a_file_name(tus):
    def meta(**values: str) -> str:
        return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())

    tus.start(
        10, **{"Upload-Metadata": meta(filename="me-at-the-rally.jpg", filetype="image/jpeg")}
    )
    tus.start(10, **{"Upload-Metadata": meta(filetype="text/html", name="x.html")})
    tus.start(10, **{"Upload-Metadata": "filetype !!notbase64, is_confidential"})
    db.session.commit()
    rows = db.session.scalars(select(Upload).order_by(Upload.id)).all()
    assert [row.filetype for row in rows] == ["image/jpeg", None, None]
    dumped = repr([(r.token_hash, r.filetype, r.length) for r in rows])
    assert "rally" not in dumped and "x.html" not in dumped


def test_an_unknown_id_is_404(client, tus):
    for url in ("/uploads/" + "u" * 43, "/uploads/x", "/uploads/x%00y", "/uploads/" + "u" * 500):
        assert tus.head(url).status_code == 404
        assert tus.patch(url, 0, b"x").status_code == 404
        assert client.delete(url, headers=TUS).status_code == 404


def test_delete_ends_an_upload_and_its_bytes(client, tus):
    url = tus.start(100)
    assert tus.patch(url, 0, b"a" * 50).status_code == 204
    response = client.delete(url, headers=TUS)
    assert response.status_code == 204
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert parts_and_uploads() == (0, 0)
    assert tus.head(url).status_code == 404
    assert client.delete(url, headers=TUS).status_code == 404


def expire_all() -> None:
    past = utcnow() - timedelta(seconds=1)
    db.session.execute(update(Upload).values(created_at=past - timedelta(days=1), expires_at=past))
    db.session.commit()


def test_an_expired_upload_is_never_served_and_purge_deletes_it(app, runner, tus):
    url = tus.upload(png_bytes())
    other = tus.start(100)
    assert tus.patch(other, 0, b"a" * 30).status_code == 204
    expire_all()
    assert tus.head(url).status_code == 404
    assert tus.patch(other, 30, b"b" * 10).status_code == 404
    with pytest.raises(uploads.UploadMissing):
        uploads.take_upload(id_of(url))
    assert parts_and_uploads() != (0, 0)  # still there, never served
    result = runner.invoke(args=["purge", "--older-than", "90d"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 expired uploads." in result.output
    assert parts_and_uploads() == (0, 0)


def test_no_backup_holds_a_staged_upload(runner, tus, tmp_path):
    """A staged upload is a file as its sender sent it (GPS and all): never in a backup."""
    secret = b"GPS-SECRET-" * 300
    tus.upload(secret)
    tus.start(100)
    dest = tmp_path / "backup"
    result = runner.invoke(args=["backup", str(dest)])
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(dest / "gallery.sqlite3")
    try:
        counts = [copy.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]
    finally:
        copy.close()
    assert counts == [0, 0]
    assert b"GPS-SECRET-" not in (dest / "gallery.sqlite3").read_bytes()
    assert parts_and_uploads() == (2, 4)  # the live ones stay


def test_a_new_upload_deletes_the_expired_ones(tus):
    tus.upload(b"x" * 3000)
    expire_all()
    tus.start(10)
    assert parts_and_uploads() == (1, 0)


def test_a_patch_cut_in_the_middle_keeps_what_arrived(app, client, tus, monkeypatch):
    """A phone losing its connection mid-PATCH: the body ends before its Content-Length.
    Every block that arrived is kept; HEAD says where to resume; the rest completes it."""
    monkeypatch.setattr(uploads, "BLOCK_BYTES", 1000)
    data = bytes(range(256)) * 20  # 5120 bytes
    url = tus.start(len(data))
    sent = 2500  # two whole blocks and half of a third
    response = client.patch(
        url,
        input_stream=io.BytesIO(data[:sent]),
        content_type=OCTETS,
        headers={**TUS, "Upload-Offset": "0"},
        # The length the client declared (the test client would count the stream's).
        environ_overrides={"CONTENT_LENGTH": str(len(data))},
    )
    assert response.status_code == 400
    assert tus.head(url).headers["Upload-Offset"] == str(sent)
    assert count_rows(UploadPart) == 3
    assert tus.patch(url, sent, data[sent:]).status_code == 204
    db.session.commit()  # (the test's own snapshot ends: it sees the last PATCH)
    with uploads.take_upload(id_of(url)) as stream:
        assert stream.read() == data


def test_take_upload_refuses_an_incomplete_upload(tus):
    url = tus.start(100)
    tus.patch(url, 0, b"a" * 99)
    with pytest.raises(uploads.UploadMissing):
        uploads.take_upload(id_of(url))
    with pytest.raises(uploads.UploadMissing):
        uploads.take_upload("u" * 43)


def test_creation_is_rate_limited(app_factory):
    app = app_factory(UPLOAD_RATE_LIMIT="2 per hour")
    app.test_client_class = IsolatedClient
    client = app.test_client()
    token = csrf_token_of(client, "/submit")
    headers = {**TUS, "Upload-Length": "10", "X-CSRFToken": token}
    assert [client.post("/uploads/", headers=headers).status_code for _ in range(3)] == [
        201,
        201,
        429,
    ]


def test_uploads_together_reserve_at_most_the_staged_bytes(app_factory):
    app = app_factory(UPLOAD_STAGED_BYTES=1000)
    app.test_client_class = IsolatedClient
    client = app.test_client()
    token = csrf_token_of(client, "/submit")

    def create(length: int) -> int:
        headers = {**TUS, "Upload-Length": str(length), "X-CSRFToken": token}
        return client.post("/uploads/", headers=headers).status_code

    assert create(600) == 201
    assert create(500) == 503
    assert create(400) == 201
    with app.app_context():
        assert count_rows(Upload) == 2


# ---- the submission form takes an upload ----


def form_with_upload(client, upload_id: str, **fields):
    return post(client, form_data(client, None, upload=upload_id, **fields))


def only_work() -> Work:
    db.session.commit()
    return db.session.scalars(select(Work)).one()


def test_the_form_takes_a_complete_upload_and_drops_it(app, client, tus):
    url = tus.upload(jpeg_with_gps())
    response = form_with_upload(client, id_of(url))
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/submissions/")
    work = only_work()
    assert work.status == WorkStatus.PENDING and work.width == 400
    assert parts_and_uploads() == (0, 0)
    media = store(app)
    large = media.path(work.image_key, work.renditions["large"]["files"]["jpeg"]).read_bytes()
    assert_clean_bytes(large, "jpeg")


def test_a_form_sent_back_keeps_a_plain_file_for_the_next_attempt(app, client):
    image = png_bytes((160, 120), "#aa3311")
    response = post(client, form_data(client, image, alt_text=""))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert FIXED in html
    assert "Your image is kept for 24 hours: " + KEPT in html
    assert AGAIN not in html
    assert count_rows(Work) == 0
    row = db.session.scalars(select(Upload)).one()
    assert row.complete and row.length == len(image)
    kept = html.split('name="upload" type="hidden" value="', 1)[1].split('"', 1)[0]
    assert len(kept) >= 43
    # The second attempt: the words fixed, no file, the kept image's id.
    data = form_data(client, None, upload=kept)
    data["csrf_token"] = csrf_from(html)
    response = post(client, data)
    assert response.status_code == 303
    work = only_work()
    assert (work.width, work.height) == (160, 120)
    assert parts_and_uploads() == (0, 0)


def test_a_file_chosen_again_wins_over_the_kept_one(app, client, tus):
    url = tus.upload(png_bytes((90, 60)))
    response = post(client, form_data(client, png_bytes((50, 40)), upload=id_of(url)))
    assert response.status_code == 303
    assert (only_work().width, only_work().height) == (50, 40)
    assert parts_and_uploads() == (0, 0)  # the kept one went too


def test_a_form_sent_back_without_a_file_asks_for_it_again(client):
    response = post(client, form_data(client, None, alt_text=""))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please choose an image file." in html
    assert AGAIN in html and KEPT not in html
    assert count_rows(Upload) == 0


@pytest.mark.parametrize("how", ["unknown", "expired", "incomplete"])
def test_an_upload_that_is_gone_is_a_polite_400(client, tus, how):
    upload_id = "u" * 43
    if how == "expired":
        upload_id = id_of(tus.upload(png_bytes()))
        expire_all()
    elif how == "incomplete":
        url = tus.start(1000)
        tus.patch(url, 0, b"x" * 10)
        upload_id = id_of(url)
    response = form_with_upload(client, upload_id)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The image you sent earlier is no longer kept on the server." in html
    assert KEPT not in html
    assert 'name="upload" type="hidden" value=""' in html
    assert count_rows(Work) == 0


def test_a_refused_image_drops_its_upload(client, tus):
    url = tus.upload(b"just some text\n" * 100)
    response = form_with_upload(client, id_of(url))
    assert response.status_code == 400
    assert "The image could not be accepted." in response.get_data(as_text=True)
    assert parts_and_uploads() == (0, 0)
    assert count_rows(Work) == 0


def test_an_upload_uses_none_of_the_submit_budget(app_factory):
    app = app_factory(SUBMIT_RATE_LIMIT="1 per hour")
    app.test_client_class = IsolatedClient
    client = app.test_client()
    token = csrf_token_of(client, "/submit")
    for _ in range(3):
        headers = {**TUS, "Upload-Length": "10", "X-CSRFToken": token}
        assert client.post("/uploads/", headers=headers).status_code == 201
    with app.app_context():
        data = form_data(client, png_bytes(), alt_text="")
        assert post(client, data).status_code == 400  # kept, not counted
        assert post(client, form_data(client, png_bytes())).status_code == 303


# ---- tuspy, an independent client, against a real server ----


@pytest.fixture
def served(app) -> Iterator[str]:
    """The app served on a free loopback port by a threaded Werkzeug server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="tus-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_tuspy_completes_an_upload_and_the_form_takes_it(app, served):
    client_module = pytest.importorskip("tusclient.client")
    import requests

    browser = requests.Session()
    page = browser.get(f"{served}/submit", timeout=10)
    assert page.status_code == 200
    token = csrf_from(page.text)
    cookie = SimpleCookie()
    for name, value in browser.cookies.items():
        cookie[name] = value
    cookies = "; ".join(f"{name}={morsel.value}" for name, morsel in cookie.items())

    image = jpeg_with_gps((640, 480))
    tus = client_module.TusClient(
        f"{served}/uploads/", headers={"X-CSRFToken": token, "Cookie": cookies}
    )
    uploader = tus.uploader(
        file_stream=io.BytesIO(image), chunk_size=4096, metadata={"filetype": "image/jpeg"}
    )
    uploader.upload()
    assert uploader.offset == len(image)
    upload_id = id_of(uploader.url)
    db.session.commit()
    assert db.session.scalars(select(Upload)).one().filetype == "image/jpeg"
    assert count_rows(UploadPart) == -(-len(image) // 4096)

    fields = form_data(app.test_client(), None, upload=upload_id, csrf_token=token)
    response = browser.post(f"{served}/submit", data=fields, allow_redirects=False, timeout=30)
    assert response.status_code == 303, response.text[:2000]
    work = only_work()
    assert (work.width, work.height) == (640, 480)
    assert parts_and_uploads() == (0, 0)
    media = store(app)
    for name in media.files(work.image_key):
        data = media.path(work.image_key, name).read_bytes()
        assert b"PhoneMaker" not in data
        assert_clean_bytes(
            data, {"jpg": "jpeg"}.get(name.rpartition(".")[2], name.rpartition(".")[2])
        )


def test_a_connection_dropped_mid_patch_over_a_socket_keeps_what_arrived(served, tus, monkeypatch):
    """The same cut over a real socket: the client sends part of its body and stops
    writing; the server keeps every block that arrived and says so."""
    monkeypatch.setattr(uploads, "BLOCK_BYTES", 1000)
    data = bytes(range(256)) * 20
    url = tus.start(len(data))
    sent = 3500
    where = urlsplit(served)
    with socket.create_connection((where.hostname, where.port), timeout=10) as conn:
        head = (
            f"PATCH {url} HTTP/1.1\r\nHost: {where.netloc}\r\nTus-Resumable: 1.0.0\r\n"
            f"Upload-Offset: 0\r\nContent-Type: {OCTETS}\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
        )
        conn.sendall(head.encode() + data[:sent])
        conn.shutdown(socket.SHUT_WR)  # the phone's connection drops here
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400")
    assert f"Upload-Offset: {sent}".encode() in answer
    db.session.commit()
    assert tus.head(url).headers["Upload-Offset"] == str(sent)
    assert tus.patch(url, sent, data[sent:]).status_code == 204
    db.session.commit()
    with uploads.take_upload(id_of(url)) as stream:
        assert stream.read() == data
