"""Every setting, declared once: its default, one line of help, the environment variables
that set it and how their text becomes a value.  The operators' page
docs/operators/configuration.md is generated from this table (scripts/settings-doc; a test
checks it is current), and a test checks that every setting the code reads is declared here.

One rule for the environment: a setting NAME is read from the variable NAME or from
FLASK_NAME, which wins; DATABASE_URL and GALLERY_MEDIA are other names of
SQLALCHEMY_DATABASE_URI and MEDIA_STORE (read as NAME is).  A variable set to the empty
string counts as unset.  The text becomes the setting's kind: true/false (also 1/0, yes/no,
on/off) for a flag, a number for a number, JSON for a list or a table, the text itself
otherwise; a text of the wrong kind stops the app at start with a line naming the variable
(never its value: it may be a secret).  FLASK_ variables of names not declared here are
read as Flask reads them (JSON, else text)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
DOCS = "docs/operators/configuration.md"


class SettingError(ValueError):
    """A variable whose text is not of its setting's kind; the message names the variable."""


@dataclass(frozen=True)
class Setting:
    """One setting: NAME, its default, a line for the operators' page and its group there.

    kind: what the environment's text becomes (bool, int, float, str, list, tuple, dict);
    by default the type of the default.  aliases: other names read as NAME is, each also
    with FLASK_ (NAME and FLASK_NAME are always read).  derived: the setting is filled in when the app starts
    (from other settings), never read from the environment, and this says from what."""

    name: str
    default: Any
    help: str
    group: str
    kind: type | None = None
    aliases: tuple[str, ...] = ()
    derived: str = ""

    @property
    def variables(self) -> tuple[str, ...]:
        """The variables read, weakest first: FLASK_NAME wins over the plain names."""
        if self.derived:
            return ()
        return (
            self.name,
            *self.aliases,
            "FLASK_" + self.name,
            *("FLASK_" + a for a in self.aliases),
        )

    @property
    def type(self) -> type:
        if self.kind is not None:
            return self.kind
        return str if self.default is None else type(self.default)

    def coerce(self, text: str, variable: str | None = None) -> Any:
        """The value written as `text` in `variable`; SettingError naming the variable and
        what it expects (never the text)."""
        where, kind = variable or self.name, self.type
        if kind is bool:
            if text.strip().lower() in TRUE + FALSE:
                return text.strip().lower() in TRUE
            raise SettingError(f"{where} must be true or false")
        if kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                raise SettingError(f"{where} must be a number") from None
        if kind in (dict, list, tuple):
            try:
                value = json.loads(text)
            except ValueError:
                raise SettingError(f"{where} must be written in JSON") from None
            if not isinstance(value, dict if kind is dict else list):
                raise SettingError(f"{where} must be a JSON {'object' if kind is dict else 'list'}")
            return tuple(value) if kind is tuple else value
        return text


def _s(name: str, default: Any, help: str, group: str, **more: Any) -> Setting:
    return Setting(name, default, help, group, **more)


IDENTITY = "Identity and addresses"
STORAGE = "Database and media"
PROXY = "Hosts and proxies"
MEDIA = "Serving media"
MODERATORS = "Moderators and passwords"
LIMITS = "Rate limits"
CHALLENGE = "Proof-of-work challenge"
UPLOADS = "Uploads and decoding"
CACHE = "Page cache"
MAIL = "Mail"
GALLERY = "The gallery"
FEDERATION = "Federation"
FRAMEWORK = "Framework"

