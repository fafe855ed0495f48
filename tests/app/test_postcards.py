"""Solidarity postcards (issue 25): a moderator's "postcard-safe" decision on a published
work, audited and separate from publishing; the A6 card and the four-up A4 sheet read back
with pypdf (page sizes, a back in Cyrillic only, no address of a web site) and pypdfium2
(the front is the work's pixels, the grey tone is grey); the JPEG for e-letter services;
a campaign's table sheet; the links on the work and campaign pages."""

from __future__ import annotations

import io
import re

import pypdf
import pypdfium2
import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageStat
from sqlalchemy import select

from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import Campaign, Licence, ModerationEvent, PrisonerStory, Work, WorkStatus
from helpers import RED, approving, fresh, png_bytes, saved, spaced

A6 = (297.64, 419.53)
A4 = (595.28, 841.89)
LATIN = re.compile(r"[A-Za-z]")


def card_url(work, prisoner="azat", **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"prisoner": prisoner, **args}.items())
    return f"/works/{work.public_id}/postcard.pdf?{query}"


def pdf_of(response) -> pypdf.PdfReader:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(response.data))


def size_of(page) -> tuple[float, float]:
    return (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2))


def rendered(data: bytes, page: int) -> Image.Image:
    return pypdfium2.PdfDocument(data)[page].render(scale=1).to_pil().convert("RGB")


def mean_of(image: Image.Image, box: tuple[float, float, float, float]) -> list[float]:
    """The average colour of a part of an image (box in fractions of its size)."""
    w, h = image.size
    part = image.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    return ImageStat.Stat(part).mean


def large_mean(work) -> list[float]:
    info = work.renditions["large"]
    data = store().path(work.image_key, info["files"]["jpeg"]).read_bytes()
    return mean_of(Image.open(io.BytesIO(data)).convert("RGB"), (0.3, 0.3, 0.7, 0.7))


def is_grey(image: Image.Image) -> bool:
    """Whether every pixel has R == G == B."""
    red, green, blue = image.split()
    return (
        ImageChops.difference(red, green).getbbox() is None
        and ImageChops.difference(green, blue).getbbox() is None
    )


def close(a, b, tolerance: float = 6) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def assert_clean_back(text: str) -> None:
    """A card's back: no Latin letter, so no web address or organisation's name either."""
    assert not LATIN.search(text), text
    assert "http" not in text and "www" not in text


# ---- the moderators' decision ----


def test_a_moderator_marks_a_published_work_postcard_safe_and_takes_it_back(
    client, moderator, make_work, azat
):
    work = make_work(title="Quiet garden", prisoners=(azat,))
    page = client.get(f"/moderation/works/{work.id}?lang=ru").get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]*postcard-safe[^"]*)"', page)
    assert form and form.group(1) == f"/moderation/works/{work.id}/postcard-safe"
    assert 'type="checkbox"' in page and 'name="safe"' in page
    # What postcard-safe means, in the moderator's language.
    assert "нет лозунгов" in page and "латинскими буквами" in page

    answer = client.post(form.group(1), data={"csrf_token": moderator, "safe": "1"})
    assert answer.status_code == 303
    fresh()
    assert db.session.get(Work, work.id).postcard_safe is True
    assert db.session.get(Work, work.id).postcard_safe_at is not None
    events = db.session.scalars(
        select(ModerationEvent.action).where(ModerationEvent.work_id == work.id)
    ).all()
    assert events == ["postcard-safe"]
    shown = client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    assert re.search(r'name="safe" value="1"\s*checked', shown)
    audit = spaced(client.get("/moderation/audit?lang=fr").get_data(as_text=True))
    assert "Œuvre jugée sûre pour une carte postale" in audit

    client.post(form.group(1), data={"csrf_token": moderator})  # the box left unticked
    fresh()
    assert db.session.get(Work, work.id).postcard_safe is False
    assert db.session.get(Work, work.id).postcard_safe_at is None
    actions = db.session.scalars(
        select(ModerationEvent.action)
        .where(ModerationEvent.work_id == work.id)
        .order_by(ModerationEvent.id)
    ).all()
    assert actions == ["postcard-safe", "postcard-unsafe"]


def test_only_a_published_work_can_be_postcard_safe(client, moderator, make_work):
    pending = make_work(title="Waiting", status=WorkStatus.PENDING)
    page = client.get(f"/moderation/works/{pending.id}").get_data(as_text=True)
    assert "postcard-safe" not in page
    answer = client.post(
        f"/moderation/works/{pending.id}/postcard-safe", data={"csrf_token": moderator, "safe": "1"}
    )
    assert answer.status_code == 409
    assert "Only a published work can be sent as a postcard." in answer.get_data(as_text=True)
    # Without the CSRF token: 400, and nothing changes either way.
    published = make_work(title="Published")
    assert (
        client.post(f"/moderation/works/{published.id}/postcard-safe", data={"safe": "1"})
    ).status_code == 400
    fresh()
    assert not db.session.get(Work, pending.id).postcard_safe
    assert not db.session.get(Work, published.id).postcard_safe
    assert not db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.work_id.is_not(None))
    ).all()


