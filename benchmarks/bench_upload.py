"""Time the whole upload request against gunicorn, and the worker's memory.

Usage: python benchmarks/bench_upload.py [--runs 5]

Generates bench_pipeline's inputs (its generators, fixed seed) in a temporary
folder: its photos and its flat art at 2, 4, 12 and 24 MP (baseline JPEG q90),
and a 40 MP photo; starts gunicorn with one sync worker on 127.0.0.1 with a
fresh temporary instance folder (SQLite, media store), and POSTs the
submission form the way a browser does: a GET of /submit for the CSRF token
and the session cookie, then a multipart POST built here with http.client.
Rate limiting is switched off (FLASK_RATELIMIT_ENABLED=false) so that the
repeated uploads are not refused; CSRF stays on.

Measured:
  * the whole upload against the naive pipeline (issue 27): for each of the
    eight inputs, the wall clock of the whole POST /submit (connect, send the
    multipart body, form parsing, the pipeline in its decode sandbox, storage,
    database, 303 back), median of --runs, the inputs taken in turns in each
    round (so a drift of the machine's speed falls on all alike), all on one
    server; against bench_pipeline's naive pipeline, and our pipeline in
    process and in its decode sandbox, each timed once right after each upload
    of the same file (one helper process, bench_pipeline --serve, the three in
    turns), so that both sides of a ratio see the machine in the same minute.
    Ratio upload / naive, against the targets (<= 1.0 at
    4 MP, <= 0.75 at 12 MP, <= 0.6 at 24 MP), and what the upload costs beyond
    the pipeline (upload minus our pipeline in-process on the same file: the
    decode sandbox's start, form parsing, hashing, writing, database): at 2 MP,
    that is the fixed cost of an upload, target <= 40 ms;
  * after each upload, a GET of its receipt page on the same single worker:
    the face detector runs once the 303 has been sent, in the worker, so the
    receipt waits for it when there is no other worker (the upload plus that
    GET is the time to a receipt with its face suggestions);
  * the worker's resident memory from /proc/<worker>/status: VmRSS once
    warmed up (GET pages, one small upload) and VmHWM, the high-water mark,
    after --runs uploads of the 24 MP photo.  The high-water mark is reset
    after the warm-up (writing 5 to /proc/<worker>/clear_refs) when the
    kernel allows it;
  * one upload of the 40 MP file on a fresh server: accepted (303) and the
    worker's VmHWM.

Prints a table with each figure, its target and PASS/FAIL.  Exit status 0
when everything ran (whatever the verdicts), 1 when something broke (the
server did not start, an upload was not accepted).  Only 127.0.0.1 is
contacted; the server's process group is killed at the end, also on errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin/ when run as .venv/bin/python
PIPELINE = ROOT / "benchmarks" / "bench_pipeline.py"
HOST = "127.0.0.1"
IMAGES = {"40 MP": (7740, 5160)}
SMALL = (800, 600)
# The whole upload against the naive pipeline: bench_pipeline's inputs (its generator jobs
# and files), photos and flat art, by megapixels.
MEGAPIXELS = (2, 4, 12, 24)
KINDS = ("photo", "flat")
MEMORY_INPUT = "24 MP photo"  # the memory rows' uploads

# Issue 27's targets: upload / naive by megapixels (none at 2 MP), and the fixed cost of an
# upload beyond the pipeline, read at 2 MP.
RATIO_TARGETS = {4: 1.0, 12: 0.75, 24: 0.6}
FIXED_COST_MP = 2
TARGET_FIXED_MS = 40
TARGET_ABOVE_IDLE_MB = 150
TARGET_40MP_PEAK_MB = 300


class Broken(Exception):
    """Something that should not fail did: the report cannot be trusted."""


# --------------------------------------------------------------------------- helpers


def log(message: str) -> None:
    print(f"  [upload bench] {message}", file=sys.stderr, flush=True)


def generate(folder: Path, wanted: dict[str, tuple[int, int]] | None = None) -> dict[str, Path]:
    """Write the test JPEGs with bench_pipeline's generator, in parallel subprocesses."""
    wanted = wanted or {"small": SMALL, **IMAGES}
    procs = {}
    for label, (width, height) in wanted.items():
        path = folder / f"{label.replace(' ', '')}.jpg"
        command = [sys.executable, str(PIPELINE), "--generate", str(path), str(width), str(height)]
        procs[label] = (path, subprocess.Popen(command, cwd=ROOT))
    for label, (path, proc) in procs.items():
        if proc.wait(timeout=120) != 0 or not path.exists():
            raise Broken(f"could not generate the {label} image")
    return {label: path for label, (path, _) in procs.items()}


