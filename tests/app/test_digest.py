"""The readers' e-mail digest (double opt-in, SOS mode) and the moderators' alert mail,
against a real SMTP server on loopback (aiosmtpd): what arrives, what the database keeps
(never an address in clear), what GET never changes, and how to leave (the page's button
and the RFC 8058 one-click POST)."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from gallery.extensions import db
from gallery.models import (
    Campaign,
    Moderator,
    OutgoingMail,
    ReportCategory,
    Subscription,
    Work,
    WorkStatus,
)
from helpers import count_rows, csrf_token_of, saved, spaced
from mailcheck import body, settle, use_mail

ADDRESS = "reader@example.org"
MIRRORS = ("https://mirror-one.example.net", "https://mirror-two.example.com")
ONION = "http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion"
PUBLIC = "https://gallery.example.org"


@pytest.fixture
def app(app_factory):
    """The app with its public address (links in mail from a command are built on it), its
    mirrors and its onion address."""
    application = app_factory(PUBLIC_URL=PUBLIC, MIRRORS=MIRRORS, ONION_URL=ONION)
    with application.app_context():
        yield application


def sign_up(client, address: str = ADDRESS, *, lang: str = "en", scope: str = "all", query=""):
    page = f"/{lang}/subscribe{query}"
    return client.post(
        f"/{lang}/subscribe",
        data={"csrf_token": csrf_token_of(client, page), "email": address, "scope": scope},
    )


def subscriptions() -> list[Subscription]:
    db.session.commit()
    return list(db.session.scalars(select(Subscription).order_by(Subscription.id)))


def link_in(text: str, kind: str) -> str:
    """The path of the /subscribe/<token> or /unsubscribe/<token> link in a message."""
    match = re.search(rf"https?://[^\s/]+((?:/[a-z]{{2}})?/{kind}/[A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


def all_text_in_database() -> str:
    """Every value of every row (as text), for "no address in clear" checks."""
    db.session.commit()
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            found.extend(str(value) for value in row)
    return "\n".join(found)


def assert_not_logged(caplog, *secrets: str) -> None:
    for record in caplog.records:
        if record.name.startswith("mail.log"):  # aiosmtpd, the receiving server
            continue
        text = record.getMessage() + (record.exc_text or "")
        for secret in secrets:
            assert secret not in text, (record.name, text)


def confirmed_subscriber(app, client, mailing, address: str = ADDRESS, **kw) -> str:
    """Sign up and confirm through the real pages; returns the private link's path."""
    before = len(mailing.inbox.received())
    assert sign_up(client, address, **kw).status_code == 303
    settle(app)
    message = mailing.inbox.wait_for(before + 1)[-1]
    confirm = link_in(body(message), "subscribe")
    token = csrf_token_of(client, confirm)
    assert client.post(confirm, data={"csrf_token": token}).status_code == 200
    return confirm


def send_digest(app):
    result = app.test_cli_runner().invoke(args=["send-digest"])
    assert result.exit_code == 0, result.output
    return result


# ---- signing up, confirming ----


