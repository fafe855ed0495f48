"""Share previews: Open Graph and Twitter card tags on home, work, prisoner and campaign
pages, with an absolute image that loads, and none for what is not public."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from PIL import Image

from gallery.extensions import db
from gallery.models import Campaign, WorkStatus
from helpers import png_bytes, saved


def tags(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, content in re.findall(
        r'<meta (?:property|name)="((?:og|twitter):[a-z:_]+)" content="([^"]*)">', html
    ):
        found.setdefault(name, []).append(content)
    return found


def test_a_work_page_has_a_complete_card_with_an_image_that_loads(client, make_work):
    work = make_work(
        title="Свобода",
        alt_text="A red square for freedom",
        image=png_bytes((1400, 900), "#aa2222"),
    )
    got = tags(client.get(f"/fr/works/{work.public_id}").get_data(as_text=True))
    assert got["og:title"] == ["Свобода"] and got["twitter:title"] == ["Свобода"]
    assert got["og:url"] == [f"http://localhost/fr/works/{work.public_id}"]
    assert got["og:locale"] == ["fr_FR"] and sorted(got["og:locale:alternate"]) == [
        "en_GB",
        "ru_RU",
    ]
    assert got["og:type"] == ["article"] and got["twitter:card"] == ["summary_large_image"]
    assert got["og:image:alt"] == ["A red square for freedom"] == got["twitter:image:alt"]
    assert got["og:image:type"] == ["image/jpeg"]
    url = got["og:image"][0]
    assert url.startswith("http://localhost/media/") and url.endswith(".jpg")
    with client.get(urlsplit(url).path) as image:
        assert image.status_code == 200 and image.mimetype == "image/jpeg"
        with Image.open(io.BytesIO(image.get_data())) as im:
            assert im.format == "JPEG"
            assert [str(im.width), str(im.height)] == got["og:image:width"] + got["og:image:height"]
    assert got["og:image:width"] == ["1200"] and got["og:image:height"] == ["771"]
    assert url.endswith("/share.jpg")


def test_a_transparent_work_is_shared_as_a_jpeg_on_white(client, make_work):
    im = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    im.paste((200, 0, 0, 255), (0, 0, 300, 400))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    work = make_work(image=buf.getvalue())
    got = tags(client.get(f"/en/works/{work.public_id}").get_data(as_text=True))
    assert got["og:image:type"] == ["image/jpeg"] and got["og:image:width"] == ["600"]
    with client.get(urlsplit(got["og:image"][0]).path) as image:
        with Image.open(io.BytesIO(image.get_data())) as shared:
            assert shared.format == "JPEG" and shared.mode == "RGB"
            red, white = shared.getpixel((100, 200)), shared.getpixel((500, 200))
    assert red[0] > 180 and max(red[1:]) < 30
    assert min(white) > 245


@pytest.mark.parametrize("code", ["en", "fr", "ru"])
def test_home_prisoner_and_campaign_pages_share_their_newest_public_work(
    client, make_work, make_prisoner, code
):
    prisoner = make_prisoner(name="Ada")
    campaign = saved(Campaign(slug="rally", title="Rally"))
    older = make_work(title="Older", prisoners=(prisoner,), campaign_id=campaign.id)
    newest = make_work(title="Newest", prisoners=(prisoner,), campaign_id=campaign.id)
    for path in ("/", f"/prisoners/{prisoner.slug}", f"/campaigns/{campaign.slug}"):
        got = tags(client.get(f"/{code}{path}").get_data(as_text=True))
        assert newest.image_key in got["og:image"][0], path
        assert older.image_key not in got["og:image"][0]
        assert got["og:url"] == [f"http://localhost/{code}{path}"]
        assert got["og:description"][0]


def test_no_image_of_a_work_that_is_not_public(client, app, make_work, make_prisoner):
    prisoner = make_prisoner(name="Bea")
    make_work(status=WorkStatus.PENDING, prisoners=(prisoner,))
    hidden = make_work(prisoners=(prisoner,))
    hidden.hidden = True
    db.session.commit()
    html = client.get(f"/prisoners/{prisoner.slug}").get_data(as_text=True)
    got = tags(html)
    assert "og:image" not in got and got["twitter:card"] == ["summary"]
    assert "/media/" not in html
