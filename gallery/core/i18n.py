"""The translation marker of the layers below the web, which know no request language."""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for translation (extracted by Babel) without translating it here."""
    return message
