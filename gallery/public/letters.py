"""Visitors write to a prisoner through the letter desk, and follow their letter through a
private link (`/letters/<token>`): its state, why it was refused, and withdrawal while it
is unsent. Volunteers read and translate the letters (moderation/letters.py)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..models import Prisoner, Work
from ..models import impact as kinds
from ..verbs import NotAllowed
from ..verbs import letters as desk
from ..web import challenge
from ..web.counting import count_request
from ..web.http import or_404, private
from ..web.limits import network_key
from . import queries
from .forms import LetterForm, LetterWithdrawForm

bp = Blueprint("letters", __name__)

# The postcards a writer may choose from: the prisoner's newest postcard-safe works.
CARD_CHOICES = 12


def _limit() -> str:
    return current_app.config["LETTER_RATE_LIMIT"]


def _form(cards: list[Work]) -> LetterForm:
    form = LetterForm()
    form.work.choices = [
        SelectChoice("", _("No card: a plain sheet")),
        *(SelectChoice(w.public_id, w.title) for w in cards),
    ]
    form.email.description = _(
        "Only to tell you once when your letter is sent, or why it was not. It is sealed, "
        "seen by no one, and erased as soon as you have been told, or after %(days)s days.",
        days=current_app.config["LETTER_EMAIL_DAYS"],
    )
    return form


def _prisoner(slug: str) -> Prisoner:
    found = or_404(queries.prisoner_by_slug(slug))
    if not found.accepts_letters():
        abort(404)
    return found


# Counted per IPv4 address or IPv6 /48 like reports, only letters accepted (303).
@bp.route("/prisoners/<slug>/write", methods=["GET", "POST"])
@challenge.form_limit(_limit, network_key)
def write(slug: str) -> ResponseReturnValue:
    """The letter form, with the profile's guidance beside it."""
    prisoner = _prisoner(slug)
    cards = queries.postcard_works(prisoner, CARD_CHOICES)
    form = _form(cards)
    problem = None
    if request.method == "POST":
        challenge.note_pressure()
    if request.method == "POST" and form.validate_on_submit():
        if not challenge.required() or challenge.passed():
            chosen = next((w for w in cards if w.public_id == form.work.data), None)
            try:
                _letter, token = desk.write(
                    prisoner,
                    body=form.body.data,
                    signature=form.signature.data,
                    locale=str(get_locale()),
                    work_id=chosen.id if chosen else None,
                    email=(form.email.data or "").strip() or None,
                )
                db.session.commit()
            except NotAllowed:
                db.session.rollback()
                abort(404)
            flash(
                _(
                    "Thank you. Your letter is waiting for our volunteers. Keep the address "
                    "of this page: it is the only way to follow your letter or withdraw it."
                ),
                "success",
            )
            return redirect(url_for("letters.status", token=token), code=303)
        problem = challenge.unfinished()
    status = 400 if request.method == "POST" else 200
    if request.method == "GET":
        # "How to write" opened: the form shows the profile's guidance.
        count_request(kinds.HOW_TO_WRITE, prisoner_id=prisoner.id)
    offer = challenge.offer() if challenge.required() else None
    page = render_template(
        "letters/write.html",
        prisoner=prisoner,
        cards=cards,
        form=form,
        problem=problem,
        challenge=offer,
        days=current_app.config["LETTER_EMAIL_DAYS"],
    )
    # Never kept by a cache (the form holds the session's CSRF token), but a public page
    # search engines may list, unlike the writer's status page.
    return private((page, status), noindex=False)


def _status_page(token: str, status: int = 200, form: LetterWithdrawForm | None = None) -> Response:
    letter = or_404(desk.by_token(token))
    page = render_template(
        "letters/status.html",
        letter=letter,
        text=desk.read(letter),
        token=token,
        form=form or LetterWithdrawForm(),
    )
    return private((page, status))


@bp.get("/letters/<token>")
def status(token: str) -> ResponseReturnValue:
    """The writer's private page: the letter, its state, a refusal's reason, withdraw."""
    return _status_page(token)


@bp.post("/letters/<token>/withdraw")
def withdraw(token: str) -> ResponseReturnValue:
    """Withdraw an unsent letter: it is deleted, with all it said."""
    or_404(desk.by_token(token))
    form = LetterWithdrawForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _status_page(token, 400, form=form)
    try:
        desk.withdraw(token)
        db.session.commit()
    except NotAllowed:
        db.session.rollback()
        flash(_("This letter has been sent and can no longer be withdrawn."), "error")
        return redirect(url_for("letters.status", token=token), code=303)
    return private((render_template("letters/withdrawn.html"), 200))
