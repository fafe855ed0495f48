"""Filters and helpers that templates share."""
from __future__ import annotations

import contextlib
import hashlib
import os
from functools import lru_cache
from typing import Any

from flask import Flask

from .. import labels
from ..text import render_markdown


def aria(field: Any) -> dict[str, str]:
    """aria-describedby (hint, error) and aria-invalid attributes for a form field."""
    ids = []
    if field.description:
        ids.append(f"{field.id}-hint")
    if field.errors:
        ids.append(f"{field.id}-error")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return attrs


@lru_cache(maxsize=256)
def _file_version(path: str, mtime_ns: int) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def _static_version(app: Flask, endpoint: str, values: dict[str, Any]) -> None:
    # ?v=<content hash> on every static URL, so browsers may cache assets for a year and
    # still fetch a new file the moment it changes.
    if endpoint != "static" or "filename" not in values or not app.static_folder:
        return
    path = os.path.join(app.static_folder, values["filename"])
    with contextlib.suppress(OSError):  # a missing file gets no version, and a 404
        values.setdefault("v", _file_version(path, os.stat(path).st_mtime_ns))


def init_app(app: Flask) -> None:
    """Register the shared filters and globals."""
    app.add_template_filter(render_markdown, "markdown")
    for helper in (labels.licence_name, labels.category_label, labels.action_label):
        app.add_template_global(helper)
    app.add_template_global(aria)
    app.url_defaults(lambda endpoint, values: _static_version(app, endpoint, values))
