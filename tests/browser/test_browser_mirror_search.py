"""A pushed static copy searched offline (issue 26): opened from file:// in Chromium, with
no server at all, the copy's search page finds a work by its title (and a prisoner by
the name in another script, accents and case aside), its result leads to the work's page
in the copy, and the header's search box of any page leads there too; no request leaves
the copy."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from browser_helpers import BROWSER_MARKS, Tab, expect
from gallery.media import media_store
from helpers import add_work

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from check_html import LANGUAGES, VNU, check  # noqa: E402

pytestmark = BROWSER_MARKS

PUBLIC = "https://artprotest.example"
TITLE = "Letters that crossed the border"
OTHER = "Winter garden at dawn"


def export_and_push(runner, tmp_path: Path, *targets: str) -> None:
    """export-static into tmp_path/copy, then --push to each target."""
    pushes = [arg for target in targets for arg in ("--push", target)]
    result = runner.invoke(
        args=["export-static", str(tmp_path / "copy"), "--public-url", PUBLIC, *pushes]
    )
    assert result.exit_code == 0, result.output


@pytest.fixture
def pushed(app, runner, make_prisoner, tmp_path) -> tuple[Path, str, str]:
    """A copy exported, then pushed to a folder (what a USB stick would hold)."""
    prisoner = make_prisoner(name="Azat Miftakhov", name_native="Азат Мифтахов")
    store = media_store(app)
    work = add_work(store, title=TITLE, alt_text="Grey square", prisoners=(prisoner,))
    add_work(store, title=OTHER, alt_text="Blue square")
    public_id, slug = work.public_id, prisoner.slug
    stick = tmp_path / "stick"
    export_and_push(runner, tmp_path, str(stick))
    return stick, public_id, slug


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        yield Tab.open(context)
    finally:
        context.close()


def _outside(tab: Tab) -> list[str]:
    return [url for _method, url, _kind in tab.requests if not url.startswith("file://")]


def test_the_copy_searches_itself_from_file_urls(pushed, tab):
    stick, public_id, _slug = pushed
    page = tab.page
    page.goto((stick / "en" / "search" / "index.html").as_uri())
    page.fill("#search-q", "letters BORDER")
    page.press("#search-q", "Enter")
    results = page.locator("#offline-search-results li")
    expect(results).to_have_count(1)
    expect(page.locator("#offline-search-status")).to_have_text("Found in this copy: 1")
    link = results.first.locator("h2 a")
    expect(link).to_have_text(TITLE)
    link.click()
    page.wait_for_url(f"**/en/works/{public_id}/index.html")
    assert page.url == (stick / "en" / "works" / public_id / "index.html").as_uri()
    expect(page.locator("h1")).to_contain_text(TITLE)

    # Nothing found: said so, no result left from before.
    page.goto((stick / "en" / "search" / "index.html").as_uri())
    page.fill("#search-q", "nothing-like-this")
    page.press("#search-q", "Enter")
    expect(page.locator("#offline-search-status")).to_contain_text("Nothing was found")
    expect(page.locator("#offline-search-results li")).to_have_count(0)
    assert _outside(tab) == []
    tab.assert_clean()


def test_the_header_search_box_of_any_page_leads_to_the_copys_search(pushed, tab):
    stick, public_id, slug = pushed
    page = tab.page
    page.goto((stick / "en" / "works" / "index.html").as_uri())
    page.fill("#site-search-q", "мифтахов")  # the name in its own script, in lower case
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/en/search/index.html?q=*")
    expect(page.locator("#search-q")).to_have_value("мифтахов")
    titles = page.locator("#offline-search-results h2 a")
    expect(titles).to_have_count(2)  # the work made for him, and his own page
    expect(titles.nth(0)).to_have_text("Azat Miftakhov")
    hrefs = [titles.nth(i).get_attribute("href") for i in range(2)]
    assert sorted(hrefs) == sorted(
        [f"../prisoners/{slug}/index.html", f"../works/{public_id}/index.html"]
    )
    assert _outside(tab) == []
    tab.assert_clean()


@pytest.mark.skipif(
    not VNU.exists() or not shutil.which("java"),
    reason="vnu.jar or java is missing (scripts/ensure-node-tools)",
)
def test_the_copys_search_pages_are_valid_html(pushed):
    """The copy's own pages (its search page in each language, a grid with its filters as
    links) through the W3C Nu HTML Checker, as the live pages are."""
    stick, _public_id, _slug = pushed
    documents = {
        f"/{code}/{path}": (stick / code / path / "index.html").read_text(encoding="utf-8")
        for code in LANGUAGES
        for path in ("search", "works")
    }
    found = {name: errors for name, errors in check(documents).items() if errors}
    assert found == {}


def _git(*args: str, cwd: Path | None = None) -> None:
    import subprocess

    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _search_finds_the_work(tab: Tab, root: Path, public_id: str) -> None:
    page = tab.page
    page.goto((root / "fr" / "search" / "index.html").as_uri())
    page.fill("#search-q", "crossed the border")
    page.press("#search-q", "Enter")
    link = page.locator("#offline-search-results li h2 a")
    expect(link).to_have_count(1)
    link.click()
    page.wait_for_url(f"**/fr/works/{public_id}/index.html")
    expect(page.locator("h1")).to_contain_text(TITLE)
    assert _outside(tab) == []
    tab.assert_clean()


def test_copies_pushed_to_a_bucket_and_to_a_git_repository_search_themselves(
    app, runner, make_prisoner, s3_bucket, tab, tmp_path
):
    """What the issue asks of a pushed mirror: pushed into moto's S3 and into a bare git
    repository, each copy fetched back (the bucket's objects downloaded, the repository
    cloned) and searched offline from file:// in Chromium."""
    from gallery.media.s3 import make_client

    prisoner = make_prisoner(name="Azat Miftakhov", name_native="Азат Мифтахов")
    work = add_work(media_store(app), title=TITLE, alt_text="Grey square", prisoners=(prisoner,))
    remote = tmp_path / "mirror.git"
    _git("init", "--quiet", "--bare", str(remote))
    export_and_push(runner, tmp_path, f"s3://{s3_bucket}/site", f"git+{remote}")

    clone = tmp_path / "clone"
    _git("clone", "--quiet", str(remote), str(clone))
    _search_finds_the_work(tab, clone, work.public_id)

    downloaded = tmp_path / "bucket"
    client = make_client()
    for listing in client.get_paginator("list_objects_v2").paginate(
        Bucket=s3_bucket, Prefix="site/"
    ):
        for obj in listing.get("Contents", []):
            target = downloaded / obj["Key"].removeprefix("site/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(client.get_object(Bucket=s3_bucket, Key=obj["Key"])["Body"].read())
    client.close()
    tab.requests.clear()
    _search_finds_the_work(tab, downloaded, work.public_id)
