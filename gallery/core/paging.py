"""Keyset cursors and page numbers from the query string: one codec for every list.

The public grid pages on (published_at, id), the review queue on (submitted_at, id) and the
audit log on (at, id); each link carries a cursor "<microseconds>-<id>" made here, and each
typed ?page=N goes through page_number(). Nothing here knows about Flask or the request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .errors import InvalidInput

# ASCII digits only ([0-9], not \d, which also takes "²" and other scripts' digits), the
# whole string (\A...\Z: "$" would accept a trailing newline).
CURSOR_RE = re.compile(r"\A([0-9]{1,17})-([0-9]{1,19})\Z")
PAGE_RE = re.compile(r"\A[0-9]{1,6}\Z")
MAX_ROW_ID = 2**63 - 1  # BIGINT on PostgreSQL, INTEGER on SQLite
MAX_PAGE = 100_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class BadQuery(InvalidInput):
    """A malformed filter, cursor or page in the query string (answered with 400); str()
    names the parameter, for the API's message."""

    def api_message(self) -> str:
        return f"Malformed query parameter ({self})."


@dataclass(frozen=True)
class Cursor:
    """A position in a list ordered by (moment, row id): the last row seen."""

    moment: datetime
    row_id: int

    def encode(self) -> str:
        """The text put in links."""
        micros = (self.moment - EPOCH) // MICROSECOND  # exact: no float on the way
        return f"{micros}-{self.row_id}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """The cursor a link carried; BadQuery for anything this codec did not write."""
        match = CURSOR_RE.match(text)
        if not match:
            raise BadQuery("cursor")
        micros, row_id = (int(g) for g in match.groups())
        if row_id > MAX_ROW_ID:
            raise BadQuery("cursor")
        try:
            moment = EPOCH + micros * MICROSECOND
        except OverflowError as exc:  # past the year 9999
            raise BadQuery("cursor") from exc
        return cls(moment, row_id)

    @classmethod
    def optional(cls, text: str | None) -> Cursor | None:
        """decode() for an optional argument: None when absent or empty."""
        return cls.decode(text) if text else None


def page_number(raw: str | None) -> int:
    """A typed ?page=N: 1 to MAX_PAGE; anything else (absent, "abc", "0", "²") is page 1."""
    if raw is None or not PAGE_RE.match(raw):
        return 1
    number = int(raw)
    return number if 1 <= number <= MAX_PAGE else 1
