"""The optional actors besides the gallery's (FEDERATION_ACTORS): one per prisoner
(`prisoner-<slug>`) and one per campaign (`campaign-<slug>`), each followed for the works
of its prisoner or campaign alone.

Names: slugs are ASCII already (python-slugify, docs/developers/decisions/0007-slugs.md:
lower-case letters, digits and dashes, never changed once made), so the names are stable
and Mastodon takes them; the two prefixes keep a prisoner and a campaign of the same slug
apart, and FEDERATION_NAME may not start with either (init_app refuses it). A slug too long
for a 64-character name, or not ASCII (one written by hand), gets no actor.

Keys: every actor signs with the gallery actor's one key pair, published under each
actor's own key id (`<actor>#main-key`, owner the actor): a remote server checks a
signature against the actor it names, and nothing is gained by thousands of keys made and
sealed one by one (a leaked key is the gallery's either way).

What they send: the gallery's actor Creates each work (its Note is the gallery's); each
topic actor Announces it (a boost), which is what Mastodon puts in the home timeline of
those who follow the topic actor and not the gallery. Each remote follower is reached once
per work: by the Create when it follows the gallery, else by the first of its prisoners' and
campaign's Announces it follows; each activity goes once to each (shared) inbox."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Campaign, Prisoner, Work
from .base import actor_name

PRISONERS = "prisoners"
CAMPAIGNS = "campaigns"
KINDS = (PRISONERS, CAMPAIGNS)
PREFIX = {PRISONERS: "prisoner-", CAMPAIGNS: "campaign-"}
MAX_NAME = 64
# What Mastodon takes inside a user name; a slug written otherwise (by hand, in a script
# other than Latin) gets no actor rather than one no server could find.
SLUG = re.compile(r"[A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*")


@dataclass(frozen=True)
class Actor:
    """One of the gallery's actors: `kind` is None for the gallery's own."""

    name: str
    kind: str | None = None
    prisoner: Prisoner | None = None
    campaign: Campaign | None = None


def kinds() -> tuple[str, ...]:
    """The kinds of topic actors turned on (FEDERATION_ACTORS)."""
    chosen = current_app.config.get("FEDERATION_ACTORS") or ()
    return tuple(kind for kind in KINDS if kind in chosen)


def name_of(kind: str, slug: str) -> str | None:
    """The actor name of a prisoner's or campaign's slug; None when it can have none."""
    name = PREFIX[kind] + slug
    return name if len(name) <= MAX_NAME and SLUG.fullmatch(slug) else None


def find(name: str) -> Actor | None:
    """The actor called `name`, or None (unknown, deleted, or its kind is off)."""
    if name == actor_name():
        return Actor(name)
    for kind in kinds():
        prefix = PREFIX[kind]
        if not name.startswith(prefix) or len(name) > MAX_NAME:
            continue
        slug = name[len(prefix) :]
        if name_of(kind, slug) is None:
            return None
        if kind == PRISONERS:
            prisoner = db.session.scalar(select(Prisoner).where(Prisoner.slug == slug))
            return Actor(name, kind, prisoner=prisoner) if prisoner is not None else None
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        return Actor(name, kind, campaign=campaign) if campaign is not None else None
    return None


def of_work(work: Work) -> list[str]:
    """The names of the topic actors of `work` (its prisoners', then its campaign's) that
    are turned on."""
    on = kinds()
    names: list[str | None] = []
    if PRISONERS in on:
        names += [name_of(PRISONERS, p.slug) for p in sorted(work.prisoners, key=lambda p: p.id)]
    if CAMPAIGNS in on and work.campaign is not None:
        names.append(name_of(CAMPAIGNS, work.campaign.slug))
    return [name for name in names if name is not None]