def test_a_visitor_cannot_decide(app, safe_work, make_work, csrf_token):
    visitor = app.test_client()
    work = make_work(title="Not yet", prisoners=safe_work.prisoners)
    answer = visitor.post(
        f"/moderation/works/{work.id}/postcard-safe",
        data={"csrf_token": csrf_token(visitor, "/submit"), "safe": "1"},
    )
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    fresh()
    assert db.session.get(Work, work.id).postcard_safe is False
    assert not db.session.scalars(select(ModerationEvent)).all()


def test_unpublishing_clears_the_mark_and_the_cards_go(app, client, moderator, safe_work):
    visitor = app.test_client()
    assert visitor.get(card_url(safe_work)).status_code == 200
    answer = client.post(
        f"/moderation/works/{safe_work.id}/unpublish",
        data={"csrf_token": moderator, "reason": "A face shows."},
    )
    assert answer.status_code == 303
    fresh()
    assert db.session.get(Work, safe_work.id).postcard_safe is False
    assert visitor.get(card_url(safe_work)).status_code == 404
    # Approved again, it is no postcard until a moderator decides again.
    client.post(
        f"/moderation/works/{safe_work.id}/approve", data=approving(moderator, safe_work.id)
    )
    fresh()
    assert db.session.get(Work, safe_work.id).status == WorkStatus.APPROVED
    assert visitor.get(card_url(safe_work)).status_code == 404


# ---- what is refused ----


