"""Language choice: ?lang=, then the remembered cookie, then Accept-Language."""
from __future__ import annotations

from flask import Flask, Response, current_app, request, url_for
from flask_babel import get_locale

COOKIE = "lang"
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "ru": "Русский"}


def select_locale() -> str:
    """The locale for this request."""
    languages = current_app.config["LANGUAGES"]
    for candidate in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if candidate in languages:
            return candidate
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def _remember_choice(response: Response) -> Response:
    chosen = request.args.get("lang")
    if chosen in current_app.config["LANGUAGES"] and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
        )
    return response


def _language_links() -> list[dict[str, object]]:
    """Links to this same page in each language."""
    args = request.args.to_dict()
    view_args = dict(request.view_args or {})
    links = []
    for code in current_app.config["LANGUAGES"]:
        href = None
        if request.endpoint and request.url_rule and "GET" in (request.url_rule.methods or ()):
            href = url_for(request.endpoint, **{**view_args, **args, "lang": code})
        links.append({"code": code, "name": LANGUAGE_NAMES.get(code, code), "href": href})
    return links


def init_app(app: Flask) -> None:
    """Remember ?lang= in a cookie and give templates the language switcher."""
    app.after_request(_remember_choice)

    @app.context_processor
    def _inject() -> dict[str, object]:
        return {"current_locale": str(get_locale()), "language_links": _language_links}
