"""Valid HTML: the W3C Nu HTML Checker (vnu.jar, pinned by scripts/ensure-node-tools) finds
no error on any public page, in any language, nor on a form showing its errors."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from gallery.extensions import db
from gallery.models import Work
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


def test_the_checker_finds_an_error():
    found = check({"broken": "<!doctype html><html lang=en><title>x</title><img><p>"})
    assert any("alt" in e or "src" in e for e in found["broken"]), found
