"""The demo content behind `flask seed-demo` and `flask remove-demo`: seed.py loads, refreshes
and removes one real prisoner's profile, the Paris rally and generated posters; posters.py
makes the posters works, with their texts in every language, from the pictures drawings.py
draws; texts.py holds the profile's and the rally's texts in English, French and Russian,
with their sources."""

from __future__ import annotations

from .posters import DEMO_ARTIST, DEMO_DESCRIPTION, OLD_TITLE_SUFFIX, POSTERS, TAG_LABELS
from .seed import (
    AZAT_BIRTH_DATE,
    DEMO_REMOVED,
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
