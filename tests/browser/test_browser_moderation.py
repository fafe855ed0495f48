"""The review queue in a real browser: a moderator clears 50 works in a handful of form
submissions, decides with the keyboard alone, every decision is explained and logged, and
the queue is labelled, shows its focus and fits a phone.

Uses the run's one live server (the real app, CSRF on, rate limits off, demo content),
shared with test_browser.py, and its Chromium (conftest.py); works are made straight
through the image pipeline with tiny images. Each test starts from an empty queue, so the
works other tests leave pending never show up here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from browser_helpers import BROWSER_MARKS, Live, Tab, expect
from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import Moderator, Role, Work, WorkStatus, utcnow
from gallery.verbs import covers
from gallery.verbs import decisions as moderation
from helpers import MODERATOR_PASSWORD, add_work, png_bytes, saved

pytestmark = BROWSER_MARKS

USERNAME = "queue-mod"
PRESET = "not-own"  # "We could not confirm that the work is your own."
FREE_TEXT = "Please send us a photo of the original with your signature."

# The current element's outline, and whether its box is inside the viewport.
FOCUS_STYLE = """() => {
  const el = document.activeElement, css = getComputedStyle(el), box = el.getBoundingClientRect();
  return { tag: el.tagName, text: el.textContent.trim(), outline: css.outlineStyle,
           width: parseFloat(css.outlineWidth), visible: box.width > 0 && box.top >= 0 };
}"""

# Every visible form control of <main> whose accessible name would be empty.
UNLABELLED = """() => {
  const bad = [];
  for (const el of document.querySelectorAll("main input, main select, main textarea, main button")) {
    if (el.type === "hidden") continue;
    const named = (el.labels && Array.from(el.labels).some((l) => l.textContent.trim()))
      || (el.getAttribute("aria-label") || "").trim()
      || (el.tagName === "BUTTON" && el.textContent.trim());
    if (!named) bad.push(el.outerHTML.slice(0, 120));
  }
  return bad;
}"""


# ---------------------------------------------------------------- data helpers


@dataclass
class Row:
    id: int
    title: str
    status: WorkStatus
    published_at: Any
    rejection_reason: str | None
    rejection_preset: str | None
    image_key: str | None
    decided_by: str | None


def rows(live: Live, ids: list[int]) -> dict[int, Row]:
    with live.app.app_context():
        try:
            works = db.session.scalars(select(Work).where(Work.id.in_(ids)))
            return {
                w.id: Row(
                    w.id,
                    w.title,
                    w.status,
                    w.published_at,
                    w.rejection_reason,
                    w.rejection_preset,
                    w.image_key,
                    w.decided_by.username if w.decided_by else None,
                )
                for w in works
            }
        finally:
            db.session.remove()


def add_pending(live: Live, titles: list[str]) -> tuple[list[int], dict[int, str]]:
    """Pending works, oldest first in the given order; returns their ids and image keys."""
    ids, keys = [], {}
    with live.app.app_context():
        try:
            start = utcnow() - timedelta(days=1)
            for n, title in enumerate(titles):
                colour = (n * 37 % 256, n * 91 % 256, 120)  # a tiny image of its own
                work = add_work(
                    store(),
                    status=WorkStatus.PENDING,
                    image=png_bytes((48, 32), colour),
                    title=title,
                    alt_text=f"Alt text of {title}",
                )
                work.submitted_at = start + timedelta(seconds=n)
                db.session.commit()
                ids.append(work.id)
                keys[work.id] = work.image_key
        finally:
            db.session.remove()
    return ids, keys


@pytest.fixture(scope="session")
def moderator_id(live: Live, moderator_password_hash: str) -> int:
    """The queue tests' moderator on the live server (made once, as the server is)."""
    with live.app.app_context():
        try:
            return saved(
                Moderator(
                    username=USERNAME, password_hash=moderator_password_hash, role=Role.MODERATOR
                )
            ).id
        finally:
            db.session.remove()


