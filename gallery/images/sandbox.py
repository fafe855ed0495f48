"""Decode an artist's file in a child process held to hard limits, never in the web worker.

An uploaded file is hostile until decoded: a few kilobytes of HEIC can make libheif build
a gigapixel canvas, a JPEG of thousands of tiny progressive scans can keep libjpeg busy for
minutes, and no header check catches every such trick.  So the whole step that touches
the artist's bytes (decode, renditions, encodes: images.process, and images.cover on a
stored image) runs in a fresh child process, forked from a server process that has the
image libraries loaded already (multiprocessing's "forkserver"), and the child gets,
before it reads a byte:

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
that decodes the next one, and the memory goes back to the system at once.  Each process
keeps one child forked ahead (the spare), which waits for its job and has read nothing, so
that an upload does not wait for a child to start.

Each decode slot (gallery/media/slots.py) is one such child at work: a view holds its slot
while its child has the file, so the host never decodes more files at once than it has
slots (a spare, idle, holds a few megabytes of its own).
"""

from __future__ import annotations

import contextlib
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
from collections.abc import Callable, Iterator, Mapping
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
            with _server_environment():
                multiprocessing.forkserver.ensure_running()
            _CONTEXT = context
        return _CONTEXT


@contextlib.contextmanager
def _server_environment() -> Iterator[None]:
    """The environment the fork server starts with (its children inherit it), and this
    process's own again afterwards:
      * OpenBLAS (NumPy's, when the program has loaded it) maps buffers for a thread per
        core at load: 80 MB of address space a child would carry against its limit; one
        thread;
      * glibc's malloc asks for transparent huge pages (glibc.malloc.hugetlb=1, glibc 2.35
        and later; other C libraries ignore it).  A child is a fresh process: every page the
        pipeline touches is a page fault, 12,000 for a 2 MP photo, and with 2 MB pages
        about 4,000 (measured: 10-25 ms less a child).  Where the kernel's transparent
        huge pages are "never", nothing changes."""
    wanted = {"OPENBLAS_NUM_THREADS": "1"}
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    if "glibc.malloc.hugetlb" not in tunables:
        wanted["GLIBC_TUNABLES"] = ":".join(filter(None, (tunables, "glibc.malloc.hugetlb=1")))
    before = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


def start() -> None:
    """Start the server the children are forked from (about a second) and the first
    upload's child, so that the first upload does not wait for them: gunicorn's workers
    call this once they are up."""
    _keep_a_spare(_context())


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
    child, ours = _waiting_child(context)
    started = time.monotonic()
    try:
        try:
            ours.send((target, limits, kwargs))
        except OSError:  # the spare died idle (killed, or its server gone): one fresh try
            _stop(child)
            child.close()
            ours.close()
            child, ours = _new_child(context)
            ours.send((target, limits, kwargs))
        answer = _exchange(ours, data, started + limits.wall, context)
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


# The spare: one child per process, started ahead and waiting for its job, so that an upload
# does not wait for a child to be forked and to start (5-12 ms of every upload, measured).
# It has read nothing yet; it takes one file and exits, as every child does.
_SPARE: dict[int, tuple[Any, Connection]] = {}  # {this process's pid: (child, our end)}
_SPARE_LOCK = threading.Lock()


def _new_child(context: Any) -> tuple[Any, Connection]:
    ours, theirs = context.Pipe()
    child = context.Process(target=_child, args=(theirs,), daemon=True)
    child.start()
    theirs.close()
    return child, ours


def _waiting_child(context: Any) -> tuple[Any, Connection]:
    """The spare if it is still alive (and this process's: never one inherited through a
    fork), else a new child."""
    with _SPARE_LOCK:
        spare = _SPARE.pop(os.getpid(), None)
    if spare is not None:
        child, ours = spare
        if child.exitcode is None:
            return spare
        ours.close()
        child.close()
    return _new_child(context)


def _keep_a_spare(context: Any) -> None:
    """Start the next upload's child, unless one waits already.  Called while a child
    works on its file, so that its start costs the upload nothing; a failure to start one
    only means that the next upload starts its own."""
    with _SPARE_LOCK:
        if os.getpid() in _SPARE:
            return
        try:
            _SPARE[os.getpid()] = _new_child(context)
        except OSError as exc:
            log.warning("no spare decode child: %s", type(exc).__name__)


def spare() -> Any | None:
    """The child waiting for the next file in this process (a multiprocessing Process),
    or None."""
    found = _SPARE.get(os.getpid())
    return found[0] if found else None


def _exchange(conn: Connection, data: bytes, deadline: float, context: Any) -> tuple[str, Any]:
    """Send the file, start the next file's child meanwhile, and wait for the answer until
    the deadline; ChildFailed otherwise."""
    try:
        conn.send_bytes(data)
        _keep_a_spare(context)
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


def _child(conn: Connection) -> None:
    """Wait for the job (what to run, under which limits: from the worker, which is
    trusted), set the limits, then read the file, run the job on it and send back what it
    gave.  The collector is off: the pipeline makes few Python objects, and a collection
    would touch every object inherited from the server, copying the pages they live on."""
    gc.disable()
    _few_malloc_arenas()
    try:
        target, limits, kwargs = conn.recv()
    except EOFError:  # the worker went away before it needed this spare
        os._exit(0)
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
