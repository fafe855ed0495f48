"""What an operator meets running the gallery: the health check, settings read as the
README's table says, restoring a backup, gunicorn's control socket."""
from __future__ import annotations

import importlib
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

# ---- settings: the README's tables, and NAME or FLASK_NAME for each ----

README = Path(__file__).resolve().parents[1] / "README.md"


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
