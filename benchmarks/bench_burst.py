"""A burst of big uploads: 20 parallel 40 MP submissions against 4 gunicorn workers.

Usage: python benchmarks/bench_burst.py [--uploads 20] [--workers 4]

Issue 12 asks that such a burst keep every worker under 300 MB and that, beyond
what the host can decode at once, an upload be answered 503 with Retry-After
rather than a worker being killed for memory.  Two rounds, each on a fresh
gunicorn (sync workers, 127.0.0.1, a temporary instance folder with SQLite and
the media store, rate limit off, CSRF on):

  1. the host's own decode slots (DECODE_SLOTS unset: one per 400 MB of
     MemAvailable, so on a large host every worker decodes at once): every upload
     must be accepted (303);
  2. FLASK_DECODE_SLOTS=2, fewer slots than workers, as on a small host: the
     uploads that find no slot within the wait are answered 503 with Retry-After,
     the others 303, and nothing else.

In each round every client first GETs /submit (CSRF token and cookie), then all
POST at once from threads.  Measured per round: the answers by status, the
Retry-After of each 503, the wall clock of the whole burst, and each worker's
VmHWM (resident high-water mark, reset after the warm-up where the kernel
allows); afterwards the database rows and the media store are counted, so that
a refused upload is shown to leave neither a row nor a file (staging/ empty).
Exit status 0 when both rounds ran, 1 when something broke (a 5xx other than
503, a worker that died, a server that did not start).  Only 127.0.0.1 is
contacted; each server's process group is killed at the end.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_upload import (  # noqa: E402  (the sibling module, run as a script)
    Broken,
    Client,
    Server,
    generate,
    load_average,
    log,
    reset_peak,
    status_kb,
    warm_up,
)

SIZE = (7740, 5160)  # 40 MP, the largest the gallery accepts by default
TARGET_WORKER_MB = 300


def burst(server: Server, image: bytes, small: bytes, uploads: int) -> dict:
    """Warm every worker, then send `uploads` submissions at once; the round's figures."""
    workers = server.worker_pids()
    for _ in range(2):
        # As many warm-ups at once as there are workers, twice: each worker has then
        # probably rendered pages, taken a small upload and run the face detector on a
        # receipt page, and holds the libraries a worker of a running site holds.
        warmers = [
            threading.Thread(target=warm_up, args=(server, Client(server.port), small))
            for _ in workers
        ]
        for thread in warmers:
            thread.start()
        for thread in warmers:
            thread.join()
    time.sleep(0.5)
    idle = {pid: status_kb(pid, "VmRSS") / 1024 for pid in workers}
    reset = all(reset_peak(pid) for pid in workers)

    clients = [Client(server.port) for _ in range(uploads)]
    for client in clients:
        client.fetch_form()
    answers: list[tuple[int, str | None, float]] = []
    lock = threading.Lock()
    go = threading.Barrier(uploads)

    def send(client: Client) -> None:
        body, content_type = client.upload_body(image)
        headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
        go.wait()
        start = time.perf_counter()
        try:
            status, response_headers, _ = client.request(
                "POST", "/submit", body, headers, timeout=300
            )
            retry = response_headers.get("Retry-After")
        except OSError as exc:  # a connection reset would mean a worker died
            status, retry = 0, type(exc).__name__
        with lock:
            answers.append((status, retry, time.perf_counter() - start))

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    after = server.worker_pids()
    if after != workers:
        raise Broken(f"workers were replaced during the burst (killed?): {workers} -> {after}")
    peak = {pid: status_kb(pid, "VmHWM") / 1024 for pid in workers}
    return {
        "statuses": Counter(status for status, _, _ in answers),
        "retry_after": sorted({retry for status, retry, _ in answers if status == 503}),
        "slowest_s": max(elapsed for _, _, elapsed in answers),
        "wall_s": wall,
        "idle_mb": idle,
        "peak_mb": peak,
        "hwm_reset": reset,
        "warm_ups": 2 * len(workers),
    }


def leftovers(server: Server) -> dict:
    """What the round left: work rows, published folders, anything in staging/."""
    media = server.instance / "media"
    with sqlite3.connect(server.instance / "gallery.sqlite3") as conn:
        rows = conn.execute("select count(*) from work").fetchone()[0]
    return {
        "rows": rows,
        "folders": sum(
            1
            for p in (media / "works").rglob("*")
            if p.is_dir() and any(f.is_file() for f in p.iterdir())
        ),
        "staging": sorted(p.name for p in (media / "staging").iterdir()),
    }


