"""Delivering what a commit queued, for mail (gallery/mail/) and ActivityPub activities
(gallery/federation/): claiming the due rows of an outbox table (claim), and the
background thread each has per app (Courier).

A row is claimed before it is sent: attempts + 1 and a lease on next_attempt_at, in one
short transaction that only one sender can win, so two workers (or a worker and cron)
never send it twice, and a sender that dies leaves it due again once the lease ends.

After a commit that queued something, kick() starts the thread unless it is running; it
calls `deliver` (in an app context) until a run ends with no kick since it began, then
ends. A failure is logged and ends the run, never the request. Retries that fall due later
wait for the next kick or for the cron command. A forked worker gets a courier of its own
(after_fork): its parent's lock and thread stay behind."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import delete, select, update

from ..extensions import db
from .database import begin_write

log = logging.getLogger(__name__)


def claim(
    model: Any, columns: Sequence[Any], now: datetime, *, batch: int, lease: timedelta
) -> list[Any]:
    """Claim up to `batch` rows of the outbox table `model` due at `now` (oldest first) and
    return their `columns`, by id, for the rows this sender won; commits."""
    begin_write()
    due = db.session.execute(
        select(model.id, model.attempts)
        .where(model.next_attempt_at <= now)
        .order_by(model.next_attempt_at, model.id)
        .limit(batch)
    ).all()
    won = []
    for row_id, attempts in due:
        result = db.session.execute(
            update(model)
            .where(model.id == row_id, model.attempts == attempts)
            .values(attempts=attempts + 1, next_attempt_at=now + lease)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            won.append(row_id)
    rows = (
        list(db.session.execute(select(*columns).where(model.id.in_(won)).order_by(model.id)))
        if won
        else []
    )
    db.session.commit()
    return rows


def record(
    model: Any,
    outcome: dict[int, tuple[Any, str | None, bool]],
    now: datetime,
    done: Any,
    *,
    retry_delays: Sequence[timedelta],
    describe: Callable[[Any], str],
) -> None:
    """Record what a batch came to: {row id: (row, None when delivered or why not, whether
    to give up now)}. Delivered or given up (at once, or after its last retry delay): the row
    is deleted; else it is due again after the delay for its attempt. `done` counts sent,
    given_up and retrying; the log names each row by describe(row), never its payload."""
    begin_write()
    for row_id, (row, why, give_up) in outcome.items():
        if why is None:
            db.session.execute(delete(model).where(model.id == row_id))
            log.info("delivered %s", describe(row))
            done.sent += 1
        elif give_up or row.attempts > len(retry_delays):
            db.session.execute(delete(model).where(model.id == row_id))
            log.warning("gave up %s after %d attempt(s): %s", describe(row), row.attempts, why)
            done.given_up += 1
        else:
            db.session.execute(
                update(model)
                .where(model.id == row_id)
                .values(next_attempt_at=now + retry_delays[row.attempts - 1])
                .execution_options(synchronize_session=False)
            )
            log.warning(
                "%s was not delivered (attempt %d of %d): %s",
                describe(row),
                row.attempts,
                len(retry_delays) + 1,
                why,
            )
            done.retrying += 1
    db.session.commit()


class Courier:
    """One app's delivery thread for one kind of queue (`name`: the thread's name and the
    log's word for it)."""

    def __init__(self, app: Flask, deliver: Callable[[], object], name: str) -> None:
        self.app = app
        self.deliver = deliver
        self.name = name
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False

    def kick(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._again = True
                return
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                with self.app.app_context():
                    self.deliver()
            except Exception:  # noqa: BLE001 - the thread must end cleanly whatever happens
                log.exception("%s: delivering failed", self.name)
            with self._lock:
                if not self._again:
                    self._thread = None
                    return
                self._again = False

    def join(self, timeout: float) -> bool:
        """Wait for the current run to end; False if it is still running after timeout."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True


def courier_of(app: Flask, key: str, deliver: Callable[[], object], name: str) -> Courier:
    """The app's courier under `key` in app.extensions, made once."""
    found = app.extensions.get(key)
    if found is None:
        found = app.extensions.setdefault(key, Courier(app, deliver, name))
    return found


def renew(app: Flask, key: str, deliver: Callable[[], object], name: str) -> None:
    """A forked worker's own courier (its parent's lock and thread stay behind)."""
    app.extensions[key] = Courier(app, deliver, name)
