"""The package as an operator installs it: the optional dependencies ([postgres], [s3])
are asked for by name when a setting needs them, and a gunicorn that preloads the app
before forking its workers serves pages and uploads (gallery/gunicorn_conf.py)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from helpers import free_port, png_bytes, start_gunicorn, stop_group

ROOT = Path(__file__).resolve().parents[2]


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


def test_a_bucket_without_the_s3_extra_stops_the_app_naming_the_extra(
    app_factory, without, monkeypatch
):
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

    check_extras(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://gallery@127.0.0.1:9/gallery",
            "MEDIA_STORE": "s3://gallery/media",
        }
    )
    check_extras({"SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:"})


# ---- gunicorn with preload_app: the master builds the app once, its two workers fork ----


def _open_files(pid: int) -> set[str]:
    folder = Path(f"/proc/{pid}/fd")
    found = set()
    for fd in folder.iterdir():
        try:
            found.add(os.readlink(fd))
        except OSError:
            pass  # closed in the meantime
    return found


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return sorted(int(c) for t in tasks.iterdir() for c in (t / "children").read_text().split())


@pytest.fixture
def preloaded(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    """gunicorn with the shipped config (preload_app), 2 workers, on a migrated SQLite
    instance: (its address, the master, its log)."""
    bin_ = Path(sys.executable).parent
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FLASK_", "GALLERY_", "DATABASE_URL"))
    }
    env.update(GALLERY_INSTANCE=str(tmp_path / "instance"), FLASK_SUBMIT_RATE_LIMIT="2 per hour")
    done = subprocess.run(
        [str(bin_ / "flask"), "--app", "gallery", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    port, log = free_port(), tmp_path / "gunicorn.log"
    master = start_gunicorn(bin_ / "gunicorn", port, env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert master.poll() is None, log.read_text()[-3000:]
            try:
                if (
                    requests.get(url + "/healthz", timeout=2).status_code == 200
                    and len(_children(master.pid)) >= 2
                ):
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            time.sleep(0.1)
        yield url, master, log
    finally:
        stop_group(master)


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def _upload(url: str, title: str) -> requests.Response:
    session = requests.Session()
    form = session.get(url + "/submit", timeout=30)
    data = {
        "csrf_token": _token(form.text),
        "title": title,
        "alt_text": f"Alt of {title}",
        "licence": "cc-by-4.0",
        "own_work": "y",
        "consent": "y",
        "ai_used": "no",
    }
    files = {"image": ("art.png", io.BytesIO(png_bytes((640, 480), "#aa3322")), "image/png")}
    sent = session.post(url + "/submit", data=data, files=files, timeout=60, allow_redirects=False)
    if sent.status_code == 303:
        receipt = session.get(url + sent.headers["Location"], timeout=30)
        assert receipt.status_code == 200 and title in receipt.text
    return sent


@pytest.mark.slow
def test_preloaded_workers_serve_pages_and_uploads(preloaded):
    url, master, log = preloaded
    # The master built the app (preload): it holds the rate-limit file the app opened.
    assert any(name.endswith("ratelimits.sqlite3") for name in _open_files(master.pid))
    workers = _children(master.pid)
    assert len(workers) == 2

    # Pages, in parallel so that both workers answer.
    paths = ["/", "/works", "/prisoners", "/submit", "/works?lang=fr", "/?lang=ru"] * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda p: requests.get(url + p, timeout=30), paths))
    assert [a.status_code for a in answers] == [200] * len(paths)
    assert all("Art Protest" in a.text for a in answers)
    assert "<title>Galerie · Art Protest</title>" in answers[4].text

    # Uploads: accepted and shown on their receipt; the rate limit (2 per hour here) counts
    # them in the one file both workers write, each through a connection of its own.
    assert _upload(url, "First drawing").status_code == 303
    assert _upload(url, "Second drawing").status_code == 303
    assert _upload(url, "Third drawing").status_code == 429
    media = Path(log.parent / "instance" / "media")
    assert len([p for p in media.rglob("*.jpg") if p.is_file()]) >= 2

    # Both workers are still the ones forked at start: none died on the way.
    assert _children(master.pid) == workers
    assert "Traceback" not in log.read_text()
