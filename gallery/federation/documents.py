"""The JSON documents the gallery shows and sends: WebFinger's answer, the actor, a work as
a Note, and the activities (Create, Delete, Accept). Absolute addresses are built on
PUBLIC_URL (which FEDERATION requires), so they are the same in a request and in the
courier; works' addresses carry no language (`/works/<id>`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..models import Work, WorkStatus, labels, utcnow
from .actors import Actor
from .base import AS_CONTEXT, AS_PUBLIC, SECURITY_CONTEXT

CONTEXT = [AS_CONTEXT, SECURITY_CONTEXT]
NO_LANGUAGE = {"lang_code": None}


def stamp(moment: datetime | None) -> str:
    return (moment or utcnow()).strftime("%Y-%m-%dT%H:%M:%SZ")


def actor_url(name: str) -> str:
    return url_for("federation.actor", name=name, _external=True)


def key_id(name: str) -> str:
    return actor_url(name) + "#main-key"


def followers_url(name: str) -> str:
    return url_for("federation.followers", name=name, _external=True)


def outbox_url(name: str) -> str:
    return url_for("federation.outbox", name=name, _external=True)


def work_url(work: Work) -> str:
    return url_for("public.work", public_id=work.public_id, _external=True, **NO_LANGUAGE)


def webfinger(name: str, host: str) -> dict[str, Any]:
    return {
        "subject": f"acct:{name}@{host}",
        "aliases": [actor_url(name)],
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": actor_url(name)},
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": url_for("public.home", _external=True, **NO_LANGUAGE),
            },
        ],
    }


def actor(name: str, public_pem: str, topic: Actor | None = None) -> dict[str, Any]:
    """An actor of the gallery, with its key: the gallery's own, or (`topic`) a prisoner's
    or a campaign's (actors.py), each a Service (Mastodon shows it as a bot) named and
    described in the site's default language."""
    url = actor_url(name)
    site = str(current_app.config["SITE_NAME"])
    with force_locale(_default_locale()):
        shown, summary, page = _described(topic, site)
    return {
        "@context": CONTEXT,
        "id": url,
        "type": "Service",
        "preferredUsername": name,
        "name": shown,
        "summary": str(escape(summary)),
        "url": page,
        "icon": {
            "type": "Image",
            "mediaType": "image/svg+xml",
            "url": url_for("static", filename="img/logo.svg", _external=True),
        },
        "inbox": url_for("federation.inbox", name=name, _external=True),
        "outbox": outbox_url(name),
        "followers": followers_url(name),
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "publicKey": {"id": key_id(name), "owner": url, "publicKeyPem": public_pem},
        "endpoints": {"sharedInbox": url_for("federation.shared_inbox", _external=True)},
    }


def _described(topic: Actor | None, site: str) -> tuple[str, str, str]:
    """(name, summary, page) of an actor, in the current (default) language."""
    locale = _default_locale()
    if topic is not None and topic.prisoner is not None:
        name = topic.prisoner.name_for(locale)
        own = topic.prisoner.text_for("summary", locale)
        summary = _("Art made in solidarity with %(name)s, from %(site)s.", name=name, site=site)
        if own is not None and own.text:
            summary = f"{summary} {own.text}"
        page = url_for("public.prisoner", slug=topic.prisoner.slug, _external=True, **NO_LANGUAGE)
        return name, summary, page
    if topic is not None and topic.campaign is not None:
        title = topic.campaign.text_for("title", locale)
        name = title.text if title is not None and title.text else topic.campaign.slug
        own = topic.campaign.text_for("summary", locale)
        summary = _("Works of the campaign %(title)s, from %(site)s.", title=name, site=site)
        if own is not None and own.text:
            summary = f"{summary} {own.text}"
        page = url_for("public.campaign", slug=topic.campaign.slug, _external=True, **NO_LANGUAGE)
        return name, summary, page
    summary = _(
        "Art made in solidarity with political prisoners: new works of %(site)s.", site=site
    )
    return site, summary, url_for("public.home", _external=True, **NO_LANGUAGE)


# Mastodon shows at most four attachments of a post.
MAX_ATTACHMENTS = 4


