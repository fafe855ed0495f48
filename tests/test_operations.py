"""What an operator meets running the gallery: the health check, settings read as the
README's table says, restoring a backup, gunicorn's control socket."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest


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
