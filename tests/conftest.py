"""Shared pytest fixtures: an app on a temporary instance folder, its client and runner,
factories for prisoners, works and moderators, a statement counter, and for the browser
tests one live server and one Chromium for the whole run.

The tests are in four folders, and the folder gives each its marker: unit/ (`unit`: no app,
no database), app/ (`db`: the test client and a database), system/ (`system`: gunicorn,
two hosts, the moto server, migrations, the demo's export) and browser/ (`browser`:
Chromium, Lighthouse, vnu). `make check` runs the first two.

Without TEST_DATABASE_URL every test gets a fresh SQLite file in its own temporary instance
folder: a copy of a template holding the empty schema, made once per run (and xdist
worker). With it (PostgreSQL), each xdist worker uses a schema of its own that is dropped at
the end, so runs never see each other's rows (the live server has a second one); before
each test the tables the last one wrote to are emptied.

With TEST_MEDIA_STORE=s3, every app the tests make keeps its media in a fresh bucket of
a moto S3 server (started once for the run, on loopback) instead of its instance folder;
tests that look at the folder itself only make sense without it.

The plain helper functions are in helpers.py (and imagecheck.py, mailcheck.py,
browser_helpers.py, hostile.py, fedpeer.py); no test module imports conftest or another test module."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url

from gallery import create_app
from gallery.config import TEST_SETTINGS
from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import Prisoner, PrisonerStatus, PrisonerStory, Work, WorkStatus
from helpers import (
    MODERATOR_PASSWORD,
    RED,
    ROOT,
    IsolatedClient,
    TemplateCache,
    add_work,
    csrf_token_of,
    fresh,
    log_in,
    png_bytes,
    s3_environment,
    saved,
    share_url_builders,
)
from mailcheck import SMTPServer

# The environment the run started with; an app a test makes reads only what differs.
OUTER_ENVIRON = dict(os.environ)


def set_by_the_test() -> dict[str, str]:
    """The variables the current test set (monkeypatch.setenv), which its apps read."""
    return {k: v for k, v in os.environ.items() if OUTER_ENVIRON.get(k) != v}


TEMPLATES = TemplateCache()  # the templates, compiled once per run and worker
share_url_builders()  # and each route's URL builders

SHARED_TESTDATA = ROOT.parent / "shared" / "testdata" / "pillow"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the French and Russian catalogues when a .po is newer than its .mo (what
    `make test` does), so a bare `pytest` also runs with the translations of the tree."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted((ROOT / "gallery" / "translations").glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parts[-3])
        with mo.open("wb") as fh:
            write_mo(fh, catalog)


@pytest.fixture(scope="session")
def testdata_dir() -> Path:
    """The hostile and tricky images kept beside the checkout in ../shared."""
    if not SHARED_TESTDATA.is_dir():
        pytest.skip(f"../shared/testdata/pillow is not beside this checkout ({SHARED_TESTDATA})")
    return SHARED_TESTDATA


# ---- The tiers: the folder a test lives in gives its marker ----

TIERS = {"unit": "unit", "app": "db", "system": "system", "browser": "browser"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """tests/unit -> unit, tests/app -> db, tests/system -> system, tests/browser -> browser:
    `make check` deselects the last two, `make test-db` takes only `db`."""
    tests = Path(__file__).resolve().parent
    for item in items:
        try:
            folder = item.path.resolve().relative_to(tests).parts[0]
        except (ValueError, IndexError):
            continue
        marker = TIERS.get(folder)
        if marker is not None:
            item.add_marker(getattr(pytest.mark, marker))


def worker_id() -> str:
    """pytest-xdist's name of this process ("gw0", "gw1", ...), or "main" without -n."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextmanager
def _private_schema(purpose: str) -> Iterator[str | None]:
    """A PostgreSQL schema of TEST_DATABASE_URL's database, made for this run and this
    xdist worker and dropped after it (its URL puts it first on the search path); None
    without TEST_DATABASE_URL."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield None
        return
    schema = f"test_{worker_id()}_{os.getpid()}_{secrets.token_hex(4)}_{purpose}"
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


@pytest.fixture(scope="session")
def database_url() -> Iterator[str | None]:
    """A private PostgreSQL schema for this run (one per xdist worker), or None for
    per-test SQLite files."""
    with _private_schema("tests") as url:
        yield url


SQLITE_NAME = "gallery.sqlite3"  # where create_app puts the database of an instance folder


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the empty schema (tables, indexes, the full-text index), made
    once per run and worker; each test's app starts from a copy of it instead of running
    create_all."""
    instance = tmp_path_factory.mktemp("template") / "instance"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", **TEST_SETTINGS},
        environ={"GALLERY_INSTANCE": str(instance)},
    )
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return instance / SQLITE_NAME


