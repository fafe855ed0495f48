"""The page cache's two stores (Flask-Caching backends), with what the plain ones lack: a
byte budget, and a sweep that deletes every page of other generations at once.

A new generation makes the pages kept before unreachable, but unreachable is not gone: a
file or a Redis key would still hold a work that was taken down, covered or withdrawn, for
anyone who images the disk or reads a Redis snapshot.  So each store names a page by its
generation (the file's name starts with it; Redis keys hold it), and `sweep(generation)`
deletes every page of any other generation (web/pagecache/ calls it when it starts a
generation, when it sees a new one, and at start).

The budget (PAGE_CACHE_BYTES) holds for both.  Files: after each page is written, the
folder is measured, and the pages that expired, then the oldest, go until it fits again.
Redis: what was stored in the current and the previous window of PAGE_CACHE_SECONDS is
counted (every page expires within two windows); a page that would take the count past
the budget is not kept (it is still served)."""

from __future__ import annotations

import logging
import os
import re
import struct
import time
from typing import Any

from flask import Flask
from flask_caching.backends.filesystemcache import FileSystemCache
from flask_caching.backends.rediscache import RedisCache

log = logging.getLogger(__name__)

# A page's key: "page:<generation>:<day>:<language>:<digest>" (_page_key in pagecache/pages.py).
PAGE_KEY = re.compile(r"page:([0-9a-f]{16}):")
_STAMP = struct.Struct("I")  # cachelib's files start with their expiry time


def _generation_of(key: str) -> str | None:
    found = PAGE_KEY.search(key)
    return found.group(1) if found else None


class PageFiles(FileSystemCache):
    """Files under instance/cache/pages/, named <generation>-<hash> for pages."""

    budget = 0  # bytes; 0: no budget

    @classmethod
    def factory(
        cls, app: Flask, config: dict[str, Any], args: list[Any], kwargs: dict[str, Any]
    ) -> PageFiles:
        made = super().factory(app, config, args, kwargs)
        made.budget = int(config["PAGE_CACHE_BYTES"] or 0)
        return made  # type: ignore[return-value]

    def _get_filename(self, key: str) -> str:
        path = super()._get_filename(key)
        generation = _generation_of(key) if isinstance(key, str) else None
        if generation is None:
            return path
        head, name = os.path.split(path)
        return os.path.join(head, f"{generation}-{name}")

    def set(self, key: str, value: Any, timeout: Any = None, mgmt_element: bool = False) -> bool:
        stored = super().set(key, value, timeout, mgmt_element=mgmt_element)
        if stored and self.budget and _generation_of(key):
            self._fit(keep=self._get_filename(key))
        return stored

    def _pages(self) -> list[os.DirEntry]:
        with os.scandir(self._path) as entries:
            return [
                e for e in entries if e.is_file() and "-" in e.name and not self._is_mgmt(e.name)
            ]

    def _fit(self, keep: str) -> None:
        """Delete expired pages, then the oldest, until the folder is within the budget."""
        pages = []
        for entry in self._pages():
            try:
                pages.append((entry.stat().st_mtime, entry.stat().st_size, entry.path))
            except FileNotFoundError:
                continue
        total = sum(size for _, size, _ in pages)
        if total <= self.budget:
            return
        now = time.time()
        expired = [p for p in pages if self._expired(p[2], now)]
        rest = sorted(p for p in pages if p not in expired)
        for _, size, path in expired + rest:
            if total <= self.budget:
                break
            if path != keep and self._remove(path):
                total -= size

    def _expired(self, path: str, now: float) -> bool:
        try:
            with open(path, "rb") as fh:
                expires = _STAMP.unpack(fh.read(_STAMP.size))[0]
        except (OSError, struct.error):
            return True
        return expires != 0 and expires < now

    def _remove(self, path: str) -> bool:
        try:
            os.remove(path)
        except FileNotFoundError:
            return False
        self._update_count(delta=-1)
        return True

    def sweep(self, generation: str) -> int:
        """Delete every page file of another generation, and every expired one; how many."""
        now, removed = time.time(), 0
        for entry in self._pages():
            other = not entry.name.startswith(f"{generation}-")
            if (other or self._expired(entry.path, now)) and self._remove(entry.path):
                removed += 1
        return removed


class PageRedis(RedisCache):
    """Redis keys under CACHE_KEY_PREFIX, with the bytes stored counted per window."""

    budget = 0
    window = 300

    @classmethod
    def factory(
        cls, app: Flask, config: dict[str, Any], args: list[Any], kwargs: dict[str, Any]
    ) -> PageRedis:
        made = super().factory(app, config, args, kwargs)
        made.budget = int(config["PAGE_CACHE_BYTES"] or 0)
        made.window = max(int(config["CACHE_DEFAULT_TIMEOUT"]), 1)
        return made  # type: ignore[return-value]

    def _counter(self, window: int) -> str:
        return f"{self._get_prefix()}pages:bytes:{window}"

    def set(self, key: str, value: Any, timeout: Any = None) -> bool:
        if not (self.budget and _generation_of(key)):
            return bool(super().set(key, value, timeout))
        size = len(self.serializer.dumps(value))
        now = int(time.time()) // self.window
        current, previous = self._read_client.mget([self._counter(now), self._counter(now - 1)])
        if int(current or 0) + int(previous or 0) + size > self.budget:
            log.info("page cache full (%s bytes): a page is served without being kept", self.budget)
            return False
        pipe = self._write_client.pipeline()
        pipe.incrby(self._counter(now), size)
        pipe.expire(self._counter(now), 2 * self.window)
        pipe.execute()
        return bool(super().set(key, value, timeout))

    def sweep(self, generation: str) -> int:
        """Delete every page of another generation; how many.  The byte counts start again
        (what is left is the new generation's first few pages)."""
        prefix = self._get_prefix()
        keep = f"{prefix}page:{generation}:".encode()
        doomed = [
            k
            for k in self._read_client.scan_iter(match=f"{prefix}page:*", count=1000)
            if not k.startswith(keep)
        ]
        doomed += list(self._read_client.scan_iter(match=f"{prefix}pages:bytes:*", count=1000))
        for start in range(0, len(doomed), 500):
            self._write_client.delete(*doomed[start : start + 500])
        return len([k for k in doomed if b"pages:bytes:" not in k])
