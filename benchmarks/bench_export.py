"""How long the static copy takes, and how big it is (`flask export-static`, issue 13).

Usage: python benchmarks/bench_export.py [--works 1000] [--runs N]

In a temporary instance folder (SQLite, migrations applied), the demo content is loaded
and exported into a new folder, then exported again with nothing changed (the incremental
run, which should write nothing). Then `bench-seed --works N` adds N synthetic approved
works (small generated images; the command's own function) and the same two exports are
timed into another new folder. Each line gives the seconds, the pages, the files written,
unchanged and removed, and the size of the copy; then that copy's size by kind of file. --runs is accepted for benchmarks/run.py
and ignored: each export is one run. Exit status 0 when every export ran without a broken
link, 1 otherwise. Nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PUBLIC_URL = "https://artprotest.example"


def line(label: str, report) -> str:  # type: ignore[no-untyped-def]
    return (
        f"{label:<34} {report.seconds:7.1f} s  {report.pages:6} pages  "
        f"{report.written:6} written  {report.unchanged:6} unchanged  {report.removed:4} removed  "
        f"{report.bytes / 1e6:8.1f} MB"
    )


def breakdown(dest: Path) -> str:
    """The size of a copy by kind of file."""
    sizes: dict[str, int] = {}
    for path in dest.rglob("*"):
        if path.is_file():
            kind = (
                "manifest"
                if path.name == ".export-manifest.json"
                else "slideshow steps"
                if path.parent.name == "show" and path.name != "index.html"
                else "media"
                if path.parts[len(dest.parts)] == "media"
                else path.suffix.lstrip(".") or path.name
            )
            sizes[kind] = sizes.get(kind, 0) + path.stat().st_size
    parts = sorted(sizes.items(), key=lambda item: -item[1])
    return "  by kind: " + ", ".join(f"{kind} {size / 1e6:.1f} MB" for kind, size in parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=1000, help="synthetic works for bench-seed")
    parser.add_argument("--runs", type=int, default=1, help="ignored (for benchmarks/run.py)")
    args = parser.parse_args()
    if not 1 <= args.works <= 100_000:
        parser.error("--works must be between 1 and 100000")
    scratch = Path(tempfile.mkdtemp(prefix="bench-export-"))
    os.environ["GALLERY_INSTANCE"] = str(scratch / "instance")
    from flask_migrate import upgrade

    from gallery import commands, create_app
    from gallery.commands import demo, mirror
    from gallery.extensions import db
    from gallery.media import media_store

    app = create_app({"MAIL_SERVER": None, "PUBLIC_URL": PUBLIC_URL})
    logging.getLogger("gallery").setLevel(logging.WARNING)  # one line per stored work is noise
    problems: list[str] = []

    def export(label: str, dest: Path) -> None:
        report = mirror.export_static(app, dest, PUBLIC_URL)
        print(line(label, report), flush=True)
        problems.extend(f"{label}: {url} answered {status}" for url, status, _ in report.broken)

    try:
        with app.app_context():
            upgrade(directory=str(Path(__file__).resolve().parents[1] / "gallery" / "migrations"))
            demo.seed(media_store())
            db.session.commit()
            export("demo, first export", scratch / "demo")
            export("demo, again (nothing changed)", scratch / "demo")
            print(breakdown(scratch / "demo"), flush=True)
            commands.bench_seed.callback(count=args.works, seed_value=1)  # type: ignore[misc]
            db.session.commit()
            export(f"demo + {args.works} works, first export", scratch / "many")
            export(f"demo + {args.works} works, again", scratch / "many")
            print(breakdown(scratch / "many"), flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB; load average {os.getloadavg()[0]:.2f}")
    for problem in problems:
        print(f"BROKEN: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
