"""The package as an operator installs it: the optional dependencies ([postgres], [s3])
are asked for by name when a setting needs them, and a gunicorn that preloads the app
before forking its workers serves pages and uploads (gallery/gunicorn_conf.py)."""
from __future__ import annotations

import sys

import pytest


@pytest.fixture
def without(monkeypatch):
    """without(name): the module cannot be imported, as in an installation without its extra."""

    def hide(*names: str) -> None:
        for name in list(sys.modules):
            if name.split(".")[0] in names:
                monkeypatch.delitem(sys.modules, name)
        for name in names:
            monkeypatch.setitem(sys.modules, name, None)

    return hide


def test_postgresql_without_its_extra_stops_the_app_naming_the_extra(app_factory, without):
    without("psycopg")
    with pytest.raises(RuntimeError) as refused:
        app_factory(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://gallery@127.0.0.1:9/gallery")
    message = str(refused.value)
    assert "\n" not in message
    assert message.endswith("pip install 'art-protest-gallery[postgres]'")
    assert "postgresql+psycopg" in message


def test_a_bucket_without_the_s3_extra_stops_the_app_naming_the_extra(app_factory, without, monkeypatch):
    without("boto3", "botocore")
    monkeypatch.setenv("GALLERY_MEDIA", "s3://gallery/media")
    with pytest.raises(RuntimeError) as refused:
        app_factory()
    message = str(refused.value)
    assert "\n" not in message
    assert message.endswith("pip install 'art-protest-gallery[s3]'")


def test_with_the_extras_installed_the_same_settings_start(app_factory, monkeypatch):
    # psycopg and boto3 are in the test extras: the check does not refuse what is there.
    monkeypatch.setenv("GALLERY_MEDIA", "s3://gallery/media")
    from gallery import check_extras

    check_extras({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://gallery@127.0.0.1:9/gallery",
                  "MEDIA_STORE": "s3://gallery/media"})
    check_extras({"SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:"})
