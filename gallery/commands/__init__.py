"""flask --app gallery COMMAND: operators' commands, calling the same code as the web."""
from __future__ import annotations

import functools
import io
import logging
import os
import random
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from PIL import Image, ImageDraw
from sqlalchemy import select

from . import backup, demo, faces, mirror
from .. import mail, search
from ..core import passwords
from ..extensions import db
from ..media import media_store
from ..models import Licence, Role, Work, WorkStatus, utcnow
from ..media import StoreUnavailable
from ..verbs import accounts, common, decisions, retention
from ..verbs.submissions import NewWork, create_work

BENCH_BATCH = 200  # bench-seed commits this many works at a time


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only on an empty database never seeded before.")
def seed_demo(if_empty: bool) -> None:
    """Load the demo content (idempotent; everything is marked as demo)."""
    if if_empty and (demo.demo_present() or demo.demo_was_removed()):
        click.echo("Database not empty: demo content not loaded.")
        return
    added = demo.seed(media_store())
    db.session.commit()  # everything at once, or (on any error) nothing
    click.echo(f"Demo content loaded ({added} works)." if added else
               "Demo content already present; its profile and campaign texts are up to date.")  # fmt: skip


@click.command("reindex")
def reindex() -> None:
    """Rebuild the search index from every published work and prisoner profile."""
    works, prisoners = search.reindex()
    db.session.commit()
    click.echo(f"Search index rebuilt: {works} works, {prisoners} prisoners.")


@click.command("remove-demo")
def remove_demo() -> None:
    """Delete all demo content and its files."""
    removed = demo.remove(media_store())
    db.session.commit()
    click.echo(f"Removed demo content ({removed} works).")


def _synthetic_png(rng: random.Random, n: int) -> io.BytesIO:
    im = Image.new("RGB", (64, 48), tuple(rng.randrange(256) for _ in range(3)))
    ImageDraw.Draw(im).text((4, 16), str(n), fill="white")
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    buf.seek(0)
    return buf


@click.command("bench-seed")
@click.option("--works", "count", type=click.IntRange(1, 1_000_000), required=True)
@click.option("--seed", "seed_value", type=int, default=1, show_default=True)
def bench_seed(count: int, seed_value: int) -> None:
    """Add N synthetic approved works (small generated images) for load tests."""
    rng = random.Random(seed_value)
    media = media_store()
    logging.getLogger("gallery.verbs.submissions").setLevel(logging.WARNING)  # one line a work is noise here
    start = utcnow()
    with click.progressbar(range(count), label="Adding works") as bar:
        for n in bar:
            fields = NewWork(
                title=f"Load-test work {n}", alt_text=f"A flat colour square numbered {n}.",
                licence=Licence.CC0, display_name="Load test", tag_names=("load-test",),
                is_demo=True,
            )  # fmt: skip
            create_work(media, _synthetic_png(rng, n), fields, status=WorkStatus.APPROVED,
                        published_at=start - timedelta(seconds=n))  # fmt: skip
            if (n + 1) % BENCH_BATCH == 0 or n + 1 == count:
                db.session.commit()  # a batch at a time: an interrupted run keeps whole batches
                db.session.expunge_all()
    click.echo(f"Added {count} works.")


@click.command("fsck")
@click.option("--repair", is_flag=True, help="Remove staging leftovers and unreferenced files.")
def fsck(repair: bool) -> None:
    """Check the media store against the database; exit 1 if a problem remains."""
    rows = db.session.execute(select(Work.image_key, Work.renditions).where(Work.image_key.is_not(None)))
    expected = {
        key: {name for info in (renditions or {}).values() for name in info["files"].values()}
        for key, renditions in rows
    }
    store = media_store()
    report = store.fsck(expected, repair=repair)
    verb = "removed" if repair else "found"
    click.echo(f"Checked {len(expected)} works against {store.location}.")
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
    click.echo(f"Backed up the database and {report.works_copied} works ({report.files_copied} files) "
               f"from {store.location} to {dest}.")  # fmt: skip
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
        raise click.UsageError("Run restore with the target's settings (its DATABASE_URL, "
                               "GALLERY_MEDIA, GALLERY_INSTANCE), not the backup folder's.")  # fmt: skip
    store = media_store()
    try:
        report = backup.restore(folder, db.engine, db.metadata, store)
    except backup.RestoreRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {report.rows} rows into {db.engine.url.get_backend_name()} and "
               f"{report.works_copied} works ({report.files_copied} files) into {store.location}"
               + (f"; {report.already_there} works were there already" if report.already_there else "")
               + ".")  # fmt: skip
    if (folder / "secret_key").is_file():
        click.echo(f"The backup's secret key is {folder / 'secret_key'}: give it to this instance "
                   "(FLASK_SECRET_KEY, or copy the file into the instance folder) so that the "
                   "sealed e-mail tokens and moderators' sessions stay valid.")  # fmt: skip


@click.command("export-static")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--public-url", help="The gallery's primary address, where the copy's forms lead "
              "(default: the PUBLIC_URL setting).")  # fmt: skip
