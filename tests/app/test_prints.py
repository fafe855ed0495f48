"""Print-ready PDFs (issue 13): posters A4 and A3 in the image's orientation, wall labels,
prisoner flyers; their text readable in French and Russian, their QR codes decoding to
the right page, the image embedded at the size kept; only public works, and a work with
all rights reserved only once the moderators have recorded the artist's permission."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pypdf
import pypdfium2
import pytest
import zxingcpp
from babel.numbers import format_decimal
from sqlalchemy import select

from gallery import prints
from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import (
    Campaign,
    Licence,
    ModerationEvent,
    Prisoner,
    PrisonerStatus,
    PrisonerStory,
    WorkStatus,
)
from helpers import fresh, png_bytes, saved

A4 = (595.28, 841.89)
A3 = (841.89, 1190.55)
# The printing moment of every test: the day counts and dates on the labels are exact.
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DAYS_SINCE_2020 = (date(2025, 6, 1) - date(2020, 1, 1)).days  # make_prisoner's detention


@pytest.fixture(autouse=True)
def printing_day(monkeypatch):
    monkeypatch.setattr(prints.sheets, "utcnow", lambda: NOW)


@pytest.fixture
def ada(make_prisoner):
    return make_prisoner(name="Ada Lovelace", name_native="Ада Лавлейс")


def pdf_of(response) -> pypdf.PdfReader:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(response.data))


def size_of(page) -> tuple[float, float]:
    return (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2))


def flat(text: str) -> str:
    """A text with its line breaks and spaces (no-break ones too) made single spaces."""
    return " ".join(text.split())


def text_of(page) -> str:
    return flat(page.extract_text())


def qr_codes(data: bytes, page: int = 0, scale: float = 3) -> list[str]:
    image = pypdfium2.PdfDocument(data)[page].render(scale=scale).to_pil()
    return [found.text for found in zxingcpp.read_barcodes(image)]


def work_url(work, lang: str) -> str:
    return f"http://localhost/{lang}/works/{work.public_id}"


def qr_url(work, lang: str) -> str:
    """What a printed QR code holds: the work's address, marked as a visit from paper."""
    return work_url(work, lang) + "?src=qr"


def large_file(work, fmt: str = "jpeg") -> bytes:
    info = work.renditions["large"]
    return store().path(work.image_key, info["files"][fmt]).read_bytes()


# ---- one poster ----


