"""Telling artists of decisions by e-mail, against a real SMTP server on loopback (aiosmtpd):
what arrives (to whom, subject, language, link, reason, no title), when nothing is sent,
a server that is down (the decision stands, the row waits, `send-mail` delivers later),
giving up, and that no address, token or link ever reaches the logs."""

from __future__ import annotations

import logging
import re
import ssl
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from gallery import create_app, mail
from gallery.core import secretbox
from gallery.extensions import db
from gallery.mail import delivery
from gallery.media import media_store as store
from gallery.models import OutgoingMail, Report, ReportCategory, Work, WorkStatus, utcnow
from gallery.models.labels import PRESET_REASONS
from helpers import approving, count_rows, csrf_token_of, form_data, png_bytes, post
from mailcheck import SENDER, SMTPServer, body, settle, use_mail

SUBJECT = "News about your request"  # names neither the gallery nor a protest
FROM = "Notifications <noreply@example.org>"
TITLE = "Sun behind bars"  # form_data's title: never in a message


def submit(
    client,
    *,
    email_address: str | None = "artist@example.org",
    notify: bool = True,
    lang: str = "en",
    **fields,
) -> str:
    """Submit through the real form (in the page's language); returns the receipt token."""
    data = form_data(
        client, png_bytes(), email=email_address, notify="y" if notify else None, **fields
    )
    response = post(client, data, url=f"/{lang}/submit")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[1]


def work_of(token: str) -> Work:
    from gallery.core.tokens import token_hash

    db.session.commit()
    return db.session.scalar(select(Work).where(Work.receipt_token_hash == token_hash(token)))


def outbox() -> list[OutgoingMail]:
    db.session.commit()
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def form_controls(html: str) -> list[dict[str, str]]:
    """The attributes of a page's inputs, selects and text areas, in the order of the page."""
    from html.parser import HTMLParser

    found: list[dict[str, str]] = []

    class Controls(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("input", "select", "textarea"):
                found.append({k: v or "" for k, v in attrs})

    Controls().feed(html)
    return found


def in_language(locale: str, text: str) -> str:
    with force_locale(locale):
        return _(text)


def assert_no_secret_logged(caplog, *secrets: str) -> None:
    for record in caplog.records:
        if record.name.startswith("mail.log"):  # aiosmtpd, the receiving server
            continue
        text = record.getMessage() + (record.exc_text or "")
        for secret in secrets:
            assert secret not in text, (record.name, text)


# ---- what arrives ----


def test_approval_sends_one_neutral_message_with_the_private_link(
    app, client, moderator, mailing, caplog
):
    caplog.set_level(logging.DEBUG)
    token = submit(client)
    work = work_of(token)
    assert work.notify_token and token not in work.notify_token  # kept encrypted
    assert work.notify_locale == "en"
    response = client.post(
        f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id)
    )
    assert response.status_code == 303
    settle(app)
    [message] = mailing.inbox.wait_for(1)
    assert message["To"] == "artist@example.org"
    assert message["From"] == FROM
    assert message["Subject"] == SUBJECT
    assert re.fullmatch(r"<[0-9a-f]{32}@example\.org>", message["Message-ID"])  # no pid, no time
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "text/plain" and not message.is_multipart()
    text = body(message)
    assert TITLE not in text and TITLE not in str(message)
    link = f"http://localhost/en/submissions/{token}"
    assert link in text
    assert text == (
        "Hello,\n\n"
        "A moderator has approved your work: it is now published in the gallery.\n\n"
        "Your private page, where you can follow your work and withdraw it at any time:\n"
        f"{link}\n\n"
        "You asked to be told by e-mail when a moderator decides. Keep this link to yourself. "
        "Please do not reply to this message.\n\n"
        "The moderation team\n"
    )
    # The link opens the receipt, which says the work is published.
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200 and "published" in page.get_data(as_text=True)
    assert outbox() == []  # delivered: the row is gone
    assert work_of(token).notify_token  # kept: an unpublish may follow
    assert_no_secret_logged(caplog, "artist@example.org", token)


