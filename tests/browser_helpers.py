"""What the browser tests share: Debian's Chromium driven by Playwright, one live server for
the whole run, tabs that collect every error they meet, and waiting for images.

The fixtures built on these (`live`, `browser`, `open_tab`) are in conftest.py; they import
this module only when a browser test asks for them, so the rest of the suite runs without
Playwright. Test modules import it at the top, and are skipped when Playwright is missing."""

from __future__ import annotations

import io
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from gallery import create_app
from gallery.extensions import db
from gallery.models import Work, WorkStatus

CHROMIUM = Path(os.environ.get("CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package "
        "(make test does it when run as root) to run the browser tests",
    ),
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
expect = sync_api.expect

MAX_BYTES = 1024 * 1024  # the live server's upload limit: "too large" files are quick to make

# Violations are reported as console errors, which every tab collects.
REPORT_CSP = """document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI);
});"""


@dataclass
class Live:
    """The live server: its app (to read and write its database) and its address."""

    app: Any
    url: str
    work_id: str  # the public id of a demo work

    def count_works(self) -> int:
        with self.app.app_context():
            try:
                return db.session.scalar(select(func.count(Work.id))) or 0
            finally:
                db.session.remove()

    def work_numbered(self, work_id: int) -> Work | None:
        with self.app.app_context():
            try:
                work = db.session.get(Work, work_id)
                if work is not None:
                    db.session.expunge(work)
                return work
            finally:
                db.session.remove()

    def work_titled(self, title: str) -> Work | None:
        with self.app.app_context():
            try:
                work = db.session.scalar(select(Work).where(Work.title == title))
                if work is not None:
                    db.session.expunge(work)
                return work
            finally:
                db.session.remove()


@contextmanager
def _logging_kept() -> Iterator[None]:
    """Undo what create_app does to the "gallery" logger for an app not in testing mode (a
    handler of its own, no propagation), so the rest of the run is untouched and the live
    server's records reach pytest's capture like any other."""
    gallery = logging.getLogger("gallery")
    handlers, level, propagate = list(gallery.handlers), gallery.level, gallery.propagate
    try:
        yield
    finally:
        for handler in set(gallery.handlers) - set(handlers):
            gallery.removeHandler(handler)
        gallery.setLevel(level)  # setLevel, not .level =: it clears the loggers' level cache
        gallery.propagate = propagate


def _buffered(app: Any) -> Any:
    """The app's answers read whole, and its response closed, before the server sends them
    (as a buffering proxy would). Werkzeug's development server skips closing a response
    when the browser drops the connection mid-way (it does, leaving a page while images
    load): the image file would then be left open, a ResourceWarning that fails the run."""

    def wsgi(environ: dict, start_response: Any) -> list[bytes]:
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    return wsgi


@contextmanager
def serve_live(instance: Path, database_url: str | None) -> Iterator[Live]:
    """The real app (not in testing mode: CSRF on, error pages as in production; rate limits
    off) with its demo content, served on a free port by a threaded Werkzeug server, on a
    database of its own: a SQLite file in `instance`, or the given PostgreSQL schema."""
    from werkzeug.serving import make_server

    config: dict[str, Any] = {
        "SECRET_KEY": "browser-test-secret",
        "RATELIMIT_ENABLED": False,
        "MAX_CONTENT_LENGTH": MAX_BYTES,
        # Decisions final at once, as the tests that follow files expect; a test of the
        # undo window sets it on the app for its own length.
        "DECISION_UNDO_SECONDS": 0,
    }
    if database_url:
        config["SQLALCHEMY_DATABASE_URI"] = database_url
    with pytest.MonkeyPatch.context() as mp, _logging_kept():
        mp.setenv("GALLERY_INSTANCE", str(instance))
        for var in ("DATABASE_URL", "RATELIMIT_STORAGE_URI"):
            mp.delenv(var, raising=False)
        app = create_app(config)
    with app.app_context():
        db.create_all()
        seeded = app.test_cli_runner().invoke(args=["seed-demo"])
        assert seeded.exit_code == 0, seeded.output
        work_id = db.session.scalar(
            select(Work.public_id).where(Work.status == WorkStatus.APPROVED).limit(1)
        )
        db.session.remove()
    assert work_id, "the demo content has no approved work"

    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield Live(app=app, url=f"http://127.0.0.1:{server.server_port}", work_id=work_id)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@contextmanager
def launched_chromium() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Tab:
    """A page, with every console error, page error, CSP violation and request it met."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, url, type

    @classmethod
    def open(cls, context: Any) -> Tab:
        """A new page of a browser context, watched from its first request on."""
        tab = cls(context.new_page())
        tab.page.on("console", lambda m: m.type == "error" and tab.errors.append(m.text))
        tab.page.on("pageerror", lambda exc: tab.errors.append(f"page error: {exc}"))
        tab.page.on("request", lambda r: tab.requests.append((r.method, r.url, r.resource_type)))
        return tab

    def assert_clean(self, allowed: tuple[str, ...] = ()) -> None:
        unexpected = [e for e in self.errors if not any(a in e for a in allowed)]
        assert not unexpected, unexpected

    def posts_to(self, path: str) -> list[str]:
        """The resource types ("xhr", "document") of the POSTs sent to a path, in order."""
        return [
            kind for method, url, kind in self.requests if method == "POST" and url.endswith(path)
        ]


def new_context(
    browser: Any, live: Live, width: int = 1280, javascript: bool = True, scale: float = 1
) -> Any:
    """A fresh browser context (no cookies, no storage) on the live server; `scale` is
    the screen's pixel density (3 for most phones)."""
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        base_url=live.url,
        java_script_enabled=javascript,
        locale="en-GB",
        device_scale_factor=scale,
    )
    context.set_default_timeout(10_000)
    context.add_init_script(REPORT_CSP)
    return context