_pg_tables_created: set[str] = set()


def _reset_postgres(url: str) -> None:
    """Empty the tables a test wrote to and restart their ids, leaving the others alone:
    TRUNCATE of every table costs more than finding the few that need it."""
    if url not in _pg_tables_created:
        db.create_all()
        _pg_tables_created.add(url)
    tables = [t.name for t in db.metadata.sorted_tables]
    nonempty = " UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in tables
    )
    dirty = set(db.session.scalars(text(nonempty)))
    # A table emptied again still has its sequence advanced: its ids must start at 1 again.
    for sequence in db.session.scalars(
        text(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
    ):
        dirty.add(sequence.removesuffix("_id_seq"))
    dirty &= set(tables)
    if dirty:
        names = ", ".join(f'"{name}"' for name in tables if name in dirty)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def app_factory(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str | None,
    request: pytest.FixtureRequest,
    sqlite_template: Path,
) -> Iterator[Callable[..., Flask]]:
    """Make an app on a fresh temporary instance folder, with config overrides."""
    made: list[Flask] = []
    # The environment the app reads: only what the test itself set (monkeypatch.setenv),
    # never the developer's shell (DATABASE_URL, MAIL_SERVER...), and the instance folder.
    # The media store: the instance folder, unless the run asks for a bucket.
    base: dict[str, str] = {}
    if os.environ.get("TEST_MEDIA_STORE") == "s3":
        base["GALLERY_MEDIA"] = f"s3://{request.getfixturevalue('s3_bucket')}/media"

    def make(environ: Mapping[str, str] | None = None, **overrides: Any) -> Flask:
        env = {
            **base,
            **set_by_the_test(),
            "GALLERY_INSTANCE": str(tmp_path / "instance"),
            **(environ or {}),
        }
        # Decisions are final at once, as before undo existed; tests/app/test_undo.py sets a window.
        config: dict[str, Any] = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DECISION_UNDO_SECONDS": 0,
            **TEST_SETTINGS,
        }
        if database_url:
            config["SQLALCHEMY_DATABASE_URI"] = database_url
            # One test run is one host: its file page cache may serve the shared schema.
            config["PAGE_CACHE_ONE_HOST"] = True
        config.update(overrides)
        instance = Path(env["GALLERY_INSTANCE"])
        database_file = instance / SQLITE_NAME
        copied = False
        if not config.get("SQLALCHEMY_DATABASE_URI") and not database_file.exists():
            instance.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sqlite_template, database_file)  # the schema, without create_all
            copied = True
        app = create_app(config, environ=env)
        app.jinja_env.bytecode_cache = TEMPLATES
        with app.app_context():
            if database_url and config["SQLALCHEMY_DATABASE_URI"] == database_url:
                _reset_postgres(database_url)
            elif not copied:
                db.create_all()
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        close = getattr(app.extensions.get("gallery.media_store"), "close", None)
        if close is not None:
            close()  # a bucket's client: its connections


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Iterator[Flask]:
    """The app with its default test config (CSRF on), inside an app context."""
    application = app_factory()
    with application.app_context():
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path | None:
    """An instance folder where `flask seed-demo` ran, made once per run and worker (seeding
    runs the whole image pipeline on every demo picture); None where a test's database or
    media are not files of its instance folder (PostgreSQL, TEST_MEDIA_STORE=s3)."""
    if os.environ.get("TEST_DATABASE_URL") or os.environ.get("TEST_MEDIA_STORE") == "s3":
        return None
    instance = tmp_path_factory.mktemp("demo") / "instance"
    instance.mkdir()
    shutil.copyfile(sqlite_template, instance / SQLITE_NAME)
    saved_env = {
        name: os.environ.get(name)
        for name in ("GALLERY_INSTANCE", "GALLERY_MEDIA", "FLASK_MEDIA_STORE")
    }
    os.environ["GALLERY_INSTANCE"] = str(instance)
    os.environ.pop("GALLERY_MEDIA", None)
    os.environ.pop("FLASK_MEDIA_STORE", None)
    try:
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DECISION_UNDO_SECONDS": 0})
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["seed-demo"])
            assert result.exit_code == 0, result.output
            db.session.remove()
            db.engine.dispose()
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return instance