def share_attachment(work: Work) -> list[dict[str, Any]]:
    """The share rendition (about 1200 px, JPEG) of each of the work's images, its cover
    image first, at most MAX_ATTACHMENTS, and nothing else: never the large one, never the
    original."""
    locale = work.text_locale or _default_locale()
    found = []
    for image in work.all_images:
        info = (image.renditions or {}).get("share") or {}
        filename = (info.get("files") or {}).get("jpeg")
        if not image.image_key or not filename:
            continue
        alt = image.text_for("alt_text", locale)
        url = url_for("media.file", key=image.image_key, filename=filename, _external=True)
        found.append(
            {
                "type": "Image",
                "mediaType": "image/jpeg",
                "url": url,
                "name": alt.text if alt else "",
                "width": info.get("width"),
                "height": info.get("height"),
            }
        )
    return found[:MAX_ATTACHMENTS]


def _default_locale() -> str:
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def content(work: Work) -> str:
    """The Note's text (HTML, every part escaped): title with its link, the artist as the
    public pages show them, the prisoners, the licence (ActivityPub has no licence field)."""
    locale = work.text_locale or _default_locale()
    title = work.text_for("title", locale)
    link = work_url(work)
    artist = labels.artist_name(work) or _("Anonymous")
    parts = [
        Markup('<p><a href="%s">%s</a></p>') % (link, title.text if title else ""),
        Markup("<p>%s</p>") % _("By %(artist)s", artist=artist),
    ]
    if work.prisoners:
        names = ", ".join(p.name_shown(locale).text for p in work.prisoners)
        parts.append(Markup("<p>%s</p>") % _("In solidarity with %(names)s", names=names))
    parts.append(
        Markup("<p>%s</p>") % _("Licence: %(name)s", name=labels.licence_name(work.licence))
    )
    return str(Markup("").join(parts))


def note(work: Work, name: str) -> dict[str, Any]:
    """A published work as a Note (what Pixelfed sends for a post)."""
    with force_locale(_default_locale()):
        html = content(work)
        attachment = share_attachment(work)
        # A content warning: Mastodon hides the image behind it (CW), as the gallery does.
        warning = labels.content_warning(work)
    url = work_url(work)
    extra = {"summary": warning} if warning else {}
    return {
        "id": url,
        "type": "Note",
        "attributedTo": actor_url(name),
        "url": url,
        "published": stamp(work.published_at),
        "to": [AS_PUBLIC],
        "cc": [followers_url(name)],
        "content": html,
        "contentMap": {work.text_locale or _default_locale(): html},
        "sensitive": warning is not None,
        **extra,
        "attachment": attachment,
    }


def is_public(work: Work) -> bool:
    return work.status == WorkStatus.APPROVED and not work.hidden and work.published_at is not None


def create(work: Work, name: str) -> dict[str, Any]:
    obj = note(work, name)
    return {
        "@context": CONTEXT,
        "id": obj["id"] + "#create",
        "type": "Create",
        "actor": actor_url(name),
        "published": obj["published"],
        "to": obj["to"],
        "cc": obj["cc"],
        "object": obj,
    }


def update(work: Work, name: str) -> dict[str, Any]:
    """The Note again, with `updated` (now): a correction of an announced work."""
    obj = note(work, name)
    obj["updated"] = stamp(utcnow())
    return {
        "@context": CONTEXT,
        "id": f"{obj['id']}#update-{uuid.uuid4().hex}",
        "type": "Update",
        "actor": actor_url(name),
        "to": obj["to"],
        "cc": obj["cc"],
        "object": obj,
    }


def announce_id(work: Work, name: str) -> str:
    return f"{actor_url(name)}#announce-{work.public_id}"


def announce(work: Work, name: str, author: str) -> dict[str, Any]:
    """Actor `name` (a prisoner's or a campaign's) boosts the Note of `author` (the
    gallery's actor): what Mastodon shows in the home timeline of its followers."""
    return {
        "@context": CONTEXT,
        "id": announce_id(work, name),
        "type": "Announce",
        "actor": actor_url(name),
        "published": stamp(work.published_at),
        "to": [AS_PUBLIC],
        "cc": [followers_url(name), actor_url(author)],
        "object": work_url(work),
    }


def delete(work: Work, name: str) -> dict[str, Any]:
    url = work_url(work)
    return {
        "@context": CONTEXT,
        "id": f"{url}#delete-{uuid.uuid4().hex}",
        "type": "Delete",
        "actor": actor_url(name),
        "to": [AS_PUBLIC],
        "cc": [followers_url(name)],
        "object": {"id": url, "type": "Tombstone"},
    }


def accept(name: str, follow: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "id": f"{actor_url(name)}#accept-{uuid.uuid4().hex}",
        "type": "Accept",
        "actor": actor_url(name),
        "object": follow,
    }