def wait_for_image(page: Any, selector: str) -> None:
    """Until the image is loaded and decoded (a broken one never is)."""
    page.wait_for_function(
        "(s) => { const i = document.querySelector(s); return !!i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
    )


# ---- the submit form (test_browser.py, test_browser_formats.py) ----

RECEIPT_URL = re.compile(r"/submissions/[A-Za-z0-9_-]{20,}$")


def fill_form(page: Any, image: Path | None, title: str = "A bird leaves the cage") -> None:
    """Fill every required field of /submit (the title only when given)."""
    if image is not None:
        page.set_input_files("#image", str(image))
    if title:
        page.fill("#title", title)
    page.fill("#alt_text", "A red bird flies out of a barred window")
    page.locator('input[name="prisoners"]').first.check()
    page.locator('input[name="licence"]').first.check()
    page.check("#own_work")
    page.check("#consent")
    page.check('input[name="ai_used"][value="no"]')


class UploadLog:
    """Every request to /uploads/ that reached the live server: method, headers and body,
    recorded by a WSGI layer around the app (the `upload_log` fixture puts it in place and
    takes it away)."""

    def __init__(self, app: Any):
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self._app = app
        self._inner = app.wsgi_app
        app.wsgi_app = self._record

    def close(self) -> None:
        self._app.wsgi_app = self._inner

    def _record(self, environ: dict, start_response: Any) -> Any:
        if environ.get("PATH_INFO", "").startswith("/uploads/"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            headers = {
                key[5:].replace("_", "-").lower(): value
                for key, value in environ.items()
                if key.startswith("HTTP_")
            }
            self.requests.append((environ["REQUEST_METHOD"], headers, body))
        return self._inner(environ, start_response)

    def methods(self) -> list[str]:
        return [m for m, _h, _b in self.requests]

    def received(self) -> bytes:
        """The file as the server got it: each PATCH's body at its offset (a retried chunk
        overwrites the part it repeats)."""
        data = bytearray()
        for method, headers, body in self.requests:
            if method != "PATCH":
                continue
            offset = int(headers["upload-offset"])
            data[offset : offset + len(body)] = body
        return bytes(data)