SETTINGS: tuple[Setting, ...] = (
    # ---- identity and addresses
    _s(
        "SECRET_KEY",
        None,
        "the key that signs sessions and CSRF tokens; none: generated once "
        "into instance/secret_key (mode 0600)",
        IDENTITY,
    ),
    _s(
        "PUBLIC_URL",
        None,
        "the primary public address (https://artprotest.example): every absolute "
        "address the app gives (QR codes, feeds, sitemap, API, mail) and a static mirror's "
        "forms are built on it; none: the request's host",
        IDENTITY,
    ),
    _s(
        "ONION_URL",
        None,
        "the gallery's Tor onion service (http://xyz….onion): pages send "
        "Onion-Location and the footer links to it",
        IDENTITY,
    ),
    _s(
        "MIRRORS",
        (),
        "other addresses where the gallery can be read when this one is blocked, as a "
        'JSON list ("https://mirror.example", an onion address, an IPFS gateway\'s): '
        "shown on every page and sent in the digest and the feeds",
        IDENTITY,
        kind=tuple,
    ),
    _s(
        "ONION_PORT",
        None,
        "the port of the listener only the onion service reaches: its "
        "requests are never trusted by address nor by X-Forwarded-*",
        IDENTITY,
        kind=int,
    ),
    _s("SITE_NAME", "Art Protest", "the gallery's name in pages, feeds and mail", IDENTITY),
    _s(
        "REPORT_INACCURACY_EMAIL",
        "corrections@example.org",
        "where readers send corrections of a prisoner's story",
        IDENTITY,
    ),
    # ---- database and media
    _s(
        "SQLALCHEMY_DATABASE_URI",
        None,
        "SQLAlchemy URL of the database "
        "(postgresql+psycopg://user@host/db); none: instance/gallery.sqlite3",
        STORAGE,
        aliases=("DATABASE_URL",),
    ),
    _s(
        "SQLALCHEMY_ENGINE_OPTIONS",
        {"pool_pre_ping": True, "hide_parameters": True},
        "SQLAlchemy engine options; hide_parameters keeps values (e-mail addresses) out of "
        "error messages and the log",
        STORAGE,
    ),
    _s(
        "MEDIA_STORE",
        None,
        "s3://bucket/prefix: media in an S3-compatible bucket, with "
        "boto3's environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID...); none: the local folder "
        "MEDIA_ROOT; checked at start",
        STORAGE,
        aliases=("GALLERY_MEDIA",),
    ),
    _s("MEDIA_ROOT", None, "the local media folder; none: media/ in the instance folder", STORAGE),
    _s(
        "BUILT_FILES_BYTES",
        4 * 1024 * 1024 * 1024,
        "the most that print PDFs and the "
        "sitemap built into instance/cache/built/ may take; past it a document is sent, not kept",
        STORAGE,
    ),
    # ---- hosts and proxies
    _s(
        "TRUSTED_HOSTS",
        None,
        "the host names the app answers for, comma-separated "
        "(.example.org admits its subdomains); any other Host gets a 400; none: any",
        PROXY,
    ),
    _s(
        "PREFERRED_URL_SCHEME",
        "http",
        "https makes the session cookie Secure and __Host- and turns on HSTS",
        PROXY,
    ),
    _s(
        "PROXY_FIX_HOPS",
        0,
        "how many reverse proxies in front of the app set "
        "X-Forwarded-For and -Proto (and -Host, taken only with TRUSTED_HOSTS); 0: the headers "
        "are ignored",
        PROXY,
    ),
    _s(
        "HEALTHZ_TIMEOUT",
        3.0,
        "seconds every dependency together may take to answer "
        '/healthz before the silent ones are reported "timeout"',
        PROXY,
    ),
    # ---- serving media
    _s(
        "MEDIA_ACCEL_REDIRECT",
        None,
        "nginx internal location (/internal-media/) that sends "
        "published images once the app has checked them (X-Accel-Redirect); local store only",
        MEDIA,
    ),
    _s(
        "MEDIA_SENDFILE",
        False,
        "true: published images are sent with X-Sendfile (Apache "
        "mod_xsendfile, lighttpd); local store only",
        MEDIA,
    ),
    _s(
        "SEND_FILE_MAX_AGE_DEFAULT",
        365 * 24 * 3600,
        "seconds static files may be cached (their URLs carry a content hash)",
        MEDIA,
    ),
    # ---- moderators and passwords
    _s("MODERATOR_SESSION_HOURS", 12, "hours a moderator's login lasts", MODERATORS),
    _s("MODERATION_PER_PAGE", 20, "works on a page of the moderation queue", MODERATORS),
    _s(
        "DECISION_UNDO_SECONDS",
        30,
        "seconds an approval or rejection can be undone (the "
        "artist's e-mail waits as long); 0: decisions are final at once",
        MODERATORS,
    ),
    _s(
        "ARGON2_MEMORY_KIB",
        47_104,
        "argon2id memory per password hash, in KiB (OWASP's "
        "46 MiB; never below 19 MiB outside tests); older hashes are renewed at the next login",
        MODERATORS,
    ),
    _s("ARGON2_TIME_COST", 1, "argon2id passes per password hash", MODERATORS),
    _s("ARGON2_PARALLELISM", 1, "argon2id lanes per password hash", MODERATORS),
    # ---- rate limits
    _s(
        "RATELIMIT_ENABLED",
        True,
        "false switches every rate limit off (a load test on loopback)",
        LIMITS,
    ),
    _s(
        "RATELIMIT_STORAGE_URI",
        None,
        "where limits count (redis://... when several hosts "
        "serve the gallery); none: a SQLite file in the instance folder shared by the host's "
        "workers",
        LIMITS,
    ),
    _s("RATELIMIT_STRATEGY", "moving-window", "Flask-Limiter's strategy", LIMITS),
    _s(
        "RATELIMIT_KEY_PREFIX",
        "",
        "the prefix of the limits' keys in their storage: each gallery that shares one Redis "
        "needs its own",
        LIMITS,
    ),
    _s(
        "RATELIMIT_HEADERS_ENABLED",
        False,
        "Flask-Limiter's headers (off: the gallery sets Retry-After on its 429s itself)",
        LIMITS,
    ),
    _s(
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED",
        True,
        "when the limits' store cannot be "
        "reached, count in each process's memory with a warning instead of answering 500",
        LIMITS,
    ),
    _s("RATELIMIT_SWALLOW_ERRORS", True, "a failing limits' store never fails a request", LIMITS),
    _s("SUBMIT_RATE_LIMIT", "10 per hour;30 per day", "accepted submissions per client", LIMITS),
    _s(
        "UPLOAD_RATE_LIMIT",
        "60 per hour;200 per day",
        "resumable uploads (tus, /uploads/) a client may start, and images kept after a "
        "form sent back with a mistake",
        LIMITS,
    ),
    _s("API_RATE_LIMIT", "300 per minute", "requests per client on every /api/ address", LIMITS),
    _s(
        "REPORT_RATE_LIMIT", "5 per hour;20 per day", "reports per IPv4 address or IPv6 /48", LIMITS
    ),
    _s("PRINT_RATE_LIMIT", "20 per minute;200 per hour", "print PDFs per client", LIMITS),
    _s(
        "LETTER_RATE_LIMIT",
        "5 per hour;20 per day",
        "letters written per IPv4 address or IPv6 /48",
        LIMITS,
    ),
    _s(
        "DIGEST_RATE_LIMIT",
        "5 per hour;20 per day",
        "digest sign-ups per IPv4 address or IPv6 /48",
        LIMITS,
    ),
    _s("LOGIN_RATE_LIMIT", "10 per minute;50 per hour", "login attempts per client", LIMITS),
    _s(
        "LOGIN_PAIR_RATE_LIMIT",
        "5 per minute;20 per hour",
        "login attempts per client and user name",
        LIMITS,
    ),
    _s(
        "LOGIN_ACCOUNT_RATE_LIMIT",
        "30 per hour;100 per day",
        "login attempts per user name, from anywhere",
        LIMITS,
    ),
    _s(
        "AUTO_HIDES_PER_HOUR",
        10,
        'reports "identifies a person at risk" that hide a work '
        "at once, per hour for the whole site; past that they wait for a moderator",
        LIMITS,
    ),
    # ---- the proof-of-work challenge
    _s(
        "CHALLENGE_ALWAYS",
        False,
        "true: the proof-of-work challenge on the whole site, not "
        "only the onion service and times of pressure",
        CHALLENGE,
    ),
    _s(
        "CHALLENGE_PRESSURE",
        "30 per minute",
        "sends and reports from everyone together past which the challenge is asked of everyone",
        CHALLENGE,
    ),
    _s("CHALLENGE_COST", 1000, "PBKDF2 iterations of each key the browser derives", CHALLENGE),
    _s(
        "CHALLENGE_COUNTER",
        10_000,
        "the most keys a challenge asks for (picked between half this and this)",
        CHALLENGE,
    ),
    _s("CHALLENGE_SECONDS", 1800, "seconds a challenge lives (accepted once)", CHALLENGE),
    _s(
        "CHALLENGE_WAIT_SECONDS",
        300,
        "without JavaScript, a form older than this is accepted instead",
        CHALLENGE,
    ),
    # ---- uploads and decoding
    _s("MAX_CONTENT_LENGTH", 25 * 1024 * 1024, "bytes of a whole request (an upload)", UPLOADS),
    _s(
        "UPLOAD_EXPIRY_SECONDS",
        86400,
        "seconds a resumable upload (or an image kept after a form sent back with a "
        "mistake) stays in the database unused; then it is deleted",
        UPLOADS,
    ),
    _s(
        "UPLOAD_STAGED_BYTES",
        1024 * 1024 * 1024,
        "bytes all unexpired uploads may reserve together in the database; past that a "
        "new upload is refused with 503 until some finish or expire",
        UPLOADS,
    ),
    _s("MAX_FORM_MEMORY_SIZE", 100 * 1024, "bytes of a form's non-file fields", UPLOADS),
    _s("MAX_FORM_PARTS", 200, "parts of a multipart form", UPLOADS),
    _s("MAX_IMAGE_PIXELS", 40_000_000, "pixels of an uploaded image", UPLOADS),
    _s(
        "MAX_WORK_IMAGES",
        6,
        "images of one work, its cover image included (the form offers this many, less one, "
        "optional extra images; the whole form still fits in MAX_CONTENT_LENGTH)",
        UPLOADS,
    ),
    _s(
        "DECODE_MEMORY_MB",
        1536,
        "address space of the child process that decodes one upload "
        "(a legitimate 40 MP WebP peaks near 970 MB)",
        UPLOADS,
    ),
    _s("DECODE_CPU_SECONDS", 20, "CPU seconds of one decoding child, all its threads", UPLOADS),
    _s(
        "DECODE_WALL_SECONDS",
        40,
        "seconds before the worker kills a decoding child (below gunicorn's 60)",
        UPLOADS,
    ),
    _s(
        "DECODE_SLOTS",
        None,
        "uploads the host decodes at once, across workers; none: one per "
        "DECODE_MEMORY_MB of the memory available at start",
        UPLOADS,
        kind=int,
    ),
    # ---- page cache
    _s("PAGE_CACHE", True, "the page cache of anonymous pages, on or off", CACHE),
    _s("PAGE_CACHE_SECONDS", 300, "seconds a page is kept", CACHE),
    _s("PAGE_CACHE_ENTRIES", 3000, "pages the cache holds at most", CACHE),
    _s(
        "PAGE_CACHE_BYTES",
        256 * 1024 * 1024,
        "bytes the cache holds at most (files or Redis alike)",
        CACHE,
    ),
    _s("PAGE_CACHE_MAX_PAGE_BYTES", 2 * 1024 * 1024, "a larger page is served but not kept", CACHE),
    _s(
        "PAGE_CACHE_ONE_HOST",
        False,
        "true: this is the only host, so its own file cache may "
        "serve a PostgreSQL database (else the cache stays off there without CACHE_REDIS_URL)",
        CACHE,
    ),
    _s(
        "CACHE_REDIS_URL",
        None,
        "Redis for the page cache, shared by several hosts; none: "
        "files under instance/cache/pages/ shared by the host's workers",
        CACHE,
    ),
    _s(
        "CACHE_TYPE",
        None,
        "Flask-Caching's backend",
        CACHE,
        derived="the gallery's files or Redis store, from CACHE_REDIS_URL",
    ),
    _s(
        "CACHE_OPTIONS",
        None,
        "Flask-Caching's backend options",
        CACHE,
        derived="two-second Redis timeouts with CACHE_REDIS_URL",
    ),
    _s("CACHE_DIR", None, "the file page cache's folder; none: instance/cache/pages/", CACHE),
    _s(
        "CACHE_KEY_PREFIX",
        "gallery:",
        "the prefix of every key the page cache writes in Redis: each gallery that shares "
        "one Redis needs its own",
        CACHE,
    ),
    _s("CACHE_THRESHOLD", None, "Flask-Caching's entry limit", CACHE, derived="PAGE_CACHE_ENTRIES"),
    _s(
        "CACHE_DEFAULT_TIMEOUT",
        None,
        "Flask-Caching's lifetime of an entry",
        CACHE,
        derived="PAGE_CACHE_SECONDS",
    ),
    # ---- mail
    _s(
        "MAIL_SERVER",
        None,
        "the SMTP server that tells artists of decisions; none: no mail, no error",
        MAIL,
    ),
    _s(
        "MAIL_PORT",
        None,
        "the SMTP port; none: 587 with MAIL_USE_TLS, 465 with MAIL_USE_SSL, else 25",
        MAIL,
        kind=int,
    ),
    _s(
        "MAIL_USE_TLS",
        True,
        "STARTTLS with the server's certificate checked; false (clear "
        "text) only for a relay on the same host or network",
        MAIL,
    ),
    _s("MAIL_USE_SSL", False, "TLS from the first byte (port 465)", MAIL),
    _s("MAIL_USERNAME", None, "the SMTP login", MAIL),
    _s("MAIL_PASSWORD", None, "the SMTP password", MAIL),
    _s(
        "MAIL_DEFAULT_SENDER",
        None,
        "the sender's address (noreply@mail.example.org); messages "
        "go out under a neutral name; none: no mail",
        MAIL,
    ),
    _s("MAIL_TIMEOUT", 20.0, "seconds for connecting and for every reply of the SMTP server", MAIL),
    # ---- federation (ActivityPub, publish only: gallery/federation/)
    _s(
        "FEDERATION",
        False,
        "publish new works to the fediverse (Mastodon and others) as the gallery's "
        "ActivityPub actor; needs PUBLIC_URL; off: every ActivityPub address answers 404 and "
        "nothing is queued or sent",
        FEDERATION,
    ),
    _s(
        "FEDERATION_DELAY",
        86400,
        "seconds between a work's publication and its announcement to followers, so a "
        "takedown in that time never leaves the server",
        FEDERATION,
    ),
    _s(
        "FEDERATION_NAME",
        "gallery",
        "the gallery actor's user name (@NAME@host in WebFinger and on Mastodon)",
        FEDERATION,
    ),
    _s(
        "FEDERATION_ACTORS",
        (),
        'more actors besides the gallery\'s, as a JSON list of "prisoners" and/or '
        '"campaigns": each prisoner (@prisoner-SLUG@host) and each campaign '
        "(@campaign-SLUG@host) can then be followed for its works alone, which it boosts; "
        "empty: the gallery's actor alone",
        FEDERATION,
        kind=tuple,
    ),
    _s(
        "FEDERATION_ALLOW_PRIVATE",
        False,
        "for tests only: let remote actors and deliveries use http:// and loopback or "
        "private addresses (never in production: it opens the server to SSRF)",
        FEDERATION,
    ),
    _s(
        "FEDERATION_INBOX_RATE_LIMIT",
        "120 per minute",
        "activities another server may post to the inboxes, per IPv4 address or IPv6 /48: "
        "checking a signature fetches the sender's key from its server, so a flood would "
        "hold the workers",
        FEDERATION,
    ),
    _s(
        "FEDERATION_TIMEOUT",
        10.0,
        "seconds for connecting to another server and for each of its replies, when "
        "fetching an actor or delivering",
        FEDERATION,
    ),
    # ---- the gallery
    _s("WORKS_PER_PAGE", 24, "works on a page of the gallery grid", GALLERY),
    _s("SEARCH_PER_PAGE", 20, "results on a page of search", GALLERY),
    _s(
        "PRISONER_TIMEZONE",
        "Europe/Moscow",
        'the time zone of "days in prison" when a prisoner has none',
        GALLERY,
    ),
    _s(
        "PRINT_FONT_DIR",
        None,
        "the folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf for "
        "print PDFs; none: the usual system folders",
        GALLERY,
    ),
    _s(
        "LETTER_EMAIL_DAYS",
        90,
        "days after which a letter writer's e-mail address is erased, sent or not (it goes "
        "sooner: as soon as the writer has been told the letter was sent or refused)",
        GALLERY,
    ),
    _s(
        "DIGEST_CONFIRM_DAYS",
        3,
        "days after which a digest sign-up that was not confirmed is erased, address and "
        "all (by `send-digest` and `purge`)",
        GALLERY,
    ),
    _s("LETTER_MAX_LENGTH", 1500, "characters in a letter, as written", GALLERY),
    _s(
        "IMPACT_FLUSH_SECONDS",
        60,
        "seconds a worker keeps the impact counts (postcards, posters, QR visits...) in "
        "memory before adding them to the database, and at exit; 0: never by themselves "
        "(for tests, which call flush())",
        GALLERY,
    ),
    _s("LANGUAGES", ("en", "fr", "ru"), "the languages of the site", GALLERY),
    _s("BABEL_DEFAULT_LOCALE", "en", "the language when the visitor names none", GALLERY),
    _s("BABEL_DEFAULT_TIMEZONE", "UTC", "the time zone dates are shown in", GALLERY),
    # ---- framework
    _s(
        "SESSION_COOKIE_NAME",
        "session",
        "the session cookie's name (__Host-session over https)",
        FRAMEWORK,
    ),
    _s("SESSION_COOKIE_HTTPONLY", True, "the session cookie is hidden from scripts", FRAMEWORK),
    _s("SESSION_COOKIE_SAMESITE", "Lax", "the session cookie's SameSite", FRAMEWORK),
    _s(
        "SESSION_COOKIE_SECURE",
        False,
        "the session cookie only over HTTPS (switched on by PREFERRED_URL_SCHEME=https)",
        FRAMEWORK,
    ),
    _s("WTF_CSRF_ENABLED", True, "CSRF tokens on every form", FRAMEWORK),
    _s(
        "WTF_CSRF_TIME_LIMIT",
        None,
        "seconds a CSRF token lives; none: as long as the session",
        FRAMEWORK,
        kind=int,
    ),
    _s(
        "WTF_CSRF_SSL_STRICT",
        False,
        "demand a same-host Referer over HTTPS (off: private "
        "pages send none; the token and the SameSite cookie protect them)",
        FRAMEWORK,
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
# The defaults as a class, for instance/config.py's readers and Flask's from_object.
Config = type("Config", (), {s.name: s.default for s in SETTINGS if not s.derived})
# The settings tests run with: argon2 at its minimum (tests/app/test_auth.py checks the real one).
TEST_SETTINGS: dict[str, Any] = {
    "ARGON2_MEMORY_KIB": 8,
    "ARGON2_TIME_COST": 1,
    "ARGON2_PARALLELISM": 1,
    # Tests add the impact counts with flush() when they look: no timer thread per app.
    "IMPACT_FLUSH_SECONDS": 0,
    # Federation (when a test turns it on) sends a work's Create as soon as it is published.
    "FEDERATION_DELAY": 0,
}


def settings() -> dict[str, Any]:
    """Every setting an operator may set, by name, with its default."""
    return {s.name: s.default for s in SETTINGS if not s.derived}


def parse(name: str, text: str) -> Any:
    """A setting's value as written in the environment (SettingError names the setting)."""
    return BY_NAME[name].coerce(text)


def from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """The declared settings the environment sets, by the rule in this module's docstring."""
    found: dict[str, Any] = {}
    for setting in SETTINGS:
        for variable in setting.variables:  # the last one set wins
            text = environ.get(variable)
            if text:
                found[setting.name] = setting.coerce(text, variable)
    return found


def load_environ(config: dict[str, Any], environ: Mapping[str, str]) -> None:
    """Into config: FLASK_ variables of undeclared names as Flask's from_prefixed_env reads
    them (JSON, else text; A__B into the table A), then the declared settings."""
    for variable in sorted(environ):
        if not variable.startswith("FLASK_") or variable[6:] in BY_NAME:
            continue
        key, text = variable[6:], environ[variable]
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        current = config
        *parents, tail = key.split("__")
        for parent in parents:  # a copy: a default's table is shared by every app
            current[parent] = dict(current.get(parent) or {})
            current = current[parent]
        current[tail] = value
    config.update(from_environ(environ))