@pytest.fixture
def empty_queue(live: Live, moderator_id: int) -> Iterator[None]:
    """Each test starts and ends with nothing pending (leftovers are rejected)."""

    def clear() -> None:
        with live.app.app_context():
            try:
                ids = list(
                    db.session.scalars(select(Work.id).where(Work.status == WorkStatus.PENDING))
                )
                if ids:
                    moderation.bulk_decide(
                        store(),
                        ids,
                        moderator_id,
                        approve_them=False,
                        reason="Cleared by the test.",
                    )
                    db.session.commit()
            finally:
                db.session.remove()

    clear()
    yield
    clear()


def log_in(page: Any) -> None:
    """Through the real form; lands on the queue."""
    page.goto("/login")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(MODERATOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/moderation/$"))


def queue_link(page: Any, n: int) -> Any:
    return page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=f"Review queue ({n})"
    )


def titles_on_queue(page: Any) -> list[str]:
    return page.locator(".review__title").all_inner_texts()


# ---------------------------------------------------------------- 50 works, a few submissions


def test_a_moderator_clears_fifty_works_with_bulk_actions(open_tab, live: Live, empty_queue):
    titles = [f"Queued work {n:02d}" for n in range(50)]
    ids, keys = add_pending(live, titles)
    approve_first, reject_these, approve_last = ids[:20], ids[20:40], ids[40:]

    tab: Tab = open_tab(1280)
    page = tab.page
    actions = 0  # clicks, ticks and choices the moderator makes (typing not counted)

    log_in(page)
    actions += 1
    expect(queue_link(page, 50)).to_be_visible()
    expect(page.locator(".lead")).to_have_text("50 works wait for review, oldest first.")
    assert titles_on_queue(page) == titles[:20]
    bulk = page.locator("#bulk")

    # Page 1: the 20 oldest, approved at once.
    page.get_by_label("Select all on this page").check()
    expect(page.locator(".review [data-key=select]:checked")).to_have_count(20)
    bulk.get_by_role("button", name="Approve selected").click()
    actions += 2
    expect(queue_link(page, 30)).to_be_visible()
    expect(page.locator(".notice--success")).to_have_text("20 works approved.")
    assert titles_on_queue(page) == titles[20:40]

    # Page 2: the 10 newest, approved at once.
    page.get_by_role("link", name="Newer works →").click()
    actions += 1
    assert titles_on_queue(page) == titles[40:]
    page.get_by_label("Select all on this page").check()
    bulk.get_by_role("button", name="Approve selected").click()
    actions += 2
    expect(queue_link(page, 20)).to_be_visible()
    expect(page.locator(".notice--success")).to_have_text("10 works approved.")
    # Nothing is left after that page: back at the start, where 20 still wait.
    assert titles_on_queue(page) == titles[20:40], "the queue should show the works still waiting"

    # The remaining 20 rejected at once, with a preset reason and free text.
    page.get_by_label("Select all on this page").check()
    bulk.get_by_label("Reason").select_option(PRESET)
    bulk.get_by_label("Explain (the artists read this)").fill(FREE_TEXT)
    bulk.get_by_role("button", name="Reject selected").click()
    actions += 3
    expect(queue_link(page, 0)).to_be_visible()
    expect(page.locator(".notice--success")).to_have_text("20 works rejected.")
    expect(page.get_by_text("Nothing waits for review. Thank you!")).to_be_visible()

    # Quickly: 1 login + 3 decisions, about a dozen page loads and actions for 50 works.
    submissions = [
        url for method, url, kind in tab.requests if method == "POST" and kind == "document"
    ]
    loads = [url for method, url, kind in tab.requests if kind == "document"]
    print(
        f"\n50 works: {len(submissions)} form submissions, {len(loads)} page loads, {actions} actions"
    )
    assert len(submissions) == 4, submissions  # /login, bulk-approve ×2, bulk-reject
    assert len(loads) <= 12, loads
    assert actions <= 15

    # The database: 30 published, 20 rejected with the reason, their files gone.
    found = rows(live, ids)
    for work_id in approve_first + approve_last:
        row = found[work_id]
        assert row.status == WorkStatus.APPROVED and row.published_at is not None, row
        assert (
            row.decided_by == USERNAME
            and row.rejection_reason is None
            and row.rejection_preset is None
        )
        assert (store(live.app).works / keys[work_id]).is_dir()
    for work_id in reject_these:
        row = found[work_id]
        assert row.status == WorkStatus.REJECTED and row.published_at is None, row
        assert (row.rejection_preset, row.rejection_reason) == (PRESET, FREE_TEXT)
        assert row.decided_by == USERNAME
        assert row.image_key is None
        assert not (store(live.app).works / keys[work_id]).exists()

    # The 30 approved works are public, the 20 rejected ones are not.
    approved_titles = {titles[ids.index(i)] for i in approve_first + approve_last}
    seen: set[str] = set()
    page.goto("/works")
    while True:
        seen |= {
            t for t in page.locator(".card__title").all_inner_texts() if t.startswith("Queued work")
        }
        older = page.get_by_role("link", name="Older works →")
        if not older.count():
            break
        older.click()
    assert seen == approved_titles

    # The audit log: the 50 decisions, newest first, with who and why.
    page.goto("/moderation/audit")
    cells = page.locator("table.audit tbody tr").evaluate_all(
        "(trs) => trs.map((tr) => Array.from(tr.cells).map((td) => td.innerText.trim()))"
    )
    decisions = [c for c in cells if c[2] in ("Rejected", "Approved")][:50]
    assert len(decisions) == 50
    assert [c[2] for c in decisions] == ["Rejected"] * 20 + ["Approved"] * 30
    # A rejected work's events no longer quote its title: the work's number stands in.
    assert all(c[3].isdigit() for c in decisions[:20])
    assert all(c[3].startswith("Queued work") for c in decisions[20:])
    assert {c[1] for c in decisions} == {USERNAME}
    assert not {c[3] for c in decisions} & {titles[i] for i in range(20, 40)}  # none quoted
    reason = f"{moderation.PRESET_REASONS[PRESET]}\n\n{FREE_TEXT}"  # the audit log keeps both
    assert all(c[4] == reason for c in decisions if c[2] == "Rejected"), decisions[0]
    tab.assert_clean()


