"""Shared pytest fixtures: an app on a temporary instance folder, its client and runner,
factories for prisoners and works, and a statement counter.

With TEST_DATABASE_URL set (PostgreSQL), the whole run uses a schema of its own that is
dropped at the end, so runs never see each other's rows; without it, every test gets a
fresh SQLite file in its own temporary instance folder."""
from __future__ import annotations

import contextvars
import io
import os
import re
import secrets
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from PIL import Image
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from gallery import create_app
from gallery.extensions import db
from gallery.extensions import media_store as store
from gallery.models import Licence, Prisoner, PrisonerStatus, PrisonerStory, Work, WorkStatus
from gallery.verbs.submissions import NewWork, create_work

ROOT = Path(__file__).resolve().parents[1]
SHARED_TESTDATA = ROOT.parent / "shared" / "testdata" / "pillow"


@pytest.fixture(scope="session")
def testdata_dir() -> Path:
    """The hostile and tricky images kept beside the checkout in ../shared."""
    if not SHARED_TESTDATA.is_dir():
        pytest.skip(f"../shared/testdata/pillow is not beside this checkout ({SHARED_TESTDATA})")
    return SHARED_TESTDATA


@pytest.fixture(scope="session")
def database_url() -> Iterator[str | None]:
    """A private PostgreSQL schema for this run, or None for per-test SQLite files."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield None
        return
    schema = f"test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


_pg_tables_created = False


def _reset_tables(app: Flask, postgres: bool) -> None:
    global _pg_tables_created
    if not postgres:
        db.create_all()
        return
    if not _pg_tables_created:
        db.create_all()
        _pg_tables_created = True
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def app_factory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None
) -> Iterator[Callable[..., Flask]]:
    """Make an app on a fresh temporary instance folder, with config overrides."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        instance = tmp_path / "instance"
        monkeypatch.setenv("GALLERY_INSTANCE", str(instance))
        for var in ("DATABASE_URL", "RATELIMIT_STORAGE_URI"):
            monkeypatch.delenv(var, raising=False)
        config: dict[str, Any] = {"TESTING": True, "SECRET_KEY": "test-secret"}
        if database_url:
            config["SQLALCHEMY_DATABASE_URI"] = database_url
        config.update(overrides)
        app = create_app(config)
        with app.app_context():
            _reset_tables(app, postgres=bool(database_url))
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Iterator[Flask]:
    """The app with its default test config (CSRF on), inside an app context."""
    application = app_factory()
    with application.app_context():
        yield application


class IsolatedClient(FlaskClient):
    """Runs each request in contexts of its own, as a real server does.

    Without this, requests would reuse the test's app context (and its `g`, where
    Flask-Babel and Flask-Login cache per-request state, and its database session).
    To see what a request changed, end the test's own transaction first
    (`db.session.commit()`): on SQLite an open transaction keeps reading its snapshot."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def png_bytes(size: tuple[int, int] = (120, 80), colour: str = "#336699", mode: str = "RGB") -> bytes:
    """A small PNG made in memory."""
    buf = io.BytesIO()
    Image.new(mode, size, colour).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def make_prisoner(app: Flask) -> Callable[..., Prisoner]:
    """Create and commit a prisoner; keyword arguments override the defaults."""
    counter = iter(range(1, 10_000))

    def make(**kw: Any) -> Prisoner:
        n = next(counter)
        story = kw.pop("story", f"The story of prisoner {n}.")
        values: dict[str, Any] = {
            "slug": f"prisoner-{n}",
            "name": f"Prisoner {n}",
            "status": PrisonerStatus.IMPRISONED,
            "detained_on": date(2020, 1, 1),
        }
        values.update(kw)
        prisoner = Prisoner(**values)
        prisoner.stories = [PrisonerStory(locale="en", summary=f"Summary {n}", body=story)]
        db.session.add(prisoner)
        db.session.commit()
        return prisoner

    return make


@pytest.fixture
def make_work(app: Flask) -> Callable[..., Work]:
    """Create a work through the real image pipeline; keyword arguments override fields."""
    counter = iter(range(1, 100_000))

    def make(
        *,
        status: WorkStatus = WorkStatus.APPROVED,
        prisoners: tuple[Prisoner, ...] = (),
        image: bytes | None = None,
        **kw: Any,
    ) -> Work:
        n = next(counter)
        values: dict[str, Any] = {
            "title": f"Work {n}",
            "alt_text": f"Alt text of work {n}",
            "licence": Licence.CC_BY,
            "prisoner_ids": tuple(p.id for p in prisoners),
        }
        values.update(kw)
        extra = {k: values.pop(k) for k in ("published_at", "receipt_token_hash") if k in values}
        work = create_work(
            store(app), io.BytesIO(image or png_bytes()), NewWork(**values), status=status, **extra
        )
        db.session.commit()
        return work

    return make


class StatementCounter:
    """Counts SQL statements sent while active."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.count += 1
        self.statements.append(statement)


@pytest.fixture
def count_statements(app: Flask) -> Callable[[], Any]:
    """A context manager counting the statements the app's engine runs."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


# ---- Moderators (issue 5): accounts, logging in, CSRF tokens ----

MODERATOR_PASSWORD = "correct horse battery staple"
_CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture(scope="session")
def moderator_password_hash() -> str:
    """One real argon2id hash of MODERATOR_PASSWORD, made once per run."""
    from gallery import passwords

    return passwords.hash_password(MODERATOR_PASSWORD)


@pytest.fixture
def make_moderator(app: Flask, moderator_password_hash: str) -> Callable[..., Any]:
    """Create and commit a moderator whose password is MODERATOR_PASSWORD."""
    from gallery.models import Moderator, Role

    def make(username: str = "mod", *, role: Any = Role.MODERATOR, active: bool = True) -> Any:
        moderator = Moderator(
            username=username, password_hash=moderator_password_hash, role=role, active=active
        )
        db.session.add(moderator)
        db.session.commit()
        return moderator

    return make


def csrf_from(html: str) -> str:
    """The first CSRF token in a page."""
    match = _CSRF_RE.search(html)
    assert match, "no csrf_token field in the page"
    return match.group(1)


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., Any]:
    """Log a client (by default the `client` fixture) in through the real form."""

    def do(username: str, password: str = MODERATOR_PASSWORD, *, on: FlaskClient | None = None,
           next: str | None = None, **kw: Any) -> Any:  # fmt: skip
        who = on or client
        token = csrf_from(who.get("/login", **kw).get_data(as_text=True))
        url = "/login" if next is None else f"/login?next={next}"
        return who.post(url, data={"username": username, "password": password,
                                   "csrf_token": token}, **kw)  # fmt: skip

    return do


@pytest.fixture
def csrf_token() -> Callable[..., str]:
    """A valid CSRF token of a client's session, read from a page it can see."""

    def get(who: FlaskClient, path: str = "/login") -> str:
        response = who.get(path)
        if response.status_code in (301, 302, 303):
            response = who.get(response.headers["Location"])
        return csrf_from(response.get_data(as_text=True))

    return get
