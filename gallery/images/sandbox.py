"""Decode an artist's file in a child process held to hard limits, never in the web worker.

An uploaded file is hostile until decoded: a few kilobytes of HEIC can make libheif build
a gigapixel canvas, a JPEG of thousands of tiny progressive scans can keep libjpeg busy for
minutes, and no header check catches every such trick.  So the whole step that touches
the artist's bytes (decode, renditions, encodes: images.process, and images.cover on a
stored image) runs in a fresh child process, forked for that one file from a server
process that has the image libraries loaded already (multiprocessing's "forkserver"), and
the child gets, before it reads a byte:

  * an address-space limit (RLIMIT_AS, Limits.memory): an allocation past it fails inside
    the decoder, which then gives up, or the child dies;
  * a CPU-time limit (RLIMIT_CPU, Limits.cpu): the kernel stops the child past it;
  * a wall-time limit (Limits.wall): the worker kills the child when it has not answered
    in time (a decoder waiting on a lock, or starved of CPU by others).

Only the file goes in and only the encoded renditions and their facts come back (a few
megabytes at most, where the decoded pixels of a 40 MP upload would be 120 MB).  A child
that breaks a limit, or dies in any other way, is killed and reaped; the upload gets
images.InvalidImage (413, TOO_COSTLY) and the worker's own memory never holds the pixels.
A child serves one file and exits: nothing of one artist's picture stays in a process
that decodes the next one, and the memory goes back to the system at once.

Each decode slot (gallery/media/slots.py) is one such child: a view holds its slot while its
child lives, so the host never runs more children than it has slots.
"""

from __future__ import annotations

import ctypes
import gc
import io
import logging
import math
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import resource
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, BinaryIO

from .. import images

log = logging.getLogger(__name__)

MB = 1024 * 1024
M_ARENA_MAX = -8  # mallopt's parameter number (glibc's malloc.h)


@dataclass(frozen=True)
class Limits:
    """What one child may use: bytes of address space, seconds of CPU, seconds of wall time."""

    memory: int
    cpu: int
    wall: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        """The limits the settings give (DECODE_MEMORY_MB, DECODE_CPU_SECONDS,
        DECODE_WALL_SECONDS: see gallery/config.py)."""
        return cls(
            memory=int(config["DECODE_MEMORY_MB"]) * MB,
            cpu=int(config["DECODE_CPU_SECONDS"]),
            wall=float(config["DECODE_WALL_SECONDS"]),
        )


def default_limits() -> Limits:
    """The limits of the current application's settings (the CLI's commands), or of the
    default settings outside of one."""
    from flask import current_app, has_app_context

    from ..config import Config

    return Limits.from_config(current_app.config if has_app_context() else vars(Config))


class ChildFailed(Exception):
    """The child went past a limit or died; .why says which, for the log."""

    def __init__(self, why: str):
        self.why = why
        super().__init__(why)


class ChildError(OSError):
    """The code the child ran raised; .child_error is the exception's kind, for the log (its
    message stays out of it: it may speak of the file)."""

    def __init__(self, kind: str):
        self.child_error = kind
        super().__init__(f"the decode child failed: {kind}")


# ---- the worker's side


_SETUP = threading.Lock()
_CONTEXT: Any = None


def _context() -> Any:
    """multiprocessing's forkserver context, whose server has the image pipeline loaded and
    warmed up (gallery/images/sandbox_preload.py): a child starts in a few milliseconds, with one
    thread and none of the worker's sockets, database connections or memory."""
    global _CONTEXT
    with _SETUP:
        if _CONTEXT is None:
            context = multiprocessing.get_context("forkserver")
            # "__main__" first: the server imports the program's main module once, so that
            # no child imports it again (gunicorn's and flask's scripts do nothing on import).
            context.set_forkserver_preload(
                ["__main__", "gallery.images.sandbox_preload", "gallery.images.sandbox"]
            )
            # OpenBLAS (NumPy's, when the program has loaded it) maps buffers for a thread per core at
            # load: 80 MB of address space a child would carry against its limit.
            before = os.environ.get("OPENBLAS_NUM_THREADS")
            os.environ["OPENBLAS_NUM_THREADS"] = "1"
            try:
                multiprocessing.forkserver.ensure_running()
            finally:
                if before is None:
                    del os.environ["OPENBLAS_NUM_THREADS"]
                else:
                    os.environ["OPENBLAS_NUM_THREADS"] = before
            _CONTEXT = context
        return _CONTEXT


def start() -> None:
    """Start the server the children are forked from (about a second), so that the first
    upload does not wait for it: gunicorn's workers call this once they are up."""
    _context()


def process(fp: BinaryIO, *, limits: Limits, **kwargs: Any) -> images.ProcessedImage:
    """images.process(fp, **kwargs), run in a child held to `limits`.  Raises
    images.InvalidImage for a refused file, including one that broke a limit."""
    return _run(_process, fp.read(), limits, kwargs)


def cover(large: bytes, regions: Any, *, limits: Limits, **kwargs: Any) -> images.ProcessedImage:
    """images.cover(large, regions, **kwargs), run in a child held to `limits`.  The file is
    one the pipeline made, but it is decoded as any other: read from a store that someone
    else may write to.  Raises OSError when the child broke a limit or died."""
    try:
        return _run(_cover, large, limits, {"regions": [list(r) for r in regions], **kwargs})
    except images.InvalidImage as exc:
        raise OSError(f"the stored image could not be covered: {exc.reason}") from exc