def _copy_demo(app: Flask, snapshot: Path) -> bool:
    """Put the seeded database and media of the snapshot under a fresh app; False when the
    app's database or media are elsewhere (then the test seeds for itself)."""
    database = Path(app.instance_path) / SQLITE_NAME
    media = Path(app.config["MEDIA_ROOT"])
    if (
        app.config["SQLALCHEMY_DATABASE_URI"] != f"sqlite:///{database}"
        or media != Path(app.instance_path) / "media"
    ):
        return False
    if app.config.get("MEDIA_STORE"):
        return False
    db.session.remove()
    db.engine.dispose()
    source = sqlite3.connect(snapshot / SQLITE_NAME)
    target = sqlite3.connect(database)
    try:
        source.backup(target)  # the whole file, whatever its journal holds
    finally:
        source.close()
        target.close()
    shutil.copytree(snapshot / "media", media, dirs_exist_ok=True)
    return True


# PostgreSQL's demo, per worker schema: every row `flask seed-demo` wrote, and its media.
_pg_demo: dict[str, tuple[dict[str, list[dict[str, Any]]], Path]] = {}


def _local_media(app: Flask) -> Path | None:
    """The app's media folder, when its media are files of its instance folder."""
    media = Path(app.config["MEDIA_ROOT"])
    if app.config.get("MEDIA_STORE") or media != Path(app.instance_path) / "media":
        return None
    return media


