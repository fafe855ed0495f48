"""What an operator's host carries: the install on disk, and the workers in memory.

Usage: python benchmarks/bench_memory.py [--runs N]   (make bench; alone: make bench BENCH_ARGS="--only memory")

From a clean copy of HEAD (git archive) in a temporary folder: builds the wheel and installs
it, without the test extras, into a fresh venv, and again with [faces] when the wheel offers
that extra.  Then, from the venv that can suggest faces, on a temporary instance folder
with the demo content: gunicorn with the shipped config (preload_app) and 2 workers.

Measured:
  * install size: the files of every distribution installed in the venv (pip's own
    excepted), in MiB, without and with [faces];
  * two idle workers: their PSS (/proc/<pid>/smaps_rollup), summed, after they have served
    pages in three languages; the master's PSS beside it;
  * one worker after its first upload (a 12 MP photo-like JPEG, through the form as a
    browser sends it) and its first face suggestion: its RSS (VmRSS), on a fresh gunicorn
    with one worker, once the work's row holds the detector's answer (the submission asks
    for it once it commits; the detector runs in a sandbox child, so the table also says
    whether OpenCV was loaded in the worker: it should not be).

Prints a table with each figure, its target and PASS/FAIL.  Exit 0 when everything ran,
whatever the verdicts; 1 when something broke.  --runs is accepted for run.py and ignored
(each figure is one measurement of a steady state).  Only 127.0.0.1 is contacted; the
servers' process groups and the temporary folder go at the end, also on errors.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
MiB = 1024 * 1024
TARGET_INSTALL_MIB = 250
TARGET_IDLE_PAIR_MB = 150
TARGET_AFTER_UPLOAD_MB = 160
STEP_SECONDS = 900
START_SECONDS = 90
PAGES = ["/", "/works", "/prisoners", "/submit", "/show", "/campaigns/art-protest-paris-2025"]
SIZE_OF_INSTALL = """
import importlib.metadata as md, os
total = 0
for dist in md.distributions():
    if dist.metadata["Name"].lower() in ("pip",):
        continue
    for f in dist.files or ():
        try:
            total += os.path.getsize(dist.locate_file(f))
        except OSError:
            pass
print(total)
"""


class Broken(Exception):
    """Something that should not fail did: the report cannot be trusted."""


def log(message: str) -> None:
    print(f"  [memory bench] {message}", file=sys.stderr, flush=True)


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_SECONDS,
    )
    if done.returncode != 0:
        raise Broken(
            f"{' '.join(map(str, command))} exited with {done.returncode}:\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return done.stdout


def build_wheel(tmp: Path) -> Path:
    src = tmp / "src"
    src.mkdir()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=STEP_SECONDS,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True, timeout=STEP_SECONDS)
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--quiet",
        "-w",
        tmp / "dist",
        src,
        cwd=tmp,
    )
    return next((tmp / "dist").glob("*.whl"))


def extras_of(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        return set(re.findall(r"^Provides-Extra: (\S+)$", z.read(meta).decode(), re.M))


def install(tmp: Path, name: str, requirement: str) -> tuple[Path, float]:
    """A fresh venv with requirement installed: (its folder, its install size in MiB)."""
    venv = tmp / name
    run(sys.executable, "-m", "venv", venv, cwd=tmp)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", requirement, cwd=tmp)
    size = int(run(venv / "bin" / "python", "-c", SIZE_OF_INSTALL, cwd=tmp))
    return venv, size / MiB


def proc_kb(pid: int, path: str, field: str) -> int:
    text = Path(f"/proc/{pid}/{path}").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1))


def children(pid: int) -> list[int]:
    return sorted(
        int(c)
        for t in Path(f"/proc/{pid}/task").iterdir()
        for c in (t / "children").read_text().split()
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, venv: Path, tmp: Path, env: dict[str, str], workers: int):
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log = tmp / f"gunicorn-{workers}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    str(venv / "bin" / "gunicorn"),
                    "--config",
                    "python:gallery.gunicorn_conf",
                    "--workers",
                    str(workers),
                    "--bind",
                    self.url.removeprefix("http://"),
                    "gallery:create_app()",
                ],
                cwd=tmp,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_SECONDS
        while True:
            if self.proc.poll() is not None:
                raise Broken(f"gunicorn ended at start:\n{self.log.read_text()[-2000:]}")
            try:
                if (
                    requests.get(self.url + "/healthz", timeout=2).ok
                    and len(children(self.proc.pid)) >= workers
                ):
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise Broken(f"gunicorn did not answer within {START_SECONDS} s")
            time.sleep(0.2)
        self.workers = children(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def serve_pages(url: str, rounds: int = 4) -> None:
    paths = [
        f"{p}{'&' if '?' in p else '?'}lang={lang}" for p in PAGES for lang in ("en", "fr", "ru")
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for answer in pool.map(lambda p: requests.get(url + p, timeout=60), paths * rounds):
            if answer.status_code != 200:
                raise Broken(f"{answer.url} answered {answer.status_code}")


def photo(width: int = 4000, height: int = 3000) -> bytes:
    """A photo-like 12 MP JPEG: smooth light and colour with fine grain, as a phone takes."""
    from PIL import Image

    small = Image.effect_noise((width // 40, height // 40), 60).convert("RGB")
    base = small.resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((width, height), 12).convert("RGB")
    out = io.BytesIO()
    Image.blend(base, grain, 0.25).save(out, "JPEG", quality=90)
    return out.getvalue()


def upload(url: str, image: bytes) -> str:
    """POST the form as a browser does; the receipt page's address."""
    session = requests.Session()
    form = session.get(url + "/submit", timeout=60)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', form.text).group(1)
    data = {
        "csrf_token": token,
        "title": "Bench photo",
        "alt_text": "A photo for the memory bench",
        "licence": "cc-by-4.0",
        "own_work": "y",
        "consent": "y",
        "ai_used": "no",
    }
    sent = session.post(
        url + "/submit",
        data=data,
        timeout=120,
        allow_redirects=False,
        files={"image": ("photo.jpg", io.BytesIO(image), "image/jpeg")},
    )
    if sent.status_code != 303:
        raise Broken(f"the upload answered {sent.status_code}")
    receipt = session.get(url + sent.headers["Location"], timeout=120)
    if receipt.status_code != 200:
        raise Broken(f"the receipt answered {receipt.status_code}")
    return sent.headers["Location"]


