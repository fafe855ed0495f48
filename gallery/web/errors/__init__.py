"""Polite error pages, and the one handler of the gallery's errors (core/errors.py):
handlers.py, for now the whole of it."""

from __future__ import annotations

from .handlers import LastResort, error_message, init_app, render_error, retry_later

__all__ = ["LastResort", "error_message", "init_app", "render_error", "retry_later"]
