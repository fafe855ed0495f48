"""One keyset cursor codec and one ?page= parser, for the grid, the queue and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gallery.core.paging import BadQuery, Cursor, page_number
from gallery.extensions import db
from gallery.models import WorkStatus, utcnow
from helpers import approving

HOSTILE_CURSORS = [
    "1-2\n",  # "$" in a regular expression lets a trailing newline through
    "²-1",  # str.isdigit() says yes, int() says no
    "١٢-3",  # Arabic-Indic digits
    "1-9223372036854775808",  # one past the largest row id
    "1-99999999999999999999",
    "999999999999999999-1",  # past the year 9999
    "-1-2",
    "1_000-2",
    " 1-2",
    "1-",
    "garbage",
]


def test_a_cursor_survives_the_round_trip_to_the_microsecond():
    moment = datetime(2026, 3, 1, 12, 30, 45, 123457, tzinfo=UTC)
    cursor = Cursor(moment, 42)
    assert (
        cursor.encode()
        == f"{int((moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())}123457-42"
    )
    assert Cursor.decode(cursor.encode()) == cursor
    late = Cursor(datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), 2**63 - 1)
    assert Cursor.decode(late.encode()) == late


@pytest.mark.parametrize("text", HOSTILE_CURSORS)
def test_anything_the_codec_did_not_write_is_a_bad_query(text):
    with pytest.raises(BadQuery):
        Cursor.decode(text)


@pytest.mark.parametrize(
    ("raw", "page"),
    [
        (None, 1),
        ("", 1),
        ("1", 1),
        ("7", 7),
        ("100000", 100000),
        ("100001", 1),
        ("0", 1),
        ("-3", 1),
        ("²", 1),
        ("٣", 1),
        ("3\n", 1),
        ("1e3", 1),
        ("9999999", 1),
    ],
)
def test_page_numbers(raw, page):
    assert page_number(raw) == page


@pytest.mark.parametrize("text", HOSTILE_CURSORS)
def test_the_grid_refuses_hostile_cursors_politely(client, text):
    for name in ("after", "before"):
        response = client.get("/works", query_string={name: text})
        assert response.status_code == 400, (name, text)
        assert "could not be understood" in response.get_data(as_text=True)


def test_a_superscript_page_number_is_page_one(client, make_work):
    make_work(title="Only one")
    response = client.get("/works", query_string={"page": "²"})
    assert response.status_code == 200 and "Only one" in response.get_data(as_text=True)


@pytest.mark.parametrize("text", HOSTILE_CURSORS)
def test_the_queue_and_the_audit_log_refuse_hostile_cursors(client, moderator, text):
    assert client.get("/moderation/", query_string={"after": text}).status_code == 400
    assert client.get("/moderation/audit", query_string={"before": text}).status_code == 400


def test_the_audit_log_pages_newest_first_with_the_shared_cursor(app, client, moderator, make_work):
    # The login is one event; approving 60 works makes 60 more: two pages of 50.
    works = [make_work(status=WorkStatus.PENDING, title=f"Audit {n:02d}") for n in range(60)]
    for work in works:
        response = client.post(
            f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id)
        )
        assert response.status_code == 303
    first = client.get("/moderation/audit").get_data(as_text=True)
    assert first.index("Audit 59") < first.index("Audit 58")
    assert "Audit 09" not in first
    next_href = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    cursor = next_href.split("before=")[1]
    Cursor.decode(cursor)  # the link carries the shared codec's cursor
    second = client.get(next_href).get_data(as_text=True)
    assert "Audit 09" in second and "Audit 00" in second and "Audit 10" not in second
    assert 'rel="next"' not in second


def test_the_queue_pages_with_the_shared_cursor(app, client, moderator, make_work):
    app.config["MODERATION_PER_PAGE"] = 2
    start = utcnow() - timedelta(hours=1)
    works = [make_work(status=WorkStatus.PENDING, title=f"Queued {n}") for n in range(3)]
    for n, work in enumerate(works):
        work.submitted_at = start + timedelta(minutes=n)
    db.session.commit()
    html = client.get("/moderation/").get_data(as_text=True)
    cursor = html.split('rel="next" href="/moderation/?after=')[1].split('"')[0]
    assert Cursor.decode(cursor) == Cursor(works[1].submitted_at, works[1].id)
    rest = client.get(f"/moderation/?after={cursor}").get_data(as_text=True)
    assert "Queued 2" in rest and "Queued 0" not in rest
