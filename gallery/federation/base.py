"""What every part of federation shares: the settings, the media types, the secret."""

from __future__ import annotations

from flask import current_app

AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
JRD_JSON = "application/jrd+json"
# The most a remote document (an actor) may weigh, and an inbox's body.
MAX_DOCUMENT = 256 * 1024
# Where each app keeps its courier (delivery.courier()).
COURIER = "gallery.federation_courier"


def enabled() -> bool:
    """Whether the gallery federates at all (FEDERATION)."""
    return bool(current_app.config.get("FEDERATION"))


def actor_name() -> str:
    """The gallery actor's user name (FEDERATION_NAME)."""
    return str(current_app.config["FEDERATION_NAME"])


def allow_private() -> bool:
    """The tests' switch: http and loopback or private peers allowed."""
    return bool(current_app.config.get("FEDERATION_ALLOW_PRIVATE"))


def timeout() -> float:
    return float(current_app.config["FEDERATION_TIMEOUT"])


def secret() -> str:
    return str(current_app.config["SECRET_KEY"])
