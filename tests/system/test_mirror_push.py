"""`export-static DEST --push TARGET` (issue 26): the copy brought up to date in a folder,
in a bucket (moto's S3 server) and in a git repository (a bare one in tmp_path), new and
changed files written, what the copy no longer holds deleted, what others put there left
alone; a bad target is refused before anything is written. And `--qr-base URL`: the QR
codes of the copy lead to the copy at that address."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from gallery.commands import mirror
from gallery.extensions import db
from gallery.media import media_store
from gallery.verbs.unpublishing import unpublish_work
from helpers import add_work

PUBLIC = "https://artprotest.example"
KEPT_TITLE = "Letters that crossed the border"
GONE_TITLE = "A work its artist took back"


@pytest.fixture
def unpublish(app, make_moderator):
    def take_down(work) -> None:
        moderator = make_moderator("mod")
        unpublish_work(media_store(app), work.id, moderator.id, "Taken down for the test")
        db.session.commit()

    return take_down


@pytest.fixture
def works(app):
    store = media_store(app)
    kept = add_work(store, title=KEPT_TITLE, alt_text="Grey square")
    gone = add_work(store, title=GONE_TITLE, alt_text="Blue square")
    return kept, gone


def _export(runner, dest: Path, *more: str):
    return runner.invoke(args=["export-static", str(dest), "--public-url", PUBLIC, *more])


def _copy_files(dest: Path) -> set[str]:
    return set(json.loads((dest / mirror.MANIFEST).read_text())) | {mirror.MANIFEST}


def _git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout


# ---- a folder ----


def test_a_folder_is_brought_up_to_date_and_keeps_what_others_put_there(
    app, runner, works, unpublish, tmp_path
):
    kept, gone = works
    dest, site = tmp_path / "copy", tmp_path / "site"
    site.mkdir()
    (site / "CNAME").write_text("mirror.example\n")
    result = _export(runner, dest, "--push", str(site))
    assert result.exit_code == 0, result.output
    assert f"Pushed to {site}: " in result.output
    pushed = {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()}
    assert pushed == _copy_files(dest) | {"CNAME"}
    gone_page = site / "en" / "works" / gone.public_id / "index.html"
    assert GONE_TITLE in gone_page.read_text()
    assert (site / "en" / "works" / kept.public_id / "index.html").read_bytes() == (
        dest / "en" / "works" / kept.public_id / "index.html"
    ).read_bytes()

    again = _export(runner, dest, "--push", str(site))
    assert again.exit_code == 0, again.output
    assert f"Pushed to {site}: 0 files written" in again.output

    unpublish(gone)
    third = _export(runner, dest, "--push", str(site))
    assert third.exit_code == 0, third.output
    assert not gone_page.exists()
    assert (site / "CNAME").read_text() == "mirror.example\n"
    assert (site / "en" / "works" / kept.public_id / "index.html").is_file()
    assert GONE_TITLE not in (site / "en" / "works" / "index.html").read_text()


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("ftp://mirror.example/copy", "not a target this command knows"),
        ("ipfs://bafy", "ipfs add -r"),
        ("s3://Not_A_Bucket", "bucket name"),
        ("s3://key:secret@bucket", "boto3's own"),
        ("git+/no/such/repository", "no git repository there"),
        ("git+ext::sh -c touch% /tmp/pwned", "git+https://"),
        ("git+ftp://host/repo.git", "git+https://"),
        ("git+https://host/repo.git#../../x", "not a branch name"),
        ("-rf", "does not start with '-'"),
    ],
)
def test_a_bad_target_is_refused_before_anything_is_written(app, runner, tmp_path, target, says):
    dest = tmp_path / "copy"
    result = _export(runner, dest, "--push", target)
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert not dest.exists()


def test_a_target_folder_inside_dest_or_holding_it_is_refused(app, runner, tmp_path):
    dest = tmp_path / "copy"
    for target in (dest / "public", dest, tmp_path):
        result = _export(runner, dest, "--push", str(target))
        assert result.exit_code == 2, result.output
        assert "must be outside" in result.output
    assert not dest.exists()
    (tmp_path / "a-file").write_text("x")
    result = _export(runner, dest, "--push", str(tmp_path / "a-file"))
    assert result.exit_code == 2 and "not a folder" in result.output


def test_an_unreachable_git_repository_is_refused_first(app, runner, tmp_path):
    dest = tmp_path / "copy"
    target = f"git+file://{tmp_path / 'nothing-here.git'}"
    result = _export(runner, dest, "--push", target)
    assert result.exit_code == 2, result.output
    assert "the repository cannot be read" in result.output
    assert not dest.exists()


# ---- a bucket ----


def _objects(client, bucket: str) -> dict[str, str]:
    """Every key in the bucket -> its Content-Type."""
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            found[obj["Key"]] = client.head_object(Bucket=bucket, Key=obj["Key"])["ContentType"]
    return found


def test_a_bucket_is_brought_up_to_date_with_content_types(
    app, runner, works, unpublish, s3_bucket, tmp_path
):
    from gallery.media.s3 import make_client

    kept, gone = works
    client = make_client()
    client.put_object(Bucket=s3_bucket, Key="site/robots-extra.txt", Body=b"someone else's")
    dest = tmp_path / "copy"
    result = _export(runner, dest, "--push", f"s3://{s3_bucket}/site")
    assert result.exit_code == 0, result.output
    assert f"Pushed to s3://{s3_bucket}/site/: " in result.output
    objects = _objects(client, s3_bucket)
    assert set(objects) == {f"site/{f}" for f in _copy_files(dest)} | {"site/robots-extra.txt"}
    page = f"site/en/works/{kept.public_id}/index.html"
    assert objects[page] == "text/html; charset=utf-8"
    assert objects["site/static/css/gallery.css"] == "text/css; charset=utf-8"
    assert objects["site/feed.atom"] == "application/atom+xml; charset=utf-8"
    assert any(v == "image/webp" for k, v in objects.items() if k.endswith(".webp"))
    body = client.get_object(Bucket=s3_bucket, Key=page)["Body"].read()
    assert body == (dest / page.removeprefix("site/")).read_bytes()

    again = _export(runner, dest, "--push", f"s3://{s3_bucket}/site")
    assert f"Pushed to s3://{s3_bucket}/site/: 0 files written" in again.output

    unpublish(gone)
    third = _export(runner, dest, "--push", f"s3://{s3_bucket}/site")
    assert third.exit_code == 0, third.output
    objects = _objects(client, s3_bucket)
    assert f"site/en/works/{gone.public_id}/index.html" not in objects
    assert page in objects and "site/robots-extra.txt" in objects
    assert set(objects) == {f"site/{f}" for f in _copy_files(dest)} | {"site/robots-extra.txt"}


def test_a_missing_bucket_is_refused_before_the_export(app, runner, s3_bucket, tmp_path):
    dest = tmp_path / "copy"
    result = _export(runner, dest, "--push", f"s3://{s3_bucket}-missing/site")
    assert result.exit_code == 2, result.output
    assert "the bucket answered" in result.output
    assert not dest.exists()


# ---- a git repository ----


def test_a_bare_git_repository_receives_the_copy_as_commits(
    app, runner, works, unpublish, tmp_path
):
    kept, gone = works
    remote = tmp_path / "mirror.git"
    _git("init", "--quiet", "--bare", str(remote))
    dest = tmp_path / "copy"
    result = _export(runner, dest, "--push", f"git+{remote}")
    assert result.exit_code == 0, result.output
    assert f"Pushed to git+{remote}: " in result.output

    clone = tmp_path / "clone"
    _git("clone", "--quiet", str(remote), str(clone))
    files = {str(p.relative_to(clone)) for p in clone.rglob("*") if ".git" not in p.parts}
    assert {f for f in files if (clone / f).is_file()} == _copy_files(dest)
    work_page = clone / "en" / "works" / gone.public_id / "index.html"
    assert GONE_TITLE in work_page.read_text()
    assert _git("log", "--format=%s", cwd=clone).splitlines() == ["Static copy of the gallery"]

    # Nothing changed: no commit. A work taken back: a commit that removes its files.
    again = _export(runner, dest, "--push", str(remote))  # the path alone names it too
    assert again.exit_code == 0, again.output
    assert "nothing changed: no commit" in again.output
    unpublish(gone)
    third = _export(runner, dest, "--push", f"git+{remote}")
    assert third.exit_code == 0, third.output
    _git("pull", "--quiet", cwd=clone)
    assert len(_git("log", "--format=%s", cwd=clone).splitlines()) == 2
    assert not work_page.exists()
    assert (clone / "en" / "works" / kept.public_id / "index.html").is_file()


# ---- --qr-base ----


def _qr_texts(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_qr_codes_in_the_copy_lead_to_the_chosen_mirror(app, runner, works, tmp_path):
    import pypdfium2

    kept, _gone = works
    dest = tmp_path / "copy"
    base = "https://mirror.example/art"
    result = _export(runner, dest, "--qr-base", base + "/")
    assert result.exit_code == 0, result.output
    poster = dest / "en" / "works" / kept.public_id / "poster-a4.pdf"
    page = pypdfium2.PdfDocument(poster.read_bytes())[0]
    buffer = io.BytesIO()
    page.render(scale=3).to_pil().save(buffer, "PNG")
    texts = _qr_texts(buffer.getvalue())
    assert texts == [f"{base}/en/works/{kept.public_id}/index.html?src=qr"]
    # The slideshow's QR codes too, and the live site's are untouched.
    show = (dest / "fr" / "show" / "index.html").read_text()
    assert f'href="{base}/fr/works/{kept.public_id}/index.html"' in show
    live = app.test_client().get("/fr/show", base_url=PUBLIC).get_data(as_text=True)
    assert base not in live and f'href="{PUBLIC}/fr/works/{kept.public_id}"' in live


def test_a_bad_qr_base_is_refused(app, runner, tmp_path):
    result = _export(runner, tmp_path / "copy", "--qr-base", "javascript:alert(1)")
    assert result.exit_code == 2
    assert "--qr-base must be an address" in result.output


# ---- the copy's search index ----


def test_the_search_index_holds_only_what_the_copy_shows(app, runner, works, tmp_path):
    from gallery.models import WorkStatus

    store = media_store(app)
    add_work(store, title="Pending and private", alt_text="x", status=WorkStatus.PENDING)
    hidden = add_work(store, title="Hidden for safety", alt_text="x")
    hidden.hidden = True
    db.session.commit()
    dest = tmp_path / "copy"
    assert _export(runner, dest).exit_code == 0
    for code in ("en", "fr", "ru"):
        script = (dest / code / "search" / "search-index.js").read_text()
        prefix = f'window.artProtestSearchIndex["{code}"] = '
        line = next(line for line in script.splitlines() if line.startswith(prefix))
        index = json.loads(line.removeprefix(prefix).rstrip(";"))
        titles = {entry["t"] for entry in index["entries"]}
        assert titles == {KEPT_TITLE, GONE_TITLE}
        for entry in index["entries"]:
            # Each result leads to a page of the copy, relative to the search page.
            assert (dest / code / "search" / entry["u"]).resolve().is_file()
    assert "Pending and private" not in (dest / "en" / "search" / "index.html").read_text()
