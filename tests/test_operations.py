"""What an operator meets running the gallery: the health check, settings read as the
README's table says, restoring a backup, gunicorn's control socket."""
from __future__ import annotations

import importlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest


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
