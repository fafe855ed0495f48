"""Filters and helpers that templates share."""
from __future__ import annotations

import contextlib
import hashlib
import os
from functools import lru_cache
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from .models import Licence
from .text import render_markdown

LICENCES = {
    Licence.CC_BY: (
        _l("CC BY 4.0"),
        _l("Anyone may share and adapt the work, even commercially, if they credit you."),
    ),
    Licence.CC_BY_SA: (
        _l("CC BY-SA 4.0"),
        _l("As CC BY, and adaptations must be shared under the same licence."),
    ),
    Licence.CC_BY_NC: (
        _l("CC BY-NC 4.0"),
        _l("Anyone may share and adapt the work with credit, but not for money."),
    ),
    Licence.CC0: (
        _l("CC0 (public domain)"),
        _l("You give up your rights: anyone may use the work for anything, without credit."),
    ),
    Licence.ALL_RIGHTS_RESERVED: (
        _l("All rights reserved"),
        _l("We may show the work here; anyone else needs your permission."),
    ),
}


def licence_name(licence: Licence | str) -> str:
    """The human name of a licence."""
    return str(LICENCES[Licence(licence)][0])


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
    app.add_template_global(licence_name)
    app.add_template_global(aria)
    app.url_defaults(lambda endpoint, values: _static_version(app, endpoint, values))
