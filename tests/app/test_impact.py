"""Impact, counted without tracking (issue 25): each action moves its daily count once
flushed, and a bot, a HEAD, a prefetch or a revalidation (304) does not; ?src=qr counts,
also when the page cache answers; /impact and its pages in three languages, with plurals
and SVG charts; no table has a column about a visitor."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, inspect, select

from gallery.extensions import db
from gallery.models import Campaign, ImpactCount
from gallery.models import impact as kinds
from gallery.verbs import impact
from gallery.web.counting import is_bot
from helpers import fresh, png_bytes, saved, spaced

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"}


def count_of(kind: str, **ids: int) -> int:
    """What the table holds for kind (summed over days), once this process's counts are in."""
    impact.flush()
    fresh()
    where = [ImpactCount.kind == kind] + [getattr(ImpactCount, k) == v for k, v in ids.items()]
    return int(
        db.session.scalar(select(func.coalesce(func.sum(ImpactCount.count), 0)).where(*where))
    )


@pytest.fixture
def rally(azat):
    return saved(Campaign(slug="rally", title="Rally for Azat", prisoners=[azat]))


@pytest.fixture
def card(make_work, azat, rally):
    """A published, postcard-safe work for Azat, in the rally."""
    work = make_work(
        title="Red sun",
        prisoners=(azat,),
        campaign_id=rally.id,
        image=png_bytes((300, 420), (200, 40, 30)),
    )
    work.postcard_safe = True
    return saved(work)


def postcard_url(work) -> str:
    return f"/en/works/{work.public_id}/postcard.pdf?prisoner=azat"


# ---- the counts move with each action ----


def test_a_postcard_served_counts_for_its_work_prisoner_and_campaign(client, card, azat, rally):
    ids = {"work_id": card.id, "prisoner_id": azat.id, "campaign_id": rally.id}
    assert count_of(kinds.POSTCARD, **ids) == 0
    assert client.get(postcard_url(card), headers=BROWSER).status_code == 200
    assert count_of(kinds.POSTCARD, **ids) == 1
    # The second time it comes from the built file: it still counts.
    assert client.get(postcard_url(card), headers=BROWSER).status_code == 200
    jpeg = client.get(f"/works/{card.public_id}/postcard.jpg?prisoner=azat", headers=BROWSER)
    assert jpeg.status_code == 200
    assert count_of(kinds.POSTCARD, **ids) == 3
    row = db.session.scalars(select(ImpactCount)).one()
    assert row.day == datetime.now(UTC).date()