def check(name: str, result: dict, expected_ok: str) -> list[str]:
    problems = []
    bad = {s: n for s, n in result["statuses"].items() if s not in (303, 503)}
    if bad:
        problems.append(f"{name}: answers other than 303/503: {bad}")
    if result["statuses"][503] and result["retry_after"] in ([], [None]):
        problems.append(f"{name}: a 503 without Retry-After")
    if expected_ok == "all" and result["statuses"][503]:
        problems.append(f"{name}: {result['statuses'][503]} uploads refused with free memory")
    if result["left"]["staging"]:
        problems.append(f"{name}: staging/ not empty: {result['left']['staging']}")
    accepted = result["statuses"][303]
    if result["left"]["rows"] != accepted + result["warm_ups"]:
        problems.append(f"{name}: {result['left']['rows']} rows for {accepted} accepted uploads")
    return problems


def report(rounds: dict[str, dict], uploads: int, workers: int, size_mb: float) -> None:
    print()
    print(
        f"Burst benchmark: {uploads} parallel uploads of a {SIZE[0]}x{SIZE[1]} (40 MP) "
        f"photo-like JPEG ({size_mb:.1f} MB), gunicorn {workers} sync workers, 127.0.0.1, "
        "SQLite, CSRF on, rate limit off"
    )
    print()
    header = (
        f"{'round':34}  {'303':>4}  {'503':>4}  {'other':>5}  {'burst s':>7}  "
        f"{'worker peak MB (each)':30}  {'max':>4}  target  result"
    )
    print(header)
    print("-" * len(header))
    for name, r in rounds.items():
        other = sum(n for s, n in r["statuses"].items() if s not in (303, 503))
        peaks = sorted(r["peak_mb"].values())
        worst = max(peaks)
        ok = worst < TARGET_WORKER_MB and not r["problems"]
        print(
            f"{name:34}  {r['statuses'][303]:>4}  {r['statuses'][503]:>4}  {other:>5}  "
            f"{r['wall_s']:>7.1f}  {', '.join(f'{p:.0f}' for p in peaks):30}  {worst:>4.0f}  "
            f"< {TARGET_WORKER_MB}   {'PASS' if ok else 'FAIL'}"
        )
    print()
    for name, r in rounds.items():
        idle = ", ".join(f"{v:.0f}" for v in sorted(r["idle_mb"].values()))
        print(
            f"{name}: idle VmRSS per worker {idle} MB; slowest answer {r['slowest_s']:.1f} s; "
            f"Retry-After on 503: {', '.join(map(str, r['retry_after'])) or 'none sent'}; "
            f"afterwards {r['left']['rows']} work rows ({r['warm_ups']} warm-ups), "
            f"{r['left']['folders']} media folders, staging/ "
            f"{'empty' if not r['left']['staging'] else r['left']['staging']}; "
            f"VmHWM {'reset after the warm-up' if r['hwm_reset'] else 'not resettable'}"
        )
        for problem in r["problems"]:
            print(f"  PROBLEM: {problem}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--runs", type=int, default=1, help="ignored (make bench passes it)")
    args = parser.parse_args()
    if not 1 <= args.uploads <= 40 or not 1 <= args.workers <= 8:
        parser.error("--uploads must be 1..40 and --workers 1..8")
    rounds: dict[str, dict] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-burst-") as tmp:
            folder = Path(tmp)
            log("generating the 40 MP JPEG")
            files = generate(folder, {"small": (800, 600), "40 MP": SIZE})
            small = files["small"].read_bytes()
            image = files["40 MP"].read_bytes()
            plans = {
                "host's own slots (DECODE_SLOTS unset)": ("all", {}),
                "DECODE_SLOTS=2, fewer than workers": ("some", {"FLASK_DECODE_SLOTS": "2"}),
            }
            for index, (name, (expected, settings)) in enumerate(plans.items()):
                log(f"round {index + 1}: {name}; load {load_average()}")
                with Server(
                    folder, f"burst{index}", workers=args.workers, settings=settings
                ) as server:
                    result = burst(server, image, small, args.uploads)
                    result["left"] = leftovers(server)
                result["problems"] = check(name, result, expected)
                rounds[name] = result
    except (Broken, OSError) as exc:
        print(f"\nBurst benchmark BROKEN: {exc}", flush=True)
        return 1
    report(rounds, args.uploads, args.workers, len(image) / 1e6)
    return 1 if any(r["problems"] for r in rounds.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
