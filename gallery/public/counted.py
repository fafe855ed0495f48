"""What the public pages count (issue 25), for web/counting.py: slideshows started (the page
cache answers them before their view runs, so they are counted by endpoint), and the
work, prisoner or campaign a page from a QR code (?src=qr) is about. The print views
count for themselves (prints.py), since they always run."""

from __future__ import annotations

from flask import Flask, request
from sqlalchemy import select

from ..core.text import is_slug
from ..extensions import db
from ..models import Campaign, Prisoner, Work, WorkStatus, work_prisoners
from ..models import impact as kinds
from ..web.counting import Count, on_endpoint, subject_for_qr
from .queries import PUBLIC_ID_RE


def work_subject(public_id: str) -> Count | None:
    """A public work's id, its campaign's, and its prisoner's when it stands with one only
    (with several, the impact pages find it through the work: web/impact_figures.py)."""
    if not PUBLIC_ID_RE.match(public_id):
        return None
    row = db.session.execute(
        select(Work.id, Work.campaign_id).where(
            Work.public_id == public_id,
            Work.status == WorkStatus.APPROVED,
            Work.hidden.is_(False),
        )
    ).first()
    if row is None:
        return None
    prisoners = db.session.scalars(
        select(work_prisoners.c.prisoner_id).where(work_prisoners.c.work_id == row.id).limit(2)
    ).all()
    sole = prisoners[0] if len(prisoners) == 1 else None
    return Count(kinds.QR, row.id, sole, row.campaign_id)


def prisoner_id(slug: str) -> int | None:
    return (
        db.session.scalar(select(Prisoner.id).where(Prisoner.slug == slug))
        if is_slug(slug)
        else None
    )


def campaign_id(slug: str) -> int | None:
    return (
        db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        if is_slug(slug)
        else None
    )


def _work(args: dict[str, str]) -> Count | None:
    return work_subject(args.get("public_id", ""))


def _prisoner(args: dict[str, str]) -> Count | None:
    found = prisoner_id(args.get("slug", ""))
    return Count(kinds.QR, prisoner_id=found) if found else None


def _campaign(args: dict[str, str]) -> Count | None:
    found = campaign_id(args.get("slug", ""))
    return Count(kinds.QR, campaign_id=found) if found else None


def _slideshow(args: dict[str, str]) -> list[Count]:
    """A show started: its first page. Without JavaScript every slide is a page of its own
    (?start=N), and those are the same show going on."""
    if request.args.get("start"):
        return []
    if "slug" not in args:
        return [Count(kinds.SLIDESHOW)]
    found = campaign_id(args["slug"])
    return [Count(kinds.SLIDESHOW, campaign_id=found)] if found else []


def init_app(app: Flask) -> None:
    on_endpoint(app, "show.newest", _slideshow)
    on_endpoint(app, "show.campaign", _slideshow)
    subject_for_qr(app, "public.work", _work)
    subject_for_qr(app, "public.prisoner", _prisoner)
    subject_for_qr(app, "public.campaign", _campaign)
    subject_for_qr(app, "show.campaign", _campaign)