def test_bots_heads_prefetches_and_revalidations_count_nothing(client, card):
    first = client.get(postcard_url(card), headers=BROWSER)
    assert count_of(kinds.POSTCARD) == 1
    for headers in (
        {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"User-Agent": "TelegramBot (like TwitterBot)"},
        {"User-Agent": "curl/8.5.0"},
        {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0 Safari/537.36"},
        {"User-Agent": ""},
        {**BROWSER, "Sec-Purpose": "prefetch;prerender"},
        {**BROWSER, "Purpose": "prefetch"},
    ):
        assert client.get(postcard_url(card), headers=headers).status_code == 200, headers
    assert client.head(postcard_url(card), headers=BROWSER).status_code == 200
    again = client.get(
        postcard_url(card), headers={**BROWSER, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert count_of(kinds.POSTCARD) == 1
    assert client.get(postcard_url(card) + "&layout=9", headers=BROWSER).status_code == 400
    assert count_of(kinds.POSTCARD) == 1


def test_the_bot_list_leaves_browsers_in():
    for browser in (
        BROWSER["User-Agent"],
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36",
        # A person in Telegram's own browser, not its link preview.
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36 Telegram-Android/11.5.3",
    ):
        assert not is_bot(browser)
    assert is_bot(None) and is_bot("  ") and is_bot("python-requests/2.32")


def test_posters_labels_flyers_and_campaign_sheets_count(client, card, azat, rally):
    assert client.get(f"/works/{card.public_id}/poster.pdf", headers=BROWSER).status_code == 200
    assert count_of(kinds.POSTER, work_id=card.id, prisoner_id=azat.id, campaign_id=rally.id) == 1
    assert client.get("/campaigns/rally/labels.pdf", headers=BROWSER).status_code == 200
    assert client.get("/campaigns/rally/posters.pdf", headers=BROWSER).status_code == 200
    assert count_of(kinds.POSTER, work_id=0, prisoner_id=0, campaign_id=rally.id) == 2
    assert client.get("/prisoners/azat/flyer.pdf", headers=BROWSER).status_code == 200
    assert count_of(kinds.POSTER, work_id=0, prisoner_id=azat.id) == 1
    assert client.get("/campaigns/rally/postcards.pdf", headers=BROWSER).status_code == 200
    assert count_of(kinds.POSTCARD, work_id=0, campaign_id=rally.id) == 1
    assert client.get("/prisoners/nobody/flyer.pdf", headers=BROWSER).status_code == 404
    assert count_of(kinds.POSTER) == 4


def test_a_slideshow_counts_once_when_it_starts_even_from_the_cache(client, card, rally):
    for _ in range(2):  # the second one is the page cache's
        assert client.get("/en/campaigns/rally/show", headers=BROWSER).status_code == 200
    assert client.get("/en/campaigns/rally/show?start=1", headers=BROWSER).status_code == 200
    assert count_of(kinds.SLIDESHOW, campaign_id=rally.id) == 2
    assert client.get("/show", headers=BROWSER).status_code == 200
    assert count_of(kinds.SLIDESHOW, campaign_id=0) == 1


def test_a_visit_from_a_qr_code_counts_for_the_page_it_opens(client, card, azat, rally):
    url = f"/en/works/{card.public_id}"
    assert client.get(url, headers=BROWSER).status_code == 200  # now in the page cache
    answer = client.get(url + "?src=qr", headers=BROWSER)
    # The cache sends it on to the plain address, which no browser may keep as a redirect.
    assert answer.status_code == 301 and answer.headers["Location"].endswith(url)
    assert "no-store" in answer.headers["Cache-Control"]
    ids = {"work_id": card.id, "prisoner_id": azat.id, "campaign_id": rally.id}
    assert count_of(kinds.QR, **ids) == 1
    client.get("/ru/prisoners/azat?src=qr", headers=BROWSER)
    client.get("/fr/campaigns/rally?src=qr", headers=BROWSER)
    client.get("/?src=qr", headers=BROWSER)
    assert count_of(kinds.QR, work_id=0, prisoner_id=azat.id) == 1
    assert count_of(kinds.QR, work_id=0, campaign_id=rally.id) == 1
    assert count_of(kinds.QR) == 4
    client.get(url + "?src=qr", headers={"User-Agent": "WhatsApp/2.23.20.0"})
    client.get(url, headers=BROWSER)  # no ?src=qr
    client.get("/en/works/nothing-here-at-all?src=qr", headers=BROWSER)
    assert count_of(kinds.QR) == 4


# ---- recording and flushing ----


def test_flush_adds_to_the_rows_already_there(app):
    for _ in range(3):
        impact.record(kinds.LETTER_WRITTEN, prisoner_id=7, work_id=3)
        assert impact.pending() == 1
        assert impact.flush() == 1
    assert impact.flush() == 0
    assert count_of(kinds.LETTER_WRITTEN, prisoner_id=7, work_id=3, campaign_id=0) == 3
    with pytest.raises(ValueError):
        impact.record("page-view")


def test_counts_from_many_threads_are_all_kept(app):
    def work() -> None:
        with app.app_context():
            for _ in range(200):
                impact.record(kinds.QR)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count_of(kinds.QR) == 800


def test_a_worker_writes_its_counts_by_itself(app_factory):
    app = app_factory(IMPACT_FLUSH_SECONDS=0.2)
    with app.app_context():
        impact.record(kinds.POSTER, campaign_id=5, n=2)
        query = select(ImpactCount.count).where(ImpactCount.campaign_id == 5)
        deadline = time.monotonic() + 20
        while db.session.scalar(query) is None and time.monotonic() < deadline:
            fresh()
            time.sleep(0.05)  # polls the timer thread's write, within a deadline
        assert db.session.scalar(query) == 2
        assert impact.pending() == 0


# ---- the pages ----


def _counts(azat, rally, n: int) -> None:
    impact.record(kinds.POSTCARD, prisoner_id=azat.id, campaign_id=rally.id, n=n)
    impact.record(kinds.QR, prisoner_id=azat.id, n=1)
    impact.flush()


@pytest.mark.parametrize(
    ("n", "code", "expected"),
    [
        (1, "en", "1 postcard printed for Azat Miftakhov in"),
        (312, "en", "312 postcards printed for Azat Miftakhov in"),
        (1, "fr", "1 carte postale imprimée pour Azat Miftakhov en"),
        (312, "fr", "312 cartes postales imprimées pour Azat Miftakhov en"),
        (1, "ru", "Azat Miftakhov, {month}: напечатана 1 открытка"),
        (3, "ru", "Azat Miftakhov, {month}: напечатаны 3 открытки"),
        (312, "ru", "Azat Miftakhov, {month}: напечатано 312 открыток"),
    ],
)
def test_a_prisoners_impact_page_says_it_in_the_readers_language(
    client, azat, rally, n, code, expected
):
    _counts(azat, rally, n)
    month = {"ru": "{}"}.get(code)
    html = spaced(client.get(f"/{code}/impact/prisoners/azat").get_data(as_text=True))
    text = re.sub(r"<[^>]+>", "", html)  # the name is marked with its language
    if month:
        names = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
                 "сентябрь", "октябрь", "ноябрь", "декабрь"]  # fmt: skip
        now = datetime.now(UTC)
        expected = expected.format(month=f"{names[now.month - 1]} {now.year}")
    assert spaced(expected) in text
    assert '<svg role="img"' in html and "<title id=" in html
    assert '<div class="visually-hidden"><table class="table">' in html  # the numbers, spoken


def test_the_overview_lists_prisoners_and_campaigns_with_counts(client, azat, rally, make_prisoner):
    make_prisoner(slug="quiet", name="Quiet Person")
    _counts(azat, rally, 5)
    html = spaced(client.get("/en/impact").get_data(as_text=True))
    assert '<a href="/en/impact/prisoners/azat">' in html
    assert "6 actions" in html  # five postcards and a QR visit
    assert '<a href="/en/impact/campaigns/rally">' in html and "5 actions" in html
    assert "/impact/prisoners/quiet" not in html  # nothing counted for them
    assert html.count('<svg role="img"') == 2
    assert '<a href="/en/impact"' in client.get("/en/").get_data(as_text=True)  # the footer
    campaign = spaced(client.get("/fr/impact/campaigns/rally").get_data(as_text=True))
    campaign = re.sub(r"<[^>]+>", "", campaign)
    assert "5 cartes postales imprimées pour Rally for Azat en" in campaign


def test_a_poster_of_a_work_for_two_prisoners_counts_on_both_pages(
    client, make_work, azat, make_prisoner
):
    lena = make_prisoner(slug="lena", name="Lena")
    work = make_work(prisoners=(azat, lena))
    impact.record(kinds.POSTER, work_id=work.id)
    impact.flush()
    for slug in ("azat", "lena"):
        html = spaced(client.get(f"/en/impact/prisoners/{slug}").get_data(as_text=True))
        html = re.sub(r"<[^>]+>", "", html)
        assert "1 poster, label sheet or flyer printed for" in html, slug
    overview = spaced(client.get("/en/impact").get_data(as_text=True))
    assert re.search(r"Posters, labels and flyers printed</th><td class=\"num\">1<", overview)


def test_a_demo_profiles_figures_say_demo(client, demo):
    html = spaced(client.get(f"/en/impact/prisoners/{demo.slug}").get_data(as_text=True))
    assert "Demo profile." in html


@pytest.mark.parametrize(
    "path",
    [
        "/impact/prisoners/nobody",
        "/impact/campaigns/nobody",
        "/impact/prisoners/%00",
        "/impact/prisoners/' OR 1=1 --",
        "/en/impact/campaigns/" + "a" * 5000,
        "/impact/prisoners/../../etc/passwd",
    ],
)
def test_unknown_or_hostile_addresses_are_404(client, path):
    assert client.get(path, headers=BROWSER).status_code == 404


def test_hostile_query_strings_never_fail(client, azat):
    # Arguments the page does not read are dropped by a 301 to the plain address.
    for query in ("?x=1", "?src=%00", "?src=qr&src=qr", "?page=-1", "?slug=%27"):
        answer = client.get(f"/en/impact/prisoners/azat{query}")
        assert answer.status_code == 301, query
        assert answer.headers["Location"].endswith("/en/impact/prisoners/azat")
    assert client.get("/impact/prisoners/azat?lang=xx").status_code == 200
    assert client.get("/impact?lang=%00").status_code == 200


# ---- nothing about visitors in the schema ----

PER_VISITOR = re.compile(
    r"(^|_)(ip|address|user_agent|agent|cookie|session|visitor|fingerprint)(_|$)"
)
# Columns whose names match but hold no visitor: a prisoner's postal address for letters,
# the counter that logs a moderator out everywhere (their own account, not a visitor), and
# the keyed hash of a digest subscriber's e-mail address (a reader who asked for mail, so
# that one address is not signed up twice; never a visit, never in clear).
NOT_VISITORS = {
    ("prisoner", "letter_address"),
    ("moderator", "session_generation"),
    ("subscription", "address_hash"),
}


def test_no_table_has_a_column_about_visitors(app):
    inspector = inspect(db.engine)
    found = [
        (table, column["name"])
        for table in inspector.get_table_names()
        for column in inspector.get_columns(table)
        if PER_VISITOR.search(column["name"]) and (table, column["name"]) not in NOT_VISITORS
    ]
    assert found == []
    columns = {c["name"] for c in inspector.get_columns("impact_count")}
    assert columns == {"day", "kind", "work_id", "prisoner_id", "campaign_id", "count"}


# ---- the moderators' dashboard ----


def test_the_dashboard_shows_the_queues_and_the_figures(client, moderator, make_work, azat, rally):
    from datetime import timedelta

    from gallery.models import WorkStatus, utcnow

    now = utcnow()

    def decided(submitted: timedelta, decided: timedelta) -> None:
        work = make_work()
        work.submitted_at, work.decided_at = now - submitted, now - decided
        saved(work)

    for hours in (2, 4, 30):  # decided within the month: the median is 4 hours
        decided(timedelta(hours=hours + 1), timedelta(hours=1))
    decided(timedelta(days=90), timedelta(days=40))  # before the month
    make_work(status=WorkStatus.PENDING)
    _counts(azat, rally, 3)
    html = spaced(client.get("/moderation/dashboard?lang=en").get_data(as_text=True))
    assert re.search(r"Works waiting for review</dt>\s*<dd><a [^>]+>1</a>", html)
    assert re.search(r"Letters waiting at the letter desk</dt>\s*<dd><a [^>]+>0</a>", html)
    assert re.search(r"Median time to a decision, last 30 days</dt>\s*<dd>4 hours</dd>", html)
    assert re.search(r"Postcards printed</th><td class=\"num\">3<", html)
    assert '<svg role="img"' in html
    assert 'href="/moderation/dashboard" aria-current="page"' in html  # in the menu
    ru = spaced(client.get("/moderation/dashboard?lang=ru").get_data(as_text=True))
    assert "Медианное время до решения за последние 30 дней" in ru and "4 часа" in ru


def test_the_dashboard_is_for_moderators_only(client):
    answer = client.get("/moderation/dashboard")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