# ---------------------------------------------------------------- keyboard only


def test_keyboard_shortcuts_approve_select_and_reject(open_tab, live: Live, empty_queue):
    ids, keys = add_pending(live, ["Keyed one", "Keyed two", "Keyed three"])
    tab: Tab = open_tab(1280)
    page = tab.page
    log_in(page)
    expect(page.locator(".shortcuts")).to_contain_text(
        "j / k next and previous work, x select it, a approve it, r write a rejection reason"
    )
    expect(page.locator(".shortcuts")).to_contain_text("Esc returns to the work")
    keys_pressed = page.keyboard.press
    focused_title = lambda: page.evaluate(  # noqa: E731
        "() => document.activeElement.closest('.review')?.querySelector('.review__title').textContent"
    )

    # j goes to the first work, a approves it.
    keys_pressed("j")
    assert focused_title() == "Keyed one"
    keys_pressed("a")
    expect(page.locator(".notice--success")).to_have_text("Approved and published: Keyed one")
    expect(queue_link(page, 2)).to_be_visible()

    # j, j, k: on to the third, back to the second; x ticks and unticks it.
    keys_pressed("j")
    keys_pressed("j")
    assert focused_title() == "Keyed three"
    keys_pressed("k")
    assert focused_title() == "Keyed two"
    box = page.get_by_label("Select “Keyed two” for a bulk action")
    select_all = page.get_by_label("Select all on this page")
    keys_pressed("x")
    expect(box).to_be_checked()
    # One of two ticked: "select all" is neither ticked nor clear.
    expect(select_all).not_to_be_checked()
    assert select_all.evaluate("(el) => el.indeterminate")
    keys_pressed("x")
    expect(box).not_to_be_checked()
    assert not select_all.evaluate("(el) => el.indeterminate")
    select_all.check()
    page.get_by_label("Select “Keyed three” for a bulk action").uncheck()
    expect(select_all).not_to_be_checked()  # no longer says "all"
    box.uncheck()

    # Ticked with the space bar: on the checkbox, letters do nothing; Esc goes back to the
    # work, where they work again.
    box.focus()
    keys_pressed("Space")
    expect(box).to_be_checked()
    keys_pressed("j")
    expect(box).to_be_focused()
    keys_pressed("Escape")
    keys_pressed("j")
    assert focused_title() == "Keyed three"
    keys_pressed("k")
    assert focused_title() == "Keyed two"
    keys_pressed("x")
    expect(box).not_to_be_checked()

    # r: write the reason (the r itself is not typed), then Tab to the button and Enter.
    keys_pressed("r")
    reason = page.get_by_label("Explain (the artist reads this)").and_(page.locator(":focus"))
    expect(reason).to_be_focused()
    expect(reason).to_have_value("")
    page.keyboard.type("The scan is too blurred to show; a sharper one is welcome.")
    keys_pressed("Tab")
    expect(page.locator(":focus")).to_have_text("Reject and delete the image")
    keys_pressed("Enter")
    expect(page.locator(".notice--success")).to_have_text(
        "Rejected, and its image deleted: Keyed two"
    )
    expect(queue_link(page, 1)).to_be_visible()

    found = rows(live, ids)
    assert found[ids[0]].status == WorkStatus.APPROVED and found[ids[0]].published_at
    assert found[ids[1]].status == WorkStatus.REJECTED and found[ids[1]].image_key is None
    assert (
        found[ids[1]].rejection_reason
        == "The scan is too blurred to show; a sharper one is welcome."
    )
    assert not (store(live.app).works / keys[ids[1]]).exists()
    assert found[ids[2]].status == WorkStatus.PENDING
    tab.assert_clean()


