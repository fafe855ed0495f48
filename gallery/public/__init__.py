"""The visitors' and artists' side: public pages, media, submissions and receipts, reports.
Feeds, the API, search and ActivityPub's addresses live here too."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the public blueprints."""
    from . import (
        api,
        counted,
        digest,
        federation,
        feeds,
        impact,
        letters,
        media,
        pages,
        prints,
        reports,
        search,
        show,
        submit,
        uploads,
    )

    for module in (
        pages,
        media,
        submit,
        reports,
        feeds,
        search,
        api,
        prints,
        show,
        impact,
        letters,
        digest,
        federation,
        uploads,
    ):
        app.register_blueprint(module.bp)
    counted.init_app(app)
