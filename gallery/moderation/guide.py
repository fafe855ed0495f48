"""The moderators' guide: first steps, deciding, covering faces, shortcuts, reports."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from .blueprint import bp


@bp.get("/help")
def guide() -> ResponseReturnValue:
    """The moderators' guide, in the moderation pages' language, behind the same login."""
    return render_template("moderation/guide.html")
