"""Public pages: home, the grid, works, prisoners, campaigns, the artists' guide, health."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from ..images import SIZES
from ..verbs import letters
from ..web import health
from ..web.http import cursor_arg, or_404, page_arg, private, wants_activity_json
from . import federation as activitypub
from . import queries

bp = Blueprint("public", __name__)
# The newest postcard-safe works a campaign page looks at to offer its postcards' sheet.
POSTCARD_LOOKUP = 24
# The home page's "write to" block: this many people, fewest letters first.
WRITE_TO_SHOWN = 4


def _locale() -> str:
    return str(get_locale())


def _first_works(filters: queries.GridFilters) -> queries.GridPage:
    """The newest works of a prisoner or campaign page: two grid pages' worth, then a link."""
    return queries.grid_page(filters, per_page=current_app.config["WORKS_PER_PAGE"] * 2)


@bp.get("/")
def home() -> ResponseReturnValue:
    """Newest works, featured prisoners and the latest campaign."""
    return render_template(
        "public/home.html",
        works=queries.newest_works(8),
        prisoners=queries.prisoners(_locale(), featured_only=True),
        campaigns=queries.campaigns()[:2],
        birthdays=queries.upcoming_birthdays(),
        # "Write to": fewest letters sent in the last 30 days first.
        write_to=letters.who_needs_letters(WRITE_TO_SHOWN),
    )


@bp.get("/works")
def works() -> ResponseReturnValue:
    """The gallery grid, filtered by prisoner, campaign or tag, newest first.

    A malformed filter or cursor raises paging.BadQuery, which the error pages answer with
    400; a well-formed slug that names nothing is 404."""
    filters = queries.resolve_filters(
        request.args.get("prisoner"), request.args.get("campaign"), request.args.get("tag")
    )
    if filters is None:
        abort(404)
    grid = queries.grid_page(
        filters,
        page=page_arg(),
        after=cursor_arg("after"),
        before=cursor_arg("before"),
        per_page=current_app.config["WORKS_PER_PAGE"],
    )
    return render_template(
        "public/works.html",
        grid=grid,
        list_from=queries.grid_context(filters),
        all_prisoners=queries.prisoners(_locale()),
        all_campaigns=queries.campaigns(),
        all_tags=queries.tags_in_use(str(get_locale())),
    )


@bp.get("/works/<public_id>")
def work(public_id: str) -> ResponseReturnValue:
    """One approved work; with ?from= (the list the visitor came from: the grid and its
    filters, a prisoner's or a campaign's works, a search), links to the previous and next
    works of that list.

    A ?from= that names no list, or a list the work is not in, gets a 301 to the address
    without it, so the page cache keeps one copy a real list (the key holds ?from=). A
    page opened from a search is never kept: any words make a new address, as on /search.

    Asked for ActivityPub JSON (Accept), it answers the work's Note instead (404 unless
    FEDERATION is on and the work was announced); the page says `Vary: Accept`."""
    if wants_activity_json():
        return activitypub.work_note(public_id)
    found = or_404(queries.public_work(public_id))
    around = None
    raw = request.args.get("from")
    if raw is not None:
        context = queries.list_context(raw)
        around = queries.neighbours(context, found, get_locale()) if context else None
        if around is None:
            args = {k: v for k, v in request.args.items() if k != "from"}
            return redirect(url_for("public.work", public_id=found.public_id, **args), 301)
    body = render_template(
        "public/work.html",
        work=found,
        around=around,
        more=queries.more_for_prisoners(found),
    )
    response = (
        private(body) if around is not None and around.context.is_search else make_response(body)
    )
    response.vary.add("Accept")
    return response


@bp.get("/prisoners")
def prisoners() -> ResponseReturnValue:
    """Every prisoner we tell the story of."""
    return render_template(
        "public/prisoners.html",
        prisoners=queries.prisoners(_locale()),
        counts=queries.approved_count_by_prisoner(),
    )


@bp.get("/prisoners/<slug>")
def prisoner(slug: str) -> ResponseReturnValue:
    """A prisoner's story, how to help, and the works made for them."""
    found = or_404(queries.prisoner_by_slug(slug))
    grid = _first_works(queries.GridFilters(prisoner=found))
    return render_template(
        "public/prisoner.html",
        prisoner=found,
        grid=grid,
        list_from=queries.grid_context(grid.filters),
    )


@bp.get("/campaigns/<slug>")
def campaign(slug: str) -> ResponseReturnValue:
    """A rally, exhibition or other campaign, with its prisoners and works."""
    found = or_404(queries.campaign_by_slug(slug))
    grid = _first_works(queries.GridFilters(campaign=found))
    # Its table sheet of postcards is offered when it has at least one card.
    postcards = bool(queries.postcard_pairs(found, POSTCARD_LOOKUP))
    return render_template(
        "public/campaign.html",
        campaign=found,
        grid=grid,
        list_from=queries.grid_context(grid.filters),
        postcards=postcards,
    )


@bp.get("/help/artists")
def help_artists() -> ResponseReturnValue:
    """The artists' guide: sending a work, what we remove, covering faces, the private link."""
    # The largest size kept, said as the pipeline makes it (images/settings.py).
    return render_template("public/help_artists.html", largest=SIZES["large"])


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Each dependency's state (web/health.py): 200 when the site can serve ("ok", or
    "degraded" when one it can do without is down), 503 when one it needs is down."""
    serving, states = health.check(current_app._get_current_object())  # type: ignore[attr-defined]
    degraded = any(
        state in (health.DOWN, health.TIMEOUT, health.RETRYING) for state in states.values()
    )
    status = "error" if not serving else "degraded" if degraded else "ok"
    response = jsonify(status=status, **states)
    response.status_code = 200 if serving else 503
    response.headers["Cache-Control"] = "no-store"
    if not serving:
        response.headers["Retry-After"] = "30"
    return response
