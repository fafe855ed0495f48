"""Near-duplicates for moderators: the pipeline's perceptual hash, the threshold (copies
match, unrelated pictures do not), the hints on the queue and the work page, and that
neither the hash nor a hint ever reaches a public page, the API, a feed, search or the
receipt."""

from __future__ import annotations

import io
import itertools
import random
import re
from datetime import timedelta

import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from gallery import images
from gallery.commands import demo
from gallery.core.tokens import new_receipt_token, token_hash
from gallery.extensions import db
from gallery.images import phash
from gallery.media import media_store as store
from gallery.models import Work, WorkStatus, utcnow
from gallery.moderation.queries import LOOKALIKE_BITS, lookalikes
from gallery.verbs import covers
from helpers import encode, fresh

HINT = "Looks like work #"


def photo(seed: int, size: tuple[int, int] = (900, 675)) -> Image.Image:
    """A photo-like picture: soft shapes over a gradient, with grain (fixed seed)."""
    rng = random.Random(seed)
    im = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(im)
    for _ in range(30):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randint(30, 220)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    im = im.filter(ImageFilter.GaussianBlur(4))
    grain = Image.frombytes("L", size, rng.randbytes(size[0] * size[1])).convert("RGB")
    return Image.blend(im, grain, 0.12)


def posters() -> dict[str, Image.Image]:
    """The six flat demo posters, halved (the pipeline's cost, not the hash, needs it)."""
    out = {}
    for _title, _alt, draw, _tags in demo.POSTERS:
        im = draw(random.Random(7))
        out[draw.__name__] = im.resize((im.width // 2, im.height // 2))
    return out


def phash_of(data: bytes) -> str:
    found = images.process(io.BytesIO(data)).phash
    assert found is not None and re.fullmatch(r"[0-9a-f]{16}", found), found  # 64 bits, in hex
    return found


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def on_white(im: Image.Image) -> Image.Image:
    if im.mode != "RGBA":
        return im
    out = Image.new("RGB", im.size, "white")
    out.paste(im, mask=im.getchannel("A"))
    return out


def copies(im: Image.Image) -> dict[str, bytes]:
    """What a resubmission looks like: re-encoded, resized, slightly cropped, recoloured."""
    flat = on_white(im)
    w, h = im.size
    dx, dy = round(w * 0.015), round(h * 0.015)
    return {
        "JPEG quality 50": encode(flat, "JPEG", quality=50),
        "WebP quality 60": encode(flat, "WEBP", quality=60),
        "half the size": encode(im.resize((w // 2, h // 2)), "PNG"),
        "cropped 1.5 % each side": encode(im.crop((dx, dy, w - dx, h - dy)), "PNG"),
        "cropped 3 % on the right": encode(im.crop((0, 0, w - 2 * dx, h)), "PNG"),
        "10 % brighter": encode(ImageEnhance.Brightness(flat).enhance(1.1), "JPEG", quality=85),
        "more contrast": encode(ImageEnhance.Contrast(flat).enhance(1.2), "PNG"),
        "half the colour": encode(ImageEnhance.Color(flat).enhance(0.5), "PNG"),
        "greyscale": encode(flat.convert("L"), "PNG"),
    }


@pytest.fixture(scope="module")
def originals() -> dict[str, Image.Image]:
    return {"photo 1": photo(1), "photo 2": photo(2), **posters()}


@pytest.fixture(scope="module")
def hashes(originals) -> dict[str, str]:
    return {name: phash_of(encode(im, "PNG")) for name, im in originals.items()}


@pytest.mark.parametrize(
    "name", ["photo 1", "photo 2"] + [d.__name__ for _t, _a, d, _g in demo.POSTERS]
)
def test_copies_of_a_picture_look_alike(originals, hashes, name):
    far = {
        kind: distance(hashes[name], phash_of(data))
        for kind, data in copies(originals[name]).items()
    }
    assert max(far.values()) <= LOOKALIKE_BITS, far


def test_unrelated_pictures_do_not_look_alike(hashes):
    """Two photos, six flat posters: every pair is far apart (26 bits or more here)."""
    pairs = {(a, b): distance(hashes[a], hashes[b]) for a, b in itertools.combinations(hashes, 2)}
    close = {pair: d for pair, d in pairs.items() if d <= LOOKALIKE_BITS + 4}
    assert close == {}, close


def test_the_pipeline_stores_the_hash(app, client, make_work, hashes):
    work = make_work(status=WorkStatus.PENDING, image=encode(photo(1), "PNG"))
    fresh()
    assert db.session.get(Work, work.id).phash == hashes["photo 1"]


def test_a_failing_hash_never_costs_the_upload(monkeypatch, caplog):
    monkeypatch.setattr(phash, "dct_hash", lambda im: 1 / 0)
    processed = images.process(io.BytesIO(encode(photo(3, (200, 150)), "PNG")))
    assert processed.phash is None and processed.renditions
    assert "perceptual hash" in caplog.text


# ---- the hints moderators see ----


def pending_at(make_work, image: bytes, minutes_ago: int, **kw) -> Work:
    work = make_work(status=WorkStatus.PENDING, image=image, **kw)
    work.submitted_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return work


@pytest.fixture
def family(client, moderator, make_work, originals):
    """An earlier work of each status with the same picture (as the demo window poster), a
    resubmission of it (re-encoded JPEG), and a work with an unrelated picture."""
    poster = originals["poster_window"]
    png = encode(poster, "PNG")
    approved = make_work(image=png, title="The approved one")
    rejected = pending_at(make_work, png, 300, title="The rejected one")
    client.post(
        f"/moderation/works/{rejected.id}/reject", data={"csrf_token": moderator, "reason": "spam"}
    )
    withdrawn_token = new_receipt_token()
    withdrawn = make_work(
        status=WorkStatus.PENDING, image=png, receipt_token_hash=token_hash(withdrawn_token)
    )
    client.post(
        f"/submissions/{withdrawn_token}/withdraw", data={"csrf_token": moderator, "confirm": "y"}
    )
    waiting = pending_at(make_work, png, 200, title="The waiting one")
    again = pending_at(
        make_work, encode(on_white(poster), "JPEG", quality=60), 100, title="Sent again"
    )
    other = pending_at(make_work, encode(originals["photo 2"], "PNG"), 50, title="Something else")
    fresh()
    statuses = {
        w: db.session.get(Work, w.id).status for w in (approved, rejected, withdrawn, waiting)
    }
    assert list(statuses.values()) == [
        WorkStatus.APPROVED,
        WorkStatus.REJECTED,
        WorkStatus.WITHDRAWN,
        WorkStatus.PENDING,
    ]
    return {
        "approved": db.session.get(Work, approved.id),
        "rejected": db.session.get(Work, rejected.id),
        "withdrawn": db.session.get(Work, withdrawn.id),
        "waiting": waiting,
        "again": again,
        "other": other,
    }


def card(html: str, work: Work) -> str:
    """One work's part of the queue page."""
    return html.split(f'id="work-{work.id}"')[1].split('<li class="review"')[0]


def date_of(moment) -> str:
    from flask_babel import force_locale

    from gallery.models.labels import dateformat

    with force_locale("en"):
        return dateformat(moment, "medium")


def hint(work: Work, words: str) -> str:
    return f'<a href="/moderation/works/{work.id}">Looks like work #{work.id} ({words})</a>'


def test_the_queue_says_what_a_new_work_looks_like(client, family):
    a, r, w, p = (family[k] for k in ("approved", "rejected", "withdrawn", "waiting"))
    approved = hint(a, f"approved on {date_of(a.published_at)}")
    rejected = hint(r, f"rejected on {date_of(r.decided_at)}")
    withdrawn = hint(w, f"withdrawn on {date_of(w.decided_at)}")
    pending = hint(p, "pending")
    html = client.get("/moderation/").get_data(as_text=True)
    # The same picture four times before; a withdrawn work forgot its hash with everything
    # else of its artist (verbs/common.forget_artist), so three remain.
    again = card(html, family["again"])
    assert again.count(HINT) == 3
    assert pending in again and approved in again and rejected in again
    assert withdrawn not in again and f"Looks like work #{w.id} " not in again
    # The earlier pending work points to what came before it, never to itself or to later ones.
    waiting = card(html, p)
    assert waiting.count(HINT) == 2
    assert approved in waiting and rejected in waiting
    assert f"Looks like work #{p.id} " not in waiting
    assert f"Looks like work #{family['again'].id} " not in waiting
    assert HINT not in card(html, family["other"])


def test_every_status_is_named(app, family):
    found = {l.work_id: l for l in lookalikes([family["again"]], limit=10)[family["again"].id]}
    assert {k: found[family[k].id].status for k in ("approved", "rejected", "waiting")} == {
        "approved": WorkStatus.APPROVED,
        "rejected": WorkStatus.REJECTED,
        "waiting": WorkStatus.PENDING,
    }
    assert family["withdrawn"].id not in found  # its hash went with the withdrawal
    assert family["other"].id not in found and family["again"].id not in found
    assert found[family["waiting"].id].when is None
    assert found[family["rejected"].id].when == family["rejected"].decided_at


def test_the_work_page_shows_the_hints_too(client, family):
    html = client.get(f"/moderation/works/{family['again'].id}").get_data(as_text=True)
    assert html.count(HINT) == 3
    assert f'href="/moderation/works/{family["waiting"].id}">Looks like work #' in html
    assert HINT not in client.get(f"/moderation/works/{family['other'].id}").get_data(as_text=True)


def test_the_hints_cost_one_query_whatever_the_page_holds(
    app, client, moderator, make_work, originals, count_statements
):
    png = encode(originals["poster_days"], "PNG")
    pending_at(make_work, png, 90)
    with count_statements() as few:
        assert client.get("/moderation/").status_code == 200
    for n in range(5):
        pending_at(make_work, png, 80 - n)
    with count_statements() as many:
        html = client.get("/moderation/").get_data(as_text=True)
    assert html.count(HINT) == 0 + 1 + 2 + 3 + 3 + 3  # the earlier ones, three at most
    assert many.count == few.count
    lookups = [s for s in many.statements if "phash" in s and "WHERE" in s and "IS NOT NULL" in s]
    assert len(lookups) == 1


def test_covering_a_work_keeps_its_hash(app, make_work, originals):
    work = pending_at(make_work, encode(originals["photo 1"], "PNG"), 10)
    before = work.phash
    covers.cover_work(store(app), work.id, [[0.1, 0.1, 0.3, 0.3]], None)
    db.session.commit()
    fresh()
    covered = db.session.get(Work, work.id)
    assert covered.covered_regions == 1 and covered.phash == before


# ---- never public ----


def test_neither_the_hash_nor_a_hint_is_ever_public(app, client, make_work, originals):
    png = encode(originals["poster_letters"], "PNG")
    first = make_work(image=png, title="Letters first", tag_names=("letters",))
    second = make_work(
        image=encode(on_white(originals["poster_letters"]), "JPEG", quality=70),
        title="Letters second",
        tag_names=("letters",),
    )
    token = new_receipt_token()
    third = make_work(
        status=WorkStatus.PENDING,
        image=png,
        title="Letters third",
        receipt_token_hash=token_hash(token),
    )
    fresh()
    secrets = {w.phash for w in (db.session.get(Work, i) for i in (first.id, second.id, third.id))}
    assert None not in secrets
    shown = {
        "Letters second": [
            "/",
            "/works",
            "/works?tag=letters",
            f"/works/{second.public_id}",
            "/fr/works",
            "/ru/",
            "/feed.atom",
            "/fr/feed.atom",
            "/api/works",
            f"/api/works/{second.public_id}",
        ],
        "Letters first": [f"/works/{first.public_id}"],
        second.public_id: ["/sitemap.xml", "/search?q=letters"],  # (search marks the word)
        "Letters third": [f"/submissions/{token}"],
        "openapi": ["/api/openapi.json"],
    }
    for expected, pages in shown.items():
        for page in pages:
            response = client.get(page)
            text = response.get_data(as_text=True)
            assert response.status_code == 200 and expected in text, page  # the page shows it...
            for secret in secrets:
                assert secret not in text, page  # ...but never its hash
            assert "phash" not in text.lower() and "looks like work" not in text.lower(), page
