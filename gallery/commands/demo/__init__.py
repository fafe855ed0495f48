"""The demo content behind `flask seed-demo` and `flask remove-demo`: seed.py loads, refreshes
and removes one real prisoner's profile, the Paris rally and generated posters; texts.py
holds their texts in English, French and Russian, with their sources."""

from __future__ import annotations

from .seed import (
    AZAT_BIRTH_DATE,
    DEMO_ARTIST,
    DEMO_DESCRIPTION,
    DEMO_REMOVED,
    OLD_TITLE_SUFFIX,
    POSTERS,
    TAG_LABELS,
    demo_present,
    demo_was_removed,
    refresh_texts,
    remove,
    seed,
)

__all__ = [
    "AZAT_BIRTH_DATE",
    "DEMO_ARTIST",
    "DEMO_DESCRIPTION",
    "DEMO_REMOVED",
    "OLD_TITLE_SUFFIX",
    "POSTERS",
    "TAG_LABELS",
    "demo_present",
    "demo_was_removed",
    "refresh_texts",
    "remove",
    "seed",
]
