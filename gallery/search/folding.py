"""Words as the index and the queries see them: folded (casefolded, without accents but
for "й"), and stemmed with Snowball as PostgreSQL's configurations would."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

import snowballstemmer

# The visitor's language → the text-search configuration (and Snowball algorithm) its
# queries are stemmed with; any other locale is stemmed in English.
LANGUAGES = {"en": "english", "fr": "french", "ru": "russian"}
DEFAULT_CONFIG = "english"
STEMMED = ("english", "french", "russian")  # every document is stemmed in all of them

_WORD = re.compile(r"[^\W_]+")


# ---- folding ----


def _strip_marks(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(value: str | None) -> str:
    """Text as the index sees it: casefolded, without accents or other combining marks
    (NFKD, so "ё" is "е", "é" is "e", "ﬁ" is "fi"), but for "й", a letter of its own that
    Russian's endings ("-ой", "-ий") need."""
    if not value:
        return ""
    return "й".join(
        _strip_marks(part) for part in unicodedata.normalize("NFC", value.casefold()).split("й")
    )


def words(value: str | None) -> list[str]:
    """The folded words of a text (runs of letters and digits)."""
    return _WORD.findall(fold(value))


def folded_text(*parts: str | None) -> str:
    """Several texts as one string of folded words, separated by single spaces."""
    return " ".join(w for part in parts for w in words(part))


# ---- stemming ----

_stemmers = threading.local()  # a stemmer keeps state while it works: one per thread


def _stemmer(algorithm: str) -> Any:
    found = getattr(_stemmers, algorithm, None)
    if found is None:
        found = snowballstemmer.stemmer(algorithm)
        setattr(_stemmers, algorithm, found)
    return found


@lru_cache(maxsize=65536)
def stem(word: str, config: str) -> str:
    """The lexeme PostgreSQL's text-search configuration `config` ("english", "french",
    "russian") makes of a folded word, computed with Snowball here: a word with a digit is
    kept as it is (PostgreSQL's `numword`), and `russian` stems a word of ASCII letters in
    English."""
    if not word.isalpha():
        return word
    algorithm = "english" if config == "russian" and word.isascii() else config
    return str(_stemmer(algorithm).stemWord(word))


def lexemes(word: str) -> tuple[str, ...]:
    """What the index holds of a folded word: the word, then its other stems in STEMMED."""
    return tuple(dict.fromkeys((word, *(stem(word, config) for config in STEMMED))))
