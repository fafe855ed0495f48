"""Publishing new works to the fediverse (ActivityPub, publish only): one actor for the
gallery, WebFinger, a signed Create of each published work after a delay, an Update when it is
corrected, a Delete on takedown.

The gallery is a `Service` actor named FEDERATION_NAME (`@gallery@host`), found by WebFinger,
with an outbox of the Creates already sent, a followers collection that shows its count
alone, and an inbox that takes Follow, Undo{Follow} and Accept (everything else is
acknowledged and dropped), each signed (HTTP Signatures, draft-cavage, as Mastodon signs)
by a key fetched from the signer's actor document. FEDERATION_ACTORS adds an actor per
prisoner and per campaign (actors.py), which boost (Announce) the gallery's Note of each of
their works to their own followers. Its own key pair is made once and kept
in the database (the private part sealed with a key derived from SECRET_KEY).

A work approved is announced FEDERATION_DELAY seconds later (a day by default), so a
takedown in that time ("identifies a person at risk" hides it at once) never leaves the
server: the verbs call schedule() and retract() in their transaction, the courier
(delivery.py, after the commit, and `flask --app gallery federate` from cron) sends what is
due, signed, with retries, to every follower's shared inbox. What goes out: the title, the
artist's shown name, the prisoners, the licence, a link, and the 1200 px share rendition
with its alt text; never anything pending, the artist's e-mail, the original or larger
files, or who follows. Remote servers are reached over https at public addresses only
(net.py); FEDERATION_ALLOW_PRIVATE lifts that for the tests' local peer."""

from __future__ import annotations

import logging
import re

from flask import Flask

from .actors import KINDS, PREFIX
from .base import ACTIVITY_JSON, JRD_JSON, LD_JSON, actor_name, enabled
from .delivery import Courier, Delivery, after_fork, courier, deliver_due
from .outbox import queue_accept, retract, revise, schedule

log = logging.getLogger(__name__)
NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")

__all__ = [
    "ACTIVITY_JSON",
    "Courier",
    "Delivery",
    "JRD_JSON",
    "LD_JSON",
    "actor_name",
    "after_fork",
    "courier",
    "deliver_due",
    "enabled",
    "init_app",
    "queue_accept",
    "retract",
    "revise",
    "schedule",
]


def init_app(app: Flask) -> None:
    """The courier; FEDERATION needs PUBLIC_URL (actors' addresses must never change)."""
    courier(app)
    if not app.config.get("FEDERATION"):
        return
    if not app.config.get("PUBLIC_URL"):
        raise RuntimeError(
            "FEDERATION needs PUBLIC_URL: the gallery's actor and works are known to other "
            "servers by their absolute addresses."
        )
    name = str(app.config["FEDERATION_NAME"])
    if not NAME.fullmatch(name):
        raise RuntimeError(
            "FEDERATION_NAME must be 1 to 64 letters, digits, dots, dashes or underscores."
        )
    if name.startswith(tuple(PREFIX.values())):
        raise RuntimeError(
            "FEDERATION_NAME may not start with prisoner- or campaign- (the names of the "
            "prisoners' and campaigns' actors)."
        )
    unknown = [kind for kind in app.config.get("FEDERATION_ACTORS") or () if kind not in KINDS]
    if unknown:
        raise RuntimeError('FEDERATION_ACTORS may hold "prisoners" and "campaigns" alone.')
