"""Pages and images under a viral share: requests per second against a hello-world app.

Usage: python benchmarks/bench_pages.py [--works 10000] [--seconds 5] [--runs N]

Issue 14: "with `bench-seed --works 10000`, 2 sync workers: `/works?page=1` ≥ 0.25× hello
world, page 200 ≥ 0.20×, a work and a prisoner page ≥ 0.25×, a published image ≥ 0.5×, in
every language, with no non-2xx answer."  Side by side in one run, since absolute figures
vary: gunicorn with 2 sync workers serves benchmarks/hello.py, then the gallery (its own
gunicorn_conf, SQLite and files under a benchmark instance folder, the page cache on its
default, files shared by the workers), each address loaded by wrk (1 thread, 32
connections, loopback, --seconds each) after a warm-up, then hello world again; each ratio
is against the mean of the two hello-world figures.

The instance folder (demo content plus --works synthetic works, about two minutes to make)
is kept in benchmarks/out/pages-<works>/ and reused.  wrk comes from Debian's package
(scripts/ensure-wrk, which `make bench` runs).  Exit status 0 when everything ran,
whatever the verdicts; 1 when a server or wrk failed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
CONNECTIONS = 32
LANGUAGES = ("", "/fr", "/ru")  # the bare address (English here), then each language's own


@dataclass
class Target:
    name: str
    path: str
    ratio: float
    localised: bool = True


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def flask(instance: Path, *args: str) -> None:
    env = {**os.environ, "GALLERY_INSTANCE": str(instance)}
    subprocess.run(
        [str(BIN / "flask"), "--app", "gallery", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def prepare(works: int) -> Path:
    """The benchmark's instance folder: made once, then reused (migrated each run)."""
    instance = ROOT / "benchmarks" / "out" / f"pages-{works}"
    marker = instance / "seeded"
    instance.mkdir(parents=True, exist_ok=True)
    flask(instance, "db", "upgrade")
    if not marker.exists():
        log(f"Seeding {works:,} works into {instance.relative_to(ROOT)} (once; about 2 min)")
        started = time.monotonic()
        flask(instance, "seed-demo", "--if-empty")
        flask(instance, "bench-seed", "--works", str(works))
        marker.write_text(f"{works}\n")
        log(f"  seeded in {time.monotonic() - started:.0f} s")
    return instance


class Server:
    """gunicorn with 2 sync workers on a free loopback port, stopped on exit."""

    def __init__(self, app: str, *, instance: Path | None = None, gallery: bool = False):
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        args = [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"{HOST}:{self.port}"]
        if gallery:
            args += ["--config", "python:gallery.gunicorn_conf"]
        env = dict(os.environ)
        if instance is not None:
            env["GALLERY_INSTANCE"] = str(instance)
        cwd = ROOT if gallery else ROOT / "benchmarks"
        self.log_file = (instance or ROOT / "benchmarks" / "out") / f"gunicorn-{self.port}.log"
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("wb") as out:
            self.process = subprocess.Popen(
                [*args, app],
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ended at start; see {self.log_file}")
            try:
                fetch(self.base + "/", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log_file.unlink(missing_ok=True)


def wrk(url: str, seconds: int) -> tuple[float, int]:
    """Requests per second and the count of answers other than 2xx/3xx (or socket errors)."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors:
        bad += sum(int(n) for n in errors.groups())
    return rate, bad


def targets(base: str) -> list[Target]:
    """The addresses of the issue, found on the seeded site itself."""
    _, grid = fetch(base + "/works?page=1")
    html = grid.decode()
    work = re.search(r'href="(/works/[A-Za-z0-9_-]{22})[?"]', html).group(1)
    image = re.search(r'src="(/media/[^"]+)"', html).group(1)
    _, people = fetch(base + "/prisoners")
    prisoner = re.search(r'href="(/prisoners/[a-z0-9-]+)"', people.decode()).group(1)
    return [
        Target("grid, page 1", "/works?page=1", 0.25),
        Target("grid, page 200", "/works?page=200", 0.20),
        Target("a work's page", work, 0.25),
        Target("a prisoner's page", prisoner, 0.25),
        Target("a published image", image, 0.50, localised=False),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5, help="wrk's duration per address")
    parser.add_argument("--runs", type=int, default=1, help="ignored (make bench passes it)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        log("wrk is not installed: run scripts/ensure-wrk (make bench does)")
        return 1
    instance = prepare(args.works)
    hello_rates = []
    results = []
    hello = Server("hello:app")
    try:
        wrk(hello.base + "/", 1)
        hello_rates.append(wrk(hello.base + "/", args.seconds)[0])
    finally:
        hello.stop()
    gallery = Server("gallery:create_app()", instance=instance, gallery=True)
    try:
        for target in targets(gallery.base):
            for lang in LANGUAGES if target.localised else ("",):
                url = gallery.base + lang + target.path
                for _ in range(4):  # warm-up, one at a time: rendered once, then kept
                    status, body = fetch(url)
                    if status != 200:
                        raise RuntimeError(f"{lang + target.path} answered {status}")
                wrk(url, 1)
                rate, bad = wrk(url, args.seconds)
                results.append((target, lang or "/en (bare)", rate, bad, len(body)))
    finally:
        gallery.stop()
    hello = Server("hello:app")
    try:
        hello_rates.append(wrk(hello.base + "/", args.seconds)[0])
    finally:
        hello.stop()
    yardstick = sum(hello_rates) / len(hello_rates)
    log(
        f"hello world: {hello_rates[0]:,.0f} and {hello_rates[1]:,.0f} req/s "
        f"(mean {yardstick:,.0f}), 2 sync workers, wrk -t1 -c{CONNECTIONS} -d{args.seconds}s"
    )
    log(f"{'address':<36} {'lang':<11} {'req/s':>8} {'ratio':>7} {'target':>8}  non-2xx  verdict")
    for target, lang, rate, bad, size in results:
        ratio = rate / yardstick
        ok = ratio >= target.ratio and bad == 0
        label = f"{target.name} ({size / 1024:.0f} KB)"
        log(
            f"{label:<36} {lang:<11} {rate:>8,.0f} {ratio:>6.2f}× {'≥ ' + format(target.ratio, '.2f') + '×':>8}"
            f"  {bad:>7}  {'PASS' if ok else 'FAIL'}"
        )
    log(
        f"Reproduce: python benchmarks/bench_pages.py --works {args.works} --seconds {args.seconds}"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        log(f"BROKEN: {exc}")
        sys.exit(1)