def inputs() -> list[tuple[str, str, int]]:
    """The (label, bench_pipeline job, file name) of each input of the upload table."""
    return [
        (f"{mp} MP {kind}", f"{kind}-{mp}", f"{mp}mp-{kind}.jpg")
        for kind in KINDS
        for mp in MEGAPIXELS
    ]


def generate_inputs(folder: Path) -> dict[str, Path]:
    """bench_pipeline's photos and flat art (its generator jobs, two at a time)."""
    sys.path.insert(0, str(PIPELINE.parent))
    import bench_pipeline

    wanted = inputs()
    failed = bench_pipeline.generate(folder, sorted({job for _, job, _ in wanted}))
    if failed:
        raise Broken("could not generate " + "; ".join(f"{k}: {v}" for k, v in failed.items()))
    return {label: folder / name for label, _, name in wanted}


def megapixels(label: str) -> int:
    return int(label.split()[0])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def status_kb(pid: int, key: str) -> int:
    """A memory line (VmRSS, VmHWM) of /proc/<pid>/status, in kB."""
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{key}:\s+(\d+) kB", text, re.MULTILINE)
    if not match:
        raise Broken(f"no {key} in /proc/{pid}/status")
    return int(match.group(1))


def children(pid: int) -> list[int]:
    found = []
    for children_file in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(p) for p in children_file.read_text().split()]
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: other work on the machine skews the timings."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current VmRSS (Linux >= 4.0); False if not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------- HTTP


@dataclass
class Client:
    """A browser's worth of HTTP for one host: a cookie jar and the form's CSRF token."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str | None = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for value in response.headers.get_all("Set-Cookie") or ():
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, data

    def fetch_form(self) -> None:
        status, _, body = self.request("GET", "/submit")
        if status != 200:
            raise Broken(f"GET /submit answered {status}")
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
            rb'value="([^"]+)"[^>]*name="csrf_token"', body
        )
        if not match:
            raise Broken("no csrf_token in the submission form")
        self.csrf = match.group(1).decode()

    def upload_body(self, image: bytes) -> tuple[bytes, str]:
        """The multipart body a browser sends for the form, and its Content-Type."""
        boundary = "----bench" + secrets.token_hex(12)
        fields = {
            "csrf_token": self.csrf or "",
            "title": "Benchmark upload",
            "alt_text": "A generated photo-like test image",
            "licence": "cc0-1.0",
            "own_work": "y",
            "consent": "y",
            "ai_used": "no",
        }
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                f"\r\n\r\n{value}\r\n".encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; '
            f'filename="upload.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
        )
        parts.append(image)
        parts.append(f"\r\n--{boundary}--\r\n".encode())
        return b"".join(parts), f"multipart/form-data; boundary={boundary}"

    def upload(self, image: bytes) -> tuple[float, str]:
        """POST the form; return the wall-clock seconds and the receipt path; raise unless 303."""
        body, content_type = self.upload_body(image)
        headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
        start = time.perf_counter()
        status, response_headers, data = self.request("POST", "/submit", body, headers)
        elapsed = time.perf_counter() - start
        location = response_headers.get("Location", "")
        if status != 303 or "/submissions/" not in location:
            errors = re.findall(
                rb'class="(?:field-error|notice notice--error)"[^>]*>(.*?)</', data, re.DOTALL
            )
            hint = " / ".join(
                re.sub(r"<[^>]+>|\s+", " ", e.decode(errors="replace")).strip() for e in errors
            )[:300]
            raise Broken(f"upload not accepted: HTTP {status} {hint}")
        return elapsed, location


# --------------------------------------------------------------------------- server


class Server:
    """gunicorn with sync workers (one unless told) on a free port, a fresh instance folder
    of its own; `settings` are extra environment variables for the app."""

    def __init__(
        self, folder: Path, name: str, workers: int = 1, settings: dict[str, str] | None = None
    ):
        self.workers = workers
        self.instance = folder / f"instance-{name}"
        self.log_path = folder / f"gunicorn-{name}.log"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "RATELIMIT_STORAGE_URI")
        }
        self.env.update(
            {
                "GALLERY_INSTANCE": str(self.instance),
                "FLASK_RATELIMIT_ENABLED": "false",
                "PYTHONPATH": str(ROOT),
                **(settings or {}),
            }
        )

    def __enter__(self) -> Server:
        migrate = subprocess.run(
            [str(BIN / "flask"), "--app", "gallery", "db", "upgrade"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if migrate.returncode != 0:
            raise Broken(f"flask db upgrade failed:\n{migrate.stderr[-2000:]}")
        command = [
            str(BIN / "gunicorn"),
            "--config",
            "python:gallery.gunicorn_conf",
            "--workers",
            str(self.workers),
            "--bind",
            f"{HOST}:{self.port}",
            "gallery:create_app()",
        ]
        with open(self.log_path, "wb") as log_file:
            self.proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Broken(f"gunicorn exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                status, _, _ = Client(self.port).request("GET", "/healthz", timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise Broken(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{self.tail()}")

    def worker(self) -> int:
        pids = self.worker_pids()
        if len(pids) != 1:
            raise Broken(f"expected one gunicorn worker, found {pids}")
        return pids[0]

    def worker_pids(self, timeout: float = 15) -> list[int]:
        """Every worker's pid, once all of them have started."""
        deadline = time.monotonic() + timeout
        while True:
            pids = sorted(children(self.proc.pid))
            if len(pids) == self.workers or time.monotonic() > deadline:
                if len(pids) != self.workers:
                    raise Broken(f"expected {self.workers} gunicorn workers, found {pids}")
                return pids
            time.sleep(0.1)

    def tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return ""

    def server_ms(self) -> list[float]:
        """Server-side times of the POST /submit requests, from the app's access log."""
        text = self.log_path.read_text(errors="replace")
        return [float(ms) for ms in re.findall(r"POST /submit 303 ([\d.]+)ms", text)]

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=25)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass


