"""The letter desk's print files (issue 25): a prisoner's next batch as a PDF (each letter
on the back of its chosen card, or on an A5 sheet, in Cyrillic only) and as plain text for
e-letter services; the archive of the letters sent, for moderators only. Read back with
pypdf (page sizes, text, properties) and pypdfium2 (the card front is the work's colour)."""

from __future__ import annotations

import io
import re
from datetime import date

import pypdf
import pypdfium2
import pytest
from PIL import ImageStat
from sqlalchemy import select

from gallery.extensions import db
from gallery.models import Letter, Moderator, Role
from gallery.models.labels import LETTER_CHECKLIST
from gallery.prints import letters as layout
from gallery.verbs import NotAllowed
from gallery.verbs import letters as desk
from helpers import RED, png_bytes, saved, spaced

A5 = (419.53, 595.28)
A6 = (297.64, 419.53)
LATIN = re.compile(r"[A-Za-z]")
BATCH = "/moderation/letters/batch.pdf?prisoner=azat"
TEXT = "/moderation/letters/batch.txt?prisoner=azat"
ARCHIVE = "/moderation/letters/archive.pdf?prisoner=azat"


def letter_mod() -> int:
    """The id of the moderator "mod", who reads the letters in these tests."""
    return db.session.scalar(select(Moderator.id).where(Moderator.username == "mod"))


def approved(prisoner, body, translation, *, work=None, signature="Marie", sent=False):
    """A letter written, translated, checked and approved (and posted, if `sent`) through
    the verbs, by the moderator "mod"."""
    mod = letter_mod()
    letter, _token = desk.write(
        prisoner,
        body=body,
        signature=signature,
        locale="fr",
        work_id=work.id if work else None,
    )
    desk.translate(letter.id, translation, moderator_id=mod)
    desk.approve(letter.id, list(LETTER_CHECKLIST), moderator_id=mod)
    if sent:
        desk.mark_sent(prisoner.id, [letter.id], moderator_id=mod)
    db.session.commit()
    return letter


def pdf_of(response) -> pypdf.PdfReader:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(response.data))


def size_of(page) -> tuple[float, float]:
    return (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2))


def text_of(page) -> str:
    return " ".join(spaced(page.extract_text()).split())


def assert_russian_only(text: str) -> None:
    """What a censor reads: no Latin letter (so no web address, no name of an organisation
    and no e-mail address either)."""
    assert not LATIN.search(text), text
    assert "http" not in text and "@" not in text and "www" not in text


def test_a_batch_prints_each_letter_on_its_card_or_an_a5_sheet_in_russian_only(
    client, moderator, azat, safe_work
):
    approved(
        azat,
        "Bonjour Azat, je pense à toi depuis Lyon. marie@example.org",
        "Здравствуйте, Азат! Я думаю о вас из Лиона.",
        work=safe_work,
    )
    approved(azat, "Salut, courage !", "Привет! Держитесь, мы с вами.", signature="Jean")
    response = client.get(BATCH)
    pdf = pdf_of(response)

    # The card (front, then back), then the sheet: in the order the letters were approved.
    assert [size_of(page) for page in pdf.pages] == [A6, A6, A5]
    back, sheet = text_of(pdf.pages[1]), text_of(pdf.pages[2])
    assert "Азат Мифтахов" in back and "Я думаю о вас из Лиона." in back
    assert "Азат Мифтахов" in sheet and "Держитесь, мы с вами." in sheet
    assert "Лиона" not in sheet
    assert re.search(r"\d{1,2} [а-я]+ 20\d\d", sheet)  # the day it was written, in Russian
    for page in pdf.pages:
        assert_russian_only(text_of(page))
    # Neither the original, nor the signature as written, nor the writer's address.
    assert "Bonjour" not in back and "Marie" not in back and "Jean" not in sheet

    # The front is the work, edge to edge: its red.
    front = pypdfium2.PdfDocument(response.data)[0].render(scale=1).to_pil().convert("RGB")
    mean = ImageStat.Stat(front).mean
    assert all(abs(a - b) <= 8 for a, b in zip(mean, RED, strict=True)), mean

    # The properties name nobody; the title is in Cyrillic.
    info = pdf.metadata
    assert not (info.get("/Author") or info.get("/Creator") or info.get("/Producer"))
    assert not LATIN.search(info.title or "")
    # Never kept by a cache; shown in the browser under an ASCII name with the date.
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]
    assert re.fullmatch(
        r'inline; filename="letters-azat-\d{4}-\d\d-\d\d\.pdf"',
        response.headers["Content-Disposition"],
    )