def test_double_opt_in_then_a_digest_with_the_new_work_and_the_mirrors(
    app, client, mailing, make_work, azat, caplog
):
    caplog.set_level(logging.DEBUG)
    form = client.get("/en/subscribe")
    assert form.status_code == 200 and "no-store" in form.headers["Cache-Control"]
    response = sign_up(client)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "Please check your mailbox" in page.get_data(as_text=True)
    settle(app)
    [message] = mailing.inbox.wait_for(1)
    assert message["To"] == ADDRESS
    assert message["Subject"] == "Please confirm your subscription"
    assert "List-Unsubscribe" not in message  # not subscribed yet
    confirm = link_in(body(message), "subscribe")
    [row] = subscriptions()
    assert row.confirmed_at is None and row.locale == "en"
    # Nothing of the address in clear: sealed, and hashed with a key.
    assert ADDRESS not in all_text_in_database()
    assert confirm.rsplit("/", 1)[1] not in all_text_in_database()

    # Opening the link (as a mail scanner does) confirms nothing.
    shown = client.get(confirm)
    assert shown.status_code == 200
    assert shown.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert shown.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in shown.headers["Cache-Control"]
    assert subscriptions()[0].confirmed_at is None
    # Nothing new yet: no digest.
    send_digest(app)
    assert len(mailing.inbox.received()) == 1

    done = client.post(confirm, data={"csrf_token": csrf_token_of(client, confirm)})
    assert done.status_code == 200 and "Subscription confirmed" in done.get_data(as_text=True)
    assert subscriptions()[0].confirmed_at is not None
    # Confirmed, but nothing was published since: still no digest.
    send_digest(app)
    assert len(mailing.inbox.received()) == 1

    work = make_work(title="Sunrise over the camp", prisoners=(azat,))
    result = send_digest(app)
    assert "Digests queued: 1" in result.output
    first, digest = mailing.inbox.wait_for(2)
    assert digest["To"] == ADDRESS
    assert digest["Subject"] == "Your weekly summary"  # neutral
    assert "Art Protest" not in str(digest)
    text = body(digest)
    assert "Sunrise over the camp (Azat Miftakhov)" in text
    assert f"{PUBLIC}/en/works/{work.public_id}" in text
    for address in (*MIRRORS, ONION):
        assert address in text
    assert f"{PUBLIC}/en/prisoners/azat/write" in text  # who needs letters
    unsubscribe = digest["List-Unsubscribe"]
    assert re.fullmatch(rf"<{re.escape(PUBLIC)}/en/unsubscribe/[A-Za-z0-9_-]+>", unsubscribe)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in text
    assert not digest.is_multipart()  # no image attached
    # Sent once: the next run has nothing new.
    send_digest(app)
    assert len(mailing.inbox.received()) == 2
    assert count_rows(OutgoingMail) == 0
    assert_not_logged(caplog, ADDRESS, confirm.rsplit("/", 1)[1], "Sunrise over the camp")


def test_a_repeat_sign_up_says_the_same_and_stores_one_row(app, client, mailing):
    confirmed_subscriber(app, client, mailing)
    again = sign_up(client, "Reader@Example.org")  # the same address, other case
    assert again.status_code == 303
    assert again.headers["Location"] == sign_up(client, "new@example.org").headers["Location"]
    settle(app)
    rows = subscriptions()
    assert len(rows) == 2  # one for each address, not two for the first
    assert rows[0].confirmed_at is not None  # a repeat does not undo the confirmation
    # The repeat came within RESEND_AFTER of the first confirmation: not re-sent.
    to = [m["To"] for m in mailing.inbox.wait_for(2)]
    assert to == [ADDRESS, "new@example.org"]


def test_the_digest_is_written_in_the_readers_language(app, client, mailing, make_work, azat):
    confirmed_subscriber(app, client, mailing, lang="fr")
    [message] = mailing.inbox.received()
    assert message["Content-Language"] == "fr"
    assert "/fr/subscribe/" in body(message)
    make_work(title="Lever de soleil", prisoners=(azat,))
    send_digest(app)
    _first, digest = mailing.inbox.wait_for(2)
    assert digest["Content-Language"] == "fr"
    assert f"{PUBLIC}/fr/works/" in body(digest)
    assert body(digest).startswith("Bonjour,")
    assert "/fr/unsubscribe/" in digest["List-Unsubscribe"]


def test_a_prisoners_digest_holds_only_his_works(
    app, client, mailing, make_work, make_prisoner, azat
):
    other = make_prisoner(name="Someone Else")
    page = client.get("/en/subscribe?prisoner=azat")
    assert re.search(r'<option selected value="prisoner:azat">', page.get_data(as_text=True))
    confirmed_subscriber(app, client, mailing, scope="prisoner:azat", query="?prisoner=azat")
    [confirmation] = mailing.inbox.received()
    assert "Azat Miftakhov" in body(confirmation)
    make_work(title="For someone else", prisoners=(other,))
    send_digest(app)
    assert len(mailing.inbox.received()) == 1  # nothing new for Azat: no mail
    make_work(title="For Azat", prisoners=(azat,))
    send_digest(app)
    text = body(mailing.inbox.wait_for(2)[1])
    assert "For Azat" in text and "For someone else" not in text


