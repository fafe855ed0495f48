"""The end of a decision's undo window, in the worker that made the decision.

A moderator's approval or rejection can be undone for DECISION_UNDO_SECONDS
(verbs/undoing.py): until then the artist's e-mail waits and a rejected work keeps its
files and its artist's details. When the moderation view has committed such a decision, it
starts a timer here; when the window has passed, the timer forgets what the rejections
leave (undoing.finalize_due) and wakes the mail courier. If the worker stops first,
the next decision or `flask --app gallery send-mail` from cron does the same."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from .. import mail
from ..extensions import db
from ..media import media_store
from ..verbs import undoing

log = logging.getLogger(__name__)

TIMERS = "gallery.undo_timers"  # app.extensions: this process's timers still waiting


def after_undo_window(app: Flask, seconds: int) -> None:
    """Finish the decisions just committed once `seconds` have passed."""
    if seconds <= 0:
        return
    timer = threading.Timer(seconds + 0.5, finish, args=(app,))
    timer.daemon = True
    timer.name = "gallery-undo-window"
    timer.start()
    timers = app.extensions.setdefault(TIMERS, [])
    timers[:] = [t for t in timers if t.is_alive()] + [timer]  # tests wait on them


def finish(app: Flask) -> None:
    """Forget the rejections whose window has passed, then send the mail now due."""
    try:
        with app.app_context():
            undoing.finalize_due(media_store())
            db.session.commit()
            if mail.settings() is not None:
                mail.courier(app).kick()
    except Exception:  # noqa: BLE001 - a timer thread must end cleanly; cron catches up
        log.exception("finishing decisions after their undo window failed")
