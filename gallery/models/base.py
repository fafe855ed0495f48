"""What every model shares: aware UTC datetimes, enums stored as strings, and the choice
of the language a text is shown in."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Enum, TypeDecorator

ORIGINAL_LOCALE_DEFAULT = "en"
FALLBACK_LOCALE = "en"


@dataclass(frozen=True)
class Shown:
    """A text in the language it is shown in (which may not be the one the reader asked
    for: then the page says so, and marks the text with its own `lang`)."""

    text: str
    locale: str


def pick_language(texts: Mapping[str, str | None], wanted: str, original: str) -> Shown | None:
    """The text in the reader's language, else English, else the original language, else
    any language it exists in; None when there is none at all."""
    for code in (wanted, FALLBACK_LOCALE, original, *sorted(texts)):
        text = texts.get(code)
        if text:
            return Shown(text, code)
    return None


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings (no native ENUM type) so both databases migrate alike.
    return Enum(
        cls,
        native_enum=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
