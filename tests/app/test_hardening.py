"""What a hostile review of the running gallery found (issue 12), one finding a section."""

from __future__ import annotations

import errno
import os
import re
import sqlite3
import stat
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import select

from gallery import create_app
from gallery.commands.backup import backup
from gallery.extensions import db
from gallery.media import media_store
from gallery.models import Moderator, Work, WorkStatus
from helpers import (
    MODERATOR_PASSWORD,
    IsolatedClient,
    approving,
    csrf_token_of,
    form_data,
    fresh,
    log_in,
    multipart,
    png_bytes,
    post,
    saved,
)


def submit(client, **overrides) -> tuple[str, Work]:
    response = post(client, form_data(client, png_bytes(), **overrides))
    assert response.status_code == 303
    fresh()
    return response.headers["Location"], newest()


def newest() -> Work:
    fresh()
    return db.session.scalars(select(Work).order_by(Work.id.desc()).limit(1)).one()


# ---- referrers: a receipt's address holds its token ----


def test_private_pages_send_no_referrer(app, client, moderator):
    url, work = submit(client)
    assert client.get(url).headers["Referrer-Policy"] == "no-referrer"
    assert client.get(f"/moderation/works/{work.id}").headers["Referrer-Policy"] == "no-referrer"
    # Public pages keep same-origin for visitors (their addresses hold nothing secret).
    assert app.test_client().get("/works").headers["Referrer-Policy"] == "same-origin"


def test_a_receipt_form_works_over_https_without_a_referer(client):
    """With no Referer sent from a private page, Flask-WTF's SSL-strict check would refuse
    every form there over HTTPS; the CSRF token still protects it."""
    https = {"base_url": "https://localhost"}
    url, _ = submit(client)
    token = csrf_token_of(client, url, **https)
    assert (
        client.post(
            url + "/withdraw", data={"csrf_token": token, "confirm": "y"}, **https
        ).status_code
        == 303
    )
    assert newest().status == WorkStatus.WITHDRAWN
    # And a forged one is still refused.
    url, _ = submit(client)
    assert client.post(url + "/withdraw", data={"confirm": "y"}, **https).status_code == 400
    assert newest().status == WorkStatus.PENDING


# ---- a logged-in moderator's pages are never cached ----