def test_an_a4_poster_of_a_tall_work_in_french(client, make_work, ada):
    work = make_work(
        title="Sun behind bars", prisoners=(ada,), display_name="Mira", image=png_bytes((300, 400))
    )
    response = client.get(f"/works/{work.public_id}/poster.pdf?lang=fr")
    pdf = pdf_of(response)

    assert len(pdf.pages) == 1
    assert size_of(pdf.pages[0]) == A4
    text = text_of(pdf.pages[0])
    for expected in (
        "Sun behind bars",
        "par Mira",
        "CC BY 4.0",
        "En solidarité avec",
        "Ada Lovelace (Ада Лавлейс), en prison depuis le 1er janvier 2020 : ",
        flat(f"{format_decimal(DAYS_SINCE_2020, locale='fr')} jours"),
        "1er juin 2025",
        work_url(work, "fr"),
    ):
        assert expected in text, expected
    assert qr_codes(response.data) == [qr_url(work, "fr")]
    # The large JPEG as it is stored: its bytes, at its pixel size.
    (image,) = pdf.pages[0].images
    assert (
        image.image.size
        == (300, 400)
        == (work.renditions["large"]["width"], work.renditions["large"]["height"])
    )
    assert image.data == large_file(work)
    assert (
        response.headers["Content-Disposition"]
        == f"inline; filename=poster-{work.public_id}-a4-fr.pdf"
    )
    # Caches may keep it but must ask again (a takedown reaches them at once): 304 until then.
    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get(
        f"/works/{work.public_id}/poster.pdf?lang=fr",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304 and again.data == b""


def test_an_a3_poster_of_a_wide_work_in_russian_is_landscape(client, make_work, ada):
    work = make_work(title="Горизонт", prisoners=(ada,), image=png_bytes((800, 500)))
    response = client.get(f"/ru/works/{work.public_id}/poster.pdf?size=a3")
    pdf = pdf_of(response)

    assert len(pdf.pages) == 1
    assert size_of(pdf.pages[0]) == (A3[1], A3[0])
    text = text_of(pdf.pages[0])
    for expected in (
        "Горизонт",
        "Аноним",
        "В поддержку",
        "Ада Лавлейс",
        "1 июня 2025",
        "Ада Лавлейс) — в заключении с 1 января 2020 г.: ",
        work_url(work, "ru"),
    ):
        assert expected in text, expected
    assert qr_codes(response.data, scale=2) == [qr_url(work, "ru")]
    (image,) = pdf.pages[0].images
    assert image.image.size == (800, 500)


def test_an_a4_poster_of_a_wide_work_is_a4_landscape(client, make_work):
    work = make_work(image=png_bytes((640, 480)))
    pdf = pdf_of(client.get(f"/works/{work.public_id}/poster.pdf?size=a4"))
    assert size_of(pdf.pages[0]) == (A4[1], A4[0])


def test_a_transparent_work_prints_its_png_with_its_alpha(client, make_work):
    work = make_work(image=png_bytes((200, 300), (200, 30, 30, 128), mode="RGBA"))
    assert work.has_alpha
    pdf = pdf_of(client.get(f"/en/works/{work.public_id}/poster.pdf"))
    (image,) = pdf.pages[0].images
    xobject = image.indirect_reference.get_object()
    assert (xobject["/Width"], xobject["/Height"]) == (200, 300)
    assert "/SMask" in xobject


def test_a_released_prisoner_is_named_without_days(client, make_work, make_prisoner):
    free = make_prisoner(
        name="Free Person", status=PrisonerStatus.RELEASED, released_on=date(2024, 3, 1)
    )
    work = make_work(prisoners=(free,))
    text = text_of(pdf_of(client.get(f"/en/works/{work.public_id}/poster.pdf")).pages[0])
    assert "Free Person" in text
    assert "In prison since" not in text and " days" not in text


# ---- who may print what ----


@pytest.mark.parametrize("state", ["pending", "hidden", "rejected", "withdrawn", "unknown"])
def test_only_public_works_print(client, make_work, state):
    if state == "unknown":
        public_id = "A" * 22
    else:
        work = make_work(status=WorkStatus.APPROVED if state == "hidden" else WorkStatus(state))
        if state == "hidden":
            work.hidden = True
            db.session.commit()
        public_id = work.public_id
    for size in ("a4", "a3"):
        response = client.get(f"/works/{public_id}/poster.pdf?size={size}")
        assert response.status_code == 404
        assert response.mimetype == "text/html"


def test_all_rights_reserved_prints_only_with_the_artists_permission(client, make_work, moderator):
    work = make_work(title="Mine alone", licence=Licence.ALL_RIGHTS_RESERVED)
    refused = client.get(f"/works/{work.public_id}/poster.pdf")
    assert refused.status_code == 403
    assert refused.mimetype == "text/html"
    assert "The artist keeps all rights to this work" in refused.get_data(as_text=True)

    page = client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    assert f'action="/moderation/works/{work.id}/allow-print"' in page
    # The moderators record the artist's permission: they do not give one of their own.
    assert "Record the artist’s permission to print" in page
    assert "Give leave to print" not in page and "moderators’ leave" not in page
    granted = client.post(
        f"/moderation/works/{work.id}/allow-print", data={"csrf_token": moderator}
    )
    assert granted.status_code == 303
    fresh()
    event = db.session.scalar(
        select(ModerationEvent).where(
            ModerationEvent.work_id == work.id, ModerationEvent.action == "print-allow"
        )
    )
    assert event is not None and event.subject == "Mine alone"

    pdf = pdf_of(client.get(f"/en/works/{work.public_id}/poster.pdf"))
    text = text_of(pdf.pages[0])
    assert "All rights reserved" in text
    assert "Printed with the artist’s permission; all rights reserved." in text
    assert "moderator" not in text.lower()
    page = client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    assert "The artist’s permission to print it is recorded." in page

    page = client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    assert f'action="/moderation/works/{work.id}/forbid-print"' in page
    assert (
        client.post(
            f"/moderation/works/{work.id}/forbid-print", data={"csrf_token": moderator}
        ).status_code
        == 303
    )
    assert client.get(f"/works/{work.public_id}/poster.pdf").status_code == 403


def test_leave_to_print_needs_a_csrf_token_and_an_all_rights_reserved_work(
    client, make_work, moderator
):
    reserved = make_work(licence=Licence.ALL_RIGHTS_RESERVED)
    open_work = make_work(licence=Licence.CC_BY_SA)
    assert client.post(f"/moderation/works/{reserved.id}/allow-print").status_code == 400
    fresh()
    assert db.session.get(type(reserved), reserved.id).print_permitted is False  # no token: nothing
    assert "allow-print" not in client.get(f"/moderation/works/{open_work.id}").get_data(
        as_text=True
    )
    client.post(f"/moderation/works/{open_work.id}/allow-print", data={"csrf_token": moderator})
    fresh()
    assert db.session.get(type(open_work), open_work.id).print_permitted is False
    assert (
        client.post(
            "/moderation/works/999999/allow-print", data={"csrf_token": moderator}
        ).status_code
        == 404
    )


def test_anonymous_visitors_cannot_give_leave(client, make_work, csrf_token):
    work = make_work(licence=Licence.ALL_RIGHTS_RESERVED)
    response = client.post(
        f"/moderation/works/{work.id}/allow-print", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    fresh()
    assert db.session.get(type(work), work.id).print_permitted is False


# ---- a campaign ----


@pytest.fixture
def rally(make_work, ada):
    """A campaign with two printable works and four that are not."""
    campaign = saved(Campaign(slug="rally", title="Rally"))
    made = {}
    for name, kw in {
        "open": {},
        "leave": {"licence": Licence.ALL_RIGHTS_RESERVED},
        "reserved": {"licence": Licence.ALL_RIGHTS_RESERVED},
        "pending": {"status": WorkStatus.PENDING},
        "hidden": {},
        "rejected": {"status": WorkStatus.REJECTED},
    }.items():
        made[name] = make_work(
            title=f"Work {name}", campaign_id=campaign.id, prisoners=(ada,), **kw
        )
    made["leave"].print_permitted = True
    made["hidden"].hidden = True
    db.session.commit()
    return made


def test_campaign_posters_have_a_page_per_printable_work(client, rally):
    response = client.get("/fr/campaigns/rally/posters.pdf?size=a3")
    pdf = pdf_of(response)
    assert len(pdf.pages) == 2
    assert all(size_of(page) == (A3[1], A3[0]) for page in pdf.pages)  # make_work's images are wide
    texts = [text_of(page) for page in pdf.pages]
    # Newest first, as on the campaign's page.
    assert ["Work leave" in texts[0], "Work open" in texts[1]] == [True, True]
    for name in ("reserved", "pending", "hidden", "rejected"):
        assert not any(f"Work {name}" in text for text in texts)
    assert qr_codes(response.data, 0, 2) == [qr_url(rally["leave"], "fr")]
    assert qr_codes(response.data, 1, 2) == [qr_url(rally["open"], "fr")]
    assert response.headers["Content-Disposition"] == "inline; filename=posters-rally-a3-fr.pdf"


def test_campaign_labels_are_a_sheet_of_the_printable_works(client, rally):
    response = client.get("/campaigns/rally/labels.pdf?lang=ru")
    pdf = pdf_of(response)
    assert len(pdf.pages) == 1
    assert size_of(pdf.pages[0]) == A4
    text = text_of(pdf.pages[0])
    assert "Work open" in text and "Work leave" in text and "Work reserved" not in text
    assert "Ада Лавлейс" in text and "1 июня 2025" in text
    assert sorted(qr_codes(response.data)) == sorted(
        [qr_url(rally["open"], "ru"), qr_url(rally["leave"], "ru")]
    )
    assert len(pdf.pages[0].images) == 0


@pytest.mark.parametrize(
    ("lang", "permission", "moderators"),
    [
        ("en", "Printed with the artist’s permission; all rights reserved.", "moderator"),
        ("fr", "Imprimé avec l’accord de l’artiste ; tous droits réservés.", "modérat"),
        ("ru", "Напечатано с разрешения автора; все права защищены.", "модератор"),
    ],
)
def test_the_label_of_a_reserved_work_gives_the_artists_permission_not_the_moderators(
    client, rally, lang, permission, moderators
):
    """Only the author can allow a reproduction (French review P-6): the wall label of an
    all-rights-reserved work says the artist allowed it, and never names the moderators."""
    text = text_of(pdf_of(client.get(f"/campaigns/rally/labels.pdf?lang={lang}")).pages[0])
    assert flat(permission) in text
    assert text.count(flat(permission)) == 1  # the reserved work only, not the open one
    assert moderators not in text.lower()


def test_labels_run_onto_a_second_sheet_after_eight(client, make_work):
    campaign = saved(Campaign(slug="big", title="Big"))
    for _ in range(9):
        make_work(campaign_id=campaign.id)
    response = client.get("/en/campaigns/big/labels.pdf")
    pdf = pdf_of(response)
    assert len(pdf.pages) == 2
    assert len(qr_codes(response.data, 0)) == 8
    assert len(qr_codes(response.data, 1)) == 1


def test_a_campaign_with_nothing_printable_says_so_on_one_page(client, make_work):
    campaign = saved(Campaign(slug="quiet", title="Quiet"))
    make_work(campaign_id=campaign.id, status=WorkStatus.PENDING)
    for url in ("/campaigns/quiet/posters.pdf", "/campaigns/quiet/labels.pdf"):
        pdf = pdf_of(client.get(url + "?lang=en"))
        assert len(pdf.pages) == 1
        assert "Nothing to print yet" in text_of(pdf.pages[0])
    assert client.get("/campaigns/nowhere/posters.pdf").status_code == 404
    assert client.get("/campaigns/nowhere/labels.pdf").status_code == 404


# ---- a prisoner's flyer ----


@pytest.mark.parametrize(
    ("code", "summary", "guidance"),
    [
        (
            "ru",
            "Математик и анархист из Татарстана Азат Мифтахов находится в заключении",
            "Прежде чем писать, спросите.",
        ),
        (
            "fr",
            "Mathématicien et anarchiste originaire du Tatarstan, Azat Miftakhov est emprisonné",
            "Renseignez-vous avant d’écrire.",
        ),
    ],
    ids=["ru", "fr"],
)
def test_the_flyer_of_the_demo_prisoner(client, demo, code, summary, guidance):
    response = client.get(f"/{code}/prisoners/azat-miftakhov/flyer.pdf")
    pdf = pdf_of(response)
    assert len(pdf.pages) == 1
    assert size_of(pdf.pages[0]) == A4
    text = text_of(pdf.pages[0])
    for expected in (
        "Azat Miftakhov",
        "Азат Мифтахов",
        summary,
        guidance,
        "libertepourazat@gmail.com",
    ):
        assert expected in text, expected
    assert len(pdf.pages[0].images) == 0  # no portrait, no picture at all
    assert qr_codes(response.data) == [f"http://localhost/{code}/prisoners/azat-miftakhov?src=qr"]
    assert (
        response.headers["Content-Disposition"]
        == f"inline; filename=flyer-azat-miftakhov-{code}.pdf"
    )


def test_a_long_letter_guidance_still_fits_one_page(client, make_prisoner):
    guidance = "\n".join(
        f"- Point {n}: **write** often, see [the guide](https://example.org/{n})."
        for n in range(80)
    )
    make_prisoner(
        slug="long", name="Long Story", letter_guidance=guidance, letter_address="Box 1\nTown"
    )
    response = client.get("/en/prisoners/long/flyer.pdf")
    pdf = pdf_of(response)
    assert len(pdf.pages) == 1
    text = text_of(pdf.pages[0])
    assert "Point 79" in text and "https://example.org/79" in text and "Box 1" in text
    assert qr_codes(response.data) == ["http://localhost/en/prisoners/long?src=qr"]


def test_an_unknown_prisoner_has_no_flyer(client):
    assert client.get("/prisoners/nobody/flyer.pdf").status_code == 404
    assert client.get("/prisoners/NOT%20A%20SLUG/flyer.pdf").status_code == 404


# ---- bad addresses ----


@pytest.mark.parametrize(
    "size", ["a5", "letter", "a4%00", "a" * 2000], ids=["a5", "letter", "nul", "huge"]
)
def test_a_size_other_than_a4_or_a3_is_a_polite_400(client, make_work, size):
    work = make_work(campaign_id=saved(Campaign(slug="rally", title="Rally")).id)
    for url in (f"/works/{work.public_id}/poster.pdf", "/campaigns/rally/posters.pdf"):
        response = client.get(f"{url}?size={size}")
        assert response.status_code == 400
        assert response.mimetype == "text/html"


HOSTILE = [
    "size=a4&size=a9",
    "size=%FF%FE",
    "lang=%00",
    "lang=../../x",
    "lang=ru&lang=fr",
    "size=A3",
    "_external=0&_scheme=javascript",
    "endpoint=public.home",
    "x=" + "%FF" * 300,
]


def test_hostile_query_strings_never_fail(client, make_work, ada):
    client.application.config["PRINT_RATE_LIMIT"] = "1000 per minute"  # one visitor, many tries
    campaign = saved(Campaign(slug="rally", title="Rally"))
    work = make_work(prisoners=(ada,), campaign_id=campaign.id)
    for path in (
        f"/works/{work.public_id}/poster.pdf",
        "/campaigns/rally/posters.pdf",
        "/campaigns/rally/labels.pdf",
        f"/prisoners/{ada.slug}/flyer.pdf",
        f"/fr/works/{work.public_id}/poster.pdf",
        "/works/%00/poster.pdf",
        "/works/" + "x" * 500 + "/poster.pdf",
        "/campaigns/%D0%B0/labels.pdf",
    ):
        for query in HOSTILE:
            response = client.get(f"{path}?{query}")
            assert response.status_code < 500, (path, query)
    # Arguments the PDF does not read lead to the address without them; the address in the
    # QR code is built from the route, never from the query string.
    response = client.get(f"/fr/works/{work.public_id}/poster.pdf?_external=0&_scheme=javascript")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/fr/works/{work.public_id}/poster.pdf"
    assert qr_codes(client.get(response.headers["Location"]).data) == [qr_url(work, "fr")]


def test_without_the_fonts_a_pdf_is_a_polite_503(app_factory, tmp_path):
    app = app_factory(PRINT_FONT_DIR=str(tmp_path / "no-fonts-here"))
    with app.app_context():
        saved(Prisoner(slug="p", name="P", status=PrisonerStatus.IMPRISONED))
    response = app.test_client().get("/prisoners/p/flyer.pdf")
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert "Print files cannot be made right now" in response.get_data(as_text=True)


def test_a_title_in_a_script_the_font_lacks_still_prints(client, make_work):
    work = make_work(title="中文 ✊🎨 <b>&amp; Ünïcode", display_name="Ana & <i>")
    text = text_of(pdf_of(client.get(f"/en/works/{work.public_id}/poster.pdf")).pages[0])
    # Markup in a title is text; characters DejaVu Sans lacks are blank boxes, not a failure.
    assert "<b>&amp; Ünïcode" in text and "by Ana & <i>" in text


# ---- typography on paper (issue 23) ----

NNBSP = "\u202f"
# Quoted words of every length, so that some line of any width would break at a guillemet
# if the narrow no-break space inside « » were breakable (reportlab's list of white space
# has U+202F).
GUILLEMETS = " ".join(f"le mot «{NNBSP}{'x' * (n % 9 + 1)}{NNBSP}» puis" for n in range(40))


@pytest.fixture
def quoted(make_prisoner):
    prisoner = make_prisoner(slug="quoted", name="Quoted Person")
    prisoner.stories.append(
        PrisonerStory(
            locale="fr",
            summary=GUILLEMETS[:400].rsplit(" le mot", 1)[0],
            letter_guidance=GUILLEMETS,
        )
    )
    return saved(prisoner)


def lines_of(page) -> list[str]:
    return [line.strip() for line in page.extract_text().splitlines() if line.strip()]


def test_a_french_flyer_never_ends_a_line_with_an_opening_guillemet(client, quoted):
    pdf = pdf_of(client.get("/prisoners/quoted/flyer.pdf?lang=fr"))
    lines = lines_of(pdf.pages[0])
    quoted_lines = [line for line in lines if "«" in line or "»" in line]
    assert len(quoted_lines) > 10  # the text is there, over many lines
    assert [line for line in lines if line.endswith("«")] == []
    assert [line for line in lines if line.startswith("»")] == []
    # Each quoted word whole on its line, with its two guillemets.
    for line in quoted_lines:
        assert line.count("«") == line.count("»"), line


def test_french_labels_keep_the_days_with_their_number(client, make_prisoner, make_work):
    # I-44, P-2: « 1 978 » never split, nor « jours » alone at the start of a line, whatever
    # the length of the name before them.
    campaign = saved(Campaign(slug="names", title="Names"))
    for k in range(8):
        person = make_prisoner(name="Nom" + " Long" * k + "m" * (k % 3))
        make_work(title="Titre", campaign_id=campaign.id, prisoners=(person,))
    pdf = pdf_of(client.get("/campaigns/names/labels.pdf?lang=fr"))
    lines = lines_of(pdf.pages[0])
    days = format_decimal(DAYS_SINCE_2020, locale="fr")
    assert len([line for line in lines if "jours" in line]) == 8
    assert [line for line in lines if line.startswith(("jours", days.split()[-1]))] == []
    assert [line for line in lines if line.endswith(days.split()[0])] == []


def test_pdf_properties_name_the_site_and_the_kind_of_document(client, make_work, ada, rally):
    work = make_work(prisoners=(ada,))
    cases = [
        (f"/works/{work.public_id}/poster.pdf?lang=fr", "Affiche"),
        ("/campaigns/rally/posters.pdf?lang=fr", "Affiches"),
        ("/campaigns/rally/labels.pdf?lang=ru", "Этикетки для выставки"),
        (f"/prisoners/{ada.slug}/flyer.pdf?lang=ru", "Листовка"),
    ]
    for url, subject in cases:
        meta = pdf_of(client.get(url)).metadata
        assert meta["/Author"] == "Art Protest", url
        assert meta["/Subject"] == subject, url


def test_the_qr_code_says_what_it_opens(client, make_work, ada):
    work = make_work(prisoners=(ada,))
    fr = text_of(pdf_of(client.get(f"/works/{work.public_id}/poster.pdf?lang=fr")).pages[0])
    assert "Scannez pour découvrir l’œuvre et savoir comment agir" in fr
    ru = text_of(pdf_of(client.get(f"/ru/works/{work.public_id}/poster.pdf")).pages[0])
    assert "Отсканируйте, чтобы увидеть работу и узнать, как помочь" in ru


def test_the_flyer_says_how_old_its_facts_are(client, make_prisoner):
    make_prisoner(slug="checked", name="Checked Person", last_verified_on=date(2025, 5, 20))
    make_prisoner(slug="unchecked", name="Unchecked Person")
    checked = text_of(pdf_of(client.get("/ru/prisoners/checked/flyer.pdf")).pages[0])
    assert "Последний раз сведения проверены 20 мая 2025 г." in checked
    assert "Напечатано 1 июня 2025 г." in checked
    unchecked = text_of(pdf_of(client.get("/fr/prisoners/unchecked/flyer.pdf")).pages[0])
    assert (
        "Ces informations n’ont pas encore été vérifiées par notre équipe de modération."
        in unchecked
    )
    assert "Imprimé le 1er juin 2025" in unchecked