def test_rejection_with_a_reason_in_french(app, client, moderator, mailing, caplog):
    caplog.set_level(logging.DEBUG)
    token = submit(client, lang="fr", email_address="peintre@example.org")
    work = work_of(token)
    assert work.notify_locale == "fr"
    response = client.post(
        f"/moderation/works/{work.id}/reject",
        data={"csrf_token": moderator, "reason": "Le fichier est flou."},
    )
    assert response.status_code == 303
    settle(app)
    [message] = mailing.inbox.wait_for(1)
    assert message["To"] == "peintre@example.org"
    assert message["Content-Language"] == "fr"
    assert message["Subject"] == in_language("fr", SUBJECT) == "Du nouveau sur votre demande"
    text = body(message)
    assert (
        in_language(
            "fr",
            "A moderator has decided not to publish your work, and its image has "
            "been deleted from our server.",
        )
        in text
    )
    assert in_language("fr", "The moderator’s reason:") + "\n\nLe fichier est flou." in text
    # As a French editor writes it: "we", no doublets, signed by the team, not by the gallery.
    assert text.startswith(
        "Bonjour,\n\nNous avons décidé de ne pas publier votre œuvre, et son "
        "image a été supprimée de notre serveur.\n\n"
        "Motif indiqué par l’équipe de modération\u00a0:\n\nLe fichier est flou."
    )
    assert text.endswith("Merci de ne pas répondre à ce message.\n\nL’équipe de modération\n")
    assert "Art Protest" not in text and "Art Protest" not in str(message)
    assert f"http://localhost/fr/submissions/{token}" in text
    assert TITLE not in text
    work = work_of(token)
    assert work.status == WorkStatus.REJECTED and work.notify_token is None  # forgotten
    assert_no_secret_logged(caplog, "peintre@example.org", token)


def test_rejection_with_a_preset_reason_is_written_in_the_artists_language(
    app, client, moderator, mailing
):
    token = submit(client, lang="ru")
    work = work_of(token)
    # The moderator reads English; the artist wrote from the Russian page.
    response = client.post(
        f"/moderation/works/{work.id}/reject?lang=en",
        data={"csrf_token": moderator, "preset": "at-risk", "reason": ""},
    )
    assert response.status_code == 303
    settle(app)
    [message] = mailing.inbox.wait_for(1)
    with force_locale("ru"):
        preset = str(PRESET_REASONS["at-risk"])
    text = body(message)
    assert in_language("ru", "The moderator’s reason:") + "\n\n" + preset in text
    assert f"http://localhost/ru/submissions/{token}" in text
    assert message["Content-Language"] == "ru"


def test_unpublishing_sends_its_own_message(app, client, moderator, mailing):
    token = submit(client)
    work = work_of(token)
    client.post(f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id))
    settle(app)
    assert len(mailing.inbox.wait_for(1)) == 1
    response = client.post(
        f"/moderation/works/{work.id}/unpublish",
        data={"csrf_token": moderator, "reason": "Reported by a visitor"},
    )
    assert response.status_code == 303
    settle(app)
    first, second = mailing.inbox.wait_for(2)
    assert second["Subject"] == first["Subject"] == SUBJECT  # the same for every decision
    text = body(second)
    assert (
        "A moderator has taken your work down from the gallery. It is back in the review queue."
        in text
    )
    assert "Reported by a visitor" not in text  # the takedown's reason stays with moderators
    assert f"/en/submissions/{token}" in text
    assert work_of(token).status == WorkStatus.PENDING
    assert len(mailing.inbox.received()) == 2  # one message each, no more


def test_bulk_decisions_tell_each_artist(app, client, moderator, mailing):
    tokens = [submit(client, email_address=f"artist{n}@example.org") for n in range(3)]
    ids = [work_of(t).id for t in tokens]
    client.post("/moderation/bulk-approve", data=approving(moderator, *ids[:2], bulk=True))
    client.post(
        "/moderation/bulk-reject",
        data={"csrf_token": moderator, "work_ids": ids[2:], "preset": "unreadable"},
    )
    settle(app)
    messages = mailing.inbox.wait_for(3)
    by_address = {m["To"]: body(m) for m in messages}
    assert sorted(by_address) == [f"artist{n}@example.org" for n in range(3)]
    assert (
        "approved" in by_address["artist0@example.org"]
        and tokens[0] in by_address["artist0@example.org"]
    )
    with force_locale("en"):
        assert str(PRESET_REASONS["unreadable"]) in by_address["artist2@example.org"]
    assert tokens[2] in by_address["artist2@example.org"]