def test_a_campaigns_digest(app, client, mailing, make_work, azat):
    campaign = saved(Campaign(slug="free-them", title="Free them"))
    assert client.get("/en/campaigns/free-them").status_code == 200
    assert "/subscribe?campaign=free-them" in client.get("/en/campaigns/free-them").get_data(
        as_text=True
    )
    confirmed_subscriber(app, client, mailing, scope="campaign:free-them")
    make_work(title="Outside the campaign", prisoners=(azat,))
    make_work(title="In the campaign", prisoners=(azat,), campaign_id=campaign.id)
    send_digest(app)
    text = body(mailing.inbox.wait_for(2)[1])
    assert "In the campaign" in text and "Outside the campaign" not in text


@pytest.mark.parametrize(
    ("address", "scope"),
    [
        ("not an address", "all"),
        ("", "all"),
        ("a@b", "all"),
        ("x" * 250 + "@example.org", "all"),
        (ADDRESS, "prisoner:nobody"),
        (ADDRESS, "campaign:"),
        (ADDRESS, "everything"),
    ],
)
def test_bad_input_is_a_polite_400_and_stores_nothing(app, client, mailing, azat, address, scope):
    response = sign_up(client, address, scope=scope)
    assert response.status_code == 400
    assert "<form" in response.get_data(as_text=True)
    assert subscriptions() == []
    assert count_rows(OutgoingMail) == 0


def test_without_csrf_nothing_is_stored(client, mailing):
    response = client.post("/en/subscribe", data={"email": ADDRESS, "scope": "all"})
    assert response.status_code == 400
    assert subscriptions() == []


def test_an_unknown_preset_or_token_is_404(client, mailing):
    assert client.get("/en/subscribe?prisoner=nobody").status_code == 404
    assert client.get("/en/subscribe?campaign=nothing").status_code == 404
    assert client.get("/en/subscribe/not-a-token").status_code == 404
    assert client.get("/en/unsubscribe/not-a-token").status_code == 404
    assert client.post("/en/unsubscribe/not-a-token").status_code == 404
    token = csrf_token_of(client, "/en/subscribe")
    assert client.post("/en/subscribe/not-a-token", data={"csrf_token": token}).status_code == 404


def test_confirming_needs_the_csrf_token(app, client, mailing):
    assert sign_up(client).status_code == 303
    settle(app)
    confirm = link_in(body(mailing.inbox.wait_for(1)[0]), "subscribe")
    assert client.post(confirm, data={}).status_code == 400
    assert subscriptions()[0].confirmed_at is None


# ---- leaving ----


def test_unsubscribing_by_the_pages_button_erases_the_address(
    app, client, mailing, make_work, azat
):
    confirmed_subscriber(app, client, mailing)
    make_work(title="Something new", prisoners=(azat,))
    send_digest(app)
    digest = mailing.inbox.wait_for(2)[1]
    leave = link_in(body(digest), "unsubscribe")
    page = client.get(leave)
    assert page.status_code == 200 and "Unsubscribe" in page.get_data(as_text=True)
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert len(subscriptions()) == 1  # GET changes nothing
    done = client.post(leave)
    assert done.status_code == 200
    assert "Your address has been erased" in spaced(done.get_data(as_text=True))
    assert subscriptions() == []
    assert client.get(leave).status_code == 404  # the link leads nowhere now
    make_work(title="Something newer", prisoners=(azat,))
    send_digest(app)
    assert len(mailing.inbox.received()) == 2