# ---------------------------------------------------------------- labels, focus, widths


@pytest.mark.parametrize("width", [390, 1280])
def test_queue_is_labelled_shows_focus_and_fits(
    open_tab, live: Live, empty_queue, width: int, tmp_path: Path
):
    add_pending(live, ["A window with bars", "Letters to Azat"])
    tab: Tab = open_tab(width)
    page = tab.page
    log_in(page)

    assert page.evaluate(UNLABELLED) == []
    for label in (
        "Select all on this page",
        "Select “A window with bars” for a bulk action",
        "Select “Letters to Azat” for a bulk action",
        "Explain (the artists read this)",
    ):
        expect(page.get_by_label(label, exact=True)).to_have_count(1)
    expect(page.get_by_label("Reason", exact=True)).to_have_count(3)  # bulk + one per work
    expect(page.get_by_label("Explain (the artist reads this)", exact=True)).to_have_count(2)
    expect(page.get_by_label("Title", exact=True)).to_have_count(2)
    expect(page.get_by_label("Alt text", exact=True)).to_have_count(2)

    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the queue is {overflow}px too wide at {width}px"

    # Focus shows on the approve and reject buttons, reached with Tab.
    page.get_by_label("Select “A window with bars” for a bulk action").focus()
    styles = {}
    for _ in range(12):
        page.keyboard.press("Tab")
        style = page.evaluate(FOCUS_STYLE)
        if style["text"] in ("Approve", "Reject and delete the image"):
            styles[style["text"]] = style
        if len(styles) == 2:
            break
    assert set(styles) == {"Approve", "Reject and delete the image"}, styles
    for style in styles.values():
        assert style["outline"] != "none" and style["width"] > 0 and style["visible"], style

    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(
        path=str(tmp_path / f"queue-{width}.png"), full_page=True
    )  # for a person to look at
    tab.assert_clean()