def test_a_report_handled_by_unpublishing_tells_the_artist(app, client, moderator, mailing):
    token = submit(client)
    work = work_of(token)
    client.post(f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id))
    settle(app)
    db.session.commit()  # a fresh snapshot before writing (SQLite)
    report = Report(work_id=work.id, category=ReportCategory.OTHER, text="Looks copied")
    db.session.add(report)
    db.session.commit()
    response = client.post(
        f"/moderation/reports/{report.id}/handle",
        data={"csrf_token": moderator, "action": "unpublish", "note": "copied"},
    )
    assert response.status_code == 303
    settle(app)
    first, second = mailing.inbox.wait_for(2)
    assert "taken your work down" in body(second)


# ---- when nothing is sent ----


def test_no_message_when_the_box_was_not_ticked(app, client, moderator, mailing):
    token = submit(client, notify=False)
    work = work_of(token)
    assert work.notify_token is None and work.contact_email == "artist@example.org"
    client.post(f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id))
    settle(app)
    assert outbox() == []
    assert mailing.inbox.received() == []


def test_no_mail_settings_no_mail_and_no_error(app, client, moderator, caplog, smtp):
    caplog.set_level(logging.DEBUG)
    token = submit(client)
    work = work_of(token)
    assert work.notify_token is None  # not offered: no mail server
    response = client.post(
        f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id)
    )
    assert response.status_code == 303
    assert work_of(token).status == WorkStatus.APPROVED
    assert mail.courier(app).join(1)
    assert outbox() == []
    assert smtp.inbox.received() == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0 and "Mail is off" in result.output


def test_withdrawal_sends_nothing_and_forgets_the_token(app, client, moderator, mailing):
    token = submit(client)
    response = client.post(
        f"/submissions/{token}/withdraw",
        data={"csrf_token": csrf_token_of(client, f"/submissions/{token}"), "confirm": "y"},
    )
    assert response.status_code == 303
    work = work_of(token)
    assert work.status == WorkStatus.WITHDRAWN and work.notify_token is None
    assert outbox() == []
    assert mailing.inbox.received() == []


