"""Invalidation by generation: the token every page key holds, kept in the cache itself;
the session listeners that decide what "visible" means (PRIVATE_TABLES, the status
history of a work) and start a new generation after a commit that changed it; the sweep of
older generations."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from itertools import chain
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_caching import Cache
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from ...models import Work, WorkImage, WorkStatus
from .. import builtfiles
from ..cachestore import PageRedis

log = logging.getLogger(__package__)  # gallery.web.pagecache, as before the split

# The page cache itself (Flask-Caching); the generation token is kept in it.
cache = Cache()
GENERATION_KEY = "pages:generation"
# Tables no visitor ever sees: a change there leaves every cached page as it was.
PRIVATE_TABLES = frozenset(
    {
        "moderator",
        "moderation_event",
        "report",
        "outgoing_mail",
        "search_document",
        "impact_count",  # the counts: /impact shows them as they were when kept
        # Federation's rows: followers, announcements, deliveries (no page shows them; the
        # ActivityPub answers are never kept).
        "fed_follower",
        "fed_announcement",
        "fed_outgoing",
        # The digest's sign-ups: a visitor signing up must not renew every kept page.
        "subscription",
        # Resumable uploads staged for the submission form: nothing public until a work.
        "upload",
        "upload_part",
    }
)
_CHANGED = "gallery.visible_change"
_SEEN = "gallery.page_generation_seen"  # the generation this process last saw, per app


def generation(app: Flask | None = None) -> str | None:
    """The current generation's token, made when the cache holds none (first start, or
    an eviction: a new token is always safe, it only costs renderings); None when the
    cache cannot be reached (Redis down): then nothing is served from it or kept.  Read
    before the rows that what it vouches for is made from.  With app, outside any app
    context (the published-media shortcut, public/media/shortcut.py)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    backend = app.extensions["cache"][cache]
    try:
        found = backend.get(GENERATION_KEY)
        if not isinstance(found, str):
            found = secrets.token_hex(8)
            backend.set(GENERATION_KEY, found, timeout=0)
    except Exception as exc:  # noqa: BLE001 - the pages are still made, only not cached
        log.warning("page cache unreachable (%s): pages are rendered each time", type(exc).__name__)
        return None
    seen = app.extensions.setdefault(_SEEN, {})
    if seen.get("token") != found:
        # This process's first look, or another's change: what the host keeps of the other
        # generations goes now (on a host that made no change, a takedown's too).
        seen["token"] = found
        _sweep(app, found, shared=False)
    return found


def _sweep(app: Flask, token: str, *, shared: bool) -> None:
    """Delete what the cache and the print files hold of generations other than token:
    the host's own files always, a shared cache (Redis) when shared."""
    backend = app.extensions["cache"][cache]
    try:
        if shared or not isinstance(backend, PageRedis):
            sweep = getattr(backend, "sweep", None)
            if sweep is not None:
                sweep(token)
        builtfiles.sweep(app, token)
    except Exception:  # noqa: BLE001 - a page is never refused for this; say it loudly
        log.exception("page cache: could not delete the pages of older generations")


# Invalidation: a new generation after every commit that changed what visitors see.


def _visible(obj: object, *, new: bool) -> bool:
    table = getattr(obj, "__tablename__", None)
    if table in PRIVATE_TABLES:
        return False
    if isinstance(obj, Work):
        # A submission, or a change to a work nobody public ever saw, shows nowhere.
        if obj.status == WorkStatus.APPROVED:
            return True
        if new:
            return False
        history = inspect(obj).attrs.status.history
        return WorkStatus.APPROVED in (history.deleted or ())
    if isinstance(obj, WorkImage):
        # One of a work's other images: seen where its work is (a pending work's change, or
        # one of its images leaving with the work, shows nowhere new).
        return obj.work is not None and _visible(obj.work, new=False)
    return True


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _flush: UOWTransaction) -> None:
    if session.info.get(_CHANGED):
        return
    new = any(_visible(obj, new=True) for obj in session.new)
    changed: Iterable[object] = chain(session.dirty, session.deleted)
    if new or any(_visible(obj, new=False) for obj in changed):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    # Bulk UPDATE and DELETE statements (demo removal, retention) bypass the flush.
    if state.is_select:
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in PRIVATE_TABLES:
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction() or not session.info.pop(_CHANGED, False):
        return
    if has_app_context():
        invalidate()


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, _previous: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_CHANGED, None)


def invalidate() -> None:
    """Make every cached page unreachable (a new generation), then delete them all (what a
    takedown took back must not stay on disk or in Redis); logged when it fails, since
    pages would then stay as they were until they expire."""
    token = secrets.token_hex(8)
    try:
        if not cache.set(GENERATION_KEY, token, timeout=0):
            raise RuntimeError("the cache refused the new generation")
    except Exception:  # noqa: BLE001 - the commit has happened; say loudly what did not
        log.exception(
            "page cache: could not start a new generation; pages may be stale for up to %s s",
            current_app.config.get("CACHE_DEFAULT_TIMEOUT"),
        )
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    app.extensions.setdefault(_SEEN, {})["token"] = token
    _sweep(app, token, shared=True)
