"""One error hierarchy with one handler (gallery/core/errors.py, gallery/web/errors/):
each kind's status, page and API answer, Retry-After for Busy, a full disk as 507 on
/submit, and a bug inside a moderation verb as a logged 500, never a quiet 404."""

from __future__ import annotations

import errno
import logging
import os

import pytest
from sqlalchemy import func, select

from gallery.core.errors import Busy, GalleryError, InvalidInput, NotAllowed, NotFound, StorageFull
from gallery.extensions import db
from gallery.models import Work
from helpers import form_data, fresh, png_bytes, post

KINDS = {
    "not-found": (NotFound, 404, "There is nothing here."),
    "not-allowed": (NotAllowed, 409, "This cannot be done now"),
    "invalid": (InvalidInput, 400, "not in the expected shape"),
    "busy": (Busy, 503, "The gallery cannot answer right now."),
    "full": (StorageFull, 507, "The server has no room left"),
}


def test_the_existing_refusals_are_kinds_of_gallery_error():
    from gallery.core.paging import BadQuery
    from gallery.core.passwords import WeakPassword
    from gallery.images import InvalidImage
    from gallery.media.slots import NoSlot
    from gallery.search import QueryRefused
    from gallery.verbs import NotAllowed as VerbNotAllowed
    from gallery.verbs.accounts import AccountError
    from gallery.verbs.covers import BadRegions

    assert VerbNotAllowed is NotAllowed
    for kind in (BadQuery, WeakPassword, InvalidImage, QueryRefused, AccountError, BadRegions):
        assert issubclass(kind, InvalidInput) and issubclass(kind, ValueError), kind
        assert kind("x").status == 400
    assert issubclass(NoSlot, Busy) and NoSlot().status == 503 and NoSlot().retry_after == 30
    assert Busy(retry_after=10).retry_after == 10 and Busy().retry_after == 30
    assert InvalidImage("too big", 413).status == 413
    # Codes stay what callers compare; messages stay filled in.
    assert str(NotAllowed("cover-first")) == "cover-first" and not NotAllowed("cover-first").shown
    assert str(BadRegions("At most %(max)s rectangles", max="3")) == "At most 3 rectangles"
    assert not issubclass(NotFound, LookupError)  # `except LookupError` would hide a KeyError


@pytest.fixture
def raising(app):
    """/raise/<kind> and /api/raise/<kind>: a view that raises that kind of error."""

    def view(kind: str):
        raise KINDS[kind][0]()

    app.add_url_rule("/raise/<kind>", "raise_page", view)
    app.add_url_rule("/api/raise/<kind>", "raise_api", view)
    return app


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_its_status_and_page(raising, client, kind):
    _cls, status, text = KINDS[kind]
    page = client.get(f"/raise/{kind}")
    assert page.status_code == status
    assert page.mimetype == "text/html"
    assert text in page.get_data(as_text=True)
    assert ("Retry-After" in page.headers) == (kind == "busy")


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_problem_details_on_the_api(raising, client, kind):
    _cls, status, _text = KINDS[kind]
    answer = client.get(f"/api/raise/{kind}")
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"
    body = answer.get_json()
    assert body["status"] == status and body["error"]["status"] == status
    assert body["detail"] == body["error"]["message"] and body["detail"]


def test_busy_says_when_to_come_back(raising, client):
    assert client.get("/raise/busy").headers["Retry-After"] == "30"
    assert client.get("/api/raise/busy").headers["Retry-After"] == "30"


def test_the_page_is_in_the_readers_language(raising, client):
    page = client.get("/raise/full", headers={"Accept-Language": "fr"})
    assert page.status_code == 507
    assert "Le serveur n’a plus de place pour enregistrer votre envoi." in page.get_data(
        as_text=True
    )


def test_a_bad_query_names_the_parameter_on_the_api(client):
    answer = client.get("/api/works?after=12-x")
    assert answer.status_code == 400
    assert answer.get_json()["detail"] == "Malformed query parameter (cursor)."
    page = client.get("/works?after=12-x")
    assert page.status_code == 400 and "not in the expected shape" in page.get_data(as_text=True)


def test_a_key_error_inside_a_moderation_verb_is_a_logged_500(
    app, client, moderator, pending, monkeypatch, caplog
):
    from gallery.verbs import covers

    work, _token = pending(png_bytes())

    def buggy(*args, **kwargs):
        return {}["missing"]

    monkeypatch.setattr(covers, "nothing_to_cover", buggy)
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR, logger="gallery.web.errors"):
        response = client.post(
            f"/moderation/works/{work.id}/nothing-to-cover", data={"csrf_token": moderator}
        )
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert any(
        "KeyError" in r.getMessage() and "nothing-to-cover" in r.getMessage()
        for r in caplog.records
    )


def test_an_unknown_work_in_a_moderation_verb_is_a_404(client, moderator):
    response = client.post(
        "/moderation/works/999999/nothing-to-cover", data={"csrf_token": moderator}
    )
    assert response.status_code == 404
    assert "There is nothing here." in response.get_data(as_text=True)


def _works() -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(Work))


@pytest.mark.parametrize("errno_", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_on_submit_is_507_with_the_form_as_it_was(client, monkeypatch, errno_):
    from gallery.media import local

    def full(*args, **kwargs):
        raise OSError(errno_, os.strerror(errno_))

    monkeypatch.setattr(local.os, "fsync", full)
    response = post(client, form_data(client, png_bytes(), title="Kept in the form"))
    html = response.get_data(as_text=True)
    assert response.status_code == 507
    assert "The server has no room left to store what you sent." in html
    assert 'value="Kept in the form"' in html  # the form again, filled in
    assert _works() == 0


def test_a_failing_disk_on_submit_is_a_logged_500(app, client, monkeypatch, caplog):
    from gallery.media import local

    def failing(*args, **kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(local.os, "fsync", failing)
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR, logger="gallery.web.errors"):
        response = post(client, form_data(client, png_bytes()))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert any("OSError" in r.getMessage() for r in caplog.records)
    assert _works() == 0


def test_gallery_error_needs_no_flask():
    import ast
    from pathlib import Path

    import gallery.core.errors as errors

    tree = ast.parse(Path(errors.__file__).read_text())
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(name.split(".")[0] in {"flask", "werkzeug"} for name in imported)
    assert issubclass(StorageFull, GalleryError)
