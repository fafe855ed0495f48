"""What an operator meets running the gallery: the health check, settings read as the
README's table says, restoring a backup, gunicorn's control socket."""
from __future__ import annotations

import importlib
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

# Tests of the local media folder (or of settings a bucket refuses), skipped when the run
# puts every app's media in a bucket (TEST_MEDIA_STORE=s3, tests/conftest.py).
local_media = pytest.mark.skipif(os.environ.get("TEST_MEDIA_STORE") == "s3",
                                 reason="the local media folder")  # fmt: skip

# ---- settings: the README's tables, and NAME or FLASK_NAME for each ----

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_settings() -> dict[str, str]:
    """{setting: its default cell} from the tables of the README's "Configuration"."""
    text = README.read_text()
    section = text[text.index("\n## Configuration\n"):]
    section = section[:section.index("\n## ", 1)]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z0-9_]+)`", cells[0])
        name = names[-1]  # `DATABASE_URL` (`SQLALCHEMY_DATABASE_URI`): the setting's own name
        assert name not in rows, f"{name} is listed twice"
        rows[name] = cells[2]
    return rows


def test_the_readme_lists_every_setting_with_its_default():
    from gallery.config import parse, settings

    table, declared = readme_settings(), settings()
    assert sorted(set(table) - set(declared)) == []  # every row is a setting of Config
    assert sorted(set(declared) - set(table)) == []  # every setting of Config has its row
    for name, cell in table.items():
        literal = re.match(r"`([^`]*)`", cell)
        if literal is None:  # prose ("none: ..."): no value of its own
            assert declared[name] is None, f"{name}: the README gives no default, Config has one"
        else:
            assert parse(name, literal.group(1)) == declared[name], name


def test_no_row_of_the_readme_names_a_flask_variable_only():
    assert not [name for name in readme_settings() if name.startswith("FLASK_")]


@local_media
@pytest.mark.parametrize("prefix", ["", "FLASK_"])
def test_media_accel_redirect_as_the_readme_spells_it(app_factory, monkeypatch, make_work, prefix):
    monkeypatch.setenv(f"{prefix}MEDIA_ACCEL_REDIRECT", "/internal-media/")
    app = app_factory()
    assert app.config["MEDIA_ACCEL_REDIRECT"] == "/internal-media/"
    with app.app_context():
        work = make_work()
        key, name = work.image_key, work.renditions["share"]["files"]["webp"]
    response = app.test_client().get(f"/media/{key}/{name}")
    assert response.status_code == 200 and response.data == b""
    assert response.headers["X-Accel-Redirect"] == f"/internal-media/{key}/{name}"


@local_media
def test_every_setting_is_read_as_name_or_flask_name_which_wins(app_factory, monkeypatch):
    monkeypatch.setenv("WORKS_PER_PAGE", "30")
    monkeypatch.setenv("MEDIA_SENDFILE", "true")
    monkeypatch.setenv("PAGE_CACHE", "off")
    monkeypatch.setenv("MAIL_PASSWORD", "true")  # a password stays text
    monkeypatch.setenv("SITE_NAME", "Art Protest")
    monkeypatch.setenv("FLASK_SITE_NAME", "Artprotest Lyon")
    monkeypatch.setenv("HEALTHZ_TIMEOUT", "")  # empty: unset
    app = app_factory()
    assert app.config["WORKS_PER_PAGE"] == 30 and app.config["MEDIA_SENDFILE"] is True
    assert app.config["PAGE_CACHE"] is False and app.config["MAIL_PASSWORD"] == "true"
    assert app.config["SITE_NAME"] == "Artprotest Lyon"
    assert app.config["HEALTHZ_TIMEOUT"] == 3.0


def test_a_value_of_the_wrong_kind_stops_the_app_naming_the_setting(app_factory, monkeypatch):
    monkeypatch.setenv("FLASK_WORKS_PER_PAGE", "thirty-secret")
    with pytest.raises(RuntimeError) as refused:
        app_factory()
    assert str(refused.value) == 'WORKS_PER_PAGE must be a number (see README "Configuration").'


# ---- backup and restore ----


def emptied(app) -> None:
    """The app's database and media store as a new installation has them: migrated, empty."""
    from sqlalchemy import delete

    from gallery.extensions import db

    from gallery.media import media_store
    from gallery.models import Work

    with app.app_context():
        store = media_store(app)
        for key in db.session.scalars(select_image_keys(Work)):
            store.delete(key)
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()


def select_image_keys(model):
    from sqlalchemy import select

    return select(model.image_key).where(model.image_key.is_not(None))


@local_media
def test_a_backup_refuses_to_run_on_the_live_database(app, runner, make_work, tmp_path, monkeypatch):
    """OP5: with DATABASE_URL still exported, the printed hint used to serve the "restored"
    copy on the live database."""
    from gallery import create_app

    make_work()
    dest = tmp_path / "copy"
    result = runner.invoke(args=["backup", str(dest)])
    assert result.exit_code == 0, result.output
    live = "postgresql+psycopg://gallery@db.internal/gallery"
    monkeypatch.setenv("DATABASE_URL", live)
    monkeypatch.setenv("GALLERY_INSTANCE", str(dest))
    with pytest.raises(RuntimeError) as refused:
        create_app({"TESTING": True})
    assert str(refused.value) == (
        f"{dest} is a backup with its own database and media, but the settings give it another "
        f"database. To serve the copy, unset DATABASE_URL: env -u DATABASE_URL "
        f"GALLERY_INSTANCE={dest} PORT=5001 make run. To bring it back into that database, see "
        '`flask --app gallery restore` (README "Restore").')  # fmt: skip
    assert live not in str(refused.value)
    # The hint the backup printed says it too, when the variable is exported.
    monkeypatch.setenv("GALLERY_INSTANCE", app.instance_path)
    again = runner.invoke(args=["backup", str(tmp_path / "again")])
    assert f"env -u DATABASE_URL GALLERY_INSTANCE={tmp_path / 'again'} PORT=5001 make run" in again.output


def test_restore_into_a_new_empty_database_and_store(app, runner, make_work, make_moderator, tmp_path):
    from sqlalchemy import func, select

    from gallery.extensions import db

    from gallery.media import media_store
    from gallery.models import Moderator, Work

    shown = make_work(title="Kept through the restore")
    make_moderator("mod")
    key, public_id = shown.image_key, shown.public_id
    names = media_store(app).files(key)
    dest = tmp_path / "copy"
    assert runner.invoke(args=["backup", str(dest)]).exit_code == 0

    refused = runner.invoke(args=["restore", str(dest)])  # over the live database: never
    assert refused.exit_code == 1
    assert "The target database is not empty (" in refused.output

    emptied(app)
    db.session.expire_all()
    result = runner.invoke(args=["restore", str(dest)])
    assert result.exit_code == 0, result.output
    assert f"1 works ({len(names)} files) into {media_store(app).location}" in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Moderator)) == 1
    page = app.test_client().get(f"/works/{public_id}")
    assert "Kept through the restore" in page.get_data(as_text=True)
    assert media_store(app).files(key) == names
    with app.test_client().get(f"/media/{key}/{min(names)}") as image:
        assert image.status_code == 200
    # The ids go on after the restored ones (PostgreSQL's sequences were moved on).
    newer = make_work(title="After the restore")
    assert newer.id > shown.id
    assert db.session.scalar(select(func.count()).select_from(Work)) == 2


