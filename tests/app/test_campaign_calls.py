"""A campaign's call for works (issue 26): `/campaigns/<slug>/submit` presets the campaign
and its prisoners under the call's brief and dates, in three languages; it closes politely
after its last day (anywhere on Earth); organisers share its address and QR code; the queue
can be filtered by call."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from gallery.extensions import db
from gallery.models import CallState, Campaign, CampaignTranslation, Work
from gallery.models.base import utcnow
from helpers import approving, count_rows, form_data, fresh, png_bytes, post, saved

BRIEF = {
    "en": "Draw **a letter** for Azat.",
    "fr": "Dessinez **une lettre** pour Azat.",
    "ru": "Нарисуйте **письмо** для Азата.",
}
THANKS = {
    "en": "Thank you for answering the call.",
    "fr": "Merci d’avoir répondu à l’appel.",
    "ru": "Спасибо, что откликнулись на призыв.",
}


@pytest.fixture
def call(app, make_prisoner):
    """A campaign with an open call in three languages, for one of two prisoners."""
    azat = make_prisoner(slug="azat-miftakhov", name="Azat Miftakhov")
    make_prisoner(slug="other", name="Another Prisoner")
    today = utcnow().date()
    campaign = Campaign(
        slug="letters-for-azat",
        title="Letters for Azat",
        original_locale="en",
        call_brief=BRIEF["en"],
        call_thanks=THANKS["en"],
        call_opens_on=today - timedelta(days=3),
        call_closes_on=today + timedelta(days=10),
        prisoners=[azat],
        translations=[
            CampaignTranslation(
                locale=code,
                title=title,
                call_brief=BRIEF[code],
                call_thanks=THANKS[code],
            )
            for code, title in (("fr", "Des lettres pour Azat"), ("ru", "Письма Азату"))
        ],
    )
    return saved(campaign)


def _shift(campaign_id: int, **dates: date | None) -> None:
    row = db.session.get(Campaign, campaign_id)
    for name, value in dates.items():
        setattr(row, name, value)
    db.session.commit()


def test_the_call_form_shows_the_brief_and_presets_in_each_language(client, call):
    for code, lead, kicker, title in (
        ("en", "Draw <strong>a letter</strong> for Azat.", "Call for works", "Letters for Azat"),
        (
            "fr",
            "Dessinez <strong>une lettre</strong> pour Azat.",
            "Appel à œuvres",
            "Des lettres pour Azat",
        ),
        ("ru", "Нарисуйте <strong>письмо</strong> для Азата.", "Приём работ", "Письма Азату"),
    ):
        prefix = "" if code == "en" else f"/{code}"
        response = client.get(f"{prefix}/campaigns/{call.slug}/submit")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert lead in html
        assert f'<p class="kicker">{kicker}</p>\n  <h1>{title}</h1>' in html
        # The campaign is fixed (no campaign choice), and only its prisoner is offered, ticked.
        assert 'name="campaign"' not in html
        assert "Another Prisoner" not in html
        pid = call.prisoners[0].id
        assert re.search(
            rf'<input checked id="prisoners-0" name="prisoners" type="checkbox" value="{pid}">',
            html,
        )
        assert f'action="{prefix}/campaigns/{call.slug}/submit"' in html


def test_a_work_sent_through_the_call_carries_its_campaign_and_the_thanks(
    client, call, make_prisoner
):
    other_campaign = saved(Campaign(slug="other-rally", title="Other rally"))
    data = form_data(
        client,
        png_bytes(),
        prisoners=str(call.prisoners[0].id),
        # A forged campaign field is ignored: the call's address decides.
        campaign=str(other_campaign.id),
    )
    response = post(client, data, url=f"/campaigns/{call.slug}/submit")
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert THANKS["en"] in receipt
    fresh()
    work = db.session.scalars(select(Work)).one()
    assert work.campaign_id == call.id
    assert [p.slug for p in work.prisoners] == ["azat-miftakhov"]


def test_a_prisoner_outside_the_call_is_refused_and_nothing_kept(client, call):
    other = db.session.scalar(select(Campaign).where(Campaign.id == call.id)).prisoners[0]
    outsider = next(p.id for p in db.session.scalars(select(type(other))) if p.slug == "other")
    response = post(
        client,
        form_data(client, png_bytes(), prisoners=str(outsider)),
        url=f"/campaigns/{call.slug}/submit",
    )
    assert response.status_code == 400
    assert "Please correct the fields marked below" in response.get_data(as_text=True)
    assert count_rows(Work) == 0


def test_a_closed_call_says_so_politely_and_takes_nothing(client, call):
    _shift(call.id, call_closes_on=utcnow().date() - timedelta(days=2))
    page = client.get(f"/campaigns/{call.slug}/submit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The call closed on" in html and 'type="file"' not in html
    assert "Send a work through the general form" in html
    response = post(client, form_data(client, png_bytes()), url=f"/campaigns/{call.slug}/submit")
    assert response.status_code == 410
    assert "Thank you to everyone who sent a work" in response.get_data(as_text=True)
    assert count_rows(Work) == 0
    campaign_page = client.get(f"/campaigns/{call.slug}").get_data(as_text=True)
    assert (
        "The call closed on" in campaign_page and "Send a work for this call" not in campaign_page
    )


def test_a_call_not_yet_open_takes_nothing(client, call):
    _shift(call.id, call_opens_on=utcnow().date() + timedelta(days=5))
    html = client.get(f"/ru/campaigns/{call.slug}/submit").get_data(as_text=True)
    assert "Приём работ откроется" in html
    response = post(client, form_data(client, png_bytes()), url=f"/campaigns/{call.slug}/submit")
    assert response.status_code == 409
    assert count_rows(Work) == 0


def test_an_open_call_is_offered_on_the_campaign_page(client, call):
    html = client.get(f"/fr/campaigns/{call.slug}").get_data(as_text=True)
    assert f'href="/fr/campaigns/{call.slug}/submit"' in html
    assert "Envoyer une œuvre pour cet appel" in html


def test_a_campaign_without_a_call_has_no_call_address(client, app):
    saved(Campaign(slug="vigil", title="Vigil"))
    for path in (
        "/campaigns/vigil/submit",
        "/campaigns/vigil/submit/qr.png",
        "/campaigns/nope/submit",
        "/campaigns/%E2%80%AE/submit",
    ):
        assert client.get(path).status_code == 404, path
    assert "Call for works" not in client.get("/campaigns/vigil").get_data(as_text=True)


def test_the_calls_qr_code_leads_to_its_address_in_the_readers_language(client, call):
    response = client.get(f"/fr/campaigns/{call.slug}/submit/qr.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))]
    assert found == [f"http://localhost/fr/campaigns/{call.slug}/submit?src=qr"]


@pytest.mark.parametrize(
    ("moment", "state"),
    [
        # The call opens once 1 March has begun somewhere (UTC+14: 10:00 UTC on 28 February)...
        (datetime(2027, 2, 28, 9, 59, tzinfo=UTC), CallState.UPCOMING),
        (datetime(2027, 2, 28, 10, 0, tzinfo=UTC), CallState.OPEN),
        # ...and closes once 31 March has ended everywhere (UTC-12: 12:00 UTC on 1 April).
        (datetime(2027, 4, 1, 11, 59, tzinfo=UTC), CallState.OPEN),
        (datetime(2027, 4, 1, 12, 0, tzinfo=UTC), CallState.CLOSED),
    ],
)
def test_call_days_count_anywhere_on_earth(moment, state):
    campaign = Campaign(
        slug="c",
        title="C",
        call_brief="Draw.",
        call_opens_on=date(2027, 3, 1),
        call_closes_on=date(2027, 3, 31),
    )
    assert campaign.call_state(moment) is state
    assert Campaign(slug="d", title="D", call_opens_on=date(2027, 3, 1)).call_state(moment) is None


def test_a_moderator_sets_up_a_call_in_three_languages(client, moderator, make_prisoner):
    prisoner = make_prisoner()
    fields = {
        "title_en": "Letters for Azat",
        "original_locale": "en",
        "prisoners": [prisoner.id],
        "call_opens_on": "2027-03-01",
        "call_closes_on": "2027-03-31",
        "csrf_token": moderator,
    }
    for code in ("en", "fr", "ru"):
        fields[f"call_brief_{code}"] = BRIEF[code]
        fields[f"call_thanks_{code}"] = THANKS[code]
    response = client.post("/moderation/campaigns/new", data=fields)
    assert response.status_code == 303
    fresh()
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.call_opens_on, campaign.call_closes_on) == (
        date(2027, 3, 1),
        date(2027, 3, 31),
    )
    assert campaign.text_for("call_brief", "ru").text == BRIEF["ru"]
    assert campaign.text_for("call_thanks", "fr").text == THANKS["fr"]
    edit = client.get(f"/moderation/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert f"/campaigns/{campaign.slug}/submit" in edit and "submit/qr.png" in edit


def test_a_call_cannot_close_before_it_opens(client, moderator):
    response = client.post(
        "/moderation/campaigns/new",
        data={
            "title_en": "Backwards",
            "original_locale": "en",
            "call_brief_en": "Draw.",
            "call_opens_on": "2027-03-31",
            "call_closes_on": "2027-03-01",
            "csrf_token": moderator,
        },
    )
    assert "A call cannot close before it opens." in response.get_data(as_text=True)
    assert count_rows(Campaign) == 0


def test_the_queue_can_be_filtered_by_call(client, moderator, call, pending):
    pending(png_bytes(), title="For the call", campaign_id=call.id)
    other, _token = pending(png_bytes(), title="For nobody")
    html = client.get(f"/moderation/?campaign={call.slug}").get_data(as_text=True)
    assert "For the call" in html and "For nobody" not in html
    assert "1 work sent for “Letters for Azat” waits for review" in html
    assert f'<input type="hidden" name="campaign" value="{call.slug}">' in html
    response = client.post(
        f"/moderation/works/{other.id}/approve",
        data=approving(moderator, other.id) | {"campaign": call.slug},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/moderation/?campaign={call.slug}")
    everything = client.get("/moderation/").get_data(as_text=True)
    assert "For the call" in everything
    assert client.get("/moderation/?campaign=nope").status_code == 400


def test_the_navigation_counts_open_reports_beside_the_queue(client, moderator):
    html = client.get("/moderation/").get_data(as_text=True)
    assert "Review queue (0)" in html and "Reports (0)" in html
