"""Pieces several verbs share: locked rows, tags, renditions, and files that go once a change
commits."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from ..database import after_commit
from ..extensions import db
from ..images import ProcessedImage
from ..models import Tag, Work
from ..storage import MediaStore
from ..text import slugify
from . import NotAllowed

TAG_SLUG_LENGTH = 60


def locked_works(work_ids: Iterable[int]) -> list[Work]:
    """These works, locked for update, in id order (so two writers never deadlock)."""
    ids = sorted(set(work_ids))
    stmt = select(Work).where(Work.id.in_(ids)).order_by(Work.id).with_for_update()
    return list(db.session.scalars(stmt))


def locked_work(work_id: int) -> Work:
    """One work, locked for update; LookupError if there is none."""
    found = locked_works([work_id])
    if not found:
        raise LookupError("no such work")
    return found[0]


def require_reason(reason: str | None, preset: str | None = None) -> str:
    """The moderator's words, trimmed ("" when a preset reason says it all);
    NotAllowed("reason-required") when there is neither."""
    text = (reason or "").strip()
    if not text and not preset:
        raise NotAllowed("reason-required")
    return text


def tag_slug(name: str) -> str:
    """The slug a tag name files under ("" when it has no letters or digits at all)."""
    return slugify(name, max_length=TAG_SLUG_LENGTH)


def tags_named(names: Iterable[str]) -> list[Tag]:
    """Tags for the given names (one per slug), created when new; names without a slug
    are skipped (the forms refuse them first, with a message)."""
    wanted: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())[:TAG_SLUG_LENGTH]
        slug = tag_slug(name)
        if slug and slug not in wanted:
            wanted[slug] = name
    if not wanted:
        return []
    found = {t.slug: t for t in db.session.scalars(select(Tag).where(Tag.slug.in_(wanted)))}
    for slug, name in wanted.items():
        if slug not in found:
            found[slug] = Tag(slug=slug, name=name)
            db.session.add(found[slug])
    return [found[slug] for slug in wanted]


def renditions_json(processed: ProcessedImage) -> dict[str, dict]:
    """Work.renditions for a processed image: {size: {width, height, files: {format: name}}}."""
    out: dict[str, dict] = {}
    for r in processed.renditions:
        entry = out.setdefault(r.size, {"width": r.width, "height": r.height, "files": {}})
        entry["files"][r.format] = r.filename
    return out


def delete_files_after_commit(store: MediaStore, keys: Iterable[str | None]) -> None:
    """Delete these works' folders once the transaction has committed, not before."""
    for key in keys:
        if key:
            after_commit(lambda key=key: store.delete(key))
