"""Moderators log in and out: Flask-Login, session generations, rate limits, safe `next`.

A session is honoured only while it carries the account's current session generation
(bumped by logout, password change, reset and deactivation) and is younger than
MODERATOR_SESSION_HOURS, so a cookie replayed after any of those is refused."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user, login_required, login_user
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ..core import passwords
from ..extensions import db, login_manager
from ..models import Moderator
from ..verbs import NotAllowed, accounts, digest
from ..web import challenge
from ..web.forms import GalleryForm, validate_strict_email
from ..web.http import private
from ..web.limits import has_room, limiter, pair_key, spend, username_key

bp = Blueprint("auth", __name__)

# Three limits on the login form (README "Rate limits"): any attempt per client; failed
# attempts per client and username; and failed attempts per username from anywhere.  Past
# that last one nothing is refused: each further try needs a solved challenge (a few
# seconds of the browser's work, web/challenge.py), so guesses from many addresses slow
# down while the real moderator, on a browser that forgets cookies (Tor Browser), still
# gets in.  A browser that logged in as that name before needs no challenge.  On the onion
# service, where every client has one address, the challenge replaces the first two.
# The three limits are the settings LOGIN_RATE_LIMIT (per client), LOGIN_PAIR_RATE_LIMIT
# (per client and username) and LOGIN_ACCOUNT_RATE_LIMIT (per username); the last two count
# failed attempts only.
DEVICE_COOKIE = "known_device"
DEVICE_DAYS = 365
DEVICE_NAMES = 5  # usernames remembered by one browser


class LoginForm(GalleryForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)]
    )


class PasswordForm(GalleryForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"),
        description=lazy_ngettext(
            "At least %(num)s character. A few unrelated words make a good one.",
            "At least %(num)s characters. A few unrelated words make a good one.",
            passwords.MIN_LENGTH,
        ),
        validators=[DataRequired(), Length(min=passwords.MIN_LENGTH, max=passwords.MAX_LENGTH)],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", _l("The two new passwords differ."))],
    )


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site ("/..."), else None."""
    if not target or len(target) > 2000 or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _client_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _pair_limit() -> str:
    return current_app.config["LOGIN_PAIR_RATE_LIMIT"]


def _typed_username() -> str:
    return accounts.normalise_username(request.form.get("username", ""))[:80]


def _account_key() -> str:
    # A keyed hash of the name typed, so guesses against one account are counted
    # together from any number of addresses, and no username sits in the store.
    return username_key(_typed_username())


def _pair_key() -> str:
    return pair_key(_typed_username())


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _known_names() -> list[str]:
    """The usernames (as their keyed hashes) this browser has logged in with."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        names = _device_serializer().loads(raw)
    except BadSignature:
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _known_device() -> bool:
    """Whether this browser logged in as the typed username before (exempt from the
    per-username limit: its owner is not the one guessing from elsewhere)."""
    return username_key(_typed_username()) in _known_names()


def _remember_device(response: Response, username: str) -> None:
    key = username_key(accounts.normalise_username(username))
    names = [key] + [n for n in _known_names() if n != key]
    response.set_cookie(
        DEVICE_COOKIE,
        _device_serializer().dumps(names[:DEVICE_NAMES]),
        max_age=DEVICE_DAYS * 86400,
        path=url_for("auth.login"),
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def _failed(response: Response) -> bool:
    return response.status_code != 303


def _account_guessed() -> bool:
    """Whether the typed username has had its hour's (or day's) failed attempts, from
    anywhere, and this browser never logged in as it."""
    return not _known_device() and not has_room(_account_limit(), _account_key())


def _count_failure() -> None:
    if current_app.config["RATELIMIT_ENABLED"] and not _known_device():
        spend(_account_limit(), _account_key())


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_client_limit, methods=["POST"], exempt_when=challenge.replaces_address_limits)
@limiter.limit(
    _pair_limit,
    methods=["POST"],
    key_func=_pair_key,
    deduct_when=_failed,
    exempt_when=challenge.replaces_address_limits,
)
def login() -> ResponseReturnValue:
    """The login form; the same answer for an unknown name and a wrong password."""
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target or url_for("moderation.queue"))
    form = LoginForm()
    error = None
    needed = challenge.required()
    if form.validate_on_submit():
        needed = needed or _account_guessed()
        if needed and not challenge.passed():
            error = _(
                "Before the password is checked, your browser must solve a small "
                "anti-spam puzzle (many wrong passwords were tried recently, or many "
                "people share your address). Please wait for the check below to "
                "finish, then log in again."
            )
        else:
            moderator = accounts.authenticate(form.username.data, form.password.data)
            db.session.commit()
            if moderator is not None:
                _start_session(moderator)
                response = redirect(target or url_for("moderation.queue"), code=303)
                _remember_device(response, form.username.data)
                return response
            _count_failure()
            error = _("Wrong username or password.")
    elif request.method == "POST":
        error = _("Please enter your username and password.")
    # The challenge is offered where it is needed: on the onion service and under pressure
    # from the start, past the account's limit once a try has been held back.
    page = render_template(
        "auth/login.html",
        form=form,
        error=error,
        next=target,
        challenge=challenge.offer() if needed else None,
    )
    return private(page)


def _start_session(moderator: Moderator) -> None:
    # A fresh session: nothing set before login (a planted value, an old CSRF
    # token) survives into the logged-in one.
    session.clear()
    login_user(moderator)
    session["gen"] = moderator.session_generation
    session["login_at"] = int(time.time())


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End every session of this moderator, everywhere, then forget this one."""
    if current_user.is_authenticated:
        accounts.log_out(current_user.id)
        db.session.commit()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    """Change one's own password; every session ends, this one too."""
    form = PasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user.id, form.current.data, form.new.data)
            db.session.commit()
        except NotAllowed:
            error = _("The current password is wrong.")
        except passwords.WeakPassword:
            error = _(
                "Please choose a password of %(min)s to %(max)s characters.",
                min=passwords.MIN_LENGTH,
                max=passwords.MAX_LENGTH,
            )
        else:
            session.clear()
            flash(_("Your password was changed. Please log in with the new one."), "success")
            return redirect(url_for("auth.login"), code=303)
    return private(render_template("auth/password.html", form=form, error=error))


