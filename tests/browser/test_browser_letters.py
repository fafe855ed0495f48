"""The letter desk in a real browser, end to end (issue 25): a visitor writes in French, a
volunteer translates and approves the letter with the desk in Russian, a moderator prints
the batch and marks it sent, and the writer's private link says "sent".

Uses the run's one live server (the real app, CSRF on, demo content) and its Chromium."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
import pytest
from sqlalchemy import select

from browser_helpers import BROWSER_MARKS, Live, Tab, expect
from gallery.extensions import db
from gallery.models import Letter, Moderator, Prisoner, Role
from helpers import MODERATOR_PASSWORD

pytestmark = BROWSER_MARKS

SLUG = "azat-miftakhov"  # the demo's profile, with a Russian name for the card
LETTER = "Bonjour Azat, nous pensons à vous à Paris. Les marronniers fleurissent."
TRANSLATION = "Здравствуйте, Азат! Мы думаем о вас в Париже. Цветут каштаны. Мари"


@pytest.fixture(scope="module")
def accounts(live: Live, moderator_password_hash: str) -> None:
    with live.app.app_context():
        try:
            for name, role in (("desk-vol", Role.VOLUNTEER), ("desk-mod", Role.MODERATOR)):
                if db.session.scalar(select(Moderator).where(Moderator.username == name)) is None:
                    db.session.add(
                        Moderator(username=name, password_hash=moderator_password_hash, role=role)
                    )
            db.session.commit()
        finally:
            db.session.remove()


def log_in(page: Any, name: str, lang: str) -> None:
    page.goto(f"/login?lang={lang}")
    page.locator("#username").fill(name)
    page.locator("#password").fill(MODERATOR_PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r"/moderation/"))


def test_a_french_letter_is_translated_approved_printed_and_sent(
    open_tab, live: Live, accounts: None
):
    # The writer, in French, on a phone.
    writer: Tab = open_tab(390)
    page = writer.page
    page.goto(f"/fr/prisoners/{SLUG}")
    page.get_by_role("link", name="Écrire maintenant").click()
    page.wait_for_url(re.compile(rf"/fr/prisoners/{SLUG}/write$"))
    page.get_by_label("Votre lettre").fill(LETTER)
    page.get_by_label("Votre prénom ou un pseudonyme").fill("Marie")
    page.get_by_role("button", name="Confier la lettre à nos bénévoles").click()
    page.wait_for_url(re.compile(r"/fr/letters/[\w-]+$"))
    private_link = page.url
    expect(page.locator(".receipt__status")).to_have_text("en attente de lecture")
    writer.assert_clean()

    with live.app.app_context():
        try:
            letter_id = db.session.scalar(select(Letter.id).order_by(Letter.id.desc()))
        finally:
            db.session.remove()

    # The volunteer, with the desk in Russian: translate, tick the list, approve.
    volunteer: Tab = open_tab(1280)
    page = volunteer.page
    log_in(page, "desk-vol", "ru")
    page.wait_for_url(re.compile(r"/moderation/letters$"))
    page.get_by_role("link", name=re.compile(rf"Письмо №\s{letter_id}:")).click()
    expect(page.locator(".letter-text").first).to_have_text(LETTER)
    page.get_by_label("Перевод вместе с подписью").fill(TRANSLATION)
    for box in page.locator("input[name=checked]").all():
        box.check()
    page.get_by_role("button", name="Одобрить для следующей отправки").click()
    page.wait_for_url(re.compile(r"/moderation/letters$"))
    expect(page.locator(".notice--success")).to_contain_text("Письмо одобрено")
    # Printing and posting are the moderators': the volunteer's desk offers neither.
    expect(page.get_by_role("button", name="Отметить отправку")).to_have_count(0)
    volunteer.assert_clean()

    # The moderator prints the batch and marks it sent.
    moderator: Tab = open_tab(1280)
    page = moderator.page
    log_in(page, "desk-mod", "en")
    page.goto("/moderation/letters")
    pdf_link = page.get_by_role("link", name="Print the batch (PDF)").first
    answer = page.request.get(pdf_link.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    pdf = pypdf.PdfReader(io.BytesIO(answer.body()))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "каштаны" in text and "marronniers" not in text
    batch = page.locator(".desk-batch").filter(has=page.locator(f"input[value='{letter_id}']"))
    batch.get_by_role("button", name="Mark this batch sent").click()
    expect(page.locator(".notice--success")).to_contain_text("marked as sent")
    moderator.assert_clean()

    # The writer's link now says "sent", and offers no withdrawal.
    page = writer.page
    page.goto(private_link)
    expect(page.locator(".receipt__status")).to_contain_text("envoyée")
    expect(page.get_by_role("button", name="Retirer et supprimer la lettre")).to_have_count(0)
    with live.app.app_context():
        try:
            prisoner = db.session.scalar(select(Prisoner).where(Prisoner.slug == SLUG))
            assert prisoner is not None
            sent = db.session.get(Letter, letter_id)
            assert sent is not None and sent.sent_at is not None
        finally:
            db.session.remove()