def test_every_page_a_moderator_sees_is_no_store(client, moderator, make_work):
    work = make_work()
    for path in ("/", "/works", f"/works/{work.public_id}", "/submit", "/account/password"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store", path


def test_anonymous_public_pages_stay_cacheable_by_the_browser(client, make_work):
    work = make_work()
    assert "no-store" not in client.get(f"/works/{work.public_id}").headers.get("Cache-Control", "")


# ---- limits that hold across workers and addresses ----


def test_two_workers_share_the_submission_limit(app_factory):
    """Two app objects on one instance folder stand for two gunicorn workers: each had its
    own memory store, and a limit of 3 let 6 through."""
    first = app_factory(SUBMIT_RATE_LIMIT="3 per hour")
    second = app_factory(SUBMIT_RATE_LIMIT="3 per hour")
    assert first.config["RATELIMIT_STORAGE_URI"].startswith("gallery-sqlite://")
    answers = []
    for app in (first, second, first, second):
        app.test_client_class = IsolatedClient
        with app.app_context():
            client = app.test_client()
            answers.append(post(client, form_data(client, png_bytes())).status_code)
    assert answers == [303, 303, 303, 429]


def test_the_limiter_logs_no_key_of_the_client(app_factory, caplog):
    """Flask-Limiter logged "ratelimit 1 per 1 hour (<keyed hash of the address>) exceeded":
    a stable pseudonym of the client, in every log that keeps INFO lines."""
    from gallery.web.limits import client_key

    app = app_factory(SUBMIT_RATE_LIMIT="1 per hour")
    app.test_client_class = IsolatedClient
    caplog.set_level("INFO")
    with app.app_context():
        client = app.test_client()
        assert post(client, form_data(client, png_bytes())).status_code == 303
        assert post(client, form_data(client, png_bytes())).status_code == 429
        with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            key = client_key()
    exceeded = [r.getMessage() for r in caplog.records if r.name == "flask-limiter"]
    assert exceeded == ["rate limit 1 per 1 hour exceeded at submit.submit"]
    assert key not in caplog.text and "127.0.0.1" not in caplog.text


def test_ipv6_clients_are_counted_by_their_64(app_factory):
    app = app_factory(SUBMIT_RATE_LIMIT="2 per hour")
    app.test_client_class = IsolatedClient

    def send(addr: str) -> int:
        client = app.test_client()
        body, content_type = multipart(form_data(client, png_bytes()))
        return client.post(
            "/submit", data=body, content_type=content_type, environ_base={"REMOTE_ADDR": addr}
        ).status_code

    with app.app_context():
        assert send("2001:db8:1:2::1") == 303
        assert send("2001:db8:1:2:ffff:1:2:3") == 303
        assert send("2001:db8:1:2::99") == 429  # the same /64, another address
        assert send("2001:db8:1:3::1") == 303  # the next /64 is someone else


def _attempt(client, username: str, password: str, addr: str):
    return log_in(client, username, password, environ_base={"REMOTE_ADDR": addr})


def _held_back(response) -> bool:
    """Past the per-name limit a try is not refused but held back until the browser has
    solved the challenge (tests/app/test_limits.py solves one): the password is not checked."""
    return response.status_code == 200 and "solve a small anti-spam puzzle" in response.get_data(
        as_text=True
    )


def test_guesses_from_many_addresses_do_not_lock_the_moderator_out(
    app_factory, moderator_password_hash
):
    app = app_factory(LOGIN_ACCOUNT_RATE_LIMIT="3 per hour")
    with app.app_context():
        saved(Moderator(username="alice", password_hash=moderator_password_hash))
    alice = app.test_client()
    assert _attempt(alice, "alice", MODERATOR_PASSWORD, "10.0.0.1").status_code == 303
    alice.post("/logout", data={"csrf_token": csrf_token_of(alice, "/moderation/")})
    attacker = app.test_client()
    for n in range(3):
        assert _attempt(attacker, "alice", f"guess {n}", f"10.9.0.{n}").status_code == 200
    # A new browser is held back by the per-name limit, even with the right password...
    assert _held_back(_attempt(app.test_client(), "alice", MODERATOR_PASSWORD, "10.9.0.50"))
    # ...but the browser Alice logged in with before is not.
    assert _attempt(alice, "alice", MODERATOR_PASSWORD, "10.0.0.1").status_code == 303


def test_a_device_cookie_cannot_be_forged_or_borrowed(app_factory, moderator_password_hash):
    app = app_factory(LOGIN_ACCOUNT_RATE_LIMIT="2 per hour")
    with app.app_context():
        saved(Moderator(username="alice", password_hash=moderator_password_hash))
        saved(Moderator(username="mallory", password_hash=moderator_password_hash))
    mallory = app.test_client()
    assert _attempt(mallory, "mallory", MODERATOR_PASSWORD, "10.0.0.7").status_code == 303
    mallory.post("/logout", data={"csrf_token": csrf_token_of(mallory, "/moderation/")})
    for n in range(2):
        assert _attempt(app.test_client(), "alice", f"guess {n}", f"10.8.0.{n}").status_code == 200
    # Mallory's own device cookie names mallory only; a forged one is ignored.
    assert _held_back(_attempt(mallory, "alice", "guess 3", "10.0.0.7"))
    forged = app.test_client()
    forged.set_cookie("known_device", "W10.forged", path="/login")
    assert _held_back(_attempt(forged, "alice", "guess 4", "10.8.0.9"))


def test_one_client_guessing_one_name_is_stopped_without_stopping_others(
    app_factory, moderator_password_hash
):
    app = app_factory(LOGIN_PAIR_RATE_LIMIT="3 per minute")
    with app.app_context():
        saved(Moderator(username="alice", password_hash=moderator_password_hash))
    client = app.test_client()
    for n in range(3):
        assert _attempt(client, "alice", f"guess {n}", "10.7.0.1").status_code == 200
    assert _attempt(client, "alice", MODERATOR_PASSWORD, "10.7.0.1").status_code == 429
    assert _attempt(client, "bob", "guess", "10.7.0.1").status_code == 200  # another name
    assert _attempt(app.test_client(), "alice", MODERATOR_PASSWORD, "10.7.0.2").status_code == 303


# ---- what a seized disk finds: files only their owner can read ----


def test_database_files_are_readable_by_their_owner_only(tmp_path):
    instance = tmp_path / "own"
    old = os.umask(0o022)  # a usual umask: files would be readable by everyone
    try:
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "k"}, environ={"GALLERY_INSTANCE": str(instance)}
        )
        with app.app_context():
            db.create_all()
            saved(Moderator(username="x", password_hash="y"))
            files = {
                p.name: stat.S_IMODE(p.stat().st_mode)
                for p in instance.iterdir()
                if p.name.startswith(("gallery.sqlite3", "ratelimits"))
            }
            report = backup(db.engine, db.metadata, media_store, instance, tmp_path / "copy")
            db.session.remove()
            db.engine.dispose()
    finally:
        os.umask(old)
    assert report.works_copied == 0
    assert {
        "gallery.sqlite3",
        "gallery.sqlite3-wal",
        "gallery.sqlite3-shm",
        "ratelimits.sqlite3",
    } <= set(files)
    assert set(files.values()) == {0o600}, files
    assert stat.S_IMODE((tmp_path / "copy" / "gallery.sqlite3").stat().st_mode) == 0o600


