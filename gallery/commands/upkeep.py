"""Upkeep: fsck (the media store against the rows), move-media (after a takedown the store
refused), purge (retention), send-mail (the artists' e-mails due, and the decisions whose
undo window has passed), backup and restore, export-static (the static copy)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from .. import federation, mail
from ..extensions import db
from ..media import media_store
from ..models import Work, WorkImage
from ..verbs import common, digest, letters, retention, undoing, uploads
from . import backup, mirror


@click.command("fsck")
@click.option("--repair", is_flag=True, help="Remove staging leftovers and unreferenced files.")
def fsck(repair: bool) -> None:
    """Check the media store against the database; exit 1 if a problem remains."""
    expected = {
        key: {name for info in (renditions or {}).values() for name in info["files"].values()}
        for table in (Work, WorkImage)  # a work's cover image, and its other images
        for key, renditions in db.session.execute(
            select(table.image_key, table.renditions).where(table.image_key.is_not(None))
        )
    }
    store = media_store()
    report = store.fsck(expected, repair=repair)
    verb = "removed" if repair else "found"
    click.echo(f"Checked {len(expected)} stored images against {store.location}.")
    click.echo(f"Staging leftovers {verb}: {len(report.staging_leftovers)}")
    click.echo(f"Unreferenced folders {verb}: {len(report.orphans)}")
    click.echo(f"Missing files: {len(report.missing)}")
    for key, name in report.missing:
        click.echo(f"  missing: works/{key}/{name}")
    versioning_warning = getattr(store, "versioning_warning", None)  # a bucket's
    if versioning_warning is not None and (warning := versioning_warning()):
        click.echo(f"Warning: {warning}.", err=True)
    if report.problems_left:
        raise SystemExit(1)


@click.command("move-media")
def move_media_command() -> None:
    """Move the files of works whose takedown found the media store unreachable to a new
    address (run it from cron); exit 1 while some still wait."""
    waiting = common.works_awaiting_media_move()
    moved = 0
    for work_id in waiting:
        done = common.move_media(media_store(), work_id)
        db.session.commit()
        moved += done
    click.echo(f"Moved the files of {moved} of {len(waiting)} works taken down.")
    if moved < len(waiting):
        raise SystemExit(1)


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
def backup_command(dest: Path) -> None:
    """Copy the database and the media into DEST, laid out as an instance folder."""
    if dest.exists():
        raise click.UsageError(f"{dest} already exists; choose a new folder.")
    instance = Path(current_app.instance_path)
    store = media_store()
    report = backup.backup(db.engine, db.metadata, store, instance, dest)
    click.echo(
        f"Backed up the database and {report.works_copied} works ({report.files_copied} files) "
        f"from {store.location} to {dest}."
    )
    if report.vanished:
        click.echo(f"{len(report.vanished)} works were withdrawn or rejected during the copy.")
    # The copy has its own SQLite database and media folder: an exported DATABASE_URL or
    # GALLERY_MEDIA would point it at the live ones (the app refuses to start so).
    click.echo(f"Serve the copy with: {backup.serve_hint(dest, os.environ)}")
    click.echo(f"Restore it into a new database and store: flask --app gallery restore {dest}")


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(folder: Path) -> None:
    """Copy a backup FOLDER into this app's database (new, empty, migrated) and media store."""
    if folder.resolve() == Path(current_app.instance_path).resolve():
        raise click.UsageError(
            "Run restore with the target's settings (its DATABASE_URL, "
            "GALLERY_MEDIA, GALLERY_INSTANCE), not the backup folder's."
        )
    store = media_store()
    try:
        report = backup.restore(folder, db.engine, db.metadata, store)
    except backup.RestoreRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Restored {report.rows} rows into {db.engine.url.get_backend_name()} and "
        f"{report.works_copied} works ({report.files_copied} files) into {store.location}"
        + (f"; {report.already_there} works were there already" if report.already_there else "")
        + "."
    )
    if (folder / "secret_key").is_file():
        click.echo(
            f"The backup's secret key is {folder / 'secret_key'}: give it to this instance "
            "(FLASK_SECRET_KEY, or copy the file into the instance folder) so that the "
            "sealed e-mail tokens and moderators' sessions stay valid."
        )


