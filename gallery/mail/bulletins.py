"""The words of the readers' digest (its confirmation, the weekly digest, the SOS digest)
and of the moderators' alert, in the reader's language (compose() sets it).

The payload was gathered when the message was queued (verbs/digest.py): titles, names and
absolute links, so the message is written at delivery without reading the database.
Subjects are neutral, as every subject of the gallery's mail (see __init__.py): a mail
provider sees them. The moderators' alert gives counts only, never a title or an image."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from .base import DIGEST, DIGEST_CONFIRM, DIGEST_SOS, MODERATOR_ALERT

OWN_WORDS = (DIGEST_CONFIRM, DIGEST, DIGEST_SOS, MODERATOR_ALERT)


def written(kind: str, payload: dict[str, Any]) -> tuple[str, list[str]]:
    """(subject, paragraphs) of a digest, its confirmation or a moderators' alert."""
    if kind == DIGEST_CONFIRM:
        return _("Please confirm your subscription"), _confirm(payload)
    if kind == DIGEST:
        return _("Your weekly summary"), _digest(payload)
    if kind == DIGEST_SOS:
        return _("Important update"), _sos(payload)
    if kind == MODERATOR_ALERT:
        return _("Items waiting for review"), _alert(payload)
    raise ValueError(kind)


def _confirm(payload: dict[str, Any]) -> list[str]:
    scope = payload.get("scope")
    return [
        _("Hello,"),
        (
            _(
                "Someone, probably you, asked for a weekly summary of news about %(name)s.",
                name=scope,
            )
            if scope
            else _("Someone, probably you, asked for a weekly summary of new works.")
        ),
        _("To confirm, open this page and press the button:") + "\n" + payload["confirm"],
        ngettext(
            "If you did not ask, do nothing: this address will be erased in %(num)d day.",
            "If you did not ask, do nothing: this address will be erased in %(num)d days.",
            int(payload["days"]),
        ),
        _("Please do not reply to this message."),
        _("The editorial team"),
    ]


def _addresses(payload: dict[str, Any]) -> list[str]:
    return [*payload.get("mirrors", ()), *([payload["onion"]] if payload.get("onion") else [])]


def _leave(payload: dict[str, Any]) -> list[str]:
    return [
        _(
            "You receive this summary because you asked for it. To stop it and erase "
            "your address, open this page and press the button:"
        )
        + "\n"
        + payload["unsubscribe"],
        _("The editorial team"),
    ]


def _digest(payload: dict[str, Any]) -> list[str]:
    paragraphs = [_("Hello,")]
    works = payload.get("works") or []
    if works:
        lines = [_("New works:")]
        for work in works:
            names = ", ".join(work.get("names") or [])
            title = f"{work['title']} ({names})" if names else work["title"]
            lines.append(f"– {title}\n  {work['url']}")
        paragraphs.append("\n".join(lines))
    news = payload.get("news") or []
    if news:
        lines = [_("Profiles updated:")]
        lines += [f"– {person['name']}\n  {person['url']}" for person in news]
        paragraphs.append("\n".join(lines))
    write = payload.get("write") or []
    if write:
        lines = [_("They are waiting for letters. You can write from these pages:")]
        lines += [f"– {person['name']}\n  {person['url']}" for person in write]
        paragraphs.append("\n".join(lines))
    addresses = _addresses(payload)
    if addresses:
        paragraphs.append(
            "\n".join([_("If the usual address does not open, try these:"), *addresses])
        )
    return paragraphs + _leave(payload)


def _sos(payload: dict[str, Any]) -> list[str]:
    paragraphs = [_("Hello,"), payload["message"]]
    addresses = [*payload.get("main", ()), *_addresses(payload)]
    if addresses:
        paragraphs.append("\n".join([_("You can read us at these addresses:"), *addresses]))
    return paragraphs + _leave(payload)


def _alert(payload: dict[str, Any]) -> list[str]:
    counts = payload["counts"]
    paragraphs = [_("Hello,")]
    if payload.get("at_risk_now"):
        paragraphs.append(_("A visitor has just reported that a work identifies a person at risk."))
    paragraphs.append(
        "\n".join(
            [
                _("Waiting now:"),
                "– "
                + ngettext("%(num)d work to review", "%(num)d works to review", counts["works"]),
                "– "
                + ngettext("%(num)d letter to read", "%(num)d letters to read", counts["letters"]),
                "– "
                + ngettext(
                    "%(num)d open report of a person at risk",
                    "%(num)d open reports of a person at risk",
                    counts["at_risk"],
                ),
                "– "
                + ngettext(
                    "%(num)d work hidden automatically",
                    "%(num)d works hidden automatically",
                    counts["hidden"],
                ),
            ]
        )
    )
    paragraphs.append(_("Moderation:") + "\n" + payload["url"])
    paragraphs.append(
        _(
            "You receive this because you asked for alerts. An administrator can turn "
            "them off. Please do not reply to this message."
        )
    )
    paragraphs.append(_("The moderation team"))
    return paragraphs