# ---------------------------------------------------------------- a reason is required


def test_a_rejection_without_a_reason_is_refused(open_tab, live: Live, empty_queue):
    ids, keys = add_pending(live, ["Needs a reason", "Also needs one"])
    tab: Tab = open_tab(390)
    page = tab.page
    log_in(page)

    # One work: nothing chosen, only spaces written.
    first = page.locator(f"#work-{ids[0]}")
    first.get_by_label("Explain (the artist reads this)").fill("   ")
    first.get_by_role("button", name="Reject and delete the image").click()
    expect(page.get_by_role("alert")).to_have_text("Please choose or write a reason.")

    # Several works: selected, but no reason.
    page.get_by_label("Select all on this page").check()
    page.locator("#bulk").get_by_role("button", name="Reject selected").click()
    expect(page.get_by_role("alert")).to_have_text("Please choose or write a reason.")

    expect(queue_link(page, 2)).to_be_visible()
    found = rows(live, ids)
    assert {r.status for r in found.values()} == {WorkStatus.PENDING}
    assert all((store(live.app).works / keys[i]).is_dir() for i in ids)
    tab.assert_clean()


def test_bulk_approve_works_without_javascript(open_tab, live: Live, empty_queue):
    ids, _ = add_pending(live, ["No script one", "No script two", "No script three"])
    tab: Tab = open_tab(390, javascript=False)
    page = tab.page
    log_in(page)
    expect(page.get_by_label("Select all on this page")).to_have_count(0)  # made by the script
    page.get_by_label("Select “No script one” for a bulk action").check()
    page.get_by_label("Select “No script three” for a bulk action").check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.locator(".notice--success")).to_have_text("2 works approved.")
    found = rows(live, ids)
    assert [found[i].status for i in ids] == [
        WorkStatus.APPROVED,
        WorkStatus.PENDING,
        WorkStatus.APPROVED,
    ]


# ---------------------------------------------------------------- what is seen is what is published


def add_portrait(live: Live, testdata_dir: Path, title: str, **fields: Any) -> tuple[int, str]:
    """A pending work holding Grace Hopper's portrait (one face for the detector); its id
    and public id."""
    from PIL import Image

    from helpers import encode

    with Image.open(testdata_dir / "hopper.jpg") as face:
        canvas = Image.new("RGB", (900, 700), (128, 128, 128))
        canvas.paste(face.convert("RGB").resize((384, 384)), (250, 150))
    with live.app.app_context():
        try:
            work = add_work(
                store(),
                status=WorkStatus.PENDING,
                image=encode(canvas, "JPEG", quality=92),
                title=title,
                alt_text=f"Alt text of {title}",
                **fields,
            )
            covers.suggest_faces(store(), work)  # as the submission does once it commits
            db.session.commit()
            return work.id, work.public_id
        finally:
            db.session.remove()


def centre_of_face(live: Live, work_id: int) -> tuple[int, int, int]:
    """The published display JPEG's pixel at the centre of the detector's suggestion."""
    import io

    from PIL import Image

    with live.app.app_context():
        try:
            work = db.session.get(Work, work_id)
            data = store().read(work.image_key, "display.jpg")
        finally:
            db.session.remove()
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGB").getpixel(
            (int(im.width * (250 + 192) / 900), int(im.height * (150 + 192) / 700))
        )