def _keep_pg_demo(app: Flask, url: str, folder: Path) -> None:
    """Remember what the seeding of this worker's schema wrote: its rows, table by table
    (generated columns left out), and a copy of its media files."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if c.computed is None]
        found = [dict(r._mapping) for r in db.session.execute(select(*columns))]
        if found:
            rows[table.name] = found
    media = _local_media(app)
    assert media is not None
    shutil.copytree(media, folder, dirs_exist_ok=True)
    _pg_demo[url] = (rows, folder)


def _copy_pg_demo(app: Flask, url: str) -> None:
    """Write the remembered rows into the emptied schema (ids as they were, sequences moved
    past them) and copy the media files: the state `flask seed-demo` left, in milliseconds
    instead of the two seconds of seeding again (its image pipeline)."""
    rows, folder = _pg_demo[url]
    for table in db.metadata.sorted_tables:
        if table.name in rows:
            db.session.execute(table.insert(), rows[table.name])
            if "id" in table.columns and table.columns["id"].autoincrement in (True, "auto"):
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f'(SELECT max(id) FROM "{table.name}"))'
                    )
                )
    db.session.commit()
    media = _local_media(app)
    assert media is not None
    shutil.copytree(folder, media, dirs_exist_ok=True)


@pytest.fixture
def demo(
    app: Flask,
    runner: FlaskCliRunner,
    demo_snapshot: Path | None,
    database_url: str | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Prisoner:
    """The demo content, loaded by `flask seed-demo` as an operator would; its prisoner.
    The seeding runs once per run and worker, and each test gets a copy of what it made:
    on SQLite the database file and media (demo_snapshot), on PostgreSQL the rows and
    media (the worker's first test seeds for real)."""
    on_pg = bool(
        database_url
        and app.config["SQLALCHEMY_DATABASE_URI"] == database_url
        and _local_media(app) is not None
    )
    if on_pg and database_url in _pg_demo:
        _copy_pg_demo(app, database_url)
    elif demo_snapshot is None or not _copy_demo(app, demo_snapshot):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        if on_pg:
            fresh()
            _keep_pg_demo(app, database_url, tmp_path_factory.mktemp("pg-demo") / "media")
    fresh()  # read what the command committed
    return db.session.scalar(select(Prisoner))


@pytest.fixture
def make_prisoner(app: Flask) -> Callable[..., Prisoner]:
    """Create and commit a prisoner; keyword arguments override the defaults (story,
    charges, sentence and letter_guidance go into its English texts)."""
    counter = iter(range(1, 10_000))

    def make(**kw: Any) -> Prisoner:
        n = next(counter)
        story = kw.pop("story", f"The story of prisoner {n}.")
        english = {name: kw.pop(name, None) for name in ("charges", "sentence", "letter_guidance")}
        values: dict[str, Any] = {
            "slug": f"prisoner-{n}",
            "name": f"Prisoner {n}",
            "status": PrisonerStatus.IMPRISONED,
            "detained_on": date(2020, 1, 1),
        }
        values.update(kw)
        prisoner = Prisoner(**values)
        prisoner.stories = [
            PrisonerStory(locale="en", summary=f"Summary {n}", body=story, **english)
        ]
        return saved(prisoner)

    return make


@pytest.fixture
def azat(make_prisoner: Callable[..., Prisoner]) -> Prisoner:
    """A prisoner whose native name is Russian: postcards are addressed to it, and the
    letter desk takes letters for him."""
    return make_prisoner(
        slug="azat", name="Azat Miftakhov", name_native="Азат Мифтахов", name_native_locale="ru"
    )


@pytest.fixture
def safe_work(make_work: Callable[..., Work], azat: Prisoner) -> Work:
    """A published red work (helpers.RED) for Azat, marked postcard-safe."""
    work = make_work(title="Red sun", prisoners=(azat,), image=png_bytes((300, 420), RED))
    work.postcard_safe = True
    return saved(work)


@pytest.fixture
def make_work(app: Flask) -> Callable[..., Work]:
    """Create a work through the real image pipeline; keyword arguments override fields."""
    counter = iter(range(1, 100_000))

    def make(**kw: Any) -> Work:
        n = next(counter)
        fields: dict[str, Any] = {"title": f"Work {n}", "alt_text": f"Alt text of work {n}"}
        fields.update(kw)
        return add_work(store(app), **fields)

    return make


@pytest.fixture
def pending(make_work: Callable[..., Work]) -> Callable[..., tuple[Work, str]]:
    """make(image bytes, **fields) -> (a pending work, its receipt token), as a submission
    leaves it: the face detector has looked at it once the row committed (looked=False: not
    yet, as for a work submitted before OpenCV was installed)."""
    from gallery.core.tokens import new_receipt_token, token_hash
    from gallery.verbs import covers

    def make(image: bytes, looked: bool = True, **fields: Any) -> tuple[Work, str]:
        token = new_receipt_token()
        work = make_work(
            status=WorkStatus.PENDING, image=image, receipt_token_hash=token_hash(token), **fields
        )
        if looked:
            covers.suggest_faces(store(), work)
            db.session.commit()
        return work, token

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

    @contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


# ---- The migration tests: a database no schema was made in ----


@pytest.fixture
def empty_database(tmp_path) -> Iterator[str]:
    """A URL to a database with no tables: a new SQLite file, or a new PostgreSQL schema."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    schema = f"mig_{secrets.token_hex(6)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# ---- Mail: a real SMTP server on loopback (mailcheck.py) ----


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    """A real SMTP server, running."""
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailing(app: Flask, smtp: SMTPServer) -> Iterator[SMTPServer]:
    """The app sends its mail to the test's SMTP server (and has sent it all at the end)."""
    from gallery import mail
    from mailcheck import use_mail

    use_mail(app, smtp)
    yield smtp
    assert mail.courier(app).join(10)


@pytest.fixture
def peer() -> Iterator[Any]:
    """A fediverse server of the tests' own (tests/fedpeer.py), on a loopback port."""
    from fedpeer import Peer

    found = Peer()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def smtp_down() -> Iterator[SMTPServer]:
    """The address of an SMTP server that is not (yet) running."""
    server = SMTPServer()
    yield server
    server.stop()


# ---- Moderators (issue 5): accounts, logging in, CSRF tokens ----


@pytest.fixture(scope="session")
def moderator_password_hash() -> str:
    """One real argon2id hash of MODERATOR_PASSWORD, made once per run."""
    from gallery.core import passwords

    # With the tests' argon2 parameters, so logging in never renews it.
    return passwords.hasher_with(
        TEST_SETTINGS["ARGON2_MEMORY_KIB"],
        TEST_SETTINGS["ARGON2_TIME_COST"],
        TEST_SETTINGS["ARGON2_PARALLELISM"],
    ).hash(MODERATOR_PASSWORD)


@pytest.fixture
def make_moderator(app: Flask, moderator_password_hash: str) -> Callable[..., Any]:
    """Create and commit a moderator whose password is MODERATOR_PASSWORD."""
    from gallery.models import Moderator, Role

    def make(username: str = "mod", *, role: Any = Role.MODERATOR, active: bool = True) -> Any:
        return saved(
            Moderator(
                username=username, password_hash=moderator_password_hash, role=role, active=active
            )
        )

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., Any]:
    """Log a client (by default the `client` fixture) in through the real form."""

    def do(
        username: str,
        password: str = MODERATOR_PASSWORD,
        *,
        on: FlaskClient | None = None,
        **kw: Any,
    ) -> Any:
        return log_in(on or client, username, password, **kw)

    return do