def test_one_click_unsubscribe_rfc_8058(app, client, mailing, make_work, azat):
    confirmed_subscriber(app, client, mailing)
    make_work(title="Something new", prisoners=(azat,))
    send_digest(app)
    digest = mailing.inbox.wait_for(2)[1]
    url = digest["List-Unsubscribe"][1:-1]
    # What a mail program sends: a POST, no cookie, no CSRF token, this body.
    fresh_client = app.test_client()
    response = fresh_client.post(
        urlsplit(url).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert subscriptions() == []
    assert ADDRESS not in all_text_in_database()


def test_unconfirmed_sign_ups_are_erased_after_a_few_days(app, client, mailing, runner):
    from datetime import timedelta

    from gallery.models import utcnow

    assert sign_up(client).status_code == 303
    assert sign_up(client, "fresh@example.org").status_code == 303
    settle(app)
    old = subscriptions()[0]
    old.created_at = utcnow() - timedelta(days=app.config["DIGEST_CONFIRM_DAYS"], hours=1)
    db.session.commit()
    result = runner.invoke(args=["purge", "--older-than", "90d"])
    assert result.exit_code == 0, result.output
    assert "Erased 1 digest sign-ups never confirmed." in result.output
    assert len(subscriptions()) == 1


# ---- SOS ----


def test_sos_reaches_every_confirmed_subscriber_with_every_mirror(app, client, mailing):
    confirmed_subscriber(app, client, mailing, "one@example.org")
    confirmed_subscriber(app, client, mailing, "two@example.org", lang="ru")
    assert sign_up(client, "unconfirmed@example.org").status_code == 303
    settle(app)
    assert len(mailing.inbox.wait_for(3)) == 3
    result = app.test_cli_runner().invoke(args=["sos", "The main address is blocked today."])
    assert result.exit_code == 0, result.output
    assert "SOS digest queued for 2 subscriber(s)." in result.output
    messages = mailing.inbox.wait_for(5)[3:]
    assert sorted(m["To"] for m in messages) == ["one@example.org", "two@example.org"]
    for message in messages:
        text = body(message)
        assert "The main address is blocked today." in text
        for address in (PUBLIC, *MIRRORS, ONION):
            assert address in text
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(mailing.inbox.received()) == 5  # nothing to the unconfirmed address


def test_sos_refuses_an_empty_message(app, client, mailing):
    confirmed_subscriber(app, client, mailing)
    result = app.test_cli_runner().invoke(args=["sos", "  "])
    assert result.exit_code != 0 and "empty" in result.output
    assert len(mailing.inbox.received()) == 1


# ---- the moderators' alert ----


def opt_in(app, username: str, address: str) -> None:
    result = app.test_cli_runner().invoke(args=["moderator-alerts", username, "--email", address])
    assert result.exit_code == 0, result.output


def test_the_moderator_digest_gives_counts_only(app, mailing, make_moderator, make_work, caplog):
    caplog.set_level(logging.DEBUG)
    make_moderator("alice")
    make_moderator("bob")  # no opt-in: no mail
    opt_in(app, "alice", "alice@example.org")
    alice = db.session.scalar(select(Moderator).where(Moderator.username == "alice"))
    assert alice.alerts and "alice@example.org" not in all_text_in_database()
    result = app.test_cli_runner().invoke(args=["moderator-digest"])
    assert "Alerts queued for 0 moderator(s)." in result.output  # nothing waits: no mail
    make_work(title="A secret title", status=WorkStatus.PENDING)
    make_work(title="Another secret title", status=WorkStatus.PENDING)
    result = app.test_cli_runner().invoke(args=["moderator-digest"])
    assert result.exit_code == 0, result.output
    [message] = mailing.inbox.wait_for(1)
    assert message["To"] == "alice@example.org"
    assert message["Subject"] == "Items waiting for review"
    text = body(message)
    assert "2 works to review" in text
    assert "0 open reports of a person at risk" in text
    assert "secret title" not in text and "secret title" not in str(message)
    assert not message.is_multipart()
    assert_not_logged(caplog, "alice@example.org")
    # Turned off: nothing more.
    app.test_cli_runner().invoke(args=["moderator-alerts", "alice", "--off"])
    app.test_cli_runner().invoke(args=["moderator-digest"])
    assert len(mailing.inbox.received()) == 1


def report_at_risk(client, work) -> None:
    page = f"/en/works/{work.public_id}/report"
    response = client.post(
        page,
        data={
            "csrf_token": csrf_token_of(client, page),
            "category": ReportCategory.PERSON_AT_RISK.value,
            "text": "",
        },
    )
    assert response.status_code == 303


def test_a_person_at_risk_report_alerts_at_once(app, client, mailing, make_moderator, make_work):
    make_moderator("alice")
    opt_in(app, "alice", "alice@example.org")
    work = make_work(title="A title never mailed")
    report_at_risk(client, work)
    settle(app)
    [message] = mailing.inbox.wait_for(1)
    text = body(message)
    assert "identifies a person at risk" in text
    assert "1 open report of a person at risk" in text
    assert "1 work hidden automatically" in text
    assert "A title never mailed" not in str(message)
    db.session.commit()
    assert db.session.get(Work, work.id).hidden
    # A wave of reports: one alert in ten minutes; the daily digest counts them all.
    report_at_risk(client, make_work(title="Another"))
    settle(app)
    assert len(mailing.inbox.received()) == 1
    result = app.test_cli_runner().invoke(args=["moderator-digest"])
    assert result.exit_code == 0, result.output
    assert "2 open reports of a person at risk" in body(mailing.inbox.wait_for(2)[1])


def test_a_moderator_without_an_address_cannot_opt_in(app, make_moderator):
    make_moderator("carol")
    result = app.test_cli_runner().invoke(args=["moderator-alerts", "carol"])
    assert result.exit_code != 0 and "--email" in result.output


# ---- the same limits as the letter and report forms ----


def test_sign_ups_use_up_the_address_budget_only_when_accepted(app_factory, smtp):
    app = app_factory(DIGEST_RATE_LIMIT="1 per hour")
    use_mail(app, smtp)
    client = app.test_client()
    with app.app_context():
        assert sign_up(client, "not an address").status_code == 400  # refused: not counted
        assert sign_up(client).status_code == 303
        assert sign_up(client, "second@example.org").status_code == 429
        assert len(subscriptions()) == 1
        settle(app)


def test_onion_readers_solve_the_challenge_instead(app_factory, smtp):
    import html
    import json

    from altcha import Challenge, Payload, solve_challenge

    onion = {"environ_overrides": {"SERVER_PORT": "5001"}}
    app = app_factory(ONION_PORT=5001, CHALLENGE_COST=1, CHALLENGE_COUNTER=4)
    use_mail(app, smtp)
    client = app.test_client()
    with app.app_context():
        page = client.get("/en/subscribe", **onion).get_data(as_text=True)
        match = re.search(r'<altcha-widget challenge="([^"]+)"', page)
        assert match, "the onion form offers no challenge"
        data = {"csrf_token": csrf_token_of(client, "/en/subscribe", **onion), "email": ADDRESS}
        data["scope"] = "all"
        refused = client.post("/en/subscribe", data=data, **onion)
        assert refused.status_code == 400
        assert "The anti-spam check was not finished" in refused.get_data(as_text=True)
        assert subscriptions() == []
        challenge = Challenge.from_dict(json.loads(html.unescape(match.group(1))))
        data["altcha"] = Payload(challenge, solve_challenge(challenge)).to_base64()
        assert client.post("/en/subscribe", data=data, **onion).status_code == 303
        assert len(subscriptions()) == 1
        settle(app)


def test_a_moderator_turns_alerts_on_from_their_account(app, client, mailing, moderator):
    page = client.get("/account/alerts")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    # On without an address: refused, nothing saved.
    refused = client.post("/account/alerts", data={"csrf_token": moderator, "alerts": "y"})
    assert refused.status_code == 400
    assert "Please give an address for the alerts." in refused.get_data(as_text=True)
    bad = client.post(
        "/account/alerts", data={"csrf_token": moderator, "alerts": "y", "email": "nope"}
    )
    assert bad.status_code == 400
    done = client.post(
        "/account/alerts",
        data={"csrf_token": moderator, "alerts": "y", "email": "mod@example.org"},
    )
    assert done.status_code == 303
    db.session.commit()
    mod = db.session.scalar(select(Moderator).where(Moderator.username == "mod"))
    assert mod.alerts and "mod@example.org" not in all_text_in_database()
    assert "mod@example.org" not in client.get("/account/alerts").get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["moderator-digest"])
    assert "Alerts queued for 0" in result.output  # nothing waits
    off = client.post("/account/alerts", data={"csrf_token": moderator, "forget": "y"})
    assert off.status_code == 303
    db.session.commit()
    db.session.refresh(mod)
    assert not mod.alerts and mod.alert_email_sealed is None


def test_without_mail_there_is_no_sign_up_but_links_already_sent_work(app, client, smtp):
    assert client.get("/en/subscribe").status_code == 404  # mail is off
    assert "/subscribe" not in client.get("/en/prisoners").get_data(as_text=True)
    use_mail(app, smtp)
    # (another page: the page cache keeps the first one as it was)
    assert 'href="/en/subscribe"' in client.get("/en/works").get_data(as_text=True)
    confirmed_subscriber(app, client, smtp)
    leave = link_in(body(smtp.inbox.received()[0]), "subscribe").replace(
        "/subscribe/", "/unsubscribe/"
    )
    app.config["MAIL_SERVER"] = None  # the operator turns mail off
    assert client.get("/en/subscribe").status_code == 404
    assert client.post(leave).status_code == 200
    assert subscriptions() == []
