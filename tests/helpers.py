"""Small helpers the test modules share: images made in memory, works made through the real
pipeline, CSRF tokens read from pages, logging in through the real form, the submission
form's fields, an approve form's, and reading what the requests committed.

Plain functions, importable from any test module (`from helpers import ...`); the fixtures
that wrap them are in conftest.py."""

from __future__ import annotations

import contextvars
import io
import os
import re
import signal
import socket
import subprocess
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from gallery.extensions import db
from gallery.images.decode import register_codecs
from gallery.media import MediaStore
from gallery.models import Licence, Prisoner, Work, WorkStatus
from gallery.verbs.submissions import NewWork, create_work

MODERATOR_PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parents[1]  # the checkout
_CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


# ---- reading what the requests committed ----


def fresh() -> None:
    """End the test's transaction, so reads see what the requests committed."""
    db.session.rollback()


def spaced(text: str) -> str:
    """A page's or a mail's text with its no-break spaces (U+00A0, U+202F) as plain spaces:
    gallery/core/typography.py puts them where a French or Russian line must not break."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def saved(row: Any) -> Any:
    """Add a row and commit it; returns the row."""
    db.session.add(row)
    db.session.commit()
    return row


def count_rows(model: Any) -> int:
    """How many rows a table has, read in a new transaction (SQLite reads from a snapshot)."""
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(model))


def approving(csrf: str, *work_ids: int, bulk: bool = False) -> dict[str, Any]:
    """An approve form's data as the moderator's page sends it: the CSRF token and what
    the page showed of each work (its review_fingerprint as it is now). One work: `seen`;
    bulk: the works' ids and a `seen-<id>` for each."""
    fresh()
    seen = {i: db.session.get(Work, i).review_fingerprint for i in work_ids}
    if not bulk:
        (only,) = work_ids
        return {"csrf_token": csrf, "seen": seen[only]}
    return {"csrf_token": csrf, "work_ids": list(work_ids)} | {
        f"seen-{i}": fp for i, fp in seen.items()
    }


# ---- images and works ----


def encode(im: Image.Image, fmt: str, **params: Any) -> bytes:
    """An image saved in memory in the given format."""
    if fmt == "HEIF":
        register_codecs()  # pillow-heif, which a web worker does not load
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


RED = (200, 40, 30)  # a work's colour that a print's pixels are checked against


def png_bytes(
    size: tuple[int, int] = (120, 80), colour: Any = "#336699", mode: str = "RGB"
) -> bytes:
    """A small PNG of one colour, made in memory."""
    return encode(Image.new(mode, size, colour), "PNG")


def add_work(
    media: MediaStore,
    *,
    status: WorkStatus = WorkStatus.APPROVED,
    prisoners: tuple[Prisoner, ...] = (),
    image: bytes | None = None,
    **fields: Any,
) -> Work:
    """Create and commit a work through the real image pipeline (title and alt_text needed)."""
    values: dict[str, Any] = {
        "licence": Licence.CC_BY,
        "prisoner_ids": tuple(p.id for p in prisoners),
    }
    values.update(fields)
    extra = {k: values.pop(k) for k in ("published_at", "receipt_token_hash") if k in values}
    work = create_work(
        media, io.BytesIO(image or png_bytes()), NewWork(**values), status=status, **extra
    )
    db.session.commit()
    return work


# ---- CSRF tokens and logging in ----


def csrf_from(html: str) -> str:
    """The first CSRF token in a page."""
    match = _CSRF_RE.search(html)
    assert match, "no csrf_token field in the page"
    return match.group(1)


def csrf_token_of(who: FlaskClient, path: str = "/login", **kw: Any) -> str:
    """A valid CSRF token of a client's session, read from a page it can see (one redirect
    is followed: /login sends a moderator who is logged in on to the queue)."""
    response = who.get(path, **kw)
    if response.status_code in (301, 302, 303):
        response = who.get(response.headers["Location"], **kw)
    return csrf_from(response.get_data(as_text=True))


def log_in(
    who: FlaskClient,
    username: str,
    password: str = MODERATOR_PASSWORD,
    *,
    next: str | None = None,
    **kw: Any,
) -> Any:
    """Post the real login form (with its CSRF token); returns the response."""
    token = csrf_from(who.get("/login", **kw).get_data(as_text=True))
    url = "/login" if next is None else f"/login?next={next}"
    return who.post(
        url, data={"username": username, "password": password, "csrf_token": token}, **kw
    )


# ---- the submission form ----