# ---- nothing escapes: even a failing error page answers with our headers ----


def test_a_failing_error_page_still_answers_politely_and_logs_no_token(
    app, client, caplog, monkeypatch
):
    from gallery.web.errors import failures, pages

    url, _ = submit(client)
    token = url.rsplit("/", 1)[1]

    def broken(*args, **kwargs):
        raise RuntimeError(f"a bug that quotes {token}")

    # The receipt view fails, and so does the error page meant to explain it.
    monkeypatch.setitem(app.view_functions, "submit.receipt", broken)
    monkeypatch.setattr(pages, "render_template", broken)
    monkeypatch.setattr(failures, "_last_traceback", {})
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    caplog.set_level("INFO")
    responses = [client.get(url) for _ in range(3)]
    for response in responses:
        assert response.status_code == 500
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "Nothing you did caused this" in response.get_data(as_text=True)
    assert token not in caplog.text
    failures = [r for r in caplog.records if r.levelname == "ERROR"]
    # The first failure has its stack; the repeats within the minute take one line each.
    assert "Traceback" not in caplog.text and "test_hardening.py" in failures[0].getMessage()
    assert all("\n" not in r.getMessage() for r in failures[2:])


# ---- a description cannot make a page slow: it is rendered once, when saved ----


def test_pages_never_parse_an_artists_markdown(app, client, moderator, monkeypatch):
    from gallery.core import text

    hostile = "[" * 5000
    url, work = submit(client, description=hostile)
    assert work.description == hostile and work.description_html.startswith("<p>[[[[")
    work.status = WorkStatus.APPROVED
    work.published_at = work.submitted_at
    db.session.commit()
    parsed = []
    monkeypatch.setattr(
        text.cmark,
        "markdown_to_html_with_extensions",
        lambda source, **kw: parsed.append(source) or "",
    )
    text.render_markdown.cache_clear()
    for path in (
        f"/works/{work.public_id}",
        "/feed.atom",
        f"/moderation/works/{work.id}",
        "/moderation/published",
        url,
    ):
        assert client.get(path).status_code == 200, path
    assert parsed == []


# ---- hosts: an address built from the Host header must not lead elsewhere ----