def test_make_run_says_the_port_is_taken_instead_of_printing_its_address(tmp_path):
    """OP2: serving a backup beside the live site, `make run` printed the live site's
    address as its own, then failed."""
    import os
    import subprocess

    root = Path(__file__).resolve().parents[2]
    with socket.socket() as live:
        live.bind(("127.0.0.1", 0))
        live.listen(1)
        port = live.getsockname()[1]
        done = subprocess.run(["make", "--no-print-directory", "run", f"PORT={port}"], cwd=root,
                              capture_output=True, text=True, timeout=120, check=False,
                              env={**os.environ, "GALLERY_INSTANCE": str(tmp_path / "copy")})  # fmt: skip
    assert done.returncode != 0
    assert (f"Port {port} on 127.0.0.1 is taken (Address already in use): another server "
            f"(another gallery?) listens there. Choose a free one, for example PORT={port + 1} "
            "make run.") in done.stderr  # fmt: skip
    assert "http://127.0.0.1" not in done.stdout
    assert not (tmp_path / "copy").exists()  # nothing ran before the check


def test_restore_refuses_what_is_not_a_backup(runner, tmp_path):
    (tmp_path / "somewhere").mkdir()
    result = runner.invoke(args=["restore", str(tmp_path / "somewhere")])
    assert result.exit_code == 1 and "is not a backup folder" in result.output