def form_data(
    client: FlaskClient, image: bytes | None, filename: str = "art.png", **overrides: Any
) -> dict:
    """Every field /submit needs, with the CSRF token of the client's session; an override
    of None leaves that field out."""
    data = {
        "csrf_token": csrf_token_of(client, "/submit"),
        "title": "Sun behind bars",
        "alt_text": "A yellow sun behind black prison bars",
        "licence": "cc-by-4.0",
        "own_work": "y",
        "consent": "y",
        "ai_used": "no",
    }
    if image is not None:
        data["image"] = (io.BytesIO(image), filename)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def multipart(data: dict, boundary: str | None = None) -> tuple[bytes, str]:
    """The request body, encoded in memory (Werkzeug's test client spools big bodies to
    temporary files it never closes)."""
    values = {
        k: FileStorage(stream=v[0], filename=v[1], content_type="application/octet-stream")
        if isinstance(v, tuple)
        else v
        for k, v in data.items()
    }
    boundary, body = encode_multipart(values, boundary=boundary)
    return body, f"multipart/form-data; boundary={boundary}"


def post(client: FlaskClient, data: dict, url: str = "/submit", boundary: str | None = None) -> Any:
    """POST a form as multipart/form-data, encoded in memory. The response is read and
    closed, as a server does once it has sent it: what the view left for then runs (a new
    submission's face suggestions, gallery/public/submit.py)."""
    body, content_type = multipart(data, boundary)
    response = client.post(url, data=body, content_type=content_type)
    response.get_data()
    response.close()
    return response


# ---- apps the migration tests make on an empty database (the fixture: empty_database) ----


def migration_app(url: str, tmp_path: Any, monkeypatch: Any) -> Any:
    """An app on url (a database `flask db upgrade` has not touched), for the migration tests."""
    from gallery import create_app

    monkeypatch.setenv("GALLERY_INSTANCE", str(tmp_path / "instance"))
    return create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})


# ---- a client whose requests run as a server's do ----


class TemplateCache(BytecodeCache):
    """Compiled templates kept in memory for the whole run (one per xdist worker): every
    test makes an app of its own, and each app's Jinja environment would otherwise parse and
    compile every template it renders again (about 0.2 s of a test that renders two pages).
    Jinja checks each template's source against what was compiled, so an edited template is
    compiled anew; every test app has the same environment options."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def share_url_builders() -> None:
    """Every test makes an app of its own, and Werkzeug compiles two URL builders for each of
    its ~90 routes (Python code generated and compiled: about 80 ms of each create_app, 90 %
    of it). A builder depends only on its rule's pattern, defaults and converters, never on
    the app, so the run compiles each once and every app's rule binds the same function.
    Production makes one app a worker and is left as Werkzeug made it. Without the private
    method this relies on (another Werkzeug), nothing is changed: the tests are only slower."""
    from werkzeug.routing.rules import Rule

    original = getattr(Rule, "_compile_builder", None)
    if original is None or getattr(original, "shared", False):
        return
    compiled: dict[tuple, Any] = {}

    def compile_builder(self: Rule, append_unknown: bool = True) -> Any:
        key = (
            self.rule,
            tuple(self._trace),
            tuple(sorted((k, repr(v)) for k, v in (self.defaults or {}).items())),
            tuple(sorted((k, type(c).__qualname__) for k, c in self._converters.items())),
            append_unknown,
        )
        builder = compiled.get(key)
        if builder is None:
            builder = compiled[key] = original(self, append_unknown)
        return builder

    compile_builder.shared = True  # type: ignore[attr-defined]
    Rule._compile_builder = compile_builder  # type: ignore[method-assign]


class IsolatedClient(FlaskClient):
    """Runs each request in contexts of its own, as a real server does.

    Without this, requests would reuse the test's app context (and its `g`, where
    Flask-Babel and Flask-Login cache per-request state, and its database session).
    To see what a request changed, end the test's own transaction first
    (`db.session.commit()`): on SQLite an open transaction keeps reading its snapshot."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


# ---- boto3 against the moto server (conftest's moto_endpoint) ----


def s3_environment(endpoint: str, home: Path) -> dict[str, str]:
    """boto3's environment for the moto server: its endpoint, test credentials, and config
    files that do not exist, so nothing from the developer's ~/.aws is read."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
    }


# ---- gunicorn in a process of its own (system tests) ----


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    gunicorn: Path, port: int, env: dict[str, str], log: Path, workers: int = 2
) -> subprocess.Popen:
    """The gallery under gunicorn with the project's config, bound to 127.0.0.1:port, in a
    session of its own (stop_group() ends it and its workers); its output goes to `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                str(gunicorn),
                "--config",
                "python:gallery.gunicorn_conf",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "gallery:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process's group, SIGKILL after 20 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