@click.command("export-static")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--public-url",
    help="The gallery's primary address, where the copy's forms lead "
    "(default: the PUBLIC_URL setting).",
)
@click.option(
    "--qr-base",
    metavar="URL",
    help="The address where this copy will be read (https://mirror.example/art): the QR "
    "codes of its posters, labels, flyers, postcards and slideshows lead there instead "
    "of to the primary address.",
)
@click.option(
    "--push",
    "targets",
    metavar="TARGET",
    multiple=True,
    help="After writing DEST, bring TARGET up to date with it: s3://bucket/prefix, "
    "git+URL[#branch] (or the path of a git repository), or a folder. May be given "
    "several times.",
)
def export_static(
    dest: Path, public_url: str | None, qr_base: str | None, targets: tuple[str, ...]
) -> None:
    """Write a static copy of the public site into DEST; run again, it updates only what changed."""
    public_url = public_url or current_app.config["PUBLIC_URL"]
    if not public_url:
        raise click.UsageError(
            "Say where the copy's forms lead: set PUBLIC_URL (FLASK_PUBLIC_URL) or pass "
            "--public-url https://your.gallery.example"
        )
    # Every target is checked before anything is written: a bad one costs nothing.
    try:
        pushes = [mirror.parse_target(t) for t in targets]
        for target in pushes:
            target.check(dest)
    except mirror.BadTarget as exc:
        raise click.UsageError(str(exc)) from None
    try:
        report = mirror.export_static(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            dest,
            public_url,
            qr_base=qr_base,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(
        f"Exported {report.pages} pages to {dest}: {report.written} files written, "
        f"{report.unchanged} unchanged, {report.removed} removed; "
        f"{report.bytes / 1e6:.1f} MB in all, in {report.seconds:.1f} s."
    )
    for relative in report.left_alone:
        click.echo(
            f"Not removed: {relative} (listed by the last export) is behind a symbolic link "
            f"that leads out of {dest}.",
            err=True,
        )
    for url, status, linked_from in report.broken:
        click.echo(f"Broken link: {url} answered {status} (linked from {linked_from})", err=True)
    failed = False
    for target in pushes:
        try:
            pushed = target.push(dest)
        except (mirror.PushFailed, OSError) as exc:
            click.echo(f"Push to {target.label} failed: {exc}", err=True)
            failed = True
            continue
        click.echo(
            f"Pushed to {pushed.target}: {pushed.written} files written, "
            f"{pushed.unchanged} unchanged, {pushed.removed} removed"
            + "".join(f"; {note}" for note in pushed.notes)
            + "."
        )
    if report.broken or failed:
        raise SystemExit(1)


@click.command("send-mail")
def send_mail() -> None:
    """Send the artists' e-mails that are due (for cron, and for those a worker left),
    after finishing the decisions whose undo window has passed."""
    finished = undoing.finalize_due(media_store())
    db.session.commit()
    if finished:
        click.echo(f"Finished {finished} rejection(s) whose undo window had passed.")
    if mail.settings() is None:
        click.echo("Mail is off (no MAIL_SERVER or MAIL_DEFAULT_SENDER): nothing sent.")
        return
    done = mail.deliver_due()
    click.echo(f"Sent {done.sent}, to retry later {done.retrying}, given up {done.given_up}.")


@click.command("federate")
def federate() -> None:
    """Announce the works whose FEDERATION_DELAY has passed and deliver every ActivityPub
    activity that is due (for cron: the delayed announcements need it)."""
    if not federation.enabled():
        click.echo("Federation is off (FEDERATION=false): nothing sent.")
        return
    done = federation.deliver_due()
    click.echo(
        f"Announced {done.announced} work(s), dropped {done.dropped} taken down; "
        f"delivered {done.sent}, to retry later {done.retrying}, given up {done.given_up}."
    )


class Age(click.ParamType):
    name = "age"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        try:
            return retention.parse_age(value)
        except ValueError as exc:
            self.fail(f"{value!r} is not {exc}", param, ctx)


@click.command("purge")
@click.option(
    "--older-than",
    "older_than",
    type=Age(),
    required=True,
    help="Age of the decision, e.g. 90d, 12h or 2w.",
)
def purge_command(older_than: timedelta) -> None:
    """Delete rejected and withdrawn works and refused letters decided longer ago than the
    given age, letter writers' addresses older than LETTER_EMAIL_DAYS, digest sign-ups
    not confirmed within DIGEST_CONFIRM_DAYS, and resumable uploads past their
    UPLOAD_EXPIRY_SECONDS."""
    removed = retention.purge(media_store(), older_than)
    refused = letters.purge_refused(older_than)
    unconfirmed = digest.forget_unconfirmed()
    expired = uploads.purge_expired()
    db.session.commit()
    click.echo(f"Purged {removed} rejected or withdrawn works decided more than {older_than} ago.")
    click.echo(f"Purged {refused} refused letters decided more than {older_than} ago.")
    click.echo(f"Erased {unconfirmed} digest sign-ups never confirmed.")
    click.echo(f"Deleted {expired} expired uploads.")