def test_a_long_letter_shrinks_on_its_card_then_goes_on_over_an_extra_back(
    client, moderator, azat, safe_work
):
    line = "Доброе утро, солнце светит над рекой."
    fits = " ".join([line] * 40) + " Конец письма."  # too long at the largest size
    approved(azat, "Un message assez long.", fits, work=safe_work)
    pdf = pdf_of(client.get(BATCH))
    assert [size_of(page) for page in pdf.pages] == [A6, A6]
    assert "Конец письма." in text_of(pdf.pages[1])
    letter = layout.BatchLetter("Азат Мифтахов", date(2026, 1, 1), fits, None)
    width = layout.A6[0] - 2 * layout.BACK_MARGIN
    tall = layout._height(layout._card_story(letter, layout.CARD_SIZE), width)
    assert tall > layout.A6[1] - 2 * layout.BACK_MARGIN  # so it was set smaller

    desk.mark_sent(azat.id, [desk.batch(azat.id)[0].id], moderator_id=letter_mod())
    db.session.commit()
    endless = " ".join([line] * 120) + " Конец письма."  # too long at the smallest
    approved(azat, "Un très long message.", endless, work=safe_work)
    pdf = pdf_of(client.get(BATCH))
    assert [size_of(page) for page in pdf.pages] == [A6, A6, A6]
    assert "Конец письма." in text_of(pdf.pages[2])
    assert "Кому" not in text_of(pdf.pages[2])  # the extra back only goes on with the letter
    for page in pdf.pages:
        assert_russian_only(text_of(page))


def test_pages_follow_the_letters_order_and_a_work_no_longer_safe_gives_a_sheet(
    client, moderator, azat, safe_work, make_work
):
    other = make_work(
        title="Blue sky", prisoners=(azat,), image=png_bytes((300, 420), (30, 60, 200))
    )
    other.postcard_safe = True
    saved(other)
    approved(azat, "Premier", "Первое письмо.")
    approved(azat, "Deuxième", "Второе письмо.", work=safe_work)
    approved(azat, "Troisième", "Третье письмо.", work=other)
    other.postcard_safe = False  # taken back after the letter chose it
    saved(other)
    pdf = pdf_of(client.get(BATCH))
    assert [size_of(page) for page in pdf.pages] == [A5, A6, A6, A5]
    texts = [text_of(page) for page in pdf.pages]
    assert "Первое письмо." in texts[0] and "Второе письмо." in texts[2]
    assert "Третье письмо." in texts[3]


def test_the_text_export_is_name_translation_and_separator_only(client, moderator, azat, safe_work):
    approved(azat, "Hello Azat from Berlin", "Привет, Азат, из Берлина!", work=safe_work)
    approved(azat, "Courage", "Держитесь!\n\nМы рядом.")
    response = client.get(TEXT)
    assert response.status_code == 200
    assert response.content_type == "text/plain; charset=utf-8"
    assert "no-store" in response.headers["Cache-Control"]
    assert re.fullmatch(
        r'inline; filename="letters-azat-\d{4}-\d\d-\d\d\.txt"',
        response.headers["Content-Disposition"],
    )
    separator = "-" * 40
    assert response.get_data(as_text=True) == (
        f"Азат Мифтахов\n\nПривет, Азат, из Берлина!\n\n{separator}\n"
        f"\nАзат Мифтахов\n\nДержитесь!\n\nМы рядом.\n\n{separator}\n"
    )


def test_an_empty_batch_is_a_409_saying_there_is_nothing_to_print(client, moderator, azat):
    for url in (BATCH, TEXT):
        response = client.get(url)
        assert response.status_code == 409
        assert response.mimetype == "text/html"
        assert "There is no approved letter to print" in response.get_data(as_text=True)
    french = spaced(client.get(BATCH + "&lang=fr").get_data(as_text=True))
    assert "Aucune lettre approuvée à imprimer" in french