def export_static(dest: Path, public_url: str | None) -> None:
    """Write a static copy of the public site into DEST; run again, it updates only what changed."""
    public_url = public_url or current_app.config.get("PUBLIC_URL")
    if not public_url:
        raise click.UsageError(
            "Say where the copy's forms lead: set PUBLIC_URL (FLASK_PUBLIC_URL) or pass "
            "--public-url https://your.gallery.example"
        )
    try:
        report = mirror.export_static(current_app._get_current_object(), dest, public_url)  # type: ignore[attr-defined]
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"Exported {report.pages} pages to {dest}: {report.written} files written, "
               f"{report.unchanged} unchanged, {report.removed} removed; "
               f"{report.bytes / 1e6:.1f} MB in all, in {report.seconds:.1f} s.")  # fmt: skip
    for relative in report.left_alone:
        click.echo(f"Not removed: {relative} (listed by the last export) is behind a symbolic link "
                   f"that leads out of {dest}.", err=True)  # fmt: skip
    for url, status, linked_from in report.broken:
        click.echo(f"Broken link: {url} answered {status} (linked from {linked_from})", err=True)
    if report.broken:
        raise SystemExit(1)


def _read_password() -> str:
    stdin = sys.stdin
    if stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    # Piped (printf 'pw\npw\n' | ...): getpass would read the terminal instead of the
    # pipe when there is one, so read the two lines ourselves.
    click.echo("Password (read from standard input, twice)", err=True)
    first = stdin.readline().rstrip("\r\n")
    second = stdin.readline().rstrip("\r\n")
    if first != second:
        raise click.ClickException("The two passwords differ.")
    return first


@click.command("create-moderator")
@click.argument("name")
@click.option("--admin", is_flag=True, help="An admin, who can also manage moderators.")
def create_moderator(name: str, admin: bool) -> None:
    """Create a moderator account; the password is asked twice, hidden."""
    password = _read_password()
    try:
        moderator = accounts.create_moderator(
            name, password, role=Role.ADMIN if admin else Role.MODERATOR, enforce_length=False
        )
        db.session.commit()
    except passwords.WeakPassword as exc:
        raise click.ClickException(
            f"The password must be 1 to {passwords.MAX_LENGTH} characters long."
        ) from exc
    except accounts.AccountError as exc:
        if str(exc) == "taken":
            raise click.ClickException(f"The username {name!r} is taken.") from exc
        raise click.ClickException(
            "Usernames are 3 to 40 lower-case letters, digits, dots, dashes or underscores."
        ) from exc
    click.echo(f"Created {moderator.role.value} {moderator.username}.")
    if len(password) < passwords.MIN_LENGTH:
        click.echo(
            f"Warning: this password is shorter than {passwords.MIN_LENGTH} characters. "
            "Change it at /account/password before the site is public.",
            err=True,
        )


@click.command("create-demo-moderator")
def create_demo_moderator() -> None:
    """On a database without moderators, create `demo-moderator` and print its password once."""
    password = accounts.create_demo_moderator()
    if password is None:
        return
    db.session.commit()
    click.echo("")
    click.echo("Demo moderator created (an admin). Log in at /login with:")
    click.echo(f"    username: {accounts.DEMO_USERNAME}")
    click.echo(f"    password: {password}")
    click.echo("This password is shown only now. Change it under /account/password.")
    click.echo("")


@click.command("send-mail")
def send_mail() -> None:
    """Send the artists' e-mails that are due (for cron, and for those a worker left),
    after finishing the decisions whose undo window has passed."""
    finished = decisions.finalize_due(media_store())
    db.session.commit()
    if finished:
        click.echo(f"Finished {finished} rejection(s) whose undo window had passed.")
    if mail.settings() is None:
        click.echo("Mail is off (no MAIL_SERVER or MAIL_DEFAULT_SENDER): nothing sent.")
        return
    done = mail.deliver_due()
    click.echo(f"Sent {done.sent}, to retry later {done.retrying}, given up {done.given_up}.")


class Age(click.ParamType):
    name = "age"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        try:
            return retention.parse_age(value)
        except ValueError as exc:
            self.fail(f"{value!r} is not {exc}", param, ctx)


@click.command("purge")
@click.option("--older-than", "older_than", type=Age(), required=True,
              help="Age of the decision, e.g. 90d, 12h or 2w.")
def purge_command(older_than: timedelta) -> None:
    """Delete rejected and withdrawn works decided longer ago than the given age."""
    removed = retention.purge(media_store(), older_than)
    db.session.commit()
    click.echo(f"Purged {removed} rejected or withdrawn works decided more than {older_than} ago.")


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
    for command in (seed_demo, remove_demo, bench_seed, fsck, backup_command, restore_command,
                    create_moderator, create_demo_moderator, reindex, send_mail, purge_command,
                    export_static, move_media_command, faces.suggest_faces):  # fmt: skip
        app.cli.add_command(_store_errors_in_one_line(command))
