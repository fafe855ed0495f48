"""Operators' commands."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import Campaign, Prisoner, Work, WorkStatus
from helpers import count_rows


def test_seed_demo_loads_marked_content_once(app, runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo content loaded (6 works)" in result.output
    works = list(db.session.scalars(select(Work)))
    assert len(works) == 6
    assert all(w.is_demo and w.status == WorkStatus.APPROVED for w in works)
    assert all(store(app).files(w.image_key) for w in works)
    prisoner = db.session.scalar(select(Prisoner))
    assert prisoner.is_demo and prisoner.slug == "azat-miftakhov" and prisoner.sources
    assert db.session.scalar(select(Campaign)).is_demo
    # Idempotent
    again = runner.invoke(args=["seed-demo"])
    assert "already present" in again.output
    assert count_rows(Work) == 6
    # Marked as demo where a visitor sees it
    html = client.get("/prisoners/azat-miftakhov").get_data(as_text=True)
    assert "Demo profile." in html and "meduza.io" in html
    assert "Demo campaign." in client.get("/campaigns/art-protest-paris-2025").get_data(
        as_text=True
    )
    assert ">Demo</span>" in client.get("/works").get_data(as_text=True)


def test_demo_images_are_served(app, runner, client):
    runner.invoke(args=["seed-demo"])
    work = db.session.scalars(select(Work)).first()
    thumb = work.renditions["thumb"]["files"]["webp"]
    with client.get(f"/media/{work.image_key}/{thumb}") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/webp"
        assert response.get_data()[8:12] == b"WEBP"


def test_seed_if_empty_skips_a_used_database(runner, make_prisoner):
    make_prisoner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in result.output
    assert count_rows(Work) == 0


def test_remove_demo_deletes_rows_and_files_and_stays_removed(app, runner, make_work):
    runner.invoke(args=["seed-demo"])
    real = make_work(title="A real work")
    keys = [w.image_key for w in db.session.scalars(select(Work).where(Work.is_demo.is_(True)))]
    result = runner.invoke(args=["remove-demo"])
    assert result.exit_code == 0 and "Removed demo content (6 works)" in result.output
    assert count_rows(Work) == 1 and count_rows(Prisoner) == 0 and count_rows(Campaign) == 0
    media = store(app)
    assert not any(media.files(k) for k in keys)
    assert media.files(real.image_key)
    # make run's seeding must not bring the demo back
    assert "not loaded" in runner.invoke(args=["seed-demo", "--if-empty"]).output


def test_bench_seed_adds_approved_works(app, runner, client):
    result = runner.invoke(args=["bench-seed", "--works", "5"])
    assert result.exit_code == 0, result.output
    assert count_rows(Work) == 5
    assert len(client.get("/works").get_data(as_text=True).split('class="card"')) == 6


def test_bench_seed_rejects_nonsense(runner):
    result = runner.invoke(args=["bench-seed", "--works", "0"])
    assert result.exit_code != 0
    assert count_rows(Work) == 0


def test_secret_key_is_generated_once_into_the_instance(app_factory, tmp_path):
    first = app_factory(SECRET_KEY=None)
    key_file = Path(first.instance_path) / "secret_key"
    assert key_file.is_file() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = app_factory(SECRET_KEY=None)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) == 64


def test_fsck_reports_and_repairs(app, runner, make_work):
    import os
    import time

    ok = make_work()
    broken = make_work()
    media = store(app)
    (media.path(broken.image_key, "thumb.jpg")).unlink()
    orphan = media.publish({"large.jpg": b"x"})
    leftover = media.staging / "new-leftover"
    leftover.mkdir()
    old = time.time() - 7200
    for path in (media.works / orphan, leftover):
        os.utime(path, (old, old))
    result = runner.invoke(args=["fsck"])
    assert result.exit_code == 1
    assert "Staging leftovers found: 1" in result.output
    assert "Unreferenced folders found: 1" in result.output
    assert f"missing: works/{broken.image_key}/thumb.jpg" in result.output
    assert media.files(orphan) and leftover.exists()
    repaired = runner.invoke(args=["fsck", "--repair"])
    assert "Unreferenced folders removed: 1" in repaired.output
    assert not (media.works / orphan).exists() and not leftover.exists()
    assert repaired.exit_code == 1  # the missing file cannot be repaired
    assert media.files(ok.image_key)


def test_fsck_clean_store_exits_zero(runner, make_work):
    make_work()
    result = runner.invoke(args=["fsck"])
    assert result.exit_code == 0, result.output
    assert "Missing files: 0" in result.output


def test_backup_is_a_servable_instance(app, runner, make_work, tmp_path, monkeypatch):
    from gallery import create_app

    work = make_work(title="Kept safe")
    dest = tmp_path / "copy"
    result = runner.invoke(args=["backup", str(dest)])
    assert result.exit_code == 0, result.output
    assert "1 works (6 files)" in result.output
    assert (dest / "gallery.sqlite3").is_file()
    assert sorted(p.name for p in (dest / "media" / "works" / work.image_key).iterdir()) == sorted(
        store(app).files(work.image_key)
    )
    assert runner.invoke(args=["backup", str(dest)]).exit_code != 0  # never overwrites
    monkeypatch.setenv("GALLERY_INSTANCE", str(dest))
    restored = create_app({"TESTING": True, "SECRET_KEY": "x"})
    client = restored.test_client()
    assert "Kept safe" in client.get(f"/works/{work.public_id}").get_data(as_text=True)
    with client.get(f"/media/{work.image_key}/display.jpg") as image:
        assert image.status_code == 200
    with restored.app_context():
        db.engine.dispose()


def test_seed_demo_again_corrects_the_texts_of_an_older_demo(app, runner, client):
    """An installation loaded before the profile was corrected gets the sourced texts."""
    from gallery.models import PrisonerStory, Source

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    prisoner = db.session.scalar(select(Prisoner))
    french = next(s for s in prisoner.stories if s.locale == "fr")
    french.body = "Il est anarchiste et opposé à la guerre."
    prisoner.stories.remove(next(s for s in prisoner.stories if s.locale == "ru"))
    prisoner.sources = [Source(title="A profile page", url="https://x.com/someone", position=0)]
    db.session.commit()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "up to date" in result.output
    db.session.rollback()
    stories = {s.locale: s.body for s in db.session.scalars(select(PrisonerStory))}
    assert set(stories) == {"en", "fr", "ru"} and "opposé à la guerre" not in stories["fr"]
    urls = list(db.session.scalars(select(Source.url).where(Source.prisoner_id == prisoner.id)))
    assert "https://x.com/someone" not in urls and any("meduza.io" in u for u in urls)
    assert count_rows(Work) == 6
