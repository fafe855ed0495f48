"""A consistent copy of the database and the media, laid out as an instance folder."""
from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.engine import Engine

from .database import private_file
from .storage import FILENAME_RE, MediaStore, Store

DB_NAME = "gallery.sqlite3"


@dataclass
class BackupReport:
    works_copied: int = 0
    files_copied: int = 0
    vanished: list[str] = field(default_factory=list)  # withdrawn or rejected meanwhile


def _copy_sqlite(source: Engine, dest: Path) -> None:
    # SQLite's online backup copies a consistent snapshot while others keep writing.
    raw = source.raw_connection()
    try:
        target = sqlite3.connect(dest)
        try:
            raw.driver_connection.backup(target)  # type: ignore[union-attr]
        finally:
            target.close()
    finally:
        raw.close()


def _copy_rows(source: Engine, dest: Path, models: MetaData) -> None:
    # Any other database: every table, read in one repeatable-read snapshot, into SQLite
    # with the models' own schema (and Alembic's version, so upgrades carry on).
    tables = MetaData()
    target = create_engine(f"sqlite:///{dest}")
    with source.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        tables.reflect(conn, only=lambda name, _meta: name == "alembic_version")
        models.create_all(target)
        tables.create_all(target)
        with target.begin() as out:
            for table in [*models.sorted_tables, *tables.sorted_tables]:
                rows = [dict(r._mapping) for r in conn.execute(select(table))]
                if rows:
                    out.execute(table.insert(), rows)
    target.dispose()


def _referenced_keys(db_file: Path) -> list[str]:
    with sqlite3.connect(db_file) as conn:
        return [k for (k,) in conn.execute("SELECT image_key FROM work WHERE image_key IS NOT NULL")]


def _read_work(media: Store, key: str) -> dict[str, bytes] | None:
    """Every rendition stored under a key, read whole; None if the key or any of its files
    went meanwhile (a rejection, a withdrawal or a takedown after the database copy)."""
    names = {name for name in media.files(key) if FILENAME_RE.match(name)}
    files = {name: media.read(key, name) for name in sorted(names)}
    if not files or any(data is None for data in files.values()):
        return None
    return {name: data for name, data in files.items() if data is not None}


def backup(
    source: Engine, models: MetaData, media: Store, instance: Path, dest: Path
) -> BackupReport:
    """Copy the database first, then exactly the media its rows refer to, from whichever
    store holds them (a folder or a bucket) into dest/media/, a local store with the same
    keys: `GALLERY_INSTANCE=dest make run` serves the copy without the bucket."""
    dest.mkdir(parents=True, exist_ok=False)
    db_file = dest / DB_NAME
    private_file(db_file)  # created readable by its owner only, before anything is in it
    if source.dialect.name == "sqlite":
        _copy_sqlite(source, db_file)
    else:
        _copy_rows(source, db_file, models)
    report = BackupReport()
    copy = MediaStore(dest / "media")
    for key in _referenced_keys(db_file):
        files = _read_work(media, key)
        if files is None:
            report.vanished.append(key)
            continue
        copy.publish(files, key=key)  # written and synced in staging/, then one rename
        report.works_copied += 1
        report.files_copied += len(files)
    for name in ("secret_key", "config.py"):
        if (instance / name).is_file():
            shutil.copy2(instance / name, dest / name)
            os.chmod(dest / name, 0o600)
    return report
