"""The letter desk (issue 25): a visitor writes to a prisoner; a volunteer translates,
checks and approves or refuses; a moderator marks the batch sent; the writer follows it all
on a private link, and is told by e-mail if they asked. What a letter says is sealed in the
database; a withdrawn letter leaves nothing; volunteers reach only the desk."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from gallery import mail
from gallery.extensions import db
from gallery.models import (
    ImpactCount,
    Letter,
    LetterStatus,
    ModerationEvent,
    PrisonerStatus,
    Role,
    utcnow,
)
from gallery.models.labels import LETTER_CHECKLIST
from gallery.verbs import impact
from helpers import count_rows, csrf_token_of, fresh, saved, spaced
from mailcheck import body, use_mail

BODY = "Chère Azat, je pense à toi chaque jour. Le printemps arrive à Paris."
RUSSIAN = "Дорогой Азат, я думаю о тебе каждый день. В Париж приходит весна. Мари"
ALL_CHECKED = list(LETTER_CHECKLIST)


@pytest.fixture
def azat(make_prisoner):
    return make_prisoner(
        slug="azat",
        name="Azat Miftakhov",
        name_native="Азат Мифтахов",
        name_native_locale="ru",
        letter_guidance="**Write in Russian.** Short, warm letters.",
    )


def write(client, slug="azat", lang="fr", **fields):
    """Post the real letter form; returns the response."""
    data = {
        "csrf_token": csrf_token_of(client, f"/{lang}/prisoners/{slug}/write"),
        "body": BODY,
        "signature": "Marie",
        "work": "",
        **fields,
    }
    return client.post(
        f"/{lang}/prisoners/{slug}/write", data={k: v for k, v in data.items() if v is not None}
    )


def token_of(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    return response.headers["Location"].rsplit("/", 1)[1]


def only_letter() -> Letter:
    db.session.commit()
    letters = list(db.session.scalars(select(Letter)))
    assert len(letters) == 1
    return letters[0]


@pytest.fixture
def volunteer(app, make_moderator, login):
    """A volunteer "vol" logged in on a client of their own; returns (client, csrf token)."""
    make_moderator("vol", role=Role.VOLUNTEER)
    who = app.test_client()
    assert login("vol", on=who).status_code == 303
    return who, csrf_token_of(who, "/moderation/letters")


def approve(who, token, letter_id, translation=RUSSIAN, checked=ALL_CHECKED):
    return who.post(
        f"/moderation/letters/{letter_id}/approve",
        data={"csrf_token": token, "translation": translation, "checked": checked},
    )


# ---- the writer ----


def test_the_form_shows_the_guidance_and_the_warnings(client, azat):
    page = client.get("/fr/prisoners/azat/write")
    assert page.status_code == 200
    html = spaced(page.get_data(as_text=True))
    assert "Write in Russian." in html  # the profile's guidance (English: its only text)
    assert "Si vous vivez en Russie" in html
    assert "archive" in html  # writers are told sent letters are kept
    assert (
        page.headers["Cache-Control"].startswith("private")
        or "no-store" in page.headers["Cache-Control"]
    )


def test_a_letter_is_sealed_and_its_writer_follows_it(client, azat):
    token = token_of(write(client, email="marie@example.org"))
    letter = only_letter()
    assert letter.status == LetterStatus.PENDING and letter.locale == "fr"
    # Nothing the writer wrote is in the row as written.
    row = " ".join(str(v) for v in db.session.execute(select(Letter.__table__)).one())
    for secret in ("je pense", "Marie", "marie@example.org", token):
        assert secret not in row
    page = client.get(f"/fr/letters/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert BODY in html and "en attente" in html
    assert "noindex" in html
    assert (
        page.headers["Cache-Control"].startswith("private")
        or "no-store" in page.headers["Cache-Control"]
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": ""}, "Veuillez écrire votre lettre"),
        ({"body": "x" * 1501}, "1500"),
        ({"signature": ""}, "prénom ou un pseudonyme"),
        ({"email": "not an address"}, "adresse e-mail valide"),
        ({"work": "no-such-card"}, "Cette carte n’est plus proposée"),
    ],
)
def test_bad_letters_are_refused_politely_and_leave_nothing(client, azat, fields, message):
    response = write(client, **fields)
    assert response.status_code == 400
    text = spaced(response.get_data(as_text=True)).replace("\u202f", " ").replace("\u00a0", " ")
    assert message in text
    assert count_rows(Letter) == 0


def test_only_people_in_prison_with_a_cyrillic_name_take_letters(client, make_prisoner, azat):
    released = make_prisoner(slug="free", status=PrisonerStatus.RELEASED, name_native="Свободный")
    latin_only = make_prisoner(slug="latin")
    for slug in (released.slug, latin_only.slug, "nobody", "../etc"):
        assert client.get(f"/prisoners/{slug}/write").status_code == 404
    profile = client.get("/en/prisoners/azat").get_data(as_text=True)
    assert 'href="/en/prisoners/azat/write"' in profile
    assert "/prisoners/latin/write" not in client.get("/en/prisoners/latin").get_data(as_text=True)


def test_a_postcard_safe_work_can_be_chosen_and_no_other(client, azat, make_work):
    safe = make_work(title="Red sun", prisoners=(azat,))
    safe.postcard_safe = True
    saved(safe)
    other = make_work(title="Slogan", prisoners=(azat,))
    html = client.get("/en/prisoners/azat/write").get_data(as_text=True)
    assert "Red sun" in html and "Slogan" not in html
    assert write(client, work=other.public_id).status_code == 400
    token_of(write(client, work=safe.public_id))
    assert only_letter().work_id == safe.id


def test_withdrawing_leaves_nothing(client, azat):
    token = token_of(write(client))
    csrf = csrf_token_of(client, f"/fr/letters/{token}")
    refused = client.post(f"/fr/letters/{token}/withdraw", data={"csrf_token": csrf})
    assert refused.status_code == 400 and count_rows(Letter) == 1  # the tick is needed
    done = client.post(f"/fr/letters/{token}/withdraw", data={"csrf_token": csrf, "confirm": "y"})
    assert done.status_code == 200 and "supprimée" in done.get_data(as_text=True)
    assert count_rows(Letter) == 0
    assert client.get(f"/fr/letters/{token}").status_code == 404


def test_unknown_and_hostile_links_are_404(client):
    for token in ("nope", "x" * 300, "%00", "' OR 1=1"):
        assert client.get(f"/letters/{token}").status_code == 404


# ---- the volunteer ----


def test_a_volunteer_sees_only_the_letter_desk(client, azat, volunteer):
    who, _token = volunteer
    landing = who.get("/moderation/")
    assert landing.status_code == 302 and landing.headers["Location"].endswith(
        "/moderation/letters"
    )
    for path in (
        "/moderation/reports",
        "/moderation/published",
        "/moderation/audit",
        "/moderation/prisoners",
        "/moderation/letters/archive.pdf?prisoner=azat",
        "/moderation/letters/batch.pdf?prisoner=azat",
    ):
        assert who.get(path).status_code == 403, path
    desk = who.get("/moderation/letters").get_data(as_text=True)
    assert "Letter desk" in desk and "Review queue" not in desk


def test_a_volunteer_translates_checks_and_approves(client, azat, volunteer):
    token = token_of(write(client))
    letter_id = only_letter().id
    who, csrf = volunteer
    page = who.get(f"/moderation/letters/{letter_id}").get_data(as_text=True)
    assert BODY.replace("'", "&#39;") in page and "Write in Russian." in page
    # Not without every item of the checklist, nor with Latin letters in the translation.
    assert approve(who, csrf, letter_id, checked=ALL_CHECKED[:-1]).status_code == 409
    assert approve(who, csrf, letter_id, translation=RUSSIAN + " Marie").status_code == 409
    assert approve(who, csrf, letter_id, translation="").status_code == 409
    assert only_letter().status == LetterStatus.PENDING
    assert approve(who, csrf, letter_id).status_code == 303
    letter = only_letter()
    assert letter.status == LetterStatus.APPROVED
    actions = [
        e.action
        for e in db.session.scalars(
            select(ModerationEvent).where(ModerationEvent.letter_id == letter_id)
        )
    ]
    assert "letter-translate" in actions and "letter-approve" in actions
    assert "lue et traduite" in client.get(f"/fr/letters/{token}").get_data(as_text=True)


def test_a_refusal_reads_in_the_writers_language(client, azat, volunteer):
    token = token_of(write(client, lang="ru"))
    letter_id = only_letter().id
    who, csrf = volunteer
    missing = who.post(f"/moderation/letters/{letter_id}/refuse", data={"csrf_token": csrf})
    assert missing.status_code == 409
    done = who.post(
        f"/moderation/letters/{letter_id}/refuse",
        data={"csrf_token": csrf, "preset": "censor", "reason": ""},
    )
    assert done.status_code == 303
    html = client.get(f"/ru/letters/{token}").get_data(as_text=True)
    assert "не отправлено" in html and "цензор" in html


# ---- the moderator: the batch ----


def test_a_moderator_marks_the_batch_sent_and_the_writer_is_told(
    app, client, azat, volunteer, moderator, smtp
):
    use_mail(app, smtp)
    writer = app.test_client()
    token = token_of(write(writer, email="marie@example.org"))
    letter_id = only_letter().id
    who, csrf = volunteer
    assert approve(who, csrf, letter_id).status_code == 303
    # The volunteer cannot post the batch; the moderator can.
    assert (
        who.post(
            "/moderation/letters/batch/sent",
            data={"csrf_token": csrf, "prisoner": "azat", "letters": [letter_id]},
        ).status_code
        == 403
    )
    desk = client.get("/moderation/letters").get_data(as_text=True)
    assert f'name="letters" value="{letter_id}"' in desk
    done = client.post(
        "/moderation/letters/batch/sent",
        data={"csrf_token": moderator, "prisoner": "azat", "letters": [letter_id]},
    )
    assert done.status_code == 303
    letter = only_letter()
    assert letter.status == LetterStatus.SENT and letter.sent_at is not None
    assert letter.email_sealed is None  # erased once the writer has been told
    assert "envoyée" in writer.get(f"/fr/letters/{token}").get_data(as_text=True)
    assert mail.courier(app).join(10)
    [message] = smtp.inbox.wait_for(1)
    assert message["To"] == "marie@example.org"
    text = body(message)
    assert "a été postée" in text and f"/fr/letters/{token}" in text
    assert "Azat" not in text and "Азат" not in text  # the message names no one
    # Sent: it can no longer be withdrawn, and the volunteer cannot open it (the archive).
    csrf_w = csrf_token_of(writer, "/fr/prisoners/azat/write")
    assert "withdraw" not in writer.get(f"/fr/letters/{token}").get_data(as_text=True)
    writer.post(f"/fr/letters/{token}/withdraw", data={"csrf_token": csrf_w, "confirm": "y"})
    assert count_rows(Letter) == 1
    assert who.get(f"/moderation/letters/{letter_id}").status_code == 403


def test_a_batch_marks_only_the_letters_it_showed(client, azat, moderator, volunteer):
    who, csrf = volunteer
    ids = []
    for _n in range(2):
        token_of(write(client.application.test_client()))
    db.session.commit()
    ids = [letter.id for letter in db.session.scalars(select(Letter).order_by(Letter.id))]
    for letter_id in ids:
        assert approve(who, csrf, letter_id).status_code == 303
    client.post(
        "/moderation/letters/batch/sent",
        data={"csrf_token": moderator, "prisoner": "azat", "letters": [ids[0]]},
    )
    db.session.commit()
    states = {l.id: l.status for l in db.session.scalars(select(Letter))}
    assert states == {ids[0]: LetterStatus.SENT, ids[1]: LetterStatus.APPROVED}
    empty = client.post(
        "/moderation/letters/batch/sent",
        data={"csrf_token": moderator, "prisoner": "azat", "letters": [ids[0]]},
    )
    assert empty.status_code == 303
    assert "None of these letters" in client.get("/moderation/letters").get_data(as_text=True)


# ---- fewest letters first, and forgetting ----


def test_fewest_letters_first(client, make_prisoner, azat, moderator):
    other = make_prisoner(slug="zhenya", name="Zhenya", name_native="Женя", name_native_locale="ru")
    for _n in range(2):
        db.session.add(
            Letter(
                prisoner_id=azat.id,
                status=LetterStatus.SENT,
                sent_at=utcnow(),
                token_hash=f"{_n:064d}",
                locale="en",
                body_sealed="x",
                signature_sealed="x",
            )
        )
    db.session.commit()
    home = client.get("/en/").get_data(as_text=True)
    block = home[home.index('id="write-to"') :]
    assert block.index("/prisoners/zhenya/write") < block.index("/prisoners/azat/write")
    desk = client.get("/moderation/letters").get_data(as_text=True)
    needs = desk[desk.index('id="needs-title"') :]
    assert needs.index("Zhenya") < needs.index("Azat")
    assert other.accepts_letters()


def test_addresses_are_erased_after_the_set_days_and_refusals_purged(app, client, azat, runner):
    token_of(write(client, email="marie@example.org"))
    letter = only_letter()
    db.session.execute(
        update(Letter).values(
            created_at=utcnow() - timedelta(days=91),
            status=LetterStatus.REFUSED,
            decided_at=utcnow() - timedelta(days=91),
        )
    )
    db.session.commit()
    result = runner.invoke(args=["purge", "--older-than", "90d"])
    assert result.exit_code == 0, result.output
    assert "Purged 1 refused letters" in result.output
    assert count_rows(Letter) == 0
    assert letter.id


def test_create_moderator_makes_a_volunteer(app, runner):
    result = runner.invoke(
        args=["create-moderator", "helper", "--role", "volunteer"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created volunteer helper." in result.output
    from gallery.models import Moderator

    assert (
        db.session.scalar(select(Moderator.role).where(Moderator.username == "helper"))
        == Role.VOLUNTEER
    )


def test_the_archive_keeps_nothing_readable_without_the_key(client, azat):
    token_of(write(client))
    raw = db.session.execute(select(Letter.body_sealed)).scalar_one()
    assert re.fullmatch(r"[A-Za-z0-9_\-=]+", raw) and "Azat" not in raw


# ---- impact: the desk's steps are counted, for the prisoner, never for the writer ----


def test_the_desks_steps_are_counted_and_the_dashboard_shows_the_queue(
    client, azat, volunteer, moderator
):
    def count(kind: str) -> int:
        impact.flush()
        fresh()
        return int(
            db.session.scalar(
                select(func.coalesce(func.sum(ImpactCount.count), 0)).where(
                    ImpactCount.kind == kind, ImpactCount.prisoner_id == azat.id
                )
            )
        )

    browser = {
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    }
    writer = client.application.test_client()
    assert writer.get("/fr/prisoners/azat/write", headers=browser).status_code == 200
    assert count("how-to-write") == 1
    token_of(write(writer))
    assert count("letter-written") == 1 and count("letter-approved") == 0
    dashboard = client.get("/moderation/dashboard?lang=en").get_data(as_text=True)
    assert re.search(r"Letters waiting at the letter desk</dt>\s*<dd><a [^>]+>1</a>", dashboard)
    who, csrf = volunteer
    letter_id = only_letter().id
    assert approve(who, csrf, letter_id, checked=ALL_CHECKED[:1]).status_code == 409
    assert count("letter-approved") == 0  # a refused step counts nothing
    assert approve(who, csrf, letter_id).status_code == 303
    assert count("letter-approved") == 1
    client.post(
        "/moderation/letters/batch/sent",
        data={"csrf_token": moderator, "prisoner": "azat", "letters": [letter_id]},
    )
    assert count("letter-sent") == 1


def test_an_unknown_letter_is_404_for_every_action(client, moderator):
    for action in ("translate", "approve", "refuse"):
        answer = client.post(
            f"/moderation/letters/999/{action}",
            data={"csrf_token": moderator, "translation": "Привет"},
        )
        assert answer.status_code == 404, action
    assert client.get("/moderation/letters/999").status_code == 404
