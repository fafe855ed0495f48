"""gunicorn settings used by `make run` (gunicorn --config python:gallery.gunicorn_conf)."""

import gc
import logging
import os

# gunicorn's access log would hold client addresses and raw paths (receipt tokens);
# the app logs each request itself without them (gallery/web/headers.py).
accesslog = None
errorlog = "-"
loglevel = "info"
timeout = 60
graceful_timeout = 20
# Recycle workers now and then so a slow leak in an image decoder cannot grow forever; but
# seldom: under a viral share a worker answers 1,000 requests a second or more, and each
# new one spends a second of CPU importing the app (2,000 halved what the pages bench got).
max_requests = 100_000
max_requests_jitter = 10_000
forwarded_allow_ips = "127.0.0.1"
# The master imports the app once and forks its workers from it: the pages they share stay
# shared (two workers: 205 MB of PSS without, 128 MB with), and a worker that replaces one
# starts at once.  A new version then needs a restart of gunicorn, not a HUP.  What the
# master opened while building the app is let go in each worker (post_fork).
preload_app = True


def pre_fork(server, worker) -> None:
    """Before each fork: load once what every worker would load at its first pages
    (gallery.before_fork), then move every object the master made into the collector's
    permanent generation, so that a worker's collections never write to them and the pages
    that hold them stay shared (copy-on-write), as they were after the fork."""
    from flask import Flask

    from gallery import before_fork

    app = server.app.wsgi()
    if isinstance(app, Flask):
        before_fork(app)
    gc.collect()
    gc.freeze()


def post_fork(server, worker) -> None:
    """In the new worker: database pools, the rate-limit file and the mail courier of its
    own, never the master's (gallery.after_fork)."""
    from flask import Flask

    from gallery import after_fork

    app = worker.app.wsgi()
    if isinstance(app, Flask):
        after_fork(app)


def post_worker_init(worker) -> None:
    """Start the server that uploads' decode children are forked from (gallery/images/sandbox.py)
    as soon as the worker is up, not at the first upload."""
    from gallery.images import sandbox

    sandbox.start()


def _control_socket(instance: str) -> str | None:
    """gunicorn's control socket (gunicornc) in the instance folder, so each gallery on the
    host has its own: gunicorn's default, ~/.gunicorn/gunicorn.ctl, is shared by every
    instance of the user, the last one started takes it over and stopping any one removes
    it.  None when the path is too long for a Unix socket (108 bytes on Linux)."""
    path = os.path.join(os.path.abspath(instance), "gunicorn.ctl")
    return path if len(os.fsencode(path)) < 100 else None


control_socket = _control_socket(os.environ.get("GALLERY_INSTANCE", "instance"))
control_socket_disable = control_socket is None  # off rather than shared with other instances
control_socket_mode = 0o600  # its owner only


class Withheld(logging.Filter):
    """gunicorn's own lines about a request it could not parse or answer name the client's
    address and quote the raw request line, which for a receipt page holds its token: keep
    the fact, drop the details."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Invalid request from ip="):
            record.msg, record.args = "invalid request refused (details withheld)", ()
        elif message.startswith("Error handling request"):
            record.msg, record.args = "error handling a request (details withheld)", ()
            record.exc_info = record.exc_text = None  # its message can quote the request
        return True


logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"withheld": {"()": Withheld}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["withheld"]}
    },
    "loggers": {
        "gallery": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
