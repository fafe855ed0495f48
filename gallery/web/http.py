"""Small HTTP helpers every view uses: private responses, the list arguments of the
query string (a ?page= number and keyset cursors), parsed the same way everywhere, and
the decode slot a view holds while an image is decoded, with its child's limits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar, TypeVar

from flask import abort, current_app, make_response, request
from flask.typing import ResponseReturnValue
from werkzeug.routing import BaseConverter, IntegerConverter, Map
from werkzeug.wrappers import Response

from ..core.errors import StorageFull, disk_full
from ..core.paging import Cursor, page_number
from ..images.sandbox import Limits
from ..media.slots import decode_slot

ONE_YEAR = 365 * 24 * 3600
# The largest row id: ids are INTEGER columns, 32-bit on PostgreSQL (int4), which answers
# a larger number with an error rather than no row.
ROW_ID_MAX = 2**31 - 1
API_PREFIX = "/api/"  # the JSON API's addresses (public/api.py): answers for machines
# What an ActivityPub server asks for when it fetches a work's address (Mastodon sends
# `application/activity+json, application/ld+json`); a browser's */* never means it.
ACTIVITY_TYPES = ("application/activity+json", "application/ld+json")
T = TypeVar("T")


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every route: numbers up to ROW_ID_MAX, so a larger one is a 404
    before any query (PostgreSQL refuses an int4 overflow with an error, a 500); ASCII
    digits only (Werkzeug's \\d also reads "٣" as 3: one page at two addresses)."""

    regex = r"[0-9]+"

    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int = ROW_ID_MAX,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


class GalleryMap(Map):
    """The app's url_map: its `int` converter is bounded (RowIdConverter)."""

    default_converters: ClassVar[dict[str, type[BaseConverter]]] = {
        **Map.default_converters,
        "int": RowIdConverter,
    }


def or_404(found: T | None) -> T:
    """What a read found, or the 404 page when it found nothing."""
    if found is None:
        abort(404)
    return found


def private(rv: ResponseReturnValue, *, noindex: bool = True) -> Response:
    """A response no shared or browser cache keeps (`private, no-store`), kept out of
    search engines: receipts, pending images, every moderation page.

    It also sends no Referer onwards (`Referrer-Policy: no-referrer`): a receipt's address
    holds its token, and the CSS, images and links it loads would otherwise carry that
    address to every log on the way."""
    response = make_response(rv)
    response.headers.pop("Cache-Control", None)  # what send_file() set, for instance
    cache = response.cache_control
    cache.private = True
    cache.no_store = True
    response.headers["Referrer-Policy"] = "no-referrer"
    if noindex:
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def immutable(response: Response) -> Response:
    """A response any cache may keep for a year (its URL changes when its content does)."""
    response.headers.pop("Cache-Control", None)
    cache = response.cache_control
    cache.public = True
    cache.max_age = ONE_YEAR
    cache.immutable = True
    return response


def page_arg() -> int:
    """The ?page= number (1 when absent or malformed)."""
    return page_number(request.args.get("page"))


def cursor_arg(name: str) -> Cursor | None:
    """A keyset cursor from the query string; paging.BadQuery (400) when malformed."""
    return Cursor.optional(request.args.get(name))


def is_api_request() -> bool:
    """True on the JSON API's addresses, whose errors are JSON and which set no cookie."""
    return request.path.startswith(API_PREFIX)


@contextmanager
def image_slot() -> Iterator[None]:
    """Hold one of the host's decode slots (slots.decode_slot) for the block, where an image
    is decoded and stored: slots.NoSlot (Busy, 503 with Retry-After) when every one stays
    busy, and a full disk or bucket inside the block raised as StorageFull (507), so a view
    that redraws its form catches GalleryError alone. Any other OSError goes on (a 500)."""
    with decode_slot(Path(current_app.instance_path) / "slots", current_app.config["DECODE_SLOTS"]):
        try:
            yield
        except OSError as exc:
            if disk_full(exc):
                raise StorageFull() from exc
            raise


def decode_limits() -> Limits:
    """What the child process that decodes an image may use (gallery/images/sandbox.py), from
    the settings; used inside image_slot(), which counts those children."""
    return Limits.from_config(current_app.config)


def wants_activity_json() -> bool:
    """Whether the request asks for ActivityPub JSON rather than the page: one of its types
    named in Accept (with or without a profile), at least as wanted as HTML. A browser's
    `*/*` never counts; the page cache never serves nor keeps such an answer."""
    html = activity = 0.0
    for value, quality in request.accept_mimetypes:
        kind = value.split(";", 1)[0].strip().lower()
        if kind in ACTIVITY_TYPES:
            activity = max(activity, quality)
        elif kind in ("text/html", "application/xhtml+xml"):
            html = max(html, quality)
    return activity > 0 and activity >= html
