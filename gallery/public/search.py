"""/search?q=: published works and prisoner profiles, ranked, one list, paged by ?page=.

What the visitor typed is never passed to the database as a query: gallery.search folds
it into words, stems them in the page's language and quotes each. Too long a query, or
one holding a NUL, is refused (400); an empty one, or one with no letter or digit at all,
gets the form and a word of advice.

In a static copy (export-static), the page is the form alone, with a script that searches
the copy's own index in the browser (commands/mirror/searchindex.py)."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from .. import search as index
from ..web.http import page_arg
from ..web.limits import from_export

bp = Blueprint("search", __name__)

REFUSED = {
    "too-long": _l(
        "Your search is too long. Please use at most %(num)s characters.",
        num=index.MAX_QUERY_LENGTH,
    ),
    "nul": _l("Your search holds a character that cannot be searched for. Please type it again."),
}


@bp.get("/search")
def search() -> ResponseReturnValue:
    """The results of a search, best first, or the form and a message."""
    if from_export():
        # export-static's copy: the form, searched in the browser (commands/mirror/).
        return render_template(
            "public/search.html", offline=True, max_length=index.MAX_QUERY_LENGTH
        )
    raw = request.args.get("q", "")
    status = 200
    refused = None
    try:
        terms = index.parse_query(raw, get_locale())  # stemmed in the page's language
    except index.QueryRefused as exc:
        terms, refused, status = index.Terms(()), REFUSED[str(exc)], 400
    per_page = int(current_app.config["SEARCH_PER_PAGE"])
    results = index.find(terms, page=page_arg(), per_page=per_page) if terms else None
    # The form itself is a page like any other; results (any address with a query) are
    # kept out of search engines here and in robots.txt.
    results_page = bool(request.args)
    body = render_template(
        "public/search.html",
        results_page=results_page,
        q=raw if refused is None else "",
        terms=terms,
        results=results,
        refused=refused,
        max_length=index.MAX_QUERY_LENGTH,
        typed=bool(raw.strip()),
        mark=index.highlight,
        snippet=index.snippet,
        plain=index.plain,
    )
    response = make_response(body, status)
    if results_page:
        response.headers["X-Robots-Tag"] = "noindex"
    return response