def looked_at(database: Path) -> bool:
    """Whether the face detector has answered for the newest work (its row holds a list)."""
    with sqlite3.connect(database) as conn:
        row = conn.execute("SELECT face_suggestions FROM work ORDER BY id DESC LIMIT 1").fetchone()
    return row is not None and row[0] is not None


def cv2_loaded(pid: int) -> bool:
    return "cv2" in Path(f"/proc/{pid}/maps").read_text()


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="ignored: one measurement per figure")
    parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gallery-memory-"))
    servers: list[Server] = []
    rows: list[tuple[str, str, str, str]] = []
    try:
        log("building the wheel from a clean copy of HEAD")
        wheel = build_wheel(tmp)
        log("installing it into a fresh venv (no extras)")
        base, base_mib = install(tmp, "venv-base", str(wheel))
        rows.append(
            (
                "install, no extras",
                f"{base_mib:.0f} MiB",
                f"<= {TARGET_INSTALL_MIB} MiB",
                verdict(base_mib, TARGET_INSTALL_MIB),
            )
        )
        venv = base
        if "faces" in extras_of(wheel):
            log("installing it with [faces] into another venv")
            venv, faces_mib = install(tmp, "venv-faces", f"{wheel}[faces]")
            rows.append(
                (
                    "install, with [faces]",
                    f"{faces_mib:.0f} MiB",
                    f"<= {TARGET_INSTALL_MIB} MiB",
                    verdict(faces_mib, TARGET_INSTALL_MIB),
                )
            )
        else:
            rows.append(("install, with [faces]", "no such extra", "", "n/a"))

        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("FLASK_", "GALLERY_", "DATABASE_URL", "VIRTUAL_ENV", "PYTHON"))
        }
        env.update(
            GALLERY_INSTANCE=str(tmp / "instance"),
            FLASK_RATELIMIT_ENABLED="false",
            PATH=f"{venv / 'bin'}:{env['PATH']}",
        )
        log("migrating and loading the demo content")
        run(venv / "bin" / "flask", "--app", "gallery", "db", "upgrade", cwd=tmp, env=env)
        run(venv / "bin" / "flask", "--app", "gallery", "seed-demo", "--if-empty", cwd=tmp, env=env)

        log("gunicorn, 2 workers: pages, then idle")
        pair = Server(venv, tmp, env, workers=2)
        servers.append(pair)
        serve_pages(pair.url)
        time.sleep(1)  # let the last responses finish; the figure is of idle workers
        pss = [proc_kb(pid, "smaps_rollup", "Pss") / 1000 for pid in pair.workers]
        master = proc_kb(pair.proc.pid, "smaps_rollup", "Pss") / 1000
        rows.append(
            (
                "2 idle workers, PSS",
                f"{sum(pss):.0f} MB ({' + '.join(f'{p:.0f}' for p in pss)})",
                f"<= {TARGET_IDLE_PAIR_MB} MB",
                verdict(sum(pss), TARGET_IDLE_PAIR_MB),
            )
        )
        rows.append(("  the master beside them, PSS", f"{master:.0f} MB", "", ""))
        pair.stop()

        log("gunicorn, 1 worker: pages, one 12 MP upload, its face suggestion")
        one = Server(venv, tmp, env, workers=1)
        servers.append(one)
        worker = one.workers[0]
        serve_pages(one.url, rounds=1)
        idle_rss = proc_kb(worker, "status", "VmRSS") / 1000
        upload(one.url, photo())
        looked = looked_at(tmp / "instance" / "gallery.sqlite3")
        rss = proc_kb(worker, "status", "VmRSS") / 1000
        rows.append(("  1 worker after pages, RSS", f"{idle_rss:.0f} MB", "", ""))
        rows.append(
            (
                "1 worker after upload + faces, RSS"
                if looked
                else "1 worker after upload (no face suggestion made), RSS",
                f"{rss:.0f} MB",
                f"<= {TARGET_AFTER_UPLOAD_MB} MB",
                verdict(rss, TARGET_AFTER_UPLOAD_MB),
            )
        )
        rows.append(
            ("  OpenCV loaded in the worker", "yes" if cv2_loaded(worker) else "no", "", "")
        )
        one.stop()
    except (Broken, subprocess.SubprocessError, OSError, requests.RequestException) as exc:
        print(f"memory bench BROKEN: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'measured':<22} {'target':<12} verdict")
    for name, value, target, mark in rows:
        print(f"{name:<{width}}  {value:<22} {target:<12} {mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