def test_ticking_the_box_without_an_address_is_a_form_error(app, client, smtp_down):
    use_mail(app, smtp_down)
    before = count_rows(Work)
    response = post(client, form_data(client, png_bytes(), notify="y"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert (
        '<p class="field-error" id="notify-error">To be told by e-mail, please give your '
        "e-mail address above, or untick this box.</p>"
    ) in html
    box = re.search(r'<input[^>]*name="notify"[^>]*>', html).group(0)
    assert "checked" in box and 'aria-invalid="true"' in box  # kept as ticked, marked
    assert count_rows(Work) == before
    media = Path(app.config["MEDIA_ROOT"])
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_the_form_offers_the_box_next_to_the_address(app, client, smtp_down):
    use_mail(app, smtp_down)
    html = client.get("/submit").get_data(as_text=True)
    controls = form_controls(html)
    names = [attrs.get("name") for attrs in controls]
    notify = controls[names.index("email") + 1]  # the very next field after the address
    assert notify.get("name") == "notify" and notify.get("type") == "checkbox"
    label = re.search(rf'<label for="{notify["id"]}">([^<]*)</label>', html)
    assert label is not None and label.group(1).startswith("E-mail me when a moderator decides")


def test_without_a_mail_server_the_form_does_not_offer_the_box(app, client):
    """No MAIL_SERVER: nothing would ever be sent, so neither the box nor its note is shown,
    and a `notify` sent anyway is ignored."""
    html = client.get("/submit").get_data(as_text=True)
    assert 'name="email"' in html  # the address is still asked for, for the moderators
    assert 'name="notify"' not in html
    assert "E-mail me when a moderator decides" not in html
    assert "One short message when your work is published" not in html
    token = submit(client)  # the helper ticks notify
    work = work_of(token)
    assert work.contact_email == "artist@example.org"
    assert work.notify_token is None and work.notify_locale is None


# ---- a server that is down, retries, giving up ----


def make_due() -> None:
    """Let the retry delay pass (the row's next attempt moved into the past)."""
    db.session.commit()  # a fresh snapshot before writing (SQLite)
    db.session.execute(update(OutgoingMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_server_down_the_decision_stands_and_send_mail_delivers_later(
    app, client, moderator, smtp_down, caplog
):
    caplog.set_level(logging.DEBUG)
    use_mail(app, smtp_down)
    token = submit(client)
    work = work_of(token)
    response = client.post(
        f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id)
    )
    assert response.status_code == 303
    settle(app)
    assert work_of(token).status == WorkStatus.APPROVED  # committed, whatever the mail did
    [row] = outbox()
    assert row.attempts == 1 and row.work_id == work.id
    assert row.next_attempt_at > utcnow() + timedelta(seconds=20)  # 30 s back-off
    assert "artist@example.org" not in row.payload and token not in row.payload  # encrypted
    # Nothing is due yet: send-mail leaves it alone.
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0 and "Sent 0" in result.output
    smtp_down.start()
    make_due()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0 and "Sent 1, to retry later 0, given up 0." in result.output
    [message] = smtp_down.inbox.wait_for(1)
    assert message["To"] == "artist@example.org" and token in body(message)
    assert outbox() == []
    assert any("not delivered (attempt 1 of 5)" in r.getMessage() for r in caplog.records)
    assert_no_secret_logged(caplog, "artist@example.org", token, "127.0.0.1")


def test_after_five_failed_attempts_the_message_is_given_up(
    app, client, moderator, smtp_down, caplog
):
    caplog.set_level(logging.DEBUG)
    use_mail(app, smtp_down)
    token = submit(client)
    client.post(
        f"/moderation/works/{work_of(token).id}/approve",
        data=approving(moderator, work_of(token).id),
    )
    settle(app)
    delays = []
    for _attempt in range(2, 6):
        [row] = outbox()
        delays.append(row.next_attempt_at - utcnow())
        make_due()
        result = app.test_cli_runner().invoke(args=["send-mail"])
        assert result.exit_code == 0
    assert [round(d.total_seconds(), -1) for d in delays] == [30, 120, 600, 3600]
    assert "given up 1" in result.output
    assert outbox() == []
    assert any("gave up the approved message" in r.getMessage() for r in caplog.records)
    assert_no_secret_logged(caplog, "artist@example.org", token)


def test_a_refused_address_is_given_up_at_once(app, client, moderator, mailing, caplog):
    caplog.set_level(logging.DEBUG)
    mailing.inbox.refuse_recipients = True
    token = submit(client, email_address="nobody@example.org")
    client.post(
        f"/moderation/works/{work_of(token).id}/approve",
        data=approving(moderator, work_of(token).id),
    )
    settle(app)
    assert outbox() == []
    assert any(
        "gave up" in r.getMessage() and "SMTPRecipientsRefused" in r.getMessage()
        for r in caplog.records
    )
    assert_no_secret_logged(caplog, "nobody@example.org", token, "no such mailbox")


def test_a_later_decision_also_sends_what_earlier_failures_left(app, client, moderator, smtp_down):
    use_mail(app, smtp_down)
    first = submit(client, email_address="first@example.org")
    client.post(
        f"/moderation/works/{work_of(first).id}/approve",
        data=approving(moderator, work_of(first).id),
    )
    settle(app)
    assert len(outbox()) == 1
    smtp_down.start()
    make_due()
    # Another artist, who asked for nothing: the decision on their work still wakes the sender.
    other = submit(client, notify=False)
    client.post(
        f"/moderation/works/{work_of(other).id}/approve",
        data=approving(moderator, work_of(other).id),
    )
    settle(app)
    [message] = smtp_down.inbox.wait_for(1)
    assert message["To"] == "first@example.org"
    assert outbox() == []


def test_a_claimed_message_is_sent_by_one_sender_only(app, client, moderator, smtp_down):
    use_mail(app, smtp_down)
    token = submit(client)
    client.post(
        f"/moderation/works/{work_of(token).id}/approve",
        data=approving(moderator, work_of(token).id),
    )
    settle(app)
    make_due()
    db.session.commit()
    with app.app_context():
        claimed = delivery._claim(utcnow())
    with app.app_context():
        assert delivery._claim(utcnow()) == []  # the lease keeps a second sender (cron) away
    assert [c.attempts for c in claimed] == [2]
    [row] = outbox()
    assert row.next_attempt_at > utcnow() + mail.LEASE - timedelta(minutes=1)


# ---- TLS unless told otherwise ----


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made here (cryptography), as PEM files."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def trusted_cert(tmp_path, monkeypatch) -> ssl.SSLContext:
    """A server-side TLS context whose certificate the app trusts (through SSL_CERT_FILE,
    which OpenSSL's default verify paths read), as it would a real relay's."""
    cert_file, key_file = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


def approve_one(app, client, moderator) -> None:
    work = work_of(submit(client))
    response = client.post(
        f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id)
    )
    assert response.status_code == 303
    settle(app)


def test_by_default_mail_goes_over_starttls(app, client, moderator, trusted_cert):
    server = SMTPServer(tls_context=trusted_cert, require_starttls=True)
    server.start()
    try:
        # Only a server and a sender: no MAIL_USE_TLS, as an operator following the README.
        app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_DEFAULT_SENDER=SENDER
        )
        approve_one(app, client, moderator)
        [message] = server.inbox.received()
        assert server.inbox.over_tls == [True]
        assert message["Subject"] == SUBJECT
    finally:
        server.stop()


def test_by_default_nothing_goes_to_a_server_without_tls(app, client, moderator, smtp, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_DEFAULT_SENDER=SENDER)
    approve_one(app, client, moderator)
    assert smtp.inbox.received() == []  # the address and the link never went in clear
    [row] = outbox()
    assert row.attempts == 1  # kept for a retry, once the relay speaks TLS
    assert "does not offer STARTTLS" in caplog.text


def test_mail_use_ssl_is_tls_from_the_first_byte(app, client, moderator, trusted_cert):
    server = SMTPServer(ssl_context=trusted_cert)
    server.start()
    try:
        app.config.update(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=server.port,
            MAIL_DEFAULT_SENDER=SENDER,
            MAIL_USE_SSL=True,
        )
        approve_one(app, client, moderator)
        assert len(server.inbox.received()) == 1 and server.inbox.over_tls == [True]
    finally:
        server.stop()


def test_the_subject_and_the_sender_name_are_neutral_in_every_language(app):
    payload = {"to": "artist@example.org", "url": "http://localhost/x", "locale": None}
    for locale in ("fr", "ru"):
        with app.test_request_context():
            message = mail.compose(mail.APPROVED, {**payload, "locale": locale}, SENDER)
        subject, sender = message["Subject"], message["From"]
        assert subject == in_language(locale, SUBJECT) != SUBJECT  # translated
        assert sender.addresses[0].display_name == in_language(locale, "Notifications")
        for word in ("Art Protest", "protest", "протест", "galerie", "галере"):
            assert word.lower() not in f"{subject} {sender}".lower()
        assert sender.addresses[0].addr_spec == "noreply@example.org"


# ---- settings and secrets ----


def test_plain_mail_variables_and_flask_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("GALLERY_INSTANCE", str(tmp_path / "instance"))
    for name, value in (
        ("MAIL_SERVER", "smtp.example.org"),
        ("MAIL_PORT", "2525"),
        ("MAIL_USE_TLS", "true"),
        ("MAIL_USERNAME", "gallery"),
        ("MAIL_PASSWORD", "12345"),
        ("MAIL_DEFAULT_SENDER", SENDER),
    ):
        monkeypatch.setenv(name, value)
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    assert mail.settings(create_app(config)) == mail.Settings(
        server="smtp.example.org",
        port=2525,
        use_tls=True,
        use_ssl=False,
        username="gallery",
        password="12345",
        sender=SENDER,
        timeout=20.0,
    )
    monkeypatch.setenv("FLASK_MAIL_SERVER", "relay.example.org")  # FLASK_ wins
    monkeypatch.setenv("FLASK_MAIL_USE_TLS", "false")
    monkeypatch.delenv("MAIL_PORT")
    found = mail.settings(create_app(config))
    assert (found.server, found.use_tls, found.port) == ("relay.example.org", False, 25)


def test_no_server_or_no_sender_is_mail_off(app):
    assert mail.settings(app) is None
    app.config["MAIL_SERVER"] = "127.0.0.1"
    assert mail.settings(app) is None  # no sender: off too (and a warning at start-up)
    app.config["MAIL_DEFAULT_SENDER"] = SENDER
    found = mail.settings(app)
    assert (found.use_tls, found.use_ssl, found.port) == (True, False, 587)  # STARTTLS by default
    app.config["MAIL_USE_SSL"] = "true"
    found = mail.settings(app)
    assert (found.use_tls, found.use_ssl, found.port) == (False, True, 465)
    app.config.update(MAIL_USE_SSL=False, MAIL_USE_TLS="false")  # clear text, said explicitly
    assert mail.settings(app).port == 25


def test_the_secret_box():
    sealed = secretbox.seal("a token", secret="s1", purpose="receipt token")
    assert "a token" not in sealed
    assert secretbox.open_sealed(sealed, secret="s1", purpose="receipt token") == "a token"
    for secret, purpose in (("s2", "receipt token"), ("s1", "outgoing mail")):
        with pytest.raises(secretbox.InvalidToken):
            secretbox.open_sealed(sealed, secret=secret, purpose=purpose)
    with pytest.raises(secretbox.InvalidToken):
        secretbox.open_sealed(sealed[:-4] + "AAAA", secret="s1", purpose="receipt token")
    with pytest.raises(secretbox.InvalidToken):
        secretbox.open_sealed("é", secret="s1", purpose="receipt token")


# ---- outside a request, and when the message cannot be written ----


def test_outside_a_request_the_link_uses_server_name(app, make_work, mailing):
    from gallery.verbs import decisions

    token = "t" * 43
    work = make_work(status=WorkStatus.PENDING, contact_email="cli@example.org")
    work.notify_token, work.notify_locale = mail.seal_token(token), "ru"
    db.session.commit()
    app.config.update(SERVER_NAME="gallery.example.org", PREFERRED_URL_SCHEME="https")
    with app.app_context():  # as a CLI command's: it reads SERVER_NAME when it starts
        decisions.approve_work(store(app), work.id, moderator_id=None)
        db.session.commit()
    settle(app)
    [message] = mailing.inbox.wait_for(1)
    assert f"https://gallery.example.org/ru/submissions/{token}" in body(message)


def test_without_server_name_outside_a_request_the_decision_goes_on(
    app, make_work, mailing, caplog
):
    from gallery.verbs import decisions

    work = make_work(status=WorkStatus.PENDING, contact_email="cli@example.org")
    work.notify_token, work.notify_locale = mail.seal_token("t" * 43), "en"
    db.session.commit()
    decisions.approve_work(store(app), work.id, moderator_id=None)
    db.session.commit()
    settle(app)
    assert work_of_id(work.id).status == WorkStatus.APPROVED
    assert outbox() == []
    assert any("SERVER_NAME" in r.getMessage() for r in caplog.records)


def test_a_token_sealed_with_another_secret_costs_no_decision(
    app, client, moderator, mailing, caplog
):
    token = submit(client)
    work = work_of(token)
    work.notify_token = secretbox.seal(token, secret="an older secret", purpose="receipt token")
    db.session.commit()
    response = client.post(
        f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id)
    )
    assert response.status_code == 303
    settle(app)
    assert work_of(token).status == WorkStatus.APPROVED
    assert outbox() == [] and mailing.inbox.received() == []
    assert any("cannot be read" in r.getMessage() for r in caplog.records)
    assert_no_secret_logged(caplog, "artist@example.org", token)


def work_of_id(work_id: int) -> Work:
    db.session.commit()
    return db.session.get(Work, work_id)