def test_cards_only_for_a_postcard_safe_published_work_and_its_prisoners(
    client, make_work, make_prisoner, azat, safe_work
):
    latin_only = make_prisoner(slug="ada", name="Ada Lovelace")
    make_prisoner(slug="other", name="Other", name_native="Другой Человек", name_native_locale="ru")
    unsafe = make_work(title="Not decided", prisoners=(azat,))
    pending = make_work(title="Pending", prisoners=(azat,), status=WorkStatus.PENDING)
    pending.postcard_safe = True
    saved(pending)
    with_ada = make_work(title="For Ada", prisoners=(latin_only,))
    with_ada.postcard_safe = True
    saved(with_ada)
    reserved = make_work(title="Reserved", prisoners=(azat,), licence=Licence.ALL_RIGHTS_RESERVED)
    reserved.postcard_safe = True
    saved(reserved)

    assert client.get(card_url(safe_work)).status_code == 200
    for url in (
        card_url(unsafe),
        card_url(pending),
        card_url(safe_work, prisoner="other"),  # a prisoner it does not stand with
        card_url(safe_work, prisoner="nobody"),
        f"/works/{safe_work.public_id}/postcard.pdf",  # no prisoner
        card_url(with_ada, prisoner="ada"),  # no name in Cyrillic: no card
        card_url(reserved),  # all rights reserved, no permission to print
        f"/works/{unsafe.public_id}/postcard.jpg?prisoner=azat&tone=grey",
        "/works/nosuchwork/postcard.pdf?prisoner=azat",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("args", [{"layout": "2"}, {"tone": "sepia"}, {"layout": "a4"}])
def test_a_bad_layout_or_tone_is_a_polite_400(client, safe_work, args):
    answer = client.get(card_url(safe_work, **args))
    assert answer.status_code == 400
    assert "<html" in answer.get_data(as_text=True).lower()
    assert (
        client.get(f"/works/{safe_work.public_id}/postcard.jpg?prisoner=azat&tone=sepia")
    ).status_code == 400


# ---- the cards ----


def test_one_a6_card_front_then_back_in_cyrillic_only(client, safe_work):
    response = client.get(card_url(safe_work, layout=1))
    pdf = pdf_of(response)
    assert [size_of(p) for p in pdf.pages] == [A6, A6]
    assert pdf.pages[0].extract_text().strip() == ""  # the front: the work alone
    back = pdf.pages[1].extract_text()
    assert "Азат Мифтахов" in back
    for starter in ("Здравствуйте!", "Пишу вам из …", "Думаю о вас."):
        assert starter in back
    assert_clean_back(back)
    assert not response.data.count(b"/URI")  # no link anywhere
    for page in (0, 1):  # and no QR code on either side
        assert zxingcpp.read_barcodes(rendered(response.data, page)) == []
    # Its properties say nothing in Latin letters.
    meta = pdf.metadata or {}
    for key in ("/Title", "/Author", "/Creator", "/Producer", "/Subject"):
        assert not LATIN.search(str(meta.get(key, ""))), (key, meta.get(key))
    # The front: the work, full bleed, its colour as stored.
    front = rendered(response.data, 0)
    assert close(mean_of(front, (0.3, 0.3, 0.7, 0.7)), large_mean(safe_work))
    assert close(mean_of(front, (0.0, 0.0, 0.05, 0.05)), large_mean(safe_work))  # to the edge
    assert response.headers["Cache-Control"] == "no-cache"


def test_four_cards_on_a4_with_the_backs_behind_their_fronts(client, make_work, azat):
    # Left half red, right half blue, on each of the four cards.
    image = Image.new("RGB", (300, 420), RED)
    image.paste((30, 40, 200), (150, 0, 300, 420))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    work = make_work(title="Two halves", prisoners=(azat,), image=buffer.getvalue())
    work.postcard_safe = True
    saved(work)
    response = client.get(card_url(work, layout=4))
    pdf = pdf_of(response)
    assert [size_of(p) for p in pdf.pages] == [A4, A4]
    back = pdf.pages[1].extract_text()
    assert back.count("Азат Мифтахов") == 4
    assert_clean_back(back)
    fronts = rendered(response.data, 0)
    for left in (0.0, 0.5):
        for top in (0.0, 0.5):
            # Each card's left quarter red, its right quarter blue: every card has the work.
            red = mean_of(fronts, (left + 0.05, top + 0.2, left + 0.2, top + 0.3))
            blue = mean_of(fronts, (left + 0.3, top + 0.2, left + 0.45, top + 0.3))
            assert red[0] > 150 and red[2] < 90, red
            assert blue[2] > 150 and blue[0] < 90, blue


def test_the_grey_tone_is_grey(client, safe_work):
    response = client.get(card_url(safe_work, tone="grey"))
    pdf_of(response)
    assert is_grey(rendered(response.data, 0))
    assert not is_grey(rendered(client.get(card_url(safe_work)).data, 0))


def test_starters_and_address_from_a_russian_profile(client, make_work, make_prisoner):
    ada = make_prisoner(slug="ada", name="Ada Lovelace", letter_address="Тула, ul. Lenina 1")
    ada.stories.append(
        PrisonerStory(
            locale="ru",
            name="Ада Августовна Лавлейс",
            letter_guidance=(
                "**Пишите по-русски.** Письма на других языках не пропускают.\n\n"
                "> Здравствуйте, Ада!\n"
                "> Привет из Парижа.\n"
                "> See https://example.org\n"
            ),
        )
    )
    saved(ada)
    work = make_work(title="Garden", prisoners=(ada,))
    work.postcard_safe = True
    saved(work)
    back = pdf_of(client.get(card_url(work, prisoner="ada"))).pages[1].extract_text()
    assert "Ада Августовна Лавлейс" in back
    assert "Здравствуйте, Ада!" in back and "Привет из Парижа." in back
    assert "Думаю о вас." not in back  # the profile's own starters, not the fixed ones
    assert "Тула" not in back  # an address with Latin letters is not printed
    assert_clean_back(back)

    ada.letter_address = "301000, Тула, ул. Ленина, д. 1, ФКУ СИЗО-1"
    saved(ada)
    back = pdf_of(client.get(card_url(work, prisoner="ada"))).pages[1].extract_text()
    assert "Тула, ул. Ленина" in back
    assert_clean_back(back)


def test_the_jpeg_for_e_letter_services(client, safe_work):
    response = client.get(f"/works/{safe_work.public_id}/postcard.jpg?prisoner=azat&tone=grey")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "JPEG" and image.size == (1200, 1691)
    assert image.mode == "L"
    assert not image.getexif() and b"Exif" not in response.data[:200]
    assert "icc_profile" not in image.info
    colour = client.get(f"/works/{safe_work.public_id}/postcard.jpg?prisoner=azat")
    shown = Image.open(io.BytesIO(colour.data)).convert("RGB")
    assert close(mean_of(shown, (0.3, 0.3, 0.7, 0.7)), large_mean(safe_work))


# ---- a campaign's table sheet ----


def test_a_campaign_sheet_with_a_cover_in_the_reader_language(client, make_work, azat):
    campaign = saved(Campaign(slug="rally", title="Rally for Azat", prisoners=[azat]))
    for n in range(5):
        work = make_work(title=f"Card {n}", prisoners=(azat,), campaign_id=campaign.id)
        work.postcard_safe = n != 4  # four cards, and one work not decided
        saved(work)
    response = client.get("/fr/campaigns/rally/postcards.pdf")
    pdf = pdf_of(response)
    assert [size_of(p) for p in pdf.pages] == [A4, A4, A4]
    cover = spaced(" ".join(pdf.pages[0].extract_text().split()))
    assert "Cartes postales de solidarité" in cover and "Rally for Azat" in cover
    assert "4 cartes à imprimer" in cover
    assert "http://localhost/fr/campaigns/rally" in cover  # the cover may name the gallery
    assert pdf.pages[1].extract_text().strip() == ""  # the fronts
    back = pdf.pages[2].extract_text()
    assert back.count("Азат Мифтахов") == 4
    assert_clean_back(back)

    five = make_work(title="Card 5", prisoners=(azat,), campaign_id=campaign.id)
    five.postcard_safe = True
    saved(five)
    pdf = pdf_of(client.get("/ru/campaigns/rally/postcards.pdf"))
    assert [size_of(p) for p in pdf.pages] == [A4] * 5  # a second sheet, both sides
    assert "Открытки солидарности" in pdf.pages[0].extract_text()
    assert pdf.pages[4].extract_text().count("Азат Мифтахов") == 1


def test_each_back_is_behind_its_front_when_flipped_on_the_long_edge(
    client, make_work, make_prisoner, azat
):
    lena = make_prisoner(slug="lena", name="Lena", name_native="Лена Ким", name_native_locale="ru")
    campaign = saved(Campaign(slug="pair", title="Pair", prisoners=[azat, lena]))
    colours = {"azat": (200, 30, 30), "lena": (30, 30, 200)}
    for slug, prisoner in (("lena", lena), ("azat", azat)):  # the newest first: Azat's
        work = make_work(
            title=slug,
            prisoners=(prisoner,),
            campaign_id=campaign.id,
            image=png_bytes((300, 420), colours[slug]),
        )
        work.postcard_safe = True
        saved(work)
    response = client.get("/campaigns/pair/postcards.pdf")
    pdf = pdf_of(response)
    fronts = rendered(response.data, 1)
    # The fronts: Azat's red card top left, Lena's blue one top right.
    assert close(mean_of(fronts, (0.1, 0.1, 0.4, 0.4)), colours["azat"], 20)
    assert close(mean_of(fronts, (0.6, 0.1, 0.9, 0.4)), colours["lena"], 20)
    # The backs: mirrored, so Lena's name is on the left, Azat's on the right.
    where: dict[str, float] = {}

    def note(text, cm, tm, font, size):
        for name in ("Азат Мифтахов", "Лена Ким"):
            if name in text:
                where[name] = tm[4]

    pdf.pages[2].extract_text(visitor_text=note)
    width = float(pdf.pages[2].mediabox.width)
    assert where["Лена Ким"] < width / 2 < where["Азат Мифтахов"], where


def test_a_campaign_without_postcards(client, make_work, azat):
    saved(Campaign(slug="quiet", title="Quiet", prisoners=[azat]))
    response = client.get("/campaigns/quiet/postcards.pdf?lang=en")
    pdf = pdf_of(response)
    assert [size_of(p) for p in pdf.pages] == [A4]
    assert "No work of this campaign can be sent as a postcard yet." in " ".join(
        pdf.pages[0].extract_text().split()
    )
    assert client.get("/campaigns/nosuch/postcards.pdf").status_code == 404
    assert "postcards.pdf" not in client.get("/campaigns/quiet").get_data(as_text=True)


# ---- the links on the pages, and the page cache ----


def test_the_work_page_offers_the_cards_once_marked_and_the_cache_follows(
    app, client, moderator, make_work, azat
):
    work = make_work(title="Quiet garden", prisoners=(azat,))
    campaign = saved(Campaign(slug="rally", title="Rally", prisoners=[azat]))
    work.campaign_id = campaign.id
    saved(work)
    visitor = app.test_client()
    before = visitor.get(f"/works/{work.public_id}").get_data(as_text=True)
    assert "postcard.pdf" not in before
    assert "postcards.pdf" not in visitor.get("/campaigns/rally").get_data(as_text=True)
    # The pages are now in the cache; the decision must reach them.
    client.post(
        f"/moderation/works/{work.id}/postcard-safe", data={"csrf_token": moderator, "safe": "1"}
    )
    page = visitor.get(f"/works/{work.public_id}").get_data(as_text=True)
    assert "Send it as a postcard" in page
    for link in (
        f"/works/{work.public_id}/postcard.pdf?prisoner=azat&amp;layout=1",
        f"/works/{work.public_id}/postcard.pdf?prisoner=azat&amp;layout=4",
        f"/works/{work.public_id}/postcard.jpg?prisoner=azat&amp;tone=grey",
    ):
        assert link in page, link
    french = spaced(visitor.get(f"/fr/works/{work.public_id}").get_data(as_text=True))
    assert "Envoyer en carte postale" in french
    assert f"/fr/works/{work.public_id}/postcard.pdf?prisoner=azat" in french
    assert "/campaigns/rally/postcards.pdf" in visitor.get("/campaigns/rally").get_data(
        as_text=True
    )
    # Taken back: the links go.
    client.post(f"/moderation/works/{work.id}/postcard-safe", data={"csrf_token": moderator})
    assert "postcard.pdf" not in visitor.get(f"/works/{work.public_id}").get_data(as_text=True)


def test_no_link_for_a_prisoner_without_a_cyrillic_name(client, make_work, make_prisoner):
    ada = make_prisoner(slug="ada", name="Ada Lovelace")
    work = make_work(title="For Ada", prisoners=(ada,))
    work.postcard_safe = True
    saved(work)
    assert "postcard" not in client.get(f"/works/{work.public_id}").get_data(as_text=True)
