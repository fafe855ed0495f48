"""Impact, counted without tracking (issue 25): `/impact`, `/impact/prisoners/<slug>` and
`/impact/campaigns/<slug>`, each in every language (`/fr/impact`...), cached like the other
public pages. The figures are the daily counts of web/counting.py (no visitor in them),
drawn as SVG bar charts on the server, each with its numbers in a table for screen
readers: no script is needed to read them."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from sqlalchemy import ColumnElement

from ..models import Campaign, Prisoner
from ..models import impact as kinds
from ..web import impact_figures
from ..web.http import or_404
from . import queries

bp = Blueprint("impact", __name__)


@bp.get("/impact")
def overview() -> ResponseReturnValue:
    """Every count, by kind, with the prisoners and campaigns that have some."""
    locale = str(get_locale())
    return render_template(
        "public/impact.html",
        figures=impact_figures.figures(),
        prisoners=impact_figures.counted_prisoners(queries.prisoners(locale)),
        campaigns=impact_figures.counted_campaigns(queries.campaigns()),
        kinds=kinds.KINDS,
    )


@bp.get("/impact/prisoners/<slug>")
def prisoner(slug: str) -> ResponseReturnValue:
    """What was done for one prisoner: this month's sentences, the charts, the totals."""
    found = or_404(queries.prisoner_by_slug(slug))
    return _subject(impact_figures.for_prisoner(found.id), prisoner=found)


@bp.get("/impact/campaigns/<slug>")
def campaign(slug: str) -> ResponseReturnValue:
    """What was done for one campaign."""
    found = or_404(queries.campaign_by_slug(slug))
    return _subject(impact_figures.for_campaign(found.id), campaign=found)


def _subject(
    counted: ColumnElement[bool],
    *,
    prisoner: Prisoner | None = None,
    campaign: Campaign | None = None,
) -> ResponseReturnValue:
    """One prisoner's or one campaign's page of counts."""
    return render_template(
        "public/impact_subject.html",
        prisoner=prisoner,
        campaign=campaign,
        figures=impact_figures.figures(counted),
        kinds=kinds.KINDS,
    )
