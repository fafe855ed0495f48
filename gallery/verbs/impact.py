"""Impact counts: recorded in memory, added to the database now and then (issue 25).

A GET that serves a postcard or opens a page from a QR code must not write: on SQLite a
write takes the database's one lock, and a page served from the cache has no transaction
at all. So `record()` only adds to a buffer kept per app and process (a lock guards it:
gunicorn's threads share it), and `flush()` adds the buffer to the `impact_count` table
in one upsert (INSERT .. ON CONFLICT DO UPDATE count = count + excluded.count) in a
transaction of its own, apart from any request's: counts are not part of what a request
decides, and a request that fails still printed its postcard. A daemon thread flushes
every IMPACT_FLUSH_SECONDS, and the process flushes once more when it exits; with 0 (the
tests' setting) neither runs, and only flush() writes.

What is kept is a number per day (UTC), kind and subject: never who, from where or with
what browser. A count lost in a crash (at most IMPACT_FLUSH_SECONDS of one worker's) is
a count not shown, which is the safe side."""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import ImpactCount
from ..models.impact import KINDS, NONE

log = logging.getLogger(__name__)

_EXTENSION = "gallery.impact"
# Every app that holds counts not yet written, for the last flush at exit.
_LIVE: weakref.WeakSet[Flask] = weakref.WeakSet()
_KEY = ("day", "kind", "work_id", "prisoner_id", "campaign_id")


class _Buffer:
    """The counts of one app in one process, and the thread that writes them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[tuple[date, str, int, int, int]] = Counter()
        self.pid = os.getpid()
        self.thread: threading.Thread | None = None


def _buffer(app: Flask) -> _Buffer:
    found = app.extensions.get(_EXTENSION)
    if found is None or found.pid != os.getpid():
        # A forked worker starts empty: what the parent held is the parent's to write.
        found = app.extensions[_EXTENSION] = _Buffer()
    return found


def record(
    kind: str,
    *,
    work_id: int | None = None,
    prisoner_id: int | None = None,
    campaign_id: int | None = None,
    n: int = 1,
) -> None:
    """Count `n` more of `kind` today for this work, prisoner and campaign (None: none).
    Only memory is touched; the row moves at the next flush()."""
    if kind not in KINDS:
        raise ValueError(f"unknown impact kind: {kind!r}")
    if n <= 0:
        return
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    buffer = _buffer(app)
    key = (
        datetime.now(UTC).date(),
        kind,
        work_id or NONE,
        prisoner_id or NONE,
        campaign_id or NONE,
    )
    with buffer.lock:
        buffer.counts[key] += n
        if buffer.thread is None:
            buffer.thread = _start_timer(app)
    if buffer.thread is not None:
        _LIVE.add(app)  # written once more at exit; with no timer, only flush() writes


def pending() -> int:
    """How many counts this process holds for the current app, not yet written."""
    buffer = _buffer(current_app._get_current_object())  # type: ignore[attr-defined]
    with buffer.lock:
        return sum(buffer.counts.values())


def flush() -> int:
    """Add what this process has counted to the table, in a transaction of its own;
    the number of counts written. On failure the counts go back into the buffer, to be
    tried again at the next flush, and the error is raised."""
    buffer = _buffer(current_app._get_current_object())  # type: ignore[attr-defined]
    with buffer.lock:
        taken, buffer.counts = buffer.counts, Counter()
    if not taken:
        return 0
    rows = [dict(zip(_KEY, key), count=n) for key, n in sorted(taken.items())]
    try:
        _upsert(rows)
    except Exception:
        with buffer.lock:
            buffer.counts.update(taken)
        raise
    return sum(taken.values())


def _upsert(rows: list[dict[str, Any]]) -> None:
    table = ImpactCount.__table__
    engine = db.engine
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(_KEY),
        set_={"count": table.c.count + statement.excluded.count},
    )
    # gallery_write: BEGIN IMMEDIATE on SQLite (core/database.py), so the writer waits for
    # the lock at the start instead of failing half-way.
    with engine.connect().execution_options(gallery_write=True) as conn, conn.begin():
        conn.execute(statement)


def _start_timer(app: Flask) -> threading.Thread | None:
    """A daemon thread that flushes the app's counts every IMPACT_FLUSH_SECONDS (none when
    it is 0); it ends by itself once the app is gone."""
    seconds = float(app.config.get("IMPACT_FLUSH_SECONDS") or 0)
    if seconds <= 0:
        return None
    ref = weakref.ref(app)
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(seconds):
            target = ref()
            if target is None:
                return
            _flush_quietly(target)
            del target

    thread = threading.Thread(target=run, name="impact-flush", daemon=True)
    thread.start()
    return thread


def _flush_quietly(app: Flask) -> None:
    try:
        with app.app_context():
            flush()
    except Exception:  # noqa: BLE001 - counts wait for the next try; never kill the thread
        log.exception("impact: could not write the counts; they wait for the next flush")


@atexit.register
def _flush_at_exit() -> None:
    for app in list(_LIVE):
        buffer = app.extensions.get(_EXTENSION)
        if buffer is not None and buffer.pid == os.getpid() and buffer.counts:
            _flush_quietly(app)
