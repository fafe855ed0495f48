"""Polite error pages, and the one handler of the gallery's errors (core/errors.py).

A GalleryError that leaves a view is answered here: its status's page (or the API's problem
details), with the error's message when it is meant for people, Retry-After for Busy, a
rollback and a log line. A full disk anywhere is a StorageFull (507), a busy database a
503 with its own Retry-After, and anything else (any other OSError, a KeyError in a verb)
a logged 500.

The modules: pages.py (what each status's page and the API's problem details say),
handlers.py (the handlers, registered by init_app), failures.py (unexpected failures
logged without their message, and LastResort, the WSGI answer when even the error page
fails)."""

from __future__ import annotations

from .failures import LastResort
from .handlers import init_app, retry_later
from .pages import error_message, render_error

__all__ = ["LastResort", "error_message", "init_app", "render_error", "retry_later"]