def test_a_slash_redirect_never_names_the_clients_host(client):
    response = client.get("/moderation?x=1", headers={"Host": "evil.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == "/moderation/?x=1"


@pytest.mark.parametrize("setting", [["gallery.example"], "gallery.example, .mirror.example"])
def test_trusted_hosts_refuse_any_other_host(app_factory, setting):
    app = app_factory(TRUSTED_HOSTS=setting)
    client = app.test_client()
    refused = client.get("/works", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert "This request could not be understood" in refused.get_data(as_text=True)
    assert "evil.example" not in refused.get_data(as_text=True)
    assert client.get("/works", headers={"Host": "gallery.example"}).status_code == 200
    if isinstance(setting, str):
        assert client.get("/works", headers={"Host": "www.mirror.example"}).status_code == 200


def test_trusted_hosts_from_the_environment(app_factory, monkeypatch):
    monkeypatch.setenv("TRUSTED_HOSTS", "gallery.example,localhost")
    app = app_factory()
    assert app.config["TRUSTED_HOSTS"] == ["gallery.example", "localhost"]


# ---- the database under contention, the disk when full ----


def media_files(app) -> set[str]:
    root = Path(app.config["MEDIA_ROOT"])
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="the SQLite write lock")
def test_an_upload_while_the_database_is_locked_is_503_and_leaves_nothing(app, client, monkeypatch):
    from gallery.core import database

    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 50)
    db.engine.dispose()  # new connections take the short timeout
    before = media_files(app)
    other = sqlite3.connect(db.engine.url.database)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        response = post(client, form_data(client, png_bytes()))
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "busy" in response.get_data(as_text=True)
    assert media_files(app) == before and not list(
        (Path(app.config["MEDIA_ROOT"]) / "staging").glob("*")
    )
    fresh()
    assert db.session.scalars(select(Work)).all() == []


@pytest.mark.parametrize("errno_", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_is_507_leaves_nothing_and_the_site_keeps_serving(
    app, client, make_work, monkeypatch, errno_
):
    from gallery.media import local as storage

    earlier = make_work(title="Already accepted")
    before = media_files(app)

    def full(*args, **kwargs):
        raise OSError(errno_, os.strerror(errno_))

    monkeypatch.setattr(storage.os, "fsync", full)
    response = post(client, form_data(client, png_bytes(), title="Too late"))
    assert response.status_code == 507
    assert "no room left" in response.get_data(as_text=True)
    assert media_files(app) == before
    fresh()
    assert [w.title for w in db.session.scalars(select(Work))] == ["Already accepted"]
    monkeypatch.undo()
    assert client.get(f"/works/{earlier.public_id}").status_code == 200
    assert post(client, form_data(client, png_bytes())).status_code == 303


# ---- e-mail addresses: strict, and linked with encoding ----


@pytest.mark.parametrize(
    "address",
    [
        "a?cc=x&subject=hi@example.org",
        "a&b@example.org",
        "x%0d%0abcc=y@example.org",
        'a"b"@example.org',
    ],
)
def test_addresses_that_could_forge_a_mailto_link_are_refused(client, address):
    response = post(client, form_data(client, png_bytes(), email=address))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "only letters, digits and . _ + - before the @" in page or "valid e-mail address" in page
    fresh()
    assert db.session.scalars(select(Work)).all() == []


@pytest.mark.parametrize(
    "address", ["mira.k+art@example.org", "мира@пример.рф", "o_neil-2@example.org"]
)
def test_ordinary_addresses_in_any_script_are_accepted(client, address):
    assert post(client, form_data(client, png_bytes(), email=address)).status_code == 303


def test_the_moderators_mailto_link_is_encoded(client, moderator, make_work):
    work = make_work(status=WorkStatus.PENDING)
    work.contact_email = "a?cc=x&subject=hi@example.org"  # an old row, from before the check
    db.session.commit()
    page = client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    assert 'href="mailto:a%3Fcc%3Dx%26subject%3Dhi@example.org"' in page
    assert "mailto:a?cc" not in page


# ---- text that is text, but hostile ----

HIDDEN = "\x00\x07\x1b\u202e\u2066\u200b\ufeff\x85"


def test_every_form_of_the_gallery_cleans_its_text_fields():
    """Each form class derives from GalleryForm, whose fields all clean what they get."""
    import inspect

    from flask_wtf import FlaskForm

    from gallery.moderation import auth
    from gallery.moderation import forms as moderation_forms
    from gallery.public import forms as public_forms
    from gallery.web import forms as web_forms
    from gallery.web.forms import GalleryForm

    found = [
        cls
        for module in (public_forms, moderation_forms, auth, web_forms)
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, FlaskForm) and cls.__module__ == module.__name__
    ]
    assert len(found) >= 9
    assert [cls.__name__ for cls in found if not issubclass(cls, GalleryForm)] == []


def test_hidden_characters_are_stripped_and_text_normalised(client):
    title = f"Sun{HIDDEN} behind bars"
    response = post(
        client,
        form_data(
            client,
            png_bytes(),
            title=title,
            display_name="Cafe\u0301\u202e",
            description="A line\r\nanother\x00 one",
        ),
    )
    assert response.status_code == 303
    work = newest()
    assert work.title == "Sun behind bars"
    assert work.display_name == "Café" and len(work.display_name) == 4  # NFC: one é
    assert work.description == "A line\nanother one"


def test_a_field_of_nothing_but_hidden_characters_is_empty(client):
    response = post(client, form_data(client, png_bytes(), title=HIDDEN))
    assert response.status_code == 400
    assert "Please correct the fields marked below." in response.get_data(as_text=True)
    fresh()
    assert db.session.scalars(select(Work)).all() == []


def test_a_nul_in_a_report_or_a_rejection_is_not_a_500(client, moderator, make_work):
    """On PostgreSQL a NUL in a text parameter is an error of the driver: a 500 before."""
    public = make_work()
    token = csrf_token_of(client, f"/works/{public.public_id}/report")
    response = client.post(
        f"/works/{public.public_id}/report",
        data={"csrf_token": token, "category": "other", "text": "bad\x00 thing"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/reports/thanks"
    pending = make_work(status=WorkStatus.PENDING)
    token = csrf_token_of(client, f"/moderation/works/{pending.id}")
    response = client.post(
        f"/moderation/works/{pending.id}/reject",
        data={"csrf_token": token, "reason": "No\x00 thanks, \u202eplease"},
    )
    assert response.status_code == 303
    fresh()
    assert db.session.get(Work, pending.id).rejection_reason == "No thanks, please"


# ---- Unicode non-characters: stripped from forms, harmless in Markdown, never in XML ----

NONCHARACTER_REFERENCES = [
    "&#xFFFF;",
    "&#xfffe;",
    "&#65535;",
    "&#65534;",
    "&#X0000FFFF;",
    "&#00065535;",
]


@pytest.mark.parametrize("reference", NONCHARACTER_REFERENCES)
def test_a_reference_to_a_noncharacter_in_a_description_is_not_a_500(client, reference):
    """cmark-gfm wrote U+FFFE and U+FFFF out as bytes its binding could not decode."""
    response = post(client, form_data(client, png_bytes(), description=f"Hello {reference} world"))
    assert response.status_code == 303
    assert newest().description_html == "<p>Hello \ufffd world</p>"


def test_a_profile_with_a_noncharacter_reference_still_renders(client, make_prisoner):
    prisoner = make_prisoner(letter_guidance="Write &#xFFFF; here", story="A &#65534; story")
    page = client.get(f"/prisoners/{prisoner.slug}")
    assert page.status_code == 200
    assert "Write \ufffd here" in page.get_data(as_text=True)
    with client.get(f"/prisoners/{prisoner.slug}/flyer.pdf") as flyer:
        assert (flyer.status_code, flyer.mimetype) == (200, "application/pdf")


def test_noncharacters_are_stripped_from_every_field(client):
    response = post(
        client,
        form_data(
            client,
            png_bytes(),
            title="Probe \uffff\ufffe\ufdd0\U0010ffffend",
            alt_text="Alt \U0001fffetext",
        ),
    )
    assert response.status_code == 303
    assert (newest().title, newest().alt_text) == ("Probe end", "Alt text")


def test_feeds_and_the_sitemap_stay_xml_whatever_a_title_holds(client, moderator, make_work):
    """A title approved with U+FFFF made /feed.atom unreadable to every strict reader; a row
    saved before the cleaner knew non-characters still holds one, so the feed drops it."""
    submit(client, title="Probe \uffff")
    pending = newest()
    response = client.post(
        f"/moderation/works/{pending.id}/approve", data=approving(moderator, pending.id)
    )
    assert response.status_code == 303
    make_work(title="Older \uffff\x0b row")
    client.post("/logout", data={"csrf_token": moderator})
    feed = ET.fromstring(client.get("/feed.atom").get_data())
    titles = {e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")}
    assert {"Probe", "Older  row"} <= titles
    assert ET.fromstring(client.get("/sitemap.xml").get_data()).tag.endswith("urlset")


# ---- many big uploads: beyond what the host can decode at once, a 503 ----


def test_an_upload_beyond_the_hosts_decode_slots_is_503_and_leaves_nothing(app_factory):
    from gallery.media.slots import decode_slot

    app = app_factory(DECODE_SLOTS=1)
    app.test_client_class = IsolatedClient
    with app.app_context():
        client = app.test_client()
        data = form_data(client, png_bytes())
        before = media_files(app)
        # Another worker is decoding: the only slot is taken.
        with decode_slot(Path(app.instance_path) / "slots", 1):
            response = post(client, data)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        assert "Many images are being processed right now. Nothing was kept." in response.get_data(
            as_text=True
        )
        assert media_files(app) == before
        fresh()
        assert db.session.scalars(select(Work)).all() == []
        assert post(client, form_data(client, png_bytes())).status_code == 303  # slot free again


def test_a_worker_gives_back_the_memory_of_each_big_upload(tmp_path):
    """Without a fixed mmap threshold, glibc keeps the freed image blocks on the heap after
    the first upload and the worker grows with the next ones (measured 162 -> 190 MB over
    four 12 MP uploads; 112 -> 114 MB with it)."""
    import subprocess
    import sys

    script = """
import io, re
from PIL import Image
from gallery import create_app, images
create_app()  # what a gunicorn worker runs before its first request
def rss():
    return int(re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024
im = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
buf = io.BytesIO()
im.save(buf, "JPEG", quality=90)
del im
after = []
for _ in range(4):
    images.process(io.BytesIO(buf.getvalue()))
    after.append(rss())
print(*after)
"""
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the resident size from /proc")
    env = {**os.environ, "GALLERY_INSTANCE": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    first, *_, last = [int(mb) for mb in out.stdout.split()]
    assert last - first <= 8, out.stdout


def test_decode_slots_are_shared_between_processes(tmp_path):
    """flock locks are per open file: a second process sees the slot as taken."""
    import subprocess
    import sys

    from gallery.media.slots import NoSlot, decode_slot

    script = (
        "import sys, pathlib; from gallery.media.slots import decode_slot;\n"
        "with decode_slot(pathlib.Path(sys.argv[1]), 1):\n"
        "    print('held', flush=True); sys.stdin.readline()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(NoSlot):
            with decode_slot(tmp_path, 1, wait=0.1):
                pass
    finally:
        holder.communicate("\n", timeout=30)
    with decode_slot(tmp_path, 1, wait=0.1) as n:  # the holder is gone: the slot is free
        assert n == 0


# ---- gunicorn's own log lines hold no token and no address ----


@pytest.mark.slow
def test_gunicorn_logs_no_request_line_for_a_request_it_refuses(tmp_path):
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "GALLERY_INSTANCE": str(tmp_path / "instance"), "FLASK_SECRET_KEY": "k"}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:gallery.gunicorn_conf",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "gallery:create_app()",
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    token = "Tok3nThatMustNotBeLogged"
    try:
        for line in server.stderr:  # wait for the worker
            if "Booting worker" in line:
                break
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.05)
        with conn:
            conn.sendall(f"GET /submissions/{token}\x01 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            answer = conn.recv(1000).decode("latin-1")
    finally:
        server.terminate()
        logged = server.communicate(timeout=30)[1]
    assert answer.startswith("HTTP/1.1 400")
    assert "invalid request refused (details withheld)" in logged
    assert token not in logged and "ip=127.0.0.1" not in logged


# ---- no address can make any page fail ----

HOSTILE_QUERIES = [
    "endpoint=1",
    "_method=POST",
    "_scheme=x&_external=",
    "_anchor=x",
    "lang=xx",
    "lang=%00",
    "page=%C2%B2",
    "page=-1",
    "page=99999999999999999999",
    "page=%D9%A3",
    "page=1e9",
    "after=1-9999999999999999999",
    "before=1-9999999999999999999",
    "after=%00",
    "before=x",
    "after=" + "9" * 400,
    "q=%00",
    "q=" + "a" * 10000,
    "x=" + "%FF" * 50,
    "prisoner=%00&campaign=%00&tag=%00",
    "tag=" + "é" * 3000,
    "size=a9",
    "interval=1e999",
    "format=%00",
    "%00=%00",
    "q=%22*%20OR%20NEAR(",
    "prisoner=" + "x" * 10000,
]


@pytest.mark.slow
@pytest.mark.parametrize("as_moderator", [False, True], ids=["visitor", "moderator"])
def test_every_get_route_survives_hostile_query_strings(
    app, client, make_work, make_prisoner, make_moderator, login, as_moderator
):
    """Every GET rule of the url_map, as a visitor and as a moderator (two tests, so that
    xdist runs them side by side), with reserved names (endpoint, _external, _method), huge
    and non-ASCII numbers, NUL and 10,000 characters."""
    from gallery.models import Campaign

    prisoner = make_prisoner(name="Ada")
    campaign = saved(Campaign(slug="rally", title="Rally"))
    work = make_work(prisoners=(prisoner,), campaign_id=campaign.id)
    pending = make_work(status=WorkStatus.PENDING)
    url, _ = submit(client)
    values = {
        "slug": prisoner.slug,
        "public_id": work.public_id,
        "work_id": pending.id,
        "id": pending.id,
        "key": work.image_key,
        "filename": "thumb.webp",
        "lang": "fr",
        "token": url.rsplit("/", 1)[1],
    }
    failures, seen = {}, 0
    if as_moderator:
        fresh()
        make_moderator("walker")
        assert login("walker").status_code == 303
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(values.get(arg, "1")), path)
        for query in HOSTILE_QUERIES:
            seen += 1
            with client.get(f"{path}?{query}") as response:
                if response.status_code >= 500:
                    failures[f"{path}?{query[:40]}"] = response.status_code
    assert seen > 20 * len(HOSTILE_QUERIES)
    assert failures == {}


# ---- what stays behind when an artist leaves ----

SECRET_TITLE = "Portrait of my neighbour Quillon"
SECRET_EMAIL = "quillon.artist@example.org"


# What a withdrawn or rejected work forgets: the title and alt text become "", the rest None.
FORGOTTEN = (
    "description",
    "description_html",
    "display_name",
    "contact_email",
    "text_locale",
    "notify_token",
    "image_sha256",
    "image_bytes",
    "width",
    "height",
    "image_format",
    "face_suggestions",
    "image_key",
    "renditions",
)


def _left_of(work: Work) -> dict:
    return {name: getattr(work, name) for name in ("title", "alt_text", *FORGOTTEN)}


EMPTY = {"title": "", "alt_text": "", **dict.fromkeys(FORGOTTEN)}


def test_a_withdrawn_work_keeps_nothing_of_its_artist(app, client):
    from gallery.models import ModerationEvent

    url, work = submit(
        client,
        title=SECRET_TITLE,
        email=SECRET_EMAIL,
        display_name="Quillon",
        description="By **Quillon**",
    )
    token = csrf_token_of(client, url)
    assert (
        client.post(url + "/withdraw", data={"csrf_token": token, "confirm": "y"}).status_code
        == 303
    )
    work = newest()
    assert work.status == WorkStatus.WITHDRAWN and work.decided_at is not None
    assert _left_of(work) == EMPTY and work.phash is None
    events = db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.work_id == work.id)
    ).all()
    assert events and all(e.subject is None for e in events)
    assert client.get(url).status_code == 200  # the artist's link still says what happened
    if db.engine.dialect.name == "sqlite":
        # A seized disk: nothing of it in the database file or its journal, free pages included.
        db.session.remove()
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = b"".join(p.read_bytes() for p in Path(app.instance_path).glob("gallery.sqlite3*"))
        assert SECRET_EMAIL.encode() not in raw and b"Quillon" not in raw


def test_a_rejected_work_keeps_its_reason_and_moderator_and_nothing_of_its_artist(
    client, moderator
):
    url, work = submit(client, title=SECRET_TITLE, email=SECRET_EMAIL, display_name="Quillon")
    token = csrf_token_of(client, f"/moderation/works/{work.id}")
    response = client.post(
        f"/moderation/works/{work.id}/reject", data={"csrf_token": token, "reason": "Shows a face."}
    )
    assert response.status_code == 303
    work = newest()
    assert work.status == WorkStatus.REJECTED and work.rejection_reason == "Shows a face."
    assert work.decided_by.username == "mod" and work.decided_at is not None
    assert _left_of(work) == EMPTY
    assert work.phash  # kept until purged, so a resubmission is recognised
    assert "Shows a face." in client.get(url).get_data(as_text=True)


# ---- the audit log: a moderator's edit recorded the artist's words ----

SECRET_ALT = "Portrait of my neighbour Ivan at Lenina 5"


def _edited(client, moderator) -> tuple[str, Work]:
    url, work = submit(client, title=SECRET_TITLE, alt_text=SECRET_ALT)
    response = client.post(
        f"/moderation/works/{work.id}/edit",
        data={"csrf_token": moderator, "title": "Untitled", "alt_text": "A portrait", "tags": ""},
    )
    assert response.status_code == 303
    return url, work


def _edit_reasons(work_id: int) -> list[str | None]:
    from gallery.models import ModerationEvent

    fresh()
    return list(
        db.session.scalars(
            select(ModerationEvent.reason).where(
                ModerationEvent.work_id == work_id, ModerationEvent.action == "edit"
            )
        )
    )


def test_an_edit_keeps_what_it_changed_while_the_work_is_under_review(client, moderator):
    """Moderators can see what a colleague changed, and put it back, while the work is theirs."""
    _url, work = _edited(client, moderator)
    [reason] = _edit_reasons(work.id)
    assert SECRET_TITLE in reason and SECRET_ALT in reason and "Untitled" in reason


@pytest.mark.parametrize("leaves_by", ["withdrawal", "rejection"])
def test_an_edit_event_forgets_the_texts_when_the_artist_leaves(client, moderator, leaves_by):
    url, work = _edited(client, moderator)
    if leaves_by == "withdrawal":
        token = csrf_token_of(client, url)
        response = client.post(url + "/withdraw", data={"csrf_token": token, "confirm": "y"})
    else:
        response = client.post(
            f"/moderation/works/{work.id}/reject",
            data={"csrf_token": moderator, "reason": "Shows a face."},
        )
    assert response.status_code == 303
    [reason] = _edit_reasons(work.id)
    assert reason == (
        "title: changed (the texts were forgotten with the artist's details)\n"
        "alt text: changed (the texts were forgotten with the artist's details)"
    )
    audit = client.get("/moderation/audit").get_data(as_text=True)
    assert "Ivan" not in audit and "Quillon" not in audit and "Untitled" not in audit


def test_purge_forgets_the_texts_of_edits_recorded_before(app, make_work):
    """A work withdrawn before edit events forgot their texts still has them in the log;
    they go with the row, whose events stay."""
    from datetime import timedelta

    from gallery.models import ModerationEvent, utcnow

    work = make_work(status=WorkStatus.WITHDRAWN)
    kept = make_work()
    work.decided_at = utcnow() - timedelta(days=100)
    for subject in (work, kept):
        db.session.add(
            ModerationEvent(
                action="edit",
                work_id=subject.id,
                reason=f"title: {SECRET_TITLE!r} -> 'Untitled'\ntags: a -> b",
            )
        )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge", "--older-than", "90d"])
    assert result.exit_code == 0, result.output
    fresh()
    reasons = dict(
        db.session.execute(
            select(ModerationEvent.work_id, ModerationEvent.reason).where(
                ModerationEvent.action == "edit"
            )
        ).all()
    )
    assert reasons[None] == (
        "title: changed (the texts were forgotten with the artist's details)\n"
        "tags: changed (the texts were forgotten with the artist's details)"
    )
    assert SECRET_TITLE in reasons[kept.id]  # a published work's history stays whole


# ---- purge: the rows themselves, after a retention period ----


def test_purge_deletes_old_rejected_and_withdrawn_rows_and_nothing_else(app, make_work):
    from datetime import timedelta

    from gallery.models import ModerationEvent, OutgoingMail, Report, ReportCategory, utcnow

    def aged(status: WorkStatus, days: int) -> Work:
        work = make_work(status=status)
        work.decided_at = work.submitted_at = utcnow() - timedelta(days=days)
        db.session.commit()
        return work

    old_rejected = aged(WorkStatus.REJECTED, 91)
    old_withdrawn = aged(WorkStatus.WITHDRAWN, 91)
    recent_rejected = aged(WorkStatus.REJECTED, 89)
    old_published = aged(WorkStatus.APPROVED, 91)
    old_pending = aged(WorkStatus.PENDING, 91)
    db.session.add(Report(work_id=old_rejected.id, category=ReportCategory.OTHER, text="x"))
    db.session.add(OutgoingMail(kind="rejected", payload="sealed", work_id=old_rejected.id))
    db.session.add(
        ModerationEvent(action="reject", work_id=old_rejected.id, reason="Shows a face.")
    )
    db.session.commit()
    leftover_key = old_withdrawn.image_key  # as if its files had not gone yet
    fresh()
    result = app.test_cli_runner().invoke(args=["purge", "--older-than", "90d"])
    assert result.exit_code == 0, result.output
    assert "Purged 2 rejected or withdrawn works" in result.output
    fresh()
    left = {w.id for w in db.session.scalars(select(Work))}
    assert left == {recent_rejected.id, old_published.id, old_pending.id}
    assert db.session.scalars(select(Report)).all() == []
    assert db.session.scalars(select(OutgoingMail)).all() == []
    event = db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.action == "reject")
    ).one()
    assert event.work_id is None and event.reason == "Shows a face."  # the audit trail stays
    assert not (Path(app.config["MEDIA_ROOT"]) / "works" / leftover_key).exists()


