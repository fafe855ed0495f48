"""Art Protest: a gallery of art made in solidarity with political prisoners."""

from __future__ import annotations

import importlib.util
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Request
from sqlalchemy.engine import make_url
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import MapAdapter

from .commands.backup import check_not_a_foreign_backup
from .config import DOCS as SETTINGS_DOCS
from .config import Config, SettingError, load_environ
from .core.database import private_file, sqlite_file
from .core.mirrors import check_mirrors
from .core.passwords import MIN_MEMORY_KIB
from .extensions import babel, csrf, db, migrate
from .media.slots import MB, default_slots, keep_big_buffers_off_the_heap
from .web.http import GalleryMap

log = logging.getLogger(__name__)


class GalleryFlask(Flask):
    url_map_class = GalleryMap

    def log_exception(self, exc_info) -> None:  # type: ignore[no-untyped-def,override]
        """Errors are logged by errors.py with the route pattern instead of the raw path."""

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """Absolute addresses (QR codes on posters, feeds, the sitemap, the API, canonical
        links and share previews, the mail's receipt link) name PUBLIC_URL when it is set,
        never a host the client chose (`Host`, `X-Forwarded-Host`), in a request or outside
        one; without it, SERVER_NAME (Flask's own rule), else the request's host."""
        adapter = super().create_url_adapter(request)
        public = self.config["PUBLIC_URL"]
        if not public:
            return adapter
        parts = urlsplit(public)
        if adapter is None:  # outside a request, without SERVER_NAME
            return self.url_map.bind(
                parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
            )
        adapter.server_name, adapter.url_scheme = parts.netloc, parts.scheme
        return adapter


def create_app(
    config: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None
) -> Flask:
    """Build the application: config, extensions, blueprints, commands, error pages.

    config: settings that win over every other source (tests pass theirs); environ: the
    variables to read instead of the process's environment (tests pass their own)."""
    environ = os.environ if environ is None else environ
    instance = Path(environ.get("GALLERY_INSTANCE", "instance")).resolve()
    app = GalleryFlask(
        __name__,
        instance_path=str(instance),
        instance_relative_config=True,
    )
    load_config(app, config, environ)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_errorhandlers(app)
    register_commands(app)
    register_request_hooks(app)
    register_middleware(app)
    return app


def load_config(
    app: Flask, overrides: Mapping[str, Any] | None, environ: Mapping[str, str]
) -> None:
    """The table's defaults (gallery/config.py), then instance/config.py, then the
    environment (each setting as NAME or FLASK_NAME, which wins), then `overrides`; then
    what is filled in from them."""
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    try:
        load_environ(app.config, environ)
    except SettingError as exc:
        raise RuntimeError(f"{exc} (see {SETTINGS_DOCS}).") from None
    if overrides:
        app.config.from_mapping(overrides)
    check_addresses(app.config)
    check_not_a_foreign_backup(Path(app.instance_path), app.config, environ)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    check_extras(app.config)
    check_media_settings(app.config)
    check_password_settings(app.config, testing=app.testing)
    fill_in_defaults(app)


def check_addresses(config: dict[str, Any]) -> None:
    """TRUSTED_HOSTS as a list; PUBLIC_URL and MIRRORS checked and normalised."""
    if isinstance(config["TRUSTED_HOSTS"], str):
        # "gallery.example, .gallery.example" (a leading dot admits every subdomain).
        hosts = [h.strip() for h in config["TRUSTED_HOSTS"].split(",") if h.strip()]
        config["TRUSTED_HOSTS"] = hosts or None
    if config["PUBLIC_URL"]:
        from .commands.mirror import parse_public_url

        try:  # every absolute address is built on it (GalleryFlask.create_url_adapter)
            config["PUBLIC_URL"] = parse_public_url(config["PUBLIC_URL"])
        except ValueError as exc:
            raise RuntimeError(str(exc)) from None
    try:  # shown as links on every page and in the feeds: never a javascript: address
        config["MIRRORS"] = check_mirrors(config["MIRRORS"])
    except ValueError as exc:
        raise RuntimeError(f"MIRRORS: {exc}") from None


def check_password_settings(config: Mapping[str, Any], *, testing: bool) -> None:
    """argon2 never below the floor the project promises, except in tests."""
    if not testing and int(config["ARGON2_MEMORY_KIB"]) < MIN_MEMORY_KIB:
        raise RuntimeError(f"ARGON2_MEMORY_KIB must be at least {MIN_MEMORY_KIB} (19 MiB).")


