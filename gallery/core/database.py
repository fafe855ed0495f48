"""Database plumbing: SQLite pragmas, write transactions that lock up front, and work to do
once the transaction ends (delete files after a commit, remove new files after a rollback).

Verbs flush; the request or the CLI command commits once. A verb that must touch the disk
says so here instead of committing itself:

- after_commit(fn): run fn once the transaction has committed (files of a rejected work
  are deleted only when the rejection is durable);
- after_rollback(fn): run fn if the transaction ends any other way (the files of a new
  work are removed when its row never reaches the database).

SQLite database files (and so their -wal and -shm files) are readable by their owner only.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, SessionTransaction

from ..extensions import db

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
_IMMEDIATE = "gallery_write"
_WRITING = "gallery.writing"
_ON_COMMIT = "gallery.on_commit"
_ON_ROLLBACK = "gallery.on_rollback"


PRIVATE_FILE_MODE = 0o600


def private_file(path: Path | str) -> None:
    """Make sure a database file exists and only its owner can read it, before SQLite opens
    it: SQLite gives its -wal and -shm files the database file's own permissions."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        pass
    os.chmod(path, PRIVATE_FILE_MODE)


def sqlite_file(uri: str) -> Path | None:
    """The file of a SQLite database URL, or None (another database, or in memory)."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    if not isinstance(dbapi_conn, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event below emit BEGIN, so writers can ask for IMMEDIATE.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    # What a rejected or withdrawn work forgets, and a purged row, is overwritten on disk
    # rather than left in free pages, where a seized file would still hold it.
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


@event.listens_for(Engine, "begin")
def _on_begin(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    # A write transaction takes the lock at BEGIN: a deferred one that reads first
    # and writes later can fail with "database is locked" despite the busy timeout.
    mode = "IMMEDIATE" if conn.get_execution_options().get(_IMMEDIATE) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def begin_write() -> None:
    """Make the session's transaction a write transaction (idempotent).

    A read-only transaction still open is ended first, since SQLite cannot turn a deferred
    transaction into an immediate one; a write transaction already begun is kept, so
    several verbs can share it and the caller commits them together."""
    session = db.session()
    if session.info.get(_WRITING):
        return
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() after unsaved changes: call it first")
        session.commit()
    session.connection(execution_options={_IMMEDIATE: True})
    session.info[_WRITING] = True


def after_commit(fn: Callable[[], None]) -> None:
    """Run fn once the current write transaction has committed (never if it rolls back)."""
    _write_session().info.setdefault(_ON_COMMIT, []).append(fn)


def after_rollback(fn: Callable[[], None]) -> None:
    """Run fn if the current write transaction ends without committing."""
    _write_session().info.setdefault(_ON_ROLLBACK, []).append(fn)


def _write_session() -> Session:
    session = db.session()
    if not session.info.get(_WRITING) or not session.in_transaction():
        raise RuntimeError("call begin_write() before registering work for the transaction's end")
    return session


def _run(callbacks: list[Callable[[], None]], when: str) -> None:
    for fn in callbacks:
        try:
            fn()
        except Exception:  # noqa: BLE001 - one failed clean-up must not stop the others
            log.exception("clean-up %s failed", when)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the transaction goes on
        return
    session.info.pop(_ON_ROLLBACK, None)
    _run(session.info.pop(_ON_COMMIT, []), "after commit")


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint or subtransaction: not the end yet
        return
    session.info.pop(_WRITING, None)
    session.info.pop(_ON_COMMIT, None)
    # Still here: the transaction rolled back or was closed without a commit.
    _run(session.info.pop(_ON_ROLLBACK, []), "after rollback")
