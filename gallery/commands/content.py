"""Content: seed-demo and remove-demo (the demo works, profiles and campaigns), bench-seed
(synthetic works for load tests) and reindex (the search index)."""

from __future__ import annotations

import io
import logging
import random
from datetime import timedelta

import click
from PIL import Image, ImageDraw

from .. import search
from ..extensions import db
from ..media import media_store
from ..models import Licence, WorkStatus, utcnow
from ..verbs.submissions import NewWork, create_work
from . import demo

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
    click.echo(
        f"Demo content loaded ({added} works)."
        if added
        else "Demo content already present; its profile and campaign texts are up to date."
    )


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
    logging.getLogger("gallery.verbs.submissions").setLevel(
        logging.WARNING
    )  # one line a work is noise here
    start = utcnow()
    with click.progressbar(range(count), label="Adding works") as bar:
        for n in bar:
            fields = NewWork(
                title=f"Load-test work {n}",
                alt_text=f"A flat colour square numbered {n}.",
                licence=Licence.CC0,
                display_name="Load test",
                tag_names=("load-test",),
                is_demo=True,
            )
            create_work(
                media,
                _synthetic_png(rng, n),
                fields,
                status=WorkStatus.APPROVED,
                published_at=start - timedelta(seconds=n),
            )
            if (n + 1) % BENCH_BATCH == 0 or n + 1 == count:
                db.session.commit()  # a batch at a time: an interrupted run keeps whole batches
                db.session.expunge_all()
    click.echo(f"Added {count} works.")
