"""flask --app gallery COMMAND: operators' commands, calling the same code as the web.

accounts.py makes moderators; content.py loads, removes and indexes content (the demo,
load-test works, the search index); upkeep.py keeps the gallery (fsck, move-media, purge,
send-mail, federate, backup and restore, export-static); digest.py sends the readers' digest, the
SOS digest and the moderators' alert. init_app() registers them all."""

from __future__ import annotations

import functools
from typing import Any

import click
from flask import Flask

from ..extensions import db
from ..media import StoreUnavailable
from . import faces
from .accounts import create_demo_moderator, create_moderator
from .content import bench_seed, reindex, remove_demo, seed_demo
from .digest import moderator_alerts, moderator_digest, send_digest, sos
from .upkeep import (
    backup_command,
    export_static,
    federate,
    fsck,
    move_media_command,
    purge_command,
    restore_command,
    send_mail,
)

__all__ = [
    "backup_command",
    "bench_seed",
    "create_demo_moderator",
    "create_moderator",
    "export_static",
    "federate",
    "fsck",
    "init_app",
    "moderator_alerts",
    "moderator_digest",
    "move_media_command",
    "purge_command",
    "reindex",
    "remove_demo",
    "restore_command",
    "seed_demo",
    "send_digest",
    "send_mail",
    "sos",
]


def _store_errors_in_one_line(command: click.Command) -> click.Command:
    """A media store that cannot be used (a missing bucket, an unreachable service) ends
    the command with its one-line message and exit status 1, not a traceback.  Wrapped
    once: the commands are module objects, and every app made in a process registers them."""
    callback = command.callback
    assert callback is not None
    if getattr(callback, "_one_line", False):
        return command

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except StoreUnavailable as exc:
            db.session.rollback()
            raise click.ClickException(str(exc.strerror or exc)) from None

    run._one_line = True  # type: ignore[attr-defined]
    command.callback = run
    return command


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (
        seed_demo,
        remove_demo,
        bench_seed,
        fsck,
        backup_command,
        restore_command,
        create_moderator,
        create_demo_moderator,
        reindex,
        send_mail,
        send_digest,
        sos,
        moderator_digest,
        moderator_alerts,
        federate,
        purge_command,
        export_static,
        move_media_command,
        faces.suggest_faces,
    ):
        app.cli.add_command(_store_errors_in_one_line(command))