# ---- /healthz ----


def closed_port() -> int:
    """A loopback port nobody listens on: a dependency that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel's backlog) and never answers:
    a dependency that hangs, as behind a firewall dropping its replies.  Closing it at the
    end resets those connections, which ends the probes still waiting."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def health(app) -> tuple[int, dict[str, str]]:
    response = app.test_client().get("/healthz")
    return response.status_code, response.get_json()


def test_healthz_with_redis_down_is_degraded_not_down(app_factory):
    redis = f"redis://127.0.0.1:{closed_port()}/0"
    app = app_factory(CACHE_REDIS_URL=redis, RATELIMIT_STORAGE_URI=redis)
    status, body = health(app)
    assert status == 200  # pages are rendered each time, limits fall back: the site serves
    assert body == {"status": "degraded", "database": "ok", "media": "ok", "page_cache": "down",
                    "rate_limits": "down", "mail": "off"}  # fmt: skip


def test_healthz_a_dependency_that_hangs_is_a_timeout(app_factory, silent_server):
    app = app_factory(CACHE_REDIS_URL=f"redis://127.0.0.1:{silent_server}/0", HEALTHZ_TIMEOUT=0.5)
    status, body = health(app)
    assert status == 200
    assert body["page_cache"] == "timeout" and body["status"] == "degraded"
    assert body["database"] == "ok"


@local_media
def test_healthz_a_media_folder_that_cannot_be_written_is_a_503(app_factory, monkeypatch):
    import gallery.web.health

    app = app_factory()
    works = str(Path(app.config["MEDIA_ROOT"]) / "works")
    real_access = gallery.web.health.os.access
    monkeypatch.setattr(gallery.web.health.os, "access",
                        lambda path, mode: False if str(path) == works else real_access(path, mode))
    status, body = health(app)
    assert status == 503
    assert (body["status"], body["media"], body["database"]) == ("error", "down", "ok")


def test_healthz_reports_mail_waiting_for_a_retry(app_factory):
    from gallery.extensions import db
    from gallery.models import OutgoingMail

    app = app_factory()
    assert health(app)[1]["mail"] == "off"
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_DEFAULT_SENDER="noreply@example.org")
    assert health(app)[1]["mail"] == "ok"
    with app.app_context():
        db.session.add(OutgoingMail(kind="approved", payload="sealed", attempts=1))
        db.session.commit()
    status, body = health(app)
    assert status == 200 and body["mail"] == "retrying" and body["status"] == "degraded"


# ---- gunicorn ----


def _gunicorn_settings(monkeypatch: pytest.MonkeyPatch, instance: Path):
    """gunicorn's Config as `make run` loads gallery.gunicorn_conf for this instance folder."""
    from gunicorn.config import Config as GunicornConfig

    import gallery.gunicorn_conf

    monkeypatch.setenv("GALLERY_INSTANCE", str(instance))
    module = importlib.reload(gallery.gunicorn_conf)
    config = GunicornConfig()
    for name in dir(module):
        if name in config.settings:
            config.set(name, getattr(module, name))
    return config


def test_each_instance_has_its_own_gunicorn_control_socket(monkeypatch, tmp_path):
    live = _gunicorn_settings(monkeypatch, tmp_path / "live")
    restored = _gunicorn_settings(monkeypatch, tmp_path / "restored")
    assert live.control_socket == str(tmp_path / "live" / "gunicorn.ctl")
    assert restored.control_socket == str(tmp_path / "restored" / "gunicorn.ctl")
    assert not live.control_socket_disable and not restored.control_socket_disable
    assert live.control_socket_mode == 0o600


def test_the_control_socket_is_off_when_its_path_is_too_long_for_a_unix_socket(monkeypatch, tmp_path):
    settings = _gunicorn_settings(monkeypatch, tmp_path / ("x" * 120))
    assert settings.control_socket_disable
    assert ".gunicorn" not in str(settings.control_socket)
