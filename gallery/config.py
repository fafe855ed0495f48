"""Default settings. Nothing secret lives here: see README "Configuration"."""
from __future__ import annotations


class Config:
    """Defaults, overridden by instance/config.py, FLASK_* variables, then tests."""

    # Filled in by create_app() from DATABASE_URL or the instance folder.
    SQLALCHEMY_DATABASE_URI: str | None = None
    # hide_parameters: a database error's message (and so the log) never shows the values,
    # such as an artist's e-mail address.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # switched on by PREFERRED_URL_SCHEME=https
    PREFERRED_URL_SCHEME = "http"

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "fr", "ru")

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"

    # Uploads: the whole request, the non-file fields, the number of parts, the pixels.
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 100 * 1024
    MAX_FORM_PARTS = 200
    MAX_IMAGE_PIXELS = 40_000_000
    SUBMIT_RATE_LIMIT = "10 per hour;30 per day"
    API_RATE_LIMIT = "300 per minute"  # per client, on every /api/ address

    # Static files carry ?v=<content hash> in their URLs (web/templating.py), so they can be
    # cached for a year; media set their own Cache-Control.
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600

    # Gallery
    WORKS_PER_PAGE = 24
    PRISONER_TIMEZONE = "Europe/Moscow"  # default for "days in prison"
    SITE_NAME = "Art Protest"
    REPORT_INACCURACY_EMAIL = "corrections@example.org"
