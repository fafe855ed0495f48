"""Valid HTML: the W3C Nu HTML Checker (vnu.jar, pinned by scripts/ensure-node-tools) finds
no error on any public page, in any language, nor on a form showing its errors."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from gallery.extensions import db
from gallery.models import Letter, Role, Work
from helpers import csrf_from, fresh

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from check_html import LANGUAGES, PAGES, VNU, check  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not VNU.exists() or not shutil.which("java"),
        reason="vnu.jar or java is missing (scripts/ensure-node-tools)",
    ),
]


def test_every_public_page_is_valid_html(app, client, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    fresh()
    work = db.session.scalars(select(Work)).first()
    documents = {}
    for code in LANGUAGES:
        for page in PAGES:
            path = f"/{code}" + page.format(work=work.public_id)
            response = client.get(path)
            assert response.status_code == 200, path
            documents[path] = response.get_data(as_text=True)
        html = documents[f"/{code}/submit"]
        refused = client.post(
            f"/{code}/submit", data={"csrf_token": csrf_from(html), "email": "nope"}
        )
        assert refused.status_code == 400
        documents[f"/{code}/submit (with errors)"] = refused.get_data(as_text=True)
    found = {name: errors for name, errors in check(documents).items() if errors}
    assert found == {}


def test_the_letter_desk_pages_are_valid_html(app, client, runner, make_moderator, login):
    """The writer's status page (pending, then refused), the desk and a letter's page, in
    each language, for a moderator and a volunteer."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    make_moderator("desk", role=Role.MODERATOR)
    documents = {}
    for code in LANGUAGES:
        write = f"/{code}/prisoners/azat-miftakhov/write"
        answer = client.post(
            write,
            data={
                "csrf_token": csrf_from(client.get(write).get_data(as_text=True)),
                "body": "Courage <b>&amp;</b> patience",
                "signature": "Léa",
            },
        )
        assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
        documents[f"{code} letter"] = client.get(answer.headers["Location"]).get_data(as_text=True)
        refused = client.post(
            write, data={"csrf_token": csrf_from(client.get(write).get_data(as_text=True))}
        )
        assert refused.status_code == 400
        documents[f"{code} letter form (with errors)"] = refused.get_data(as_text=True)
    fresh()
    letter = db.session.scalars(select(Letter)).first()
    assert login("desk").status_code == 303
    for code in LANGUAGES:
        client.get(f"/?lang={code}")
        for path in ("/moderation/letters", f"/moderation/letters/{letter.id}"):
            answer = client.get(path)
            assert answer.status_code == 200, path
            documents[f"{code} {path}"] = answer.get_data(as_text=True)
    found = {name: errors for name, errors in check(documents).items() if errors}
    assert found == {}


def test_the_checker_finds_an_error():
    found = check({"broken": "<!doctype html><html lang=en><title>x</title><img><p>"})
    assert any("alt" in e or "src" in e for e in found["broken"]), found


def test_the_dashboard_and_impact_pages_with_figures_are_valid_html(app, client, runner, moderator):
    """The moderators' dashboard and a prisoner's impact page with bars in their charts."""
    from gallery.models import Prisoner
    from gallery.verbs import impact

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    fresh()
    prisoner = db.session.scalars(select(Prisoner)).first()
    impact.record("postcard", prisoner_id=prisoner.id, n=12)
    impact.record("qr", prisoner_id=prisoner.id, n=3)
    impact.flush()
    documents = {}
    for code in LANGUAGES:
        for path in (
            f"/moderation/dashboard?lang={code}",
            f"/{code}/impact/prisoners/{prisoner.slug}",
        ):
            response = client.get(path)
            assert response.status_code == 200, path
            documents[path] = response.get_data(as_text=True)
    found = {name: errors for name, errors in check(documents).items() if errors}
    assert found == {}