def run(target: Callable[[bytes], Any], data: bytes, *, limits: Limits) -> Any:
    """target(data), run in a child held to `limits`, for work on stored images other than
    the pipeline's (the face detector: gallery/images/faces.py).  target must be a module's
    function that returns plain values (lists, numbers, strings); the child imports what it
    needs (OpenCV, say), so the worker never carries it.  Raises images.InvalidImage when
    the child broke a limit, ChildError when target raised."""
    return _run(target, data, limits, {})


def _run(target: Callable[..., Any], data: bytes, limits: Limits, kwargs: dict) -> Any:
    context = _context()
    ours, theirs = context.Pipe()
    child = context.Process(target=_child, args=(theirs, target, limits, kwargs), daemon=True)
    started = time.monotonic()
    child.start()
    theirs.close()
    try:
        answer = _exchange(ours, data, started + limits.wall)
    except ChildFailed as failed:
        why = _exit_reason(_stop(child), failed.why)
        log.warning("decode child stopped after %.1f s: %s", time.monotonic() - started, why)
        raise images.InvalidImage(images.TOO_COSTLY, 413) from failed
    finally:
        ours.close()
        _stop(child)
        child.close()
    kind, value = answer
    if kind == "refused":
        template, status, params = value
        raise images.InvalidImage(template, status, **params)
    if kind == "error":
        raise ChildError(value)
    return value


def _exchange(conn: Connection, data: bytes, deadline: float) -> tuple[str, Any]:
    """Send the file, wait for the answer until the deadline; ChildFailed otherwise."""
    try:
        conn.send_bytes(data)
        if not conn.poll(max(0.0, deadline - time.monotonic())):
            raise ChildFailed("wall-time limit")
        raw = conn.recv_bytes()
    except (EOFError, OSError) as exc:  # the child died: its end of the pipe closed
        raise ChildFailed("died") from exc
    try:
        return _Answer(io.BytesIO(raw)).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as exc:
        raise ChildFailed("an answer that is not one") from exc


class _Answer(pickle.Unpickler):
    """Reads a child's answer, which may only hold plain values and the pipeline's results:
    a child that a hostile file took over cannot make the worker run anything by sending
    a crafted pickle."""

    ALLOWED = frozenset(
        {("gallery.images.results", "ProcessedImage"), ("gallery.images.results", "Rendition")}
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not an answer")
        return super().find_class(module, name)


def _stop(child: Any) -> int:
    """Kill the child if it still runs, reap it, and return its exit status."""
    if child.exitcode is None:
        child.kill()
    child.join()
    return child.exitcode


def _exit_reason(exitcode: int, default: str) -> str:
    if default == "wall-time limit":
        return default
    if exitcode == -signal.SIGXCPU:
        return "CPU-time limit"
    if exitcode == -signal.SIGKILL:
        return "killed at the hard CPU-time limit"
    if exitcode < 0:
        return f"died of signal {signal.Signals(-exitcode).name}"
    return f"{default} (exit status {exitcode})"


# ---- the child's side


def _child(conn: Connection, target: Callable[..., Any], limits: Limits, kwargs: dict) -> None:
    """Set the limits, read the file, run target on it and send back what it gave.  The
    collector is off: the pipeline makes few Python objects, and a collection would touch
    every object inherited from the server, copying the pages they live on."""
    gc.disable()
    _hold_to(limits)
    data = conn.recv_bytes()
    try:
        answer: tuple[str, Any] = ("done", target(data, **kwargs))
    except images.InvalidImage as exc:
        answer = ("refused", (exc.template, exc.status, exc.params))
    except MemoryError:
        answer = ("refused", (images.TOO_COSTLY, 413, {}))
    except Exception as exc:  # noqa: BLE001 - told to the worker, which raises ChildError
        answer = ("error", type(exc).__name__)
    conn.send_bytes(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    conn.close()
    os._exit(0)  # nothing to tidy up: the kernel takes the memory back at once


def _hold_to(limits: Limits) -> None:
    """The hard limits of this child, from here on.  The CPU limit counts from what the
    child has used so far (its start: a few milliseconds); the soft limit sends SIGXCPU,
    which ends the process, and the hard one, a second later, SIGKILL."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file of an artist's pixels
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = math.ceil(usage.ru_utime + usage.ru_stime) + limits.cpu
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    _few_malloc_arenas()


def _few_malloc_arenas() -> None:
    """At most two malloc arenas: glibc reserves 64 MB of address space for each thread's
    own (the two helper threads, the decoders' two), which counts against RLIMIT_AS though
    it is never touched (measured: 100-200 MB of a child's peak).  Nothing on a C library
    without mallopt."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    mallopt(M_ARENA_MAX, 2)


def _process(data: bytes, **kwargs: Any) -> images.ProcessedImage:
    return images.process(io.BytesIO(data), **kwargs)


def _cover(data: bytes, **kwargs: Any) -> images.ProcessedImage:
    return images.cover(data, **kwargs)
