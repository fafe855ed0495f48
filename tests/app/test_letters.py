"""Letters and birthdays: each imprisoned person's page says how to write to them, and the
home page lists the birthdays of the next 60 days so visitors can send a card in time."""

from __future__ import annotations

from datetime import date

import pytest

from gallery.models import PrisonerStatus
from gallery.public import queries
from gallery.web import builtfiles
from helpers import spaced


@pytest.mark.parametrize(
    ("born", "today", "expected"),
    [
        (date(1993, 3, 22), date(2026, 1, 21), date(2026, 3, 22)),  # 60 days ahead: listed
        (date(1993, 3, 22), date(2026, 3, 22), date(2026, 3, 22)),  # today
        (date(1993, 3, 22), date(2026, 3, 23), date(2027, 3, 22)),  # just passed: next year
        (date(1992, 2, 29), date(2027, 2, 1), date(2027, 2, 28)),  # no 29 February in 2027
        (date(1992, 2, 29), date(2028, 2, 1), date(2028, 2, 29)),
    ],
)
def test_next_birthday(make_prisoner, born, today, expected):
    assert make_prisoner(birth_date=born).next_birthday(today) == expected


def test_upcoming_birthdays_are_the_next_60_days_of_people_in_prison(make_prisoner):
    today = date(2026, 1, 21)
    make_prisoner(name="In sixty days", birth_date=date(1990, 3, 22))
    make_prisoner(name="Tomorrow", birth_date=date(1980, 1, 22))
    make_prisoner(name="In sixty-one days", birth_date=date(1990, 3, 23))
    make_prisoner(name="Released", birth_date=date(1990, 2, 1), status=PrisonerStatus.RELEASED)
    make_prisoner(name="No date")
    names = [(p.name, day) for p, day in queries.upcoming_birthdays(today)]
    assert names == [("Tomorrow", date(2026, 1, 22)), ("In sixty days", date(2026, 3, 22))]


def test_the_home_page_says_when_to_send_a_card(client, make_prisoner, monkeypatch):
    prisoner = make_prisoner(name="Azat", birth_date=date(1993, 3, 22))
    real = queries.upcoming_birthdays
    monkeypatch.setattr(queries, "upcoming_birthdays", lambda: real(date(2026, 3, 1)))
    assert "Send a card to Azat before 22 March." in client.get("/en/").get_data(as_text=True)
    fr = spaced(client.get("/fr/").get_data(as_text=True))
    assert "22 mars" in fr and f'href="/fr/prisoners/{prisoner.slug}#help"' in fr
    assert "22 марта" in spaced(client.get("/ru/").get_data(as_text=True))
    monkeypatch.setattr(queries, "upcoming_birthdays", lambda: real(date(2026, 6, 1)))
    # Another day: the cached home page of the first one is not served (web/pagecache.py
    # keys pages by the day in the prisoners' time zone; the clock is not moved here).
    monkeypatch.setattr(builtfiles, "today", lambda: "2026-06-01")
    assert "Send a card to" not in client.get("/en/").get_data(as_text=True)


def test_the_prisoner_page_says_how_to_write(client, make_prisoner):
    prisoner = make_prisoner(name="Ada", letter_guidance="Write in **Russian**.")
    html = client.get(f"/en/prisoners/{prisoner.slug}").get_data(as_text=True)
    assert '<h3 id="write">How to write a letter</h3>' in html  # the page is Ada's: no name needed
    assert "<strong>Russian</strong>" in html
    assert "We do not publish an address for this prisoner" in html