def fill_in_defaults(app: Flask) -> None:
    """The settings whose default depends on the instance folder or the host."""
    config, instance = app.config, Path(app.instance_path)
    if not config["MEDIA_ROOT"]:
        config["MEDIA_ROOT"] = str(instance / "media")
    if not config["SQLALCHEMY_DATABASE_URI"]:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'gallery.sqlite3'}"
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = instance_secret_key(instance)
    if not config["DECODE_SLOTS"]:
        config["DECODE_SLOTS"] = default_slots(int(config["DECODE_MEMORY_MB"]) * MB)
    keep_big_buffers_off_the_heap()
    db_file = sqlite_file(config["SQLALCHEMY_DATABASE_URI"])
    if db_file is not None:
        private_file(db_file)
    if not config["RATELIMIT_STORAGE_URI"]:
        # One file for every worker of this host (web/ratelimit_store.py); Redis for more.
        config["RATELIMIT_STORAGE_URI"] = f"gallery-sqlite://{instance / 'ratelimits.sqlite3'}"
    if config["PREFERRED_URL_SCHEME"] == "https":
        # Over HTTPS the cookie is Secure and __Host- bound to this exact origin.
        config["SESSION_COOKIE_SECURE"] = True
        if config["SESSION_COOKIE_NAME"] == "session":
            config["SESSION_COOKIE_NAME"] = "__Host-session"


def check_media_settings(config: Mapping[str, Any]) -> None:
    """Refuse to start on a media setting that cannot work, saying what is expected (a
    mistyped GALLERY_MEDIA must not quietly fill the instance folder instead)."""
    url = config["MEDIA_STORE"]
    accel, sendfile = config["MEDIA_ACCEL_REDIRECT"], config["MEDIA_SENDFILE"]
    if isinstance(sendfile, str):
        raise RuntimeError("MEDIA_SENDFILE must be true or false (FLASK_MEDIA_SENDFILE=true).")
    if accel and not (isinstance(accel, str) and accel.startswith("/") and "//" not in accel):
        raise RuntimeError(
            "MEDIA_ACCEL_REDIRECT must be the path of an internal location, "
            "such as /internal-media/."
        )
    if url:
        from .media.s3 import parse_media_url

        try:
            parse_media_url(url)
        except ValueError as exc:
            raise RuntimeError(str(exc)) from None
        if accel or sendfile:
            raise RuntimeError(
                "MEDIA_ACCEL_REDIRECT and MEDIA_SENDFILE serve files from the "
                "local media folder; with GALLERY_MEDIA=s3://... the app streams "
                "the images itself."
            )


def check_extras(config: Mapping[str, Any]) -> None:
    """Refuse to start, in one line that names the extra, when the database or the media
    store configured needs a library that this installation left out (pyproject.toml's
    optional dependencies: [postgres], [s3])."""
    url = make_url(str(config.get("SQLALCHEMY_DATABASE_URI") or "sqlite://"))
    if url.get_backend_name() != "sqlite":
        try:
            url.get_dialect().import_dbapi()
        except ImportError:
            extra = "postgres" if url.get_backend_name() == "postgresql" else None
            raise RuntimeError(
                f"DATABASE_URL names {url.drivername}, whose driver is not installed"
                + (f": pip install 'art-protest-gallery[{extra}]'" if extra else "")
            ) from None
    if config.get("MEDIA_STORE") and not all(map(importlib.util.find_spec, ("boto3", "botocore"))):
        raise RuntimeError(
            "GALLERY_MEDIA names an S3 bucket, and boto3 is not installed: "
            "pip install 'art-protest-gallery[s3]'"
        )


def configure_logging(app: Flask) -> None:
    """Give the gallery's loggers a handler when nobody else did (gunicorn's config does)."""
    gallery_log = logging.getLogger("gallery")
    if app.testing or gallery_log.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    gallery_log.addHandler(handler)
    gallery_log.setLevel(logging.INFO)
    gallery_log.propagate = False
    # The development server's own request lines hold the client address and the raw
    # path (receipt tokens): keep only its warnings; gallery.access logs each request.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def instance_secret_key(instance: Path) -> str:
    """The key kept in the instance folder, generated on first use; never hard-coded."""
    key_file = instance / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


