"""Every setting, with its default, and how the environment sets it. Nothing secret lives
here: see README "Configuration", whose settings table lists each one (a test checks it).

One rule for the environment: a setting NAME is read from the variable NAME or from
FLASK_NAME, which wins; DATABASE_URL and GALLERY_MEDIA are other names of
SQLALCHEMY_DATABASE_URI and MEDIA_STORE (read as NAME is).  A variable set to the empty
string counts as unset.  The text becomes the type of the setting's default: true/false
(also 1/0, yes/no, on/off) for a flag, a number for a number, JSON for a list or a
table, the text itself otherwise.  FLASK_ variables of names not declared here are read as
Flask reads them (JSON, else text)."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class Config:
    """Defaults, overridden by instance/config.py, FLASK_* variables, then tests."""

    # None: a key generated once into the instance folder (instance/secret_key, 0600).
    SECRET_KEY: str | None = None
    # Also DATABASE_URL; None: a SQLite file in the instance folder.
    SQLALCHEMY_DATABASE_URI: str | None = None
    # hide_parameters: a database error's message (and so the log) never shows the values,
    # such as an artist's e-mail address.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # switched on by PREFERRED_URL_SCHEME=https
    PREFERRED_URL_SCHEME = "http"
    # Moderators: a session's lifetime, queue page size, and the login limits
    # (moderation/auth.py: per client, per client and name, per name from anywhere).
    MODERATOR_SESSION_HOURS = 12
    MODERATION_PER_PAGE = 20
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    LOGIN_PAIR_RATE_LIMIT = "5 per minute;20 per hour"
    LOGIN_ACCOUNT_RATE_LIMIT = "30 per hour;100 per day"

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT: int | None = None  # the token lives as long as the session
    # Over HTTPS Flask-WTF would also demand a Referer from the same host; private pages
    # (receipts, moderation) send none on purpose (Referrer-Policy: no-referrer), so their
    # forms rely on the CSRF token and the SameSite, __Host- session cookie instead.
    WTF_CSRF_SSL_STRICT = False

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "fr", "ru")

    # None: a SQLite file in the instance folder, shared by every worker of the host
    # (web/ratelimit_store.py); set redis://... when several hosts serve the gallery.
    RATELIMIT_STORAGE_URI: str | None = None
    RATELIMIT_ENABLED = True
    # Flask-Limiter's headers would put its window's Retry-After (up to an hour) on every
    # answer of a limited route, a 503 "busy" included; web/errors.py sets Retry-After on
    # the 429s itself.
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_STRATEGY = "moving-window"

    # Uploads: the whole request, the non-file fields, the number of parts, the pixels.
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 100 * 1024
    MAX_FORM_PARTS = 200
    MAX_IMAGE_PIXELS = 40_000_000
    # Every upload is decoded in a child process of its own (gallery/images/sandbox.py), held to
    # these limits; past one, the child is killed and the upload refused with a 413.
    # Measured peaks of a child (benchmarks/bench_pipeline.py's inputs, README "Decode
    # sandbox"): address space 450 MB for a 40 MP JPEG, 740 MB for a 24 MP WebP, 480-500 MB
    # for 12 MP HEIC, AVIF and PNG, 970 MB for a 40 MP WebP with transparency (the most a
    # legitimate upload takes); CPU 0.3 s, 1.1 s, 0.4-1.1 s and 5.4 s.  The defaults leave
    # half as much memory again, and about four times the CPU.
    DECODE_MEMORY_MB = 1536  # address space (RLIMIT_AS) of one child
    DECODE_CPU_SECONDS = 20  # CPU time (RLIMIT_CPU) of one child, all its threads
    DECODE_WALL_SECONDS = 40  # wall time before the worker kills the child (below gunicorn's 60)
    # How many uploads the host decodes at once, across workers (gallery/media/slots.py): each
    # slot is one child at a time.  None: one per DECODE_MEMORY_MB of the memory available
    # when the app starts.
    DECODE_SLOTS: int | None = None
    # When the limiter's store (Redis) cannot be reached, count in each process's memory
    # with a warning in the log instead of answering 500 (README "Rate limits").
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    SUBMIT_RATE_LIMIT = "10 per hour;30 per day"  # per client, accepted works only
    API_RATE_LIMIT = "300 per minute"  # per client, on every /api/ address
    REPORT_RATE_LIMIT = "5 per hour;20 per day"  # per IPv4 address or IPv6 /48

    # The proof-of-work challenge (ALTCHA, web/challenge.py) that replaces per-address
    # limits where an address means nothing: the onion service always, the whole site
    # when CHALLENGE_ALWAYS is on or more than CHALLENGE_PRESSURE sends and reports
    # arrive from everyone together.  The browser derives PBKDF2 keys (CHALLENGE_COST
    # iterations each) until it finds a counter picked between half CHALLENGE_COUNTER and
    # CHALLENGE_COUNTER; a challenge lives CHALLENGE_SECONDS and is accepted once.
    # Without JavaScript, a form older than CHALLENGE_WAIT_SECONDS is accepted instead.
    CHALLENGE_ALWAYS = False
    CHALLENGE_PRESSURE = "30 per minute"
    CHALLENGE_COST = 1000
    CHALLENGE_COUNTER = 10_000
    CHALLENGE_SECONDS = 1800
    CHALLENGE_WAIT_SECONDS = 300
    # The port of the listener that only the Tor onion service reaches (README "Tor onion
    # service"): its requests are never trusted by address nor by X-Forwarded-*.  Also read
    # from ONION_PORT.
    ONION_PORT: int | None = None
    # "Identifies a person at risk" hides a work at once, this many times an hour for the
    # whole site; past that, reports wait for a moderator (README "Reports").
    AUTO_HIDES_PER_HOUR = 10

    # Print PDFs, per client: each is built once per generation (web/builtfiles.py), but
    # sending a campaign's posters is still a large answer.
    PRINT_RATE_LIMIT = "20 per minute;200 per hour"

    # The page cache (web/pagecache.py, README "Performance"): on or off; how long a page is
    # kept; how many pages and how many bytes the cache holds at most (files or Redis
    # alike); a larger page is served but not kept.  A per-host cache (files) on a shared
    # database (PostgreSQL) is not started unless PAGE_CACHE_ONE_HOST says no other host
    # serves the gallery: a takedown on another host would not reach its pages.
    PAGE_CACHE = True
    PAGE_CACHE_SECONDS = 300
    PAGE_CACHE_ENTRIES = 3000
    PAGE_CACHE_BYTES = 256 * 1024 * 1024
    PAGE_CACHE_MAX_PAGE_BYTES = 2 * 1024 * 1024
    PAGE_CACHE_ONE_HOST = False
    # Print PDFs and the sitemap, built once per generation into instance/cache/built/
    # (web/builtfiles.py): the most their files take; past it a document is sent, not kept.
    # (A campaign of 100 large works: about 215 MB a size and language.)
    BUILT_FILES_BYTES = 4 * 1024 * 1024 * 1024

    # CACHE_REDIS_URL: Redis for the page cache, shared by several hosts, instead of files
    # under instance/cache/pages.
    CACHE_REDIS_URL: str | None = None

    # Static files carry ?v=<content hash> in their URLs (web/templating.py), so they can be
    # cached for a year; media set their own Cache-Control.
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600

    # The media store (gallery/media/): None keeps the files in MEDIA_ROOT (default
    # <instance>/media); "s3://bucket/prefix" keeps them in an S3-compatible bucket
    # (gallery/media/s3.py), with boto3's own environment for the endpoint and credentials.
    # Also read from GALLERY_MEDIA.  Checked when the app starts.
    MEDIA_STORE: str | None = None
    MEDIA_ROOT: str | None = None  # the local store's folder; None: <instance>/media
    # Published images sent by the reverse proxy once the app has checked visibility (local
    # store only; README "Media from the reverse proxy").  MEDIA_ACCEL_REDIRECT: the
    # internal nginx location, e.g. "/internal-media/", answered with
    # X-Accel-Redirect: /internal-media/<key>/<file>; MEDIA_SENDFILE: True answers with
    # X-Sendfile: <absolute path> (Apache mod_xsendfile, lighttpd).  Pending and hidden
    # works are always sent by the app itself.
    MEDIA_ACCEL_REDIRECT: str | None = None
    MEDIA_SENDFILE = False

    # Moderation: how long an approval or rejection made from the queue can be undone
    # (the artist's e-mail waits as long, and a rejected work's files and details stay
    # until then); 0: decisions are final at once (verbs/decisions.py).
    DECISION_UNDO_SECONDS = 30

    # /healthz (web/health.py): how long every dependency together may take to answer
    # before the ones still silent are reported "timeout".
    HEALTHZ_TIMEOUT = 3.0

    # Gallery
    WORKS_PER_PAGE = 24
    SEARCH_PER_PAGE = 20
    PRISONER_TIMEZONE = "Europe/Moscow"  # default for "days in prison"
    SITE_NAME = "Art Protest"
    REPORT_INACCURACY_EMAIL = "corrections@example.org"
    # The primary public address (e.g. "https://artprotest.example"): every absolute address
    # the app gives (QR codes, feeds, the sitemap, the API, canonical links, the mail's link)
    # is built on it, whatever host a request names; and where a static mirror's forms and
    # links to server-only pages lead (flask export-static, gallery/commands/mirror.py).  None: the
    # request's host (or SERVER_NAME).
    PUBLIC_URL: str | None = None
    # The host names the app answers for, comma-separated (".example.org" admits its
    # subdomains; made a list when the app starts); any other Host gets a 400.  None: any.
    TRUSTED_HOSTS: str | None = None
    # How many reverse proxies in front of the app set X-Forwarded-For and -Proto (and
    # X-Forwarded-Host, taken only with TRUSTED_HOSTS); 0: none, the headers are ignored.
    PROXY_FIX_HOPS = 0
    # The gallery's Tor onion service (e.g. "http://xyz...onion"): pages send
    # Onion-Location and the footer links to it (README "Tor onion service").
    ONION_URL: str | None = None
    # Print PDFs (gallery/prints/): the folder holding DejaVuSans.ttf and
    # DejaVuSans-Bold.ttf; None: the usual system folders (scripts/ensure-fonts installs them).
    PRINT_FONT_DIR: str | None = None

    # Mail to artists who asked to be told of the decision (gallery/mail.py). No server or
    # no sender: no mail, no error. Each is also read as a plain MAIL_* variable.
    MAIL_SERVER: str | None = None
    MAIL_PORT: int | None = None  # 587 with MAIL_USE_TLS, 465 with MAIL_USE_SSL, else 25
    # STARTTLS, with the server's certificate checked; false (clear text) only for a relay
    # on the same host or network, said explicitly.
    MAIL_USE_TLS = True
    MAIL_USE_SSL = False  # TLS from the first byte (port 465)
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    # The address only counts: messages go out under a neutral name ("Notifications").
    MAIL_DEFAULT_SENDER: str | None = None  # e.g. "noreply@mail.example.org"
    MAIL_TIMEOUT = 20.0  # seconds, for connecting and for every reply of the server


# Other names of settings, read as the setting's own plain name is.
ALIASES = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI", "GALLERY_MEDIA": "MEDIA_STORE"}
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def settings() -> dict[str, Any]:
    """Every setting declared on Config, by name, with its default."""
    return {name: getattr(Config, name) for name in dir(Config) if name.isupper()}


def parse(name: str, text: str) -> Any:
    """A setting's value as written in the environment, in the type of its default;
    ValueError naming the setting and what it expects (never the value: it may be a
    secret)."""
    default = getattr(Config, name)
    hint = str(Config.__annotations__.get(name, ""))
    kind = type(default) if default is not None else next(
        (t for t in (bool, int, float, dict, list) if t.__name__ in hint.split(" | ")), str)
    if kind is bool:
        if text.strip().lower() in TRUE + FALSE:
            return text.strip().lower() in TRUE
        raise ValueError(f"{name} must be true or false")
    if kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            raise ValueError(f"{name} must be a number") from None
    if kind in (dict, list, tuple):
        try:
            value = json.loads(text)
        except ValueError:
            raise ValueError(f"{name} must be written in JSON") from None
        if not isinstance(value, dict if kind is dict else list):
            raise ValueError(f"{name} must be a JSON {'object' if kind is dict else 'list'}")
        return tuple(value) if kind is tuple else value
    return text


def from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings the environment sets, by the rule in this module's docstring."""
    found: dict[str, Any] = {}
    names = {name: name for name in settings()} | ALIASES
    for prefix in ("", "FLASK_"):  # FLASK_NAME wins over NAME
        for variable, name in names.items():
            text = environ.get(prefix + variable)
            if text:
                found[name] = parse(name, text)
    return found
