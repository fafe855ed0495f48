"""`make bench`: the pipeline, upload, burst and render benchmarks, in one run.

Usage: python benchmarks/run.py [--runs 5] [--only NAME ...]
       (make bench; make bench BENCH_ARGS="--only memory" for one: NAME is the part of
       bench_NAME.py, here pipeline, upload, phone, burst, render, pages or memory)

Each benchmark runs in its own Python process (their memory figures must not
see each other) and generates its own inputs with a fixed seed in a
temporary folder; nothing is written into the repository.  Exit status: 0
when all ran, whatever their PASS/FAIL verdicts (this is a report); 1 when
one of them broke (a subprocess failed, the server did not start, an upload
was refused).  Takes about two minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = (
    (
        "Image pipeline: ours vs naive (and pyvips if installed), photos and flat art 2-40 MP, "
        "JPEG/PNG/WebP/HEIC/AVIF, in-process, no HTTP",
        "bench_pipeline.py",
    ),
    (
        "Upload: the whole POST /submit against gunicorn vs the naive pipeline, photos and flat "
        "art 2-24 MP, the fixed cost beyond the pipeline, memory at 24 and 40 MP",
        "bench_upload.py",
    ),
    (
        "Phone: a 2.8 MB photo at 500 kbit/s in Chromium, with and without the device step",
        "bench_phone.py",
    ),
    ("Burst: 20 parallel 40 MP uploads on 4 workers, memory and 503s", "bench_burst.py"),
    ("Render: pages with the worst Markdown an artist can write", "bench_render.py"),
    ("Pages: req/s against hello world under wrk, 10,000 works, 2 workers", "bench_pages.py"),
    (
        "Memory: install size of the wheel, 2 idle workers' PSS, a worker after an upload and "
        "a face suggestion",
        "bench_memory.py",
    ),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (median)")
    names = [script.removeprefix("bench_").removesuffix(".py") for _, script in BENCHMARKS]
    parser.add_argument(
        "--only",
        nargs="+",
        choices=names,
        metavar="NAME",
        help=f"run only these ({', '.join(names)})",
    )
    args = parser.parse_args()
    started = time.monotonic()
    failed = []
    for title, script in BENCHMARKS:
        if args.only and script.removeprefix("bench_").removesuffix(".py") not in args.only:
            continue
        print(f"\n== {title} ({script})\n", flush=True)
        code = subprocess.call(
            [sys.executable, str(HERE / script), "--runs", str(args.runs)], cwd=HERE.parent
        )
        if code != 0:
            failed.append(f"{script} exited with {code}")
    print(f"\n== done in {time.monotonic() - started:.0f} s", flush=True)
    for problem in failed:
        print(f"BROKEN: {problem}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
