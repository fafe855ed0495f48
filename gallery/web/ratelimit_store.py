"""A rate-limit store in a SQLite file, so that every worker of one host counts together.

Flask-Limiter keeps its counters in a `limits` storage.  Its memory storage is per process:
with two gunicorn workers each counted on its own, and a limit of 10 let 20 through.  Redis
is the answer for several hosts (RATELIMIT_STORAGE_URI=redis://...); for one host this file
in the instance folder is enough, and it needs no service.  The URI is
`gallery-sqlite:///absolute/path/to/file`.

Keys are already keyed hashes (web/limits.py): the file holds no address and no name.
Supports the fixed-window and the moving-window strategies (the gallery uses the latter).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from limits.storage import MovingWindowSupport, Storage

from ..core.database import private_file

SCHEME = "gallery-sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS hit (key TEXT NOT NULL, at REAL NOT NULL, expires REAL NOT NULL);
CREATE INDEX IF NOT EXISTS ix_hit_key_at ON hit (key, at);
CREATE INDEX IF NOT EXISTS ix_hit_expires ON hit (expires);
CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL);
"""
# Expired rows of every key are swept now and then, not on every hit.
_SWEEP_EVERY = 500


class SQLiteStorage(Storage, MovingWindowSupport):
    """Counters and moving windows in one SQLite file (WAL, short transactions)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: object):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        path = urlsplit(uri or "").path
        if not path:
            raise ValueError(f"{SCHEME}:// needs a file path")
        self.path = Path(path)
        self._local = threading.local()
        self._calls = 0
        private_file(self.path)
        self._connect().executescript(_SCHEMA)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            # A connection is never used across a fork (gunicorn's preload_app opens this
            # file in the master): the child leaves the parent's alone and opens its own.
            conn = sqlite3.connect(
                self.path, timeout=5, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def _write(self) -> sqlite3.Connection:
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")  # one writer at a time, across processes
        return conn

    def _sweep(self, conn: sqlite3.Connection, now: float) -> None:
        self._calls += 1
        if self._calls % _SWEEP_EVERY == 0:
            conn.execute("DELETE FROM hit WHERE expires < ?", (now,))
            conn.execute("DELETE FROM counter WHERE expires < ?", (now,))

    # ---- fixed window ----

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        conn = self._write()
        try:
            conn.execute("DELETE FROM counter WHERE key = ? AND expires <= ?", (key, now))
            conn.execute(
                "INSERT INTO counter (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                (key, amount, now + expiry),
            )
            (value,) = conn.execute("SELECT value FROM counter WHERE key = ?", (key,)).fetchone()
            self._sweep(conn, now)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return int(value)

    def get(self, key: str) -> int:
        row = (
            self._connect()
            .execute("SELECT value FROM counter WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = (
            self._connect()
            .execute(
                "SELECT max(expires) FROM (SELECT expires FROM counter WHERE key = ? "
                "UNION ALL SELECT expires FROM hit WHERE key = ?)",
                (key, key),
            )
            .fetchone()
        )
        return float(row[0]) if row and row[0] and row[0] > now else now

    def check(self) -> bool:
        try:
            self._connect().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        conn = self._write()
        try:
            count = conn.execute(
                "SELECT (SELECT count(*) FROM hit) + (SELECT count(*) FROM counter)"
            ).fetchone()[0]
            conn.execute("DELETE FROM hit")
            conn.execute("DELETE FROM counter")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return int(count)

    def clear(self, key: str) -> None:
        conn = self._write()
        try:
            conn.execute("DELETE FROM hit WHERE key = ?", (key,))
            conn.execute("DELETE FROM counter WHERE key = ?", (key,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    # ---- moving window ----

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        conn = self._write()
        try:
            conn.execute("DELETE FROM hit WHERE key = ? AND at <= ?", (key, now - expiry))
            (count,) = conn.execute("SELECT count(*) FROM hit WHERE key = ?", (key,)).fetchone()
            allowed = count + amount <= limit
            if allowed:
                conn.executemany(
                    "INSERT INTO hit (key, at, expires) VALUES (?, ?, ?)",
                    [(key, now, now + expiry)] * amount,
                )
            self._sweep(conn, now)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return allowed

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        oldest, count = (
            self._connect()
            .execute(
                "SELECT min(at), count(*) FROM hit WHERE key = ? AND at > ?", (key, now - expiry)
            )
            .fetchone()
        )
        return (float(oldest) if oldest is not None else now), int(count)