@pytest.fixture
def moderator(
    client: FlaskClient, make_moderator: Callable[..., Any], login: Callable[..., Any]
) -> str:
    """A moderator "mod" logged in on `client`; returns a CSRF token of its session."""
    make_moderator("mod")
    assert login("mod").status_code == 303
    return csrf_token_of(client, "/moderation/")


@pytest.fixture
def csrf_token() -> Callable[..., str]:
    """A valid CSRF token of a client's session, read from a page it can see."""
    return csrf_token_of


# ---- Media in S3-compatible object storage (issue 14): one moto server, a bucket a test ----

MOTO_START_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_answering(url: str, process: subprocess.Popen, deadline: float) -> None:
    """Poll url until the server answers, its process ends, or the deadline passes."""
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the moto server ended at start (exit code {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # an HTTP answer of any kind: it is serving
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the moto server did not answer within {MOTO_START_SECONDS} s"
                ) from None
            time.sleep(0.05)


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The endpoint URL of an S3 API over HTTP on loopback: moto's standalone server, in a
    process of its own so that other processes (a gunicorn a test starts) can use it too;
    stopped at the end of the run."""
    port = _free_port()
    output = tmp_path_factory.mktemp("moto") / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    with output.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(
            f"{endpoint}/moto-api/data.json", process, time.monotonic() + MOTO_START_SECONDS
        )
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def s3_bucket(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """The name of a fresh, empty bucket on the moto server, with boto3's environment set
    to reach it (emptied and removed after the test)."""
    from gallery.media.s3 import make_client

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    for name, value in s3_environment(moto_endpoint, tmp_path).items():
        monkeypatch.setenv(name, value)
    client = make_client()
    bucket = f"test-{secrets.token_hex(6)}"
    client.create_bucket(Bucket=bucket)
    try:
        yield bucket
    finally:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                client.delete_object(Bucket=bucket, Key=obj["Key"])
        client.delete_bucket(Bucket=bucket)
        client.close()


# ---- The browser tests: one live server and one Chromium for the whole run ----


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The live server every browser test module shares (see browser_helpers.serve_live).

    Its database is its own (a SQLite file, or a second private PostgreSQL schema), so
    the per-test tables of the other tests never touch it, whatever the order. Tests
    sharing it leave no trace that matters to the others: each compares counts before and
    after, finds its works by unique titles, and the queue tests empty the queue first."""
    from browser_helpers import serve_live

    instance = tmp_path_factory.mktemp("live") / "instance"
    with _private_schema("live") as url, serve_live(instance, url) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from browser_helpers import launched_chromium

    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def upload_log(live: Any) -> Iterator[Any]:
    """What reaches the live server's /uploads/ during the test (browser_helpers.UploadLog)."""
    from browser_helpers import UploadLog

    log = UploadLog(live.app)
    try:
        yield log
    finally:
        log.close()


@pytest.fixture
def open_tab(browser: Any, live: Any) -> Iterator[Callable[..., Any]]:
    """open_tab(width=1280, javascript=True, scale=1) -> a Tab in a fresh browser context
    (no cookies or storage from another test); the contexts are closed after the test."""
    from browser_helpers import Tab, new_context

    contexts: list[Any] = []

    def open_(width: int = 1280, javascript: bool = True, scale: float = 1) -> Tab:
        context = new_context(browser, live, width=width, javascript=javascript, scale=scale)
        contexts.append(context)
        return Tab.open(context)

    yield open_
    for context in contexts:
        context.close()
