"""The readers' e-mail digest: sign up (`/subscribe`, double opt-in), confirm from the
mail (`/subscribe/<token>`), leave (`/unsubscribe/<token>`, also the RFC 8058 one-click
POST a mail program sends without a form). The verbs are in verbs/digest.py."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from .. import mail
from ..core.errors import NotFound
from ..extensions import csrf, db
from ..models import Campaign, Prisoner, by_name
from ..verbs import digest as desk
from ..web import challenge
from ..web.http import or_404, private
from ..web.limits import network_key
from . import queries
from .forms import DigestButtonForm, SubscribeForm

bp = Blueprint("digest", __name__)


def _offered() -> bool:
    """The sign-up exists only while mail is on (links already mailed always work)."""
    return mail.settings() is not None


@bp.app_context_processor
def _links() -> dict[str, bool]:
    # The footer's, a prisoner's and a campaign's link to the sign-up.
    return {"digest_offered": _offered()}


def _limit() -> str:
    return current_app.config["DIGEST_RATE_LIMIT"]


def _choices(locale: str) -> list[SelectChoice]:
    prisoners = by_name(db.session.scalars(select(Prisoner)), locale)
    campaigns = queries.campaigns()
    choices = [SelectChoice("all", _("Everything: new works and news of every prisoner"))]
    choices += [SelectChoice(f"prisoner:{p.slug}", p.name_for(locale)) for p in prisoners]
    for c in campaigns:
        title = c.text_for("title", locale)
        choices.append(
            SelectChoice(
                f"campaign:{c.slug}",
                _("Campaign: %(title)s", title=title.text if title else c.title),
            )
        )
    return choices


def _preset() -> str:
    """The scope `?prisoner=<slug>` or `?campaign=<slug>` chose (404 for an unknown one)."""
    if slug := request.args.get("prisoner"):
        return f"prisoner:{or_404(queries.prisoner_by_slug(slug)).slug}"
    if slug := request.args.get("campaign"):
        return f"campaign:{or_404(queries.campaign_by_slug(slug)).slug}"
    return "all"


def _target(scope: str) -> tuple[Prisoner | None, Campaign | None]:
    kind, _sep, slug = scope.partition(":")
    if kind == "prisoner":
        return or_404(queries.prisoner_by_slug(slug)), None
    if kind == "campaign":
        return None, or_404(queries.campaign_by_slug(slug))
    return None, None


# Counted per IPv4 address or IPv6 /48 like letters, only sign-ups accepted (303).
@bp.route("/subscribe", methods=["GET", "POST"])
@challenge.form_limit(_limit, network_key)
def subscribe() -> ResponseReturnValue:
    """The sign-up form: an address and what the summary is about, in this page's language."""
    if not _offered():
        abort(404)
    locale = str(get_locale())
    form = SubscribeForm()
    form.scope.choices = _choices(locale)
    if request.method == "GET":
        form.scope.data = _preset()
    problem = None
    if request.method == "POST":
        challenge.note_pressure()
    if request.method == "POST" and form.validate_on_submit():
        if not challenge.required() or challenge.passed():
            prisoner, campaign = _target(form.scope.data)
            desk.subscribe(form.email.data, locale, prisoner=prisoner, campaign=campaign)
            db.session.commit()
            return redirect(url_for("digest.sent"), code=303)
        problem = challenge.unfinished()
    status = 400 if request.method == "POST" else 200
    offer = challenge.offer() if challenge.required() else None
    page = render_template(
        "digest/subscribe.html",
        form=form,
        problem=problem,
        challenge=offer,
        days=current_app.config["DIGEST_CONFIRM_DAYS"],
    )
    # The form holds the session's CSRF token: never cached, but search engines may list it.
    return private((page, status), noindex=False)


@bp.get("/subscribe/sent")
def sent() -> ResponseReturnValue:
    """The same words whether the address was new, waiting or already subscribed."""
    if not _offered():
        abort(404)
    return private(render_template("digest/sent.html"))


@bp.route("/subscribe/<token>", methods=["GET", "POST"])
def confirm(token: str) -> ResponseReturnValue:
    """GET: a button (a link checker opening the mail confirms nothing); POST: confirmed."""
    subscription = or_404(desk.by_token(token))
    form = DigestButtonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            desk.confirm(token)
            db.session.commit()
        except NotFound:
            db.session.rollback()
            abort(404)
        return private(render_template("digest/confirmed.html", token=token))
    return private(
        render_template("digest/confirm.html", form=form, token=token, subscription=subscription)
    )


@bp.get("/unsubscribe/<token>")
def unsubscribe(token: str) -> ResponseReturnValue:
    """A button that ends the subscription."""
    or_404(desk.by_token(token))
    return private(render_template("digest/unsubscribe.html", token=token))


# Exempt from CSRF: a mail program's one-click POST (RFC 8058) has no session and no form;
# only a valid token, which the mail alone holds, acts.
@bp.post("/unsubscribe/<token>")
@csrf.exempt
def leave(token: str) -> ResponseReturnValue:
    """Unsubscribe: the row goes, and the address with it (404 for an unknown link)."""
    try:
        desk.unsubscribe(token)
        db.session.commit()
    except NotFound:
        db.session.rollback()
        abort(404)
    return private(render_template("digest/unsubscribed.html"))
