"""The image keys of published works a worker has checked, as of one page-cache generation,
and the answers the shortcut has made for their files."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask


class PublishedKeys:
    """The image keys of published works this worker has checked, as of one generation,
    and the answer made for each file of theirs the shortcut has sent."""

    LIMIT = 20_000  # keys, and answers kept (about 20 MB at most); past it, start again
    EXTENSION = "gallery.published_keys"

    def __init__(self, lifetime: float = 300) -> None:
        # A generation is trusted for as long as a cached page is (PAGE_CACHE_SECONDS):
        # should a new one ever fail to be written, images follow the pages' expiry.
        self.lifetime = lifetime
        self.generation: str | None = None
        self.since = 0.0
        self.keys: set[str] = set()
        self.answers: dict[tuple[str, str], _Answer] = {}

    @classmethod
    def of(cls, app: Flask) -> PublishedKeys | None:
        """This app's set; None when the shortcut is off (PAGE_CACHE off, or a bucket)."""
        return app.extensions.get(cls.EXTENSION)

    def note(self, token: str, key: str) -> None:
        if not self._current(token) or len(self.keys) >= self.LIMIT:
            self.generation, self.since, self.keys, self.answers = (
                token,
                time.monotonic(),
                set(),
                {},
            )
        self.keys.add(key)

    def vouches(self, token: str | None, key: str) -> bool:
        return key in self.keys and self._current(token)

    def _current(self, token: str | None) -> bool:
        return (
            token is not None
            and token == self.generation
            and time.monotonic() - self.since < self.lifetime
        )

    def keep(self, key: str, filename: str, answer: _Answer) -> None:
        if len(self.answers) >= self.LIMIT:
            self.answers = {}
        self.answers[key, filename] = answer


@dataclass(frozen=True)
class _Answer:
    """What the view sends for one published file, made once: its headers (the app's own,
    from send_file() or the proxy's answer, without the dated ones), its validators, and
    the file to send (None when the reverse proxy sends it)."""

    headers: list[tuple[str, str]]
    path: Path | None
    etag: str | None
    modified: datetime | None
    max_age: int | None
