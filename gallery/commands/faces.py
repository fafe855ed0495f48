"""flask --app gallery suggest-faces: the face detector looks at every pending work it has
not looked at yet (works submitted before OpenCV was installed, or while it failed)."""

from __future__ import annotations

import click
from sqlalchemy import select

from ..extensions import db
from ..images import faces
from ..media import media_store
from ..models import Work, WorkStatus
from ..verbs import covers


@click.command("suggest-faces")
def suggest_faces() -> None:
    """Suggest faces to cover on the pending works the detector has not looked at yet."""
    if not faces.available():
        raise click.ClickException(
            "Face suggestions are off: OpenCV is not installed (the extra [faces]: "
            "pip install -e '.[faces]', or make install)."
        )
    waiting = db.session.scalars(
        select(Work.id)
        .where(Work.status == WorkStatus.PENDING, Work.face_suggestions.is_(None))
        .order_by(Work.id)
    ).all()
    looked = found = 0
    for work_id in waiting:
        work = db.session.get(Work, work_id)
        if work is None:
            continue
        covers.suggest_faces(media_store(), work)
        db.session.commit()
        work = db.session.get(Work, work_id)
        if work is not None and work.face_suggestions is not None:
            looked += 1
            found += bool(work.face_suggestions)
    click.echo(f"Looked at {looked} pending work(s); {found} with possible faces to cover.")