@pytest.mark.parametrize("age", ["90", "90x", "-1d", "d", "1e9d", "999999d"])
def test_purge_refuses_an_unreadable_age_and_deletes_nothing(app, make_work, age):
    from datetime import timedelta

    from gallery.models import utcnow

    make_work(status=WorkStatus.REJECTED).decided_at = utcnow() - timedelta(days=400)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge", "--older-than", age])
    assert result.exit_code == 2 and "is not an age such as 90d" in result.output
    fresh()
    assert len(db.session.scalars(select(Work)).all()) == 1


# ---- takedowns reach caches: a hidden work's old media addresses are gone for good ----


def _media_urls(app, work: Work) -> list[str]:
    return [
        f"/media/{work.image_key}/{name}" for name in sorted(store_of(app).files(work.image_key))
    ]


def store_of(app):
    from gallery.media import media_store

    return media_store(app)


def test_unpublishing_changes_every_media_address(app, client, moderator, make_work):
    work = make_work()
    old_urls = _media_urls(app, work)
    anonymous = app.test_client()
    with anonymous.get(old_urls[0]) as before:
        assert before.status_code == 200 and "immutable" in before.headers["Cache-Control"]
    token = csrf_token_of(client, f"/moderation/works/{work.id}")
    response = client.post(
        f"/moderation/works/{work.id}/unpublish",
        data={"csrf_token": token, "reason": "A face shows."},
    )
    assert response.status_code == 303
    fresh()
    work = db.session.get(Work, work.id)
    assert work.status == WorkStatus.PENDING and _media_urls(app, work)
    for url in old_urls:  # for anyone, a moderator included: the old address is gone
        with client.get(url) as gone:
            assert gone.status_code == 404, url
    # Published again, it is served at its new address only.
    token = csrf_token_of(client, f"/moderation/works/{work.id}")
    assert (
        client.post(
            f"/moderation/works/{work.id}/approve", data=approving(token, work.id)
        ).status_code
        == 303
    )
    fresh()
    work = db.session.get(Work, work.id)
    with anonymous.get(_media_urls(app, work)[0]) as again:
        assert again.status_code == 200
    with anonymous.get(old_urls[0]) as still_gone:
        assert still_gone.status_code == 404


def test_a_person_at_risk_report_changes_the_media_address_at_once(app, client, make_work):
    work = make_work()
    old_urls = _media_urls(app, work)
    token = csrf_token_of(client, f"/works/{work.public_id}/report")
    response = client.post(
        f"/works/{work.public_id}/report",
        data={"csrf_token": token, "category": "person-at-risk", "text": ""},
    )
    assert response.status_code == 303
    fresh()
    work = db.session.get(Work, work.id)
    assert work.hidden and old_urls[0].split("/")[2] != work.image_key
    for url in old_urls:
        with client.get(url) as gone:
            assert gone.status_code == 404


def test_a_takedown_that_does_not_commit_keeps_the_files_where_they_were(
    app, make_work, monkeypatch
):
    from gallery.verbs import unpublishing

    work = make_work()
    key = work.image_key
    moderator = saved(Moderator(username="m", password_hash="x"))
    unpublishing.unpublish_work(store_of(app), work.id, moderator.id, "Because.")
    assert store_of(app).files(key) == set()  # moved, not yet committed
    db.session.rollback()
    assert store_of(app).files(key) and db.session.get(Work, work.id).image_key == key
