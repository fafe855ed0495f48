"""gunicorn settings used by `make run` (gunicorn --config python:gallery.gunicorn_conf)."""

# gunicorn's access log would hold client addresses and raw paths (receipt tokens);
# the app logs each request itself without them (gallery/web/headers.py).
accesslog = None
errorlog = "-"
loglevel = "info"
timeout = 60
graceful_timeout = 20
# Recycle workers now and then so a slow leak in an image decoder cannot grow forever.
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = "127.0.0.1"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "gallery": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