class AlertsForm(GalleryForm):
    """A moderator's own alert mail: an address (sealed; empty keeps the saved one) and
    the opt-in."""

    email = EmailField(
        _l("Address for alerts"),
        description=_l("Leave empty to keep the address already saved."),
        validators=[
            Optional(),
            Length(max=254),
            Email(_l("Please enter a valid e-mail address.")),
            validate_strict_email,
        ],
    )
    alerts = BooleanField(_l("Send me alert mail"))
    forget = BooleanField(_l("Erase my saved address (and stop the alerts)"))


@bp.route("/account/alerts", methods=["GET", "POST"])
@login_required
def alerts() -> ResponseReturnValue:
    """One's own alert mail: counts of what waits, never a title (verbs/digest.py)."""
    moderator = db.session.get(Moderator, current_user.id)
    form = AlertsForm()
    if request.method == "GET":
        form.alerts.data = bool(moderator and moderator.alerts)
    error = None
    status = 200
    if form.validate_on_submit() and moderator is not None:
        typed = (form.email.data or "").strip()
        if form.forget.data:
            digest.set_alerts(moderator, email="", on=False)
        elif form.alerts.data and not typed and not moderator.alert_email_sealed:
            error = _("Please give an address for the alerts.")
        else:
            digest.set_alerts(moderator, email=typed or None, on=bool(form.alerts.data))
        if error is None:
            db.session.commit()
            flash(_("Your alert settings were saved."), "success")
            return redirect(url_for("auth.alerts"), code=303)
    if request.method == "POST":
        status = 400
    page = render_template(
        "auth/alerts.html",
        form=form,
        error=error,
        saved=bool(moderator and moderator.alert_email_sealed),
        on=bool(moderator and moderator.alerts),
    )
    return private((page, status))


def _load_moderator(user_id: str) -> Moderator | None:
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) < 19):
        return None
    login_at = session.get("login_at")
    max_age = current_app.config["MODERATOR_SESSION_HOURS"] * 3600
    if not isinstance(login_at, int) or time.time() - login_at > max_age:
        return None
    moderator = db.session.get(Moderator, int(user_id))
    if moderator is None or not moderator.active:
        return None
    if session.get("gen") != moderator.session_generation:
        return None
    return moderator


def _unauthorized() -> ResponseReturnValue:
    # Only a page can be returned to after login: never a POST-only action.
    target = None
    if request.method == "GET":
        target = request.full_path.rstrip("?")
    flash(_("Please log in to continue."), "info")
    return redirect(url_for("auth.login", next=target))


def init_app(app: Flask) -> None:
    """Set up Flask-Login (no remember-me cookie) and the login routes."""
    login_manager.init_app(app)
    login_manager.user_loader(_load_moderator)
    login_manager.unauthorized_handler(_unauthorized)
    # The session generation does what "session protection" would, without touching
    # visitors' sessions.
    login_manager.session_protection = None
    app.register_blueprint(bp)
