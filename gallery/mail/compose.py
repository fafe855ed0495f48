"""The message telling an artist of a decision: plain text in their language, a neutral
subject and sender's name, a random Message-ID. The digests' and alerts' words are in
bulletins.py."""

from __future__ import annotations

import secrets
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..core.typography import typeset
from ..models.labels import LETTER_REFUSALS, PRESET_REASONS, explained
from . import bulletins
from .base import APPROVED, DIGESTS, LETTER_REFUSED, LETTER_SENT, REJECTED

# ---- the message ----


def compose(kind: str, payload: dict[str, Any], sender: str) -> EmailMessage:
    """The message, in the artist's language: one subject for every decision."""
    locale = payload.get("locale")
    if locale not in current_app.config["LANGUAGES"]:
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        sender_name = _("Notifications")
        if kind in bulletins.OWN_WORDS:
            subject, paragraphs = bulletins.written(kind, payload)
        else:
            subject = _("News about your request")
            paragraphs = [_("Hello,")]
            if kind in (LETTER_SENT, LETTER_REFUSED):
                paragraphs += _letter_paragraphs(kind, payload)
            else:
                paragraphs += _work_paragraphs(kind, payload)
            # Signed by a role, never by the gallery's name (see above: the provider reads it).
            paragraphs.append(_("The moderation team"))
    # No-break spaces where a French or Russian line must not break (typography.py).
    subject = typeset(subject, locale)
    paragraphs = [typeset(p, locale) for p in paragraphs]
    message = EmailMessage()
    address = parseaddr(sender)[1]
    domain = address.rpartition("@")[2] or "localhost"
    message["Subject"] = subject
    # The configured address, under a neutral name whatever MAIL_DEFAULT_SENDER calls it.
    message["From"] = Address(display_name=sender_name, addr_spec=address)
    message["To"] = payload["to"]
    message["Date"] = formatdate(usegmt=True)
    # Random, at the sender's domain (already in From): email.utils.make_msgid() would
    # add the time and the worker's process id.
    message["Message-ID"] = f"<{secrets.token_hex(16)}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    if kind in DIGESTS:
        # One click in the mail program unsubscribes: a POST to this address, no form.
        message["List-Unsubscribe"] = f"<{payload['unsubscribe']}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content("\n\n".join(paragraphs) + "\n")  # (it clears Content-* headers)
    message["Content-Language"] = locale
    return message


def _letter_paragraphs(kind: str, payload: dict[str, Any]) -> list[str]:
    """What a letter's writer is told: sent, or not sent and why; the private page. Like
    every message, it names neither the prisoner nor the gallery."""
    if kind == LETTER_SENT:
        lines = [_("Your letter has been posted. Thank you for writing.")]
    else:
        lines = [_("Our volunteers have decided not to send your letter.")]
        why = explained(LETTER_REFUSALS, payload.get("preset"), payload.get("reason"))
        if why:
            lines.append(_("Their reason:") + "\n\n" + why)
    lines.append(_("Your letter’s private page:") + "\n" + payload["url"])
    lines.append(
        _(
            "You asked to be told by e-mail what became of your letter. Your address has "
            "now been erased. Please do not reply to this message."
        )
    )
    return lines


def _work_paragraphs(kind: str, payload: dict[str, Any]) -> list[str]:
    """What an artist is told of a decision on their work, and their private page."""
    paragraphs: list[str] = []
    if kind == APPROVED:
        paragraphs.append(
            _("A moderator has approved your work: it is now published in the gallery.")
        )
    elif kind == REJECTED:
        paragraphs.append(
            _(
                "A moderator has decided not to publish your work, and its image has "
                "been deleted from our server."
            )
        )
        why = explained(PRESET_REASONS, payload.get("preset"), payload.get("reason"))
        if why:
            paragraphs.append(_("The moderator’s reason:") + "\n\n" + why)
    else:
        paragraphs.append(
            _(
                "A moderator has taken your work down from the gallery. It is back "
                "in the review queue."
            )
        )
    if kind == REJECTED:
        paragraphs.append(_("Your private page:") + "\n" + payload["url"])
    else:
        paragraphs.append(
            _("Your private page, where you can follow your work and withdraw it at any time:")
            + "\n"
            + payload["url"]
        )
    paragraphs.append(
        _(
            "You asked to be told by e-mail when a moderator decides. Keep this "
            "link to yourself. Please do not reply to this message."
        )
    )
    return paragraphs
