"""MediaShortcut, the WSGI middleware that answers a published work's image before Flask,
once the view has checked that work in the current generation: the same headers,
validators and log line as the view, in a tenth of the time."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.http import http_date, is_resource_modified, remove_entity_headers
from werkzeug.utils import send_file as send_file_from
from werkzeug.wsgi import FileWrapper, get_host

from ...media import CONTENT_TYPES, MediaStore, media_store, valid_name
from ...web.headers import HSTS, log_access, security_headers
from ...web.http import immutable
from ...web.pagecache import generation
from .published import PublishedKeys, _Answer
from .sending import STREAM_CHUNK, _by_proxy, _media_headers
from .views import ROUTE, bp

log = logging.getLogger(__package__)  # gallery.public.media, as before the split


_DATED = frozenset({"date", "expires"})


class MediaShortcut:
    """WSGI middleware: answers GET and HEAD of a published work's image, once the view has
    checked that work in the current generation, without Flask, its hooks or the database;
    passes everything else on to the app (ranges too, which the view answers)."""

    PREFIX = bp.url_prefix + "/"  # type: ignore[operator]
    RULE = bp.url_prefix + ROUTE  # type: ignore[operator]  # what the access log names

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]):
        self.app = app
        self.wsgi_app = wsgi_app
        self.seen = PublishedKeys(lifetime=app.config["PAGE_CACHE_SECONDS"])
        app.extensions[PublishedKeys.EXTENSION] = self.seen

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        answered = self._answer(environ, start_response)
        if answered is None:
            return self.wsgi_app(environ, start_response)
        status, body = answered
        log_access(environ["REQUEST_METHOD"], self.RULE, status, started)
        return body

    def _answer(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> tuple[int, Iterable[bytes]] | None:
        path = environ.get("PATH_INFO", "")
        if (
            not path.startswith(self.PREFIX)
            or environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
            or "HTTP_RANGE" in environ
            or not self._host_trusted(environ)
        ):
            return None  # the view answers (a host outside TRUSTED_HOSTS: Flask's 400 page)
        key, _, filename = path[len(self.PREFIX) :].partition("/")
        if key not in self.seen.keys or not valid_name(key, filename):
            return None
        try:
            if not self.seen.vouches(generation(self.app), key):
                return None
            answer = self.seen.answers.get((key, filename)) or self._prepare(environ, key, filename)
            return None if answer is None else self._send(answer, environ, start_response)
        except Exception:  # noqa: BLE001 - the view knows how to answer; say why it had to
            log.exception("media shortcut failed; the view answers instead")
            return None

    def _host_trusted(self, environ: dict[str, Any]) -> bool:
        trusted = self.app.config["TRUSTED_HOSTS"]
        if not trusted:
            return True
        try:
            get_host(environ, trusted)
        except SecurityError:
            return False
        return True

    def _prepare(self, environ: dict[str, Any], key: str, filename: str) -> _Answer | None:
        """The view's answer for this file, as send_file() or the proxy setting makes it."""
        store = media_store(self.app)
        found = store.path(key, filename) if isinstance(store, MediaStore) else None
        if found is None:
            return None  # a name the view answers 404 to
        plain = {k: v for k, v in environ.items() if not k.startswith("HTTP_IF_")}
        max_age = self._max_age()
        response = _by_proxy(key, filename, self.app) or send_file_from(
            found,
            plain,
            mimetype=CONTENT_TYPES[filename.rpartition(".")[2]],
            conditional=True,
            etag=True,
            max_age=max_age,
        )
        response.close()
        immutable(_media_headers(response))
        security_headers(response.headers, secure=False)  # HSTS: by each request's scheme
        proxied = "X-Accel-Redirect" in response.headers or "X-Sendfile" in response.headers
        answer = _Answer(
            headers=[(k, v) for k, v in response.headers.to_wsgi_list() if k.lower() not in _DATED],
            path=None if proxied else found,
            etag=response.get_etag()[0],
            modified=response.last_modified,
            max_age=max_age,
        )
        self.seen.keep(key, filename, answer)
        return answer

    def _send(
        self, answer: _Answer, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> tuple[int, Iterable[bytes]] | None:
        headers = list(answer.headers)
        if environ.get("wsgi.url_scheme") == "https":
            headers.append(HSTS)
        if answer.path is not None:
            headers.append(("Date", http_date()))  # as make_conditional() adds it
        if answer.max_age:
            headers.append(("Expires", http_date(time.time() + answer.max_age)))
        if answer.path is None:
            start_response("200 OK", headers)
            return 200, [b""]
        if ("HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ) and not (
            is_resource_modified(environ, etag=answer.etag, last_modified=answer.modified)
        ):
            remove_entity_headers(headers)  # in place, as werkzeug does for a 304
            start_response("304 Not Modified", headers)
            return 304, []
        try:
            fp = open(answer.path, "rb")  # noqa: SIM115 - the server closes it when sent
        except OSError:
            return None  # gone since: the view answers
        if environ["REQUEST_METHOD"] == "HEAD":
            fp.close()
            start_response("200 OK", headers)
            return 200, []
        start_response("200 OK", headers)
        return 200, environ.get("wsgi.file_wrapper", FileWrapper)(fp, STREAM_CHUNK)

    def _max_age(self) -> int | None:
        """SEND_FILE_MAX_AGE_DEFAULT as Flask's send_file() reads it (it needs a context)."""
        age = self.app.config["SEND_FILE_MAX_AGE_DEFAULT"]
        return int(age.total_seconds()) if isinstance(age, timedelta) else age
