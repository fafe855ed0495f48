"""Addresses whose path cannot name a row: numbers past a row id's 32 bits, and NUL bytes, in every
route (security review, turn 3: §13 and "also"). Both were 500s on PostgreSQL only, so this
module means most with TEST_DATABASE_URL set; it runs on SQLite too."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import Rule

from gallery.models import Campaign, Role, WorkStatus
from gallery.web.http import ROW_ID_MAX
from helpers import csrf_token_of, fresh, saved

# Query parameters some view reads (web/http.py, public/, moderation/), each sent alone.
QUERY_NAMES = (
    "page",
    "after",
    "before",
    "prisoner",
    "campaign",
    "tag",
    "lang",
    "limit",
    "next",
    "q",
    "size",
    "interval",
)


def _own_rules(app) -> list[Rule]:
    # The /<lang>/ copies reach the same views as the bare rules.
    return [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint != "static" and not r.rule.startswith("/<lang")
    ]


def _path(rule: Rule, values: dict[str, str]) -> str:
    path = rule.rule
    for arg in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", values[arg], path)
    return path


@pytest.fixture
def rows(client, make_work, make_prisoner) -> dict[str, str]:
    """Real values for every path argument, so only the one being tested is hostile."""
    prisoner = make_prisoner(name="Ada")
    campaign = saved(Campaign(slug="rally", title="Rally"))
    work = make_work(prisoners=(prisoner,), campaign_id=campaign.id)
    pending = make_work(status=WorkStatus.PENDING)
    return {
        "slug": prisoner.slug,
        "public_id": work.public_id,
        "work_id": str(pending.id),
        "prisoner_id": str(prisoner.id),
        "campaign_id": str(campaign.id),
        "report_id": "1",
        "letter_id": "1",
        "moderator_id": "1",
        "key": work.image_key,
        "filename": "thumb.webp",
        "token": "t" * 43,
        "upload_id": "u" * 43,  # an upload (/uploads/<id>) nobody started: 404
        "image_id": "1",  # one of a work's other images
        "name": "gallery",  # the ActivityPub actor (FEDERATION_NAME)
    }


def _as_admin(client, make_moderator, login) -> str:
    fresh()
    make_moderator("walker", role=Role.ADMIN)
    assert login("walker").status_code == 303
    return csrf_token_of(client, "/moderation/")


# ---- numbers past a row id's 32 bits: 404, never a 500 ----


def test_a_number_past_a_row_id_in_any_int_route_is_404(app, client, rows, make_moderator, login):
    token = _as_admin(client, make_moderator, login)
    rules = [
        r
        for r in _own_rules(app)
        if any(type(r._converters[a]).__name__ == "RowIdConverter" for a in r.arguments)
    ]
    assert len(rules) >= 15  # works, prisoners, campaigns, reports, moderators
    answers = {}
    for rule in rules:
        for number in (
            str(ROW_ID_MAX + 1),
            str(2**63),
            "99999999999999999999",
            "9" * 5000,
            "%D9%A3",
        ):
            values = {**rows, **{a: number for a in rule.arguments}}
            for method in sorted(rule.methods & {"GET", "POST"}):
                response = client.open(
                    _path(rule, values), method=method, data={"csrf_token": token}
                )
                answers[method, rule.rule, number[:22]] = response.status_code
    assert set(answers.values()) == {404}, {k: v for k, v in answers.items() if v != 404}
    # The largest id a row can have is an ordinary miss; a real id in other digits is none.
    assert client.get(f"/moderation/works/{ROW_ID_MAX}").status_code == 404
    assert client.get(f"/moderation/works/{rows['work_id']}").status_code == 200
    arabic_indic = "".join(chr(0x660 + int(d)) for d in rows["work_id"])
    assert client.get(f"/moderation/works/{arabic_indic}").status_code == 404


# ---- NUL in a path segment or a query value ----


@pytest.mark.parametrize(
    "key, filename",
    [
        ("%00", "thumb.jpg"),
        ("a%00b", "large.jpg"),
        ("A" * 21 + "%00", "thumb.webp"),
        (None, "thumb%00.jpg"),
    ],
)
def test_a_nul_in_a_media_address_is_404(client, rows, key, filename):
    """The view looked the key up before checking its shape: PostgreSQL refuses a NUL in a
    string with an error (a 500), where SQLite finds nothing."""
    response = client.get(f"/media/{key or rows['key']}/{filename}")
    assert response.status_code == 404


@pytest.mark.slow
def test_a_nul_in_any_path_segment_or_query_value_is_never_a_5xx(
    app, client, rows, make_moderator, login
):
    failures: dict[str, int] = {}
    seen = 0

    def walk(token: str | None) -> None:
        nonlocal seen
        for rule in _own_rules(app):
            methods = sorted(rule.methods & ({"GET", "POST"} if token else {"GET"}))
            for arg in rule.arguments:
                for nul in ("%00", "x%00y"):
                    for method in methods:
                        path = _path(rule, {**rows, arg: nul})
                        with client.open(
                            path, method=method, data={"csrf_token": token or ""}
                        ) as response:
                            seen += 1
                            if response.status_code >= 500:
                                failures[f"{method} {path}"] = response.status_code
            if token and "GET" in methods:  # a moderator reaches every page
                path = _path(rule, rows)
                for name in QUERY_NAMES:
                    with client.get(f"{path}?{name}=%00") as response:
                        seen += 1
                        if response.status_code >= 500:
                            failures[f"GET {path}?{name}=%00"] = response.status_code

    walk(None)
    walk(_as_admin(client, make_moderator, login))
    assert seen > 600
    assert failures == {}
