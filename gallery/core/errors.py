"""The one error hierarchy: what a verb, a store or a parser refuses, with its HTTP status.

Every refusal the gallery means is a GalleryError of one of five kinds, each with a status
and a message marked for translation (N_, translated by whoever shows it):

- NotFound (404): the row named does not exist;
- NotAllowed (409): the action is not possible in the current state;
- InvalidInput (400): what was sent is not in an acceptable shape;
- Busy (503, retry_after seconds): too busy right now, nothing kept, try again (the
  database locked: DatabaseBusy; a file another request is building: BeingBuilt; the media
  store unreachable; no free decode slot);
- StorageFull (507): the disk or the bucket has no room left, nothing kept.

One handler (gallery/web/errors/) answers them: the error page or the API's problem
details, Retry-After for Busy, a log line. A view catches GalleryError only where it must
redraw a form with the message. Anything else that escapes (KeyError, an OSError that is not
a full disk) is a bug or a failure: a logged 500, never a quiet 404.

No Flask here: every layer may raise these."""

from __future__ import annotations

import errno

from .i18n import N_

DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def disk_full(exc: BaseException) -> bool:
    """Whether an error means the disk (or the quota, or the bucket) is full."""
    return isinstance(exc, OSError) and exc.errno in DISK_FULL


class GalleryError(Exception):
    """A refusal with an HTTP status. `template` % `params` is str(); `public` says whether
    that text is for the people who see the page (a sentence marked N_), or only a short
    code or a note for the logs, in which case the page shows its status's own text."""

    status: int = 500
    message: str = N_(
        "We are sorry. Nothing you did caused this. Please try again in a few minutes."
    )
    public: bool = False
    retry_after: int | None = None

    def __init__(self, template: str | None = None, /, **params: object):
        self.template = template if template is not None else self.message
        self.params = params
        # A kind's own message is always for people; a message given is if the class says so.
        self.shown = template is None or self.public
        super().__init__(self.template % params if params else self.template)

    def api_message(self) -> str | None:
        """The JSON API's message (plain English, for programs), or None for its status's."""
        return None


class NotFound(GalleryError):
    """The row named does not exist (a work, a report, a receipt, a moderator...)."""

    status = 404
    message = N_(
        "There is nothing here. The work may have been withdrawn, or the link may be mistyped."
    )


class NotAllowed(GalleryError):
    """The action is not possible in the current state."""

    status = 409
    message = N_("This cannot be done now: the page may be out of date. Please look at it again.")


class InvalidInput(GalleryError, ValueError):
    """What was sent is not in an acceptable shape (still a ValueError for callers)."""

    status = 400
    message = N_(
        "Something in the address or the form was not in the expected shape. "
        "Please go back and try again."
    )


class Busy(GalleryError):
    """Too busy right now: nothing was kept; try again after `retry_after` seconds."""

    status = 503
    message = N_("The gallery cannot answer right now. Please try again in a few minutes.")
    retry_after: int | None = 30

    def __init__(
        self, template: str | None = None, /, *, retry_after: int | None = None, **params: object
    ):
        super().__init__(template, **params)
        if retry_after is not None:
            self.retry_after = retry_after


class DatabaseBusy(Busy):
    """The database stayed locked past its timeout (SQLite), or PostgreSQL gave up on a lock,
    a statement, a deadlock or a serialisation: the write was rolled back."""

    message = N_(
        "The gallery is busy right now and could not save what you sent. Nothing was "
        "kept. Please try again in a few seconds."
    )
    retry_after = 10


class BeingBuilt(Busy):
    """The same file (a print PDF, the sitemap) is being built by another request."""

    message = N_("This file is being prepared. Please try again in a few seconds.")
    retry_after = 10


class StorageFull(GalleryError):
    """The disk (or its quota, or the bucket) has no room left: nothing was kept."""

    status = 507
    message = N_(
        "The server has no room left to store what you sent. Nothing was kept. Please "
        "try again later."
    )