def before_fork(app: Flask) -> None:
    """In a process about to fork workers (gunicorn's preload_app): load what every worker
    would otherwise load for itself at its first pages, so that they share one copy: Babel's
    locale data of each language and of the 19 the submit form names each in itself (about
    20 MB), the catalogues, and the mappers.  Reads only; idempotent."""
    from babel import Locale
    from flask_babel import force_locale, get_translations
    from sqlalchemy.orm import configure_mappers

    from .public.forms import _named_languages

    configure_mappers()
    _named_languages()
    with app.test_request_context():
        for code in app.config["LANGUAGES"]:
            locale = Locale.parse(code)
            locale.plural_form, locale.datetime_formats, locale.time_zones  # noqa: B018 - loads them
            with force_locale(code):
                get_translations()


def after_fork(app: Flask) -> None:
    """In a worker forked from a process that built the app (gunicorn's preload_app): let go
    of what the parent opened.  The database pools are emptied without closing the parent's
    connections (SQLAlchemy's way across a fork), and the mail courier starts afresh, with
    no thread or lock of the parent's.  The rate-limit file and S3 clients reopen by
    process id on their own (web/ratelimit_store.py, media/s3/); Redis clients too."""
    from . import federation, mail

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
    mail.after_fork(app)
    federation.after_fork(app)


def register_extensions(app: Flask) -> None:
    from . import federation, mail
    from .core import database  # noqa: F401  (registers the engine and session listeners)
    from .web import i18n
    from .web.limits import limiter

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(app.root_path) / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    mail.init_app(app)
    federation.init_app(app)


def register_blueprints(app: Flask) -> None:
    # Visitors and artists (pages, media, submissions, reports), then moderators
    # (Flask-Login and /login, the /moderation pages).
    from . import moderation, public
    from .web import i18n

    public.init_app(app)
    moderation.init_app(app)
    i18n.localise_routes(app)  # every public page also under /en/, /fr/, /ru/


def register_template_helpers(app: Flask) -> None:
    from .web import templating

    templating.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from .web import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from . import commands

    commands.init_app(app)


def register_middleware(app: Flask) -> None:
    """The whole WSGI stack, in one place, from the inside out: LastResort
    (web/errors/failures.py), which answers whatever escapes Flask; the published-media
    shortcut (public/media/; with the page cache and the local folder); then ProxyFix, so
    both see the client's scheme; outermost, with ONION_PORT, the onion service's own
    listener, which skips ProxyFix.
    X-Forwarded-Host is taken only with TRUSTED_HOSTS, which then checks it: a proxy that
    passes the client's own value on would otherwise let anyone choose the host."""
    from .public.media import MediaShortcut
    from .web.errors import LastResort

    app.wsgi_app = LastResort(app.wsgi_app)  # type: ignore[method-assign]
    if app.config["PAGE_CACHE"] and not app.config["MEDIA_STORE"]:
        app.wsgi_app = MediaShortcut(app, app.wsgi_app)  # type: ignore[method-assign]
    direct = app.wsgi_app
    proxies = int(app.config["PROXY_FIX_HOPS"] or 0)
    if proxies:
        hosts = proxies if app.config["TRUSTED_HOSTS"] else 0
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=hosts
        )
        if not app.config["TRUSTED_HOSTS"]:
            log.warning(
                "PROXY_FIX_HOPS is set without TRUSTED_HOSTS: any Host the proxy passes on "
                "is answered; set TRUSTED_HOSTS (and PUBLIC_URL) to the public host name"
            )
    if app.config["ONION_PORT"]:
        # The onion service's own listener never goes through ProxyFix (web/onion.py).
        from .web.onion import OnionListener

        app.wsgi_app = OnionListener(direct, app.wsgi_app, int(app.config["ONION_PORT"]))  # type: ignore[method-assign]


def register_request_hooks(app: Flask) -> None:
    from .web import counting, headers, pagecache

    # First, so its after-request hook runs last: it counts what was finally answered
    # (a 304 from the page cache counts nothing).
    counting.init_app(app)
    headers.init_app(app)
    # Last, so its after-request hook runs first: the page is kept before the headers every
    # answer gets (CSP, language cookie, Vary) are added, each time it is served.
    pagecache.init_app(app)
