"""Issue 14: two hosts, one gallery.  Two gunicorn instances, each with an instance folder of
its own (as two machines would have), on different ports, sharing PostgreSQL, Redis (page
cache and rate limits) and the S3 store (moto's standalone server): an upload on one is
moderated on the other, both serve the same cached pages, limits count across both, and a
takedown on one is gone from both at once.

PostgreSQL and Redis are those of this project's machines (TEST_DATABASE_URL, or the local
default below; REDIS_URL or the local default): this test uses them in both runs of the
suite, on a schema and key prefixes of its own that it removes afterwards."""

from __future__ import annotations

import io
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from helpers import free_port, png_bytes, s3_environment, start_gunicorn, stop_group

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
PASSWORD = "two hosts, one gallery"
START_SECONDS = 60
PUBLIC_HOST = "gallery.example"

pytestmark = pytest.mark.slow


@dataclass
class Host:
    name: str
    url: str
    process: subprocess.Popen
    log: Path

    def get(self, path: str, *, headers: dict[str, str] | None = None) -> requests.Response:
        """A visitor's GET, with the one public host name a proxy in front of both sends."""
        return requests.get(
            self.url + path,
            timeout=30,
            allow_redirects=False,
            headers={"Host": PUBLIC_HOST, **(headers or {})},
        )


@pytest.fixture
def shared(
    tmp_path: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """The environment both hosts share: a PostgreSQL schema, Redis prefixes, a bucket, one
    secret key (sessions and CSRF tokens made on one host are good on the other)."""
    base = os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES
    schema = f"two_hosts_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS
    prefix = f"two-hosts-{secrets.token_hex(4)}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FLASK_", "GALLERY_"))}
    env.update(s3_environment(moto_endpoint, tmp_path))
    import boto3

    bucket = f"two-hosts-{secrets.token_hex(4)}"
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket=bucket)
    env.update(
        {
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "GALLERY_MEDIA": f"s3://{bucket}/gallery",
            "CACHE_REDIS_URL": redis_url,
            "RATELIMIT_STORAGE_URI": redis_url,
            "FLASK_CACHE_KEY_PREFIX": f"{prefix}-cache:",
            "FLASK_RATELIMIT_KEY_PREFIX": f"{prefix}-limits",
            "FLASK_SECRET_KEY": secrets.token_hex(32),
            "FLASK_SUBMIT_RATE_LIMIT": "2 per hour",
            "FLASK_REPORT_RATE_LIMIT": "20 per hour",
        }
    )
    try:
        yield env
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=obj["Key"])
        s3.delete_bucket(Bucket=bucket)