def test_an_unknown_prisoner_is_a_404(client, moderator, azat):
    for url in (BATCH, TEXT, ARCHIVE):
        for other in ("nobody", "%00", "azat%00", "x" * 300, "%D0%B0%27%22%3C"):
            assert client.get(url.replace("azat", other)).status_code == 404, (url, other)
        assert client.get(url.split("?")[0]).status_code == 404


def test_the_archive_keeps_each_sent_letter_as_written_and_in_russian(
    client, moderator, azat, safe_work
):
    approved(
        azat,
        "Bonjour Azat,\ncourage depuis Lyon.",
        "Здравствуйте, Азат!",
        work=safe_work,
        sent=True,
    )
    approved(azat, "Ein Gruß aus Köln", "Привет из Кёльна.", signature="Jürgen", sent=True)
    approved(azat, "Pas encore envoyée", "Ещё не отправлено.")  # in the batch, not the archive

    pdf = pdf_of(client.get(ARCHIVE + "&lang=fr"))
    assert [size_of(page) for page in pdf.pages] == [(595.28, 841.89)] * 3
    cover = text_of(pdf.pages[0])
    assert "Azat Miftakhov : lettres envoyées par la galerie" in cover
    assert "2 lettres" in cover
    first, second = text_of(pdf.pages[1]), text_of(pdf.pages[2])
    assert "Envoyée le" in first
    assert "Bonjour Azat, courage depuis Lyon." in first and "— Marie" in first
    assert "Здравствуйте, Азат!" in first
    assert "Ein Gruß aus Köln" in second and "Jürgen" in second and "Кёльна" in second
    assert "Pas encore" not in cover + first + second
    assert not (pdf.metadata.get("/Author") or pdf.metadata.get("/Producer"))

    # The batch never carries an original; the sent ones are no longer in it.
    batch = " ".join(text_of(page) for page in pdf_of(client.get(BATCH)).pages)
    assert "Ещё не отправлено." in batch and "Pas encore" not in batch and "Кёльна" not in batch


def test_the_archive_is_a_409_before_any_letter_is_sent(client, moderator, azat):
    response = client.get(ARCHIVE)
    assert response.status_code == 409
    assert "No letter to this person has been sent yet." in response.get_data(as_text=True)


def test_a_volunteer_reaches_none_of_the_print_files(client, make_moderator, login, azat):
    make_moderator("mod")
    approved(azat, "Bonjour", "Привет.", sent=True)
    approved(azat, "Salut", "Здравствуйте.")
    make_moderator("vol", role=Role.VOLUNTEER)
    assert login("vol").status_code == 303
    for url in (ARCHIVE, BATCH, TEXT):
        assert client.get(url).status_code == 403, url


def test_a_hostile_letter_prints_as_text(client, moderator, azat):
    approved(azat, "<b>&amp;</b> <script>x</script>", "<б>&амп;</б> привет", sent=True)
    approved(azat, "<i>second</i>", "<и>&</и> пока")
    archive = " ".join(text_of(page) for page in pdf_of(client.get(ARCHIVE)).pages)
    assert "<b>&amp;</b> <script>x</script>" in archive and "<б>&амп;</б> привет" in archive
    batch = text_of(pdf_of(client.get(BATCH)).pages[0])
    assert "<и>&</и> пока" in batch


def test_an_approved_translation_cannot_change_and_latin_is_never_printed(client, moderator, azat):
    letter = approved(azat, "Bonjour", "Привет.")
    with pytest.raises(NotAllowed):  # what was approved is what is printed
        desk.translate(letter.id, "Privet, Azat!", moderator_id=letter_mod())
    db.session.rollback()
    # A row changed behind the desk's back (a restored backup, a hand edit) still never
    # prints a Latin letter.
    letter = db.session.get(Letter, letter.id)
    letter.translation_sealed = desk._seal("Privet, Azat!")
    db.session.commit()
    for url in (BATCH, TEXT):
        response = client.get(url)
        assert response.status_code == 409
        assert "no translation in Cyrillic alone" in response.get_data(as_text=True)


def test_without_the_fonts_the_batch_is_a_polite_503(app, client, moderator, azat, tmp_path):
    approved(azat, "Bonjour", "Привет.")
    app.config["PRINT_FONT_DIR"] = str(tmp_path / "no-fonts-here")
    response = client.get(BATCH)
    assert response.status_code == 503
    assert "Print files cannot be made right now" in response.get_data(as_text=True)
