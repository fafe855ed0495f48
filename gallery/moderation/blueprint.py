"""The /moderation blueprint and what its views share.

Every route of the blueprint needs a logged-in, active moderator (checked once, before
any view runs, so no route can forget it); admin pages add @admin_required. Every
response is private. act() is the one shape of an action: call the verb, commit, a flashed
message when the state forbids it, then back; an unknown row (NotFound) and any other
GalleryError go to the app's one handler (web/errors/), a bug to a logged 500."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from ..extensions import db, login_manager
from ..verbs import NotAllowed
from ..web.http import private

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
T = TypeVar("T")


# What a volunteer may open: the letter desk's reading, translating and deciding, and the
# moderators' landing page, which sends them on to it. Every other moderation page (the
# works, printing and posting batches, the archive) answers them 403.
VOLUNTEER_ENDPOINTS = frozenset(
    {
        "moderation.letters",
        "moderation.letter",
        "moderation.letter_translate",
        "moderation.letter_approve",
        "moderation.letter_refuse",
        "moderation.works_to_translate",
        "moderation.work_texts",
    }
)
LANDING = "moderation.queue"


@bp.before_request
def _moderators_only() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.is_volunteer and request.endpoint not in VOLUNTEER_ENDPOINTS:
        if request.endpoint == LANDING:
            return redirect(url_for("moderation.letters"))
        abort(403)
    return None


@bp.after_request
def _private(response: Response) -> Response:
    # Pages with e-mail addresses and pending works stay out of every cache.
    return private(response)


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """403 unless the moderator is an admin."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def after_arg() -> str | None:
    """The queue position a form came from, to go back to it."""
    value = request.form.get("after") or request.args.get("after")
    return value if value and len(value) < 60 else None


def campaign_arg() -> str | None:
    """The call (campaign slug) the queue was filtered by, from a form or the query string."""
    value = request.form.get("campaign") or request.args.get("campaign")
    return value if value and len(value) <= 80 else None


def flash_errors(form: FlaskForm) -> None:
    """Each of a form's errors as a flashed message (the form sits on another page)."""
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


UNDO_KEY = "undo"  # the session's offer to undo the decisions just made: {ids, until}


def undo_offer() -> dict[str, Any] | None:
    """The offer to undo the decisions just made, once (the next page shows it), while
    its window lasts; None otherwise."""
    offer = session.pop(UNDO_KEY, None) if UNDO_KEY in session else None
    if not isinstance(offer, dict) or not isinstance(offer.get("until"), int | float):
        return None
    left = int(offer["until"] - time.time())
    ids = [i for i in offer.get("ids") or () if isinstance(i, int)]
    return {"ids": ids, "seconds": left} if left > 0 and ids else None


def act(
    verb: Callable[[], T],
    *,
    done: str | Callable[[T], str],
    refused: str | None = None,
    back: Callable[[], ResponseReturnValue],
    form: FlaskForm | None = None,
    answer: Callable[[int], ResponseReturnValue] | None = None,
) -> ResponseReturnValue:
    """Run a verb and commit; `refused` flashed if its state does not allow it (NotAllowed:
    nothing is kept; a verb that is never refused gives none), `done` flashed on success;
    then back(). Any other GalleryError (NotFound: 404) is the app handler's to answer.

    With a form, the verb runs only if the form validates; its errors are flashed.
    With `answer`, a form that does not validate is answered by answer(400) and a refused
    verb by answer(409) (a page in place, showing the flashed message) rather than by
    going back(): for actions whose status scripts and tests read."""
    if form is not None and not form.validate_on_submit():
        flash_errors(form)
        return answer(400) if answer else back()
    try:
        result = verb()
        db.session.commit()
    except NotAllowed:
        db.session.rollback()
        if refused is None:
            raise
        flash(refused, "error")
        if answer:
            return answer(409)
    else:
        flash(done(result) if callable(done) else done, "success")
    return back()