def warm_up(server: Server, client: Client, small: bytes) -> None:
    for path in ("/", "/works", "/submit"):
        status, _, _ = client.request("GET", path)
        if status != 200:
            raise Broken(f"GET {path} answered {status}")
    client.fetch_form()
    _, receipt = client.upload(small)
    status, _, _ = client.request("GET", receipt)
    if status != 200:
        raise Broken(f"the receipt page answered {status}")


# --------------------------------------------------------------------------- main


class Pipelines:
    """bench_pipeline's naive pipeline, ours in-process and ours in the decode sandbox, in
    one helper process (--serve) that times each input's three once when asked: right
    after that input's upload, so the ratio's two sides see the machine in the same
    minute."""

    def __init__(self, paths: list[Path]):
        self.proc = subprocess.Popen(
            [sys.executable, str(PIPELINE), "--serve", *map(str, paths)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self.proc.stdout.readline().strip() != "ready":
            self.proc.kill()
            raise Broken("the pipelines' helper did not start")

    def time(self, index: int) -> dict[str, float]:
        self.proc.stdin.write(f"{index}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise Broken("the pipelines' helper stopped")
        return json.loads(line)

    def __enter__(self) -> Pipelines:
        return self

    def __exit__(self, *exc) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def timed_rounds(
    client: Client, data: dict[str, bytes], pipelines: Pipelines, runs: int
) -> dict[str, dict]:
    """--runs rounds of one upload of each input, in turns (reversed every other round),
    each followed by a GET of its receipt, then by one timing of that input's pipelines;
    per input, the upload and the upload-plus-receipt wall clocks (ms) and the medians of
    the pipelines' (ms)."""
    times: dict[str, dict] = {label: {"upload": [], "receipt": [], "runs": []} for label in data}
    labels = list(data)
    for i in range(runs):
        for label in labels if i % 2 == 0 else reversed(labels):
            elapsed, receipt = client.upload(data[label])
            start = time.perf_counter()
            status, _, _ = client.request("GET", receipt)
            if status != 200:
                raise Broken(f"the receipt page answered {status}")
            times[label]["upload"].append(elapsed * 1000)
            times[label]["receipt"].append((elapsed + time.perf_counter() - start) * 1000)
            times[label]["runs"].append(pipelines.time(labels.index(label)))
        log(f"round {i + 1}/{runs} of {len(labels)} uploads and their pipelines done")
    for t in times.values():
        runs_ = t.pop("runs")
        t["pipeline"] = {name: statistics.median(r[name] for r in runs_) for name in runs_[0]}
    return times


def measure(runs: int) -> dict:
    results: dict = {"runs": runs, "load_before": load_average()}
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        folder = Path(tmp)
        log("generating the photos and flat art (2-24 MP) and the 40 MP photo")
        files = generate(folder)
        files.update(generate_inputs(folder))
        data = {label: path.read_bytes() for label, path in files.items()}
        results["size_mb"] = {label: len(blob) / 1e6 for label, blob in data.items()}
        table = {label: data[label] for label, _, _ in inputs()}

        log("starting gunicorn (1 sync worker)")
        with Server(folder, "uploads") as server:
            client = Client(server.port)
            warm_up(server, client, data["small"])
            worker = server.worker()
            time.sleep(0.5)  # let the warm-up's freed memory settle
            results["idle_rss_mb"] = status_kb(worker, "VmRSS") / 1024
            results["warmup_hwm_mb"] = status_kb(worker, "VmHWM") / 1024
            results["hwm_reset"] = reset_peak(worker)
            cpu_before = cpu_seconds(worker)
            for i in range(runs):
                elapsed, _ = client.upload(data[MEMORY_INPUT])
                log(f"{MEMORY_INPUT} upload {i + 1}/{runs} (memory): {elapsed * 1000:.0f} ms")
            if server.worker() != worker:
                raise Broken("the gunicorn worker was replaced during the run")
            # The face detector of the last upload runs after its answer: let it finish.
            client.request("GET", "/healthz")
            results["cpu_ms"] = (cpu_seconds(worker) - cpu_before) * 1000 / runs
            results["peak_hwm_mb"] = status_kb(worker, "VmHWM") / 1024
            results["after_rss_mb"] = status_kb(worker, "VmRSS") / 1024
            log("the pipelines' helper: loading and warming up on each input")
            with Pipelines([files[label] for label in table]) as pipelines:
                log("the whole upload of each input, then its pipelines, in turns")
                results["table"] = timed_rounds(client, table, pipelines, runs)
            if server.worker() != worker:
                raise Broken("the gunicorn worker was replaced during the run")
            results["server_ms"] = server.server_ms()

        log("40 MP: fresh gunicorn, one upload")
        with Server(folder, "40mp") as server:
            client = Client(server.port)
            warm_up(server, client, data["small"])
            worker = server.worker()
            results["idle40_rss_mb"] = status_kb(worker, "VmRSS") / 1024
            try:
                elapsed, _ = client.upload(data["40 MP"])
            except Broken as exc:  # still report the rest, but exit non-zero
                results["refused40"] = str(exc)
            else:
                results["upload40_ms"] = elapsed * 1000
            client.request("GET", "/healthz")  # after the face detector
            results["peak40_hwm_mb"] = status_kb(worker, "VmHWM") / 1024
    results["load_after"] = load_average()
    return results


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table_rows(r: dict) -> list[tuple[str, ...]]:
    """Per input: upload, naive, ratio and its target, our pipeline in-process and in its
    sandbox, the upload beyond the pipeline, upload and receipt."""
    rows = []
    for label, t in r["table"].items():
        upload = statistics.median(t["upload"])
        naive, ours = t["pipeline"]["naive"], t["pipeline"]["ours"]
        sandboxed = t["pipeline"]["sandboxed"]
        ratio = upload / naive
        target = RATIO_TARGETS.get(megapixels(label))
        rows.append(
            (
                label,
                f"{upload:.0f}",
                f"{naive:.0f}",
                f"{ratio:.2f}",
                f"<= {target}" if target else "",
                verdict(ratio <= target) if target else "",
                f"{ours:.0f}",
                f"+{sandboxed - ours:.0f}",
                f"{upload - ours:.0f}",
                f"{statistics.median(t['receipt']):.0f}",
            )
        )
    return rows


def fixed_costs(r: dict) -> dict[str, float]:
    """Beyond the pipeline at FIXED_COST_MP, per kind: upload minus our pipeline."""
    return {
        label: statistics.median(t["upload"]) - t["pipeline"]["ours"]
        for label, t in r["table"].items()
        if megapixels(label) == FIXED_COST_MP
    }


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    for line in (header, tuple("-" * w for w in widths), *rows):
        print(
            "  ".join(
                f"{x:{w}}" if i == 0 else f"{x:>{w}}"
                for i, (x, w) in enumerate(zip(line, widths, strict=True))
            )
        )


def report(r: dict) -> None:
    above = r["peak_hwm_mb"] - r["idle_rss_mb"]
    refused = r.get("refused40")
    print()
    print(
        "Upload benchmark: gunicorn, 1 sync worker, 127.0.0.1; CSRF on (token and cookie "
        "from GET /submit), rate limit off (FLASK_RATELIMIT_ENABLED=false)"
    )
    sizes = ", ".join(f"{k} {v:.1f} MB" for k, v in r["size_mb"].items() if k != "small")
    print(f"Inputs: bench_pipeline's, baseline JPEG q90: {sizes}")
    print()
    print(
        f"The whole upload (POST /submit to its 303) against the naive pipeline, median of "
        f"{r['runs']}, the inputs in turns; the naive pipeline and ours ('ours': in-process; "
        "'sandbox': what its decode sandbox adds) timed in one helper process right after "
        "each upload of the same file, medians; 'beyond' = upload minus ours in-process "
        "(the sandbox's start, form parsing, "
        "hashing, writing, database); 'receipt' = upload plus the GET of its receipt on the "
        "same worker (which runs the face detector once the 303 is sent):"
    )
    print()
    print_table(
        (
            "input",
            "upload ms",
            "naive ms",
            "ratio",
            "target",
            "result",
            "ours ms",
            "sandbox ms",
            "beyond ms",
            "receipt ms",
        ),
        table_rows(r),
    )
    print()
    rows = [
        (
            f"fixed cost of an upload beyond the pipeline, {label} (ms)",
            f"{cost:.0f}",
            f"<= {TARGET_FIXED_MS}",
            verdict(cost <= TARGET_FIXED_MS),
        )
        for label, cost in fixed_costs(r).items()
    ]
    rows += [
        ("worker idle VmRSS after warm-up (MB)", f"{r['idle_rss_mb']:.0f}", "", ""),
        (
            f"worker peak VmHWM over {r['runs']} {MEMORY_INPUT} uploads (MB)",
            f"{r['peak_hwm_mb']:.0f}",
            "",
            "",
        ),
        (
            "peak above idle (MB)",
            f"{above:.0f}",
            f"<= {TARGET_ABOVE_IDLE_MB}",
            verdict(above <= TARGET_ABOVE_IDLE_MB),
        ),
        ("40 MP upload accepted (303)", "no" if refused else "yes", "303", verdict(not refused)),
        (
            "40 MP worker peak VmHWM (MB)",
            f"{r['peak40_hwm_mb']:.0f}",
            f"< {TARGET_40MP_PEAK_MB}",
            "n/a" if refused else verdict(r["peak40_hwm_mb"] < TARGET_40MP_PEAK_MB),
        ),
    ]
    print_table(("figure", "value", "target", "result"), rows)
    print()
    if r["server_ms"]:
        print(
            "App time after form parsing (access log, every POST /submit, ms): median "
            f"{statistics.median(r['server_ms']):.0f}, min {min(r['server_ms']):.0f}"
        )
    print(
        f"Worker CPU time per {MEMORY_INPUT} upload (user + system, all threads, the face "
        f"detector's wait included; the children's own CPU is not): {r['cpu_ms']:.0f} ms"
    )
    hwm_note = (
        "reset after the warm-up"
        if r["hwm_reset"]
        else f"not resettable, includes the warm-up (warm-up peak {r['warmup_hwm_mb']:.0f} MB)"
    )
    print(
        f"Load average (1/5/15 min) before: {r['load_before']}, after: {r['load_after']} "
        "(on 2 cores, anything above ~0.5 makes the timings noisy)"
    )
    print(f"VmHWM {hwm_note}; VmRSS after the uploads {r['after_rss_mb']:.0f} MB")
    if refused:
        print(f"40 MP: {refused}")
    else:
        print(
            f"40 MP: upload {r['upload40_ms']:.0f} ms, worker idle VmRSS "
            f"{r['idle40_rss_mb']:.0f} MB, peak VmHWM {r['peak40_hwm_mb']:.0f} MB (fresh server)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    args = parser.parse_args()
    if not 1 <= args.runs <= 20:
        parser.error("--runs must be between 1 and 20")
    try:
        results = measure(args.runs)
    except (Broken, OSError, subprocess.SubprocessError) as exc:
        print(f"\nUpload benchmark BROKEN: {exc}", flush=True)
        return 1
    report(results)
    if args.json:
        print(json.dumps(results))
    return 1 if results.get("refused40") else 0


if __name__ == "__main__":
    sys.exit(main())
