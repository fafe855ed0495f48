"""Database plumbing: SQLite pragmas and write transactions that lock up front."""
from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from .extensions import db

SQLITE_BUSY_TIMEOUT_MS = 5000
_IMMEDIATE = "gallery_write"


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
    """Start the session's write transaction, ending any read-only one first."""
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={_IMMEDIATE: True})
