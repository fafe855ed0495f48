"""flask --app gallery COMMAND: operators' commands, calling the same code as the web."""
from __future__ import annotations

import io
import logging
import random
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from PIL import Image, ImageDraw
from sqlalchemy import select

from . import backup, demo
from .extensions import db
from .media import store
from .models import Licence, Work, WorkStatus, utcnow
from .services import NewWork, create_work


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only on an empty database never seeded before.")
def seed_demo(if_empty: bool) -> None:
    """Load the demo content (idempotent; everything is marked as demo)."""
    if if_empty and (demo.demo_present() or demo.demo_was_removed()):
        click.echo("Database not empty: demo content not loaded.")
        return
    added = demo.seed(store(current_app))
    click.echo(f"Demo content loaded ({added} works)." if added else "Demo content already present.")


@click.command("remove-demo")
def remove_demo() -> None:
    """Delete all demo content and its files."""
    removed = demo.remove(store(current_app))
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
    media = store(current_app)
    logging.getLogger("gallery.services").setLevel(logging.WARNING)  # one line a work is noise here
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
    report = store(current_app).fsck(expected, repair=repair)
    verb = "removed" if repair else "found"
    click.echo(f"Checked {len(expected)} works.")
    click.echo(f"Staging leftovers {verb}: {len(report.staging_leftovers)}")
    click.echo(f"Unreferenced folders {verb}: {len(report.orphans)}")
    click.echo(f"Missing files: {len(report.missing)}")
    for key, name in report.missing:
        click.echo(f"  missing: works/{key}/{name}")
    if report.problems_left:
        raise SystemExit(1)


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
def backup_command(dest: Path) -> None:
    """Copy the database and the media into DEST, laid out as an instance folder."""
    if dest.exists():
        raise click.UsageError(f"{dest} already exists; choose a new folder.")
    instance = Path(current_app.instance_path)
    report = backup.backup(db.engine, db.metadata, store(current_app), instance, dest)
    click.echo(f"Backed up the database and {report.works_copied} works ({report.files_copied} files) to {dest}.")
    if report.vanished:
        click.echo(f"{len(report.vanished)} works were withdrawn or rejected during the copy.")
    click.echo(f"Serve the copy with: GALLERY_INSTANCE={dest} make run")


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (seed_demo, remove_demo, bench_seed, fsck, backup_command):
        app.cli.add_command(command)