def _flask(env: dict[str, str], instance: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "gallery", *args],
        cwd=ROOT,
        input=stdin,
        env={**env, "GALLERY_INSTANCE": str(instance)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def hosts(shared: dict[str, str], tmp_path: Path) -> Iterator[tuple[Host, Host]]:
    """Migrations once (from the first host), a moderator, then both hosts serving."""
    _flask(shared, tmp_path / "one", "db", "upgrade")
    _flask(shared, tmp_path / "one", "create-moderator", "mod", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    started: list[Host] = []
    try:
        for name in ("one", "two"):
            port = free_port()
            log = tmp_path / f"{name}.log"
            env = {**shared, "GALLERY_INSTANCE": str(tmp_path / name)}
            process = start_gunicorn(BIN / "gunicorn", port, env, log)
            started.append(Host(name, f"http://127.0.0.1:{port}", process, log))
        for host in started:
            _wait_for(host)
        yield started[0], started[1]
    finally:
        for host in started:
            stop_group(host.process)


def _wait_for(host: Host) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if host.process.poll() is not None:
            pytest.fail(f"host {host.name} ended at start:\n{host.log.read_text()[-3000:]}")
        try:
            if requests.get(host.url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"host {host.name} did not answer within {START_SECONDS} s")


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def _upload(host: Host, title: str) -> requests.Response:
    session = requests.Session()
    form = session.get(host.url + "/submit", timeout=30)
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
    return session.post(
        host.url + "/submit", data=data, files=files, timeout=60, allow_redirects=False
    )


def test_two_hosts_share_one_gallery(hosts: tuple[Host, Host]) -> None:
    one, two = hosts

    # An artist uploads on host one.
    sent = _upload(one, "Drawn on host one")
    assert sent.status_code == 303, sent.text[:500]
    assert "Drawn on host one" not in two.get("/works").text  # pending: nowhere public

    # A moderator, logged in on host two, finds it in the queue there and approves it.
    moderator = requests.Session()
    login = moderator.get(two.url + "/login", timeout=30)
    answer = moderator.post(
        two.url + "/login",
        timeout=30,
        allow_redirects=False,
        data={"username": "mod", "password": PASSWORD, "csrf_token": _token(login.text)},
    )
    assert answer.status_code == 303
    queue = moderator.get(two.url + "/moderation/", timeout=30)
    assert "Drawn on host one" in queue.text
    work_id = re.search(r'href="/moderation/works/(\d+)"', queue.text).group(1)
    review = moderator.get(f"{two.url}/moderation/works/{work_id}", timeout=30)
    pending_image = re.search(r'src="(/media/[^"]+)"', review.text).group(1)
    assert one.get(pending_image).status_code == 404  # a pending image: not for the public
    assert moderator.get(two.url + pending_image, timeout=30).status_code == 200
    approved = moderator.post(
        f"{two.url}/moderation/works/{work_id}/approve",
        timeout=30,
        data={
            "csrf_token": _token(review.text),
            "seen": re.search(r'name="seen" value="([0-9a-f]+)"', review.text).group(1),
        },
        allow_redirects=False,
    )
    assert approved.status_code == 303

    # Both hosts show it at once, from one cached copy of each page (the same entry: the
    # same validator and date), and its image comes from the shared bucket.
    pages = {}
    for host in (one, two, one, two):
        grid = host.get("/works")
        assert grid.status_code == 200 and "Drawn on host one" in grid.text
        pages.setdefault(host.name, []).append(
            (grid.headers["ETag"], grid.headers["Last-Modified"])
        )
    assert len({tag for seen in pages.values() for tag in seen}) == 1
    public_id = re.search(r'href="/works/([A-Za-z0-9_-]{22})[?"]', one.get("/works").text).group(1)
    work_page = two.get(f"/works/{public_id}")
    image = re.search(r'src="(/media/[^"]+)"', work_page.text).group(1)
    served = [host.get(image) for host in (one, two)]
    assert [r.status_code for r in served] == [200, 200]
    assert served[0].content == served[1].content and served[0].content[:3] == b"\xff\xd8\xff"
    assert one.get(image, headers={"If-None-Match": served[0].headers["ETag"]}).status_code == 304

    # Limits count across hosts: two uploads an hour per client, one made above on host one.
    assert _upload(two, "Second upload, on host two").status_code == 303
    assert _upload(one, "Third upload, on host one").status_code == 429

    # A visitor on host one reports the work as identifying a person at risk: hidden at
    # once, and gone from every page of host two, its old image address dead on both.
    visitor = requests.Session()
    form = visitor.get(f"{one.url}/works/{public_id}/report", timeout=30)
    reported = visitor.post(
        f"{one.url}/works/{public_id}/report",
        timeout=30,
        allow_redirects=False,
        data={"category": "person-at-risk", "text": "", "csrf_token": _token(form.text)},
    )
    assert reported.status_code == 303
    for path in ("/works", "/", "/fr/works", "/feed.atom"):
        assert "Drawn on host one" not in two.get(path).text, path
    assert two.get(f"/works/{public_id}").status_code == 404
    assert [host.get(image).status_code for host in (one, two)] == [404, 404]


def test_a_host_with_a_page_cache_of_its_own_never_serves_another_hosts_takedown(
    app_factory, database_url, tmp_path, monkeypatch, caplog
):
    # Two hosts on one PostgreSQL schema, each with the default cache (files in its own
    # instance folder), neither told it is the only host: a takedown on one must not stay
    # on the other's pages until they expire, so neither starts its page cache.
    if not database_url:
        pytest.skip("only PostgreSQL is shared by hosts; a SQLite file is one host's")
    from flask import Flask

    from gallery import create_app
    from gallery.extensions import db
    from gallery.media import media_store as store
    from gallery.models import Work
    from helpers import IsolatedClient, add_work

    one = app_factory(PAGE_CACHE_ONE_HOST=False)
    monkeypatch.setenv("GALLERY_INSTANCE", str(tmp_path / "two"))
    two = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": database_url}
    )
    try:
        with one.app_context():
            work_id = add_work(store(one), title="Shown on both hosts", alt_text="Alt").id

        def grid(app: Flask) -> str:
            app.test_client_class = IsolatedClient
            return app.test_client().get("/works").get_data(as_text=True)

        assert "Shown on both hosts" in grid(one) and "Shown on both hosts" in grid(two)
        with one.app_context():
            db.session.get(Work, work_id).hidden = True  # a takedown on host one
            db.session.commit()
        assert "Shown on both hosts" not in grid(two)
        assert "page cache off: a per-host cache on a shared database" in caplog.text
    finally:
        with two.app_context():
            db.session.remove()
            db.engine.dispose()
