"""What /healthz reports: each dependency the gallery uses, whether the site needs it, and
its state, each probed in a thread of its own under one deadline, so a dependency that
hangs (a firewall dropping packets) answers "timeout" instead of holding the probe.

Needed (down: 503): the database, and the media store (without it no image is shown and
no upload kept).  Only degrading (down: 200, "status": "degraded"): the page cache (pages
are rendered each time), the rate-limit store (web/limits.py), and mail (queued and
retried; reported from the queue, never by connecting to the SMTP server, which would cost
a TCP and TLS handshake per probe)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import func, select, text

from .. import mail
from ..extensions import db
from ..media import MediaStore, media_store
from ..models import OutgoingMail
from . import pagecache
from .limits import limiter

log = logging.getLogger(__name__)

OK, DOWN, TIMEOUT, OFF, RETRYING = "ok", "down", "timeout", "off", "retrying"


@dataclass(frozen=True)
class Dependency:
    name: str
    needed: bool
    probe: Callable[[Flask], str]  # its state (OK, OFF, RETRYING); raises when down


def _database(app: Flask) -> str:
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))
        finally:
            db.session.remove()
    return OK


def _media(app: Flask) -> str:
    store = media_store(app)
    if isinstance(store, MediaStore):
        if not os.access(store.works, os.R_OK | os.W_OK | os.X_OK):
            raise OSError("the media folder cannot be written")
        return OK
    store.client.head_bucket(Bucket=store.bucket)  # type: ignore[attr-defined]
    return OK


def _page_cache(app: Flask) -> str:
    if pagecache.generation(app) is None:
        raise ConnectionError("the page cache cannot be reached")
    return OK


def _rate_limits(app: Flask) -> str:
    if not app.config["RATELIMIT_ENABLED"]:
        return OFF
    if not limiter.storage.check():
        raise ConnectionError("the rate-limit store cannot be reached")
    return OK


def _mail(app: Flask) -> str:
    if mail.settings(app) is None:
        return OFF
    with app.app_context():
        try:
            failed = db.session.scalar(
                select(func.count()).select_from(OutgoingMail).where(OutgoingMail.attempts > 0)
            )
        finally:
            db.session.remove()
    return RETRYING if failed else OK


DEPENDENCIES = (
    Dependency("database", True, _database),
    Dependency("media", True, _media),
    Dependency("page_cache", False, _page_cache),
    Dependency("rate_limits", False, _rate_limits),
    Dependency("mail", False, _mail),
)


def check(app: Flask) -> tuple[bool, dict[str, str]]:
    """(whether the site can serve, {dependency: state}), within HEALTHZ_TIMEOUT seconds."""
    timeout = float(app.config["HEALTHZ_TIMEOUT"])
    pool = ThreadPoolExecutor(max_workers=len(DEPENDENCIES), thread_name_prefix="healthz")
    futures = {d: pool.submit(d.probe, app) for d in DEPENDENCIES}
    wait(futures.values(), timeout=timeout)
    pool.shutdown(wait=False, cancel_futures=True)  # a hung probe ends on its own timeout
    states: dict[str, str] = {}
    for dependency, future in futures.items():
        if not future.done():
            states[dependency.name] = TIMEOUT
        elif (error := future.exception()) is not None:
            states[dependency.name] = DOWN
            log.warning("health check: %s is down (%s)", dependency.name, type(error).__name__)
        else:
            states[dependency.name] = future.result()
    if TIMEOUT in states.values():
        log.warning(
            "health check: no answer within %s s from %s",
            timeout,
            ", ".join(n for n, s in states.items() if s == TIMEOUT),
        )
    serving = all(states[d.name] not in (DOWN, TIMEOUT) for d in DEPENDENCIES if d.needed)
    return serving, states
