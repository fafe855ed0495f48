"""How many images the host decodes at once, across every worker process.

Each upload is decoded in a child process of its own, held to DECODE_MEMORY_MB of
address space (gallery/images/sandbox.py).  With more children than the host has memory for, a
burst of big uploads would get processes killed for memory; instead each decode takes
one of N slots (lock files in the instance folder, held with flock, so a worker that
dies frees its slot at once) and holds it while its child lives, so the host never runs
more than N children, each within its limit.  An upload that finds no slot free within
a short wait is answered 503 with Retry-After.

And a decode's memory must go back to the system once the upload is done, or each big
upload leaves its worker larger than before (see keep_big_buffers_off_the_heap).
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import Busy
from ..core.i18n import N_

MB = 1024 * 1024


# mallopt's parameter number for the mmap threshold (glibc's malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1 * MB


class NoSlot(Busy):
    """Every decode slot stayed busy for the whole wait: 503, try again in 30 seconds."""

    message = N_(
        "Many images are being processed right now. Nothing was kept. Please try again in a minute."
    )
    retry_after = 30


def default_slots(memory_per_decode: int) -> int:
    """One slot per memory_per_decode bytes (a child's address-space limit) of the memory
    available now, at least one."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            fields = dict(line.split(":", 1) for line in info)
        available = int(fields["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return 2
    return max(1, available // memory_per_decode)


@contextmanager
def decode_slot(folder: Path, slots: int, wait: float = 2.0) -> Iterator[int]:
    """Hold one of `slots` decode slots for the block; raise NoSlot after `wait` seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    delay = 0.01
    while True:
        for n in range(slots):
            fd = os.open(folder / f"decode-{n}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield n
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        if time.monotonic() >= deadline:
            raise NoSlot
        time.sleep(delay)  # back off, up to a quarter second between rounds
        delay = min(delay * 2, 0.25)


def keep_big_buffers_off_the_heap() -> bool:
    """Serve every allocation above 1 MB from a mapping of its own, given back at free.

    glibc's malloc does so above its mmap threshold, but raises the threshold (up to
    32 MB) each time such a block is freed: after one big upload, Pillow's 16 MB image
    blocks land on the heap, which rarely shrinks, and the worker stays larger after every
    upload (measured: 202 MB after one 40 MP upload, 247 MB after the next).  A fixed
    threshold stops that (182 MB after one, after two and after ten): 20 parallel 40 MP
    uploads on 4 workers peak at 281 MB a worker instead of 315 (benchmarks/bench_burst.py).
    The price: pages are handed back and faulted in again at each upload, about 20% more
    time in the pipeline at 24 MP on this project's machines (306 -> 372 ms in-process;
    fixing it at 16 MB or more keeps the speed but not the memory).  Returns False where
    the C library has no mallopt (not glibc): nothing is changed there.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