def test_a_suggested_face_is_never_shown_as_covered_nor_published_uncovered(
    open_tab, live: Live, empty_queue, testdata_dir: Path, tmp_path: Path
):
    work_id, _public_id = add_portrait(live, testdata_dir, "Please cover me", cover_requested=True)
    tab: Tab = open_tab(1280)
    page = tab.page
    log_in(page)

    # In the queue: no Approve for this work, so neither the button nor `a` can publish it.
    item = page.locator(f"#work-{work_id}")
    expect(item.locator("[data-key=approve]")).to_have_count(0)
    expect(item.locator(".review__cover-first")).to_contain_text("Before it can be approved")
    page.keyboard.press("j")
    page.keyboard.press("a")
    # "Approve selected" skips it, with the reason.
    page.get_by_label("Select “Please cover me” for a bulk action").check()
    page.locator("#bulk").get_by_role("button", name="Approve selected").click()
    expect(page.get_by_role("alert")).to_contain_text("1 was not published")

    # On its page the suggestion is a dashed outline, not a cover, until it is applied.
    page.goto(f"/moderation/works/{work_id}")
    suggestion = page.locator(".cover-rect--suggested")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_have_class(re.compile(r"cover-rect--off"))
    assert suggestion.evaluate("(el) => getComputedStyle(el).backgroundColor") == "rgba(0, 0, 0, 0)"
    expect(page.locator(".cover-tools__count")).to_have_text("Nothing chosen to cover.")
    page.screenshot(path=str(tmp_path / "suggested.png"))
    suggestion.click()  # chosen: hatched, and said to be not covered yet
    expect(suggestion).to_have_class(re.compile(r"cover-rect--pending"))
    assert "repeating-linear-gradient" in suggestion.evaluate(
        "(el) => getComputedStyle(el).backgroundImage"
    )
    expect(page.locator(".cover-tools__count")).to_contain_text("Chosen, not covered yet: 1.")
    page.screenshot(path=str(tmp_path / "chosen.png"))
    assert rows(live, [work_id])[work_id].status == WorkStatus.PENDING

    page.get_by_role("button", name="Cover with solid black").click()
    expect(page.locator(".notice--success")).to_have_text(
        "1 region covered, on every size of the image."
    )
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".notice--success")).to_have_text("Approved and published: Please cover me")
    assert rows(live, [work_id])[work_id].status == WorkStatus.APPROVED
    assert max(centre_of_face(live, work_id)) <= 24  # black where the face was, in what is public
    tab.assert_clean()


def test_letters_typed_in_a_form_decide_nothing(open_tab, live: Live, empty_queue):
    ids, _ = add_pending(live, ["Typed into", "Left alone"])
    tab: Tab = open_tab(1280)
    page = tab.page
    log_in(page)
    page.keyboard.press("j")
    page.keyboard.press("r")  # the reason box of the first work
    page.keyboard.press("Tab")  # on to the Reject button
    expect(page.locator(":focus")).to_have_text("Reject and delete the image")
    page.keyboard.type("trajax")  # letters a person types, thinking they are in the box
    # "Fix title, alt text or tags" opened with a click, then a letter.
    page.locator(f"#work-{ids[1]} summary").click()
    page.keyboard.press("a")
    page.locator(f"#work-{ids[1]} summary").click()  # closed again
    page.keyboard.press("a")  # on the summary still: nothing
    assert tab.posts_to("/approve") == [] and tab.posts_to("/reject") == []
    assert {r.status for r in rows(live, ids).values()} == {WorkStatus.PENDING}
    tab.assert_clean()


def test_an_approval_is_undone_from_the_next_page(open_tab, live: Live, empty_queue, monkeypatch):
    monkeypatch.setitem(live.app.config, "DECISION_UNDO_SECONDS", 30)
    ids, _ = add_pending(live, ["Approved by mistake"])
    tab: Tab = open_tab(390)
    page = tab.page
    log_in(page)
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator(".notice--success")).to_have_text(
        "Approved and published: Approved by mistake"
    )
    expect(page.locator("form.undo")).to_contain_text("You can undo it within")
    page.locator("form.undo").get_by_role("button", name="Undo").click()
    expect(page.locator(".notice--success")).to_have_text(
        "Undone: the work waits for review again."
    )
    assert rows(live, ids)[ids[0]].status == WorkStatus.PENDING
    page.goto("/moderation/audit")
    expect(page.locator("table.audit tbody tr").first).to_contain_text("Undid a decision")
    tab.assert_clean()
