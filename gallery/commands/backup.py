"""A consistent copy of the database and the media, laid out as an instance folder, and
the way back into any database and media store (restore).

A backup folder holds MARKER, which says it is one: create_app() then refuses to serve it
with a database or a media store other than its own (an exported DATABASE_URL would
otherwise run the "restored" copy on the live database, with the copy's media)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine

from ..core.database import private_file, sqlite_file
from ..media import FILENAME_RE, KEY_RE, MediaStore, Store

DB_NAME = "gallery.sqlite3"
MARKER = "backup.json"
# The variables that point an app at a database or a media store (gallery/config.py):
# each must be unset to serve a backup folder as it is.
DATABASE_VARIABLES = (
    "DATABASE_URL",
    "SQLALCHEMY_DATABASE_URI",
    "FLASK_DATABASE_URL",
    "FLASK_SQLALCHEMY_DATABASE_URI",
)
MEDIA_VARIABLES = ("GALLERY_MEDIA", "MEDIA_STORE", "FLASK_GALLERY_MEDIA", "FLASK_MEDIA_STORE")
# Resumable uploads staged for the submission form (models/uploads.py): files as their
# senders sent them, metadata and all, kept a day at most. No backup holds them.
NOT_BACKED_UP = ("upload_part", "upload")


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
                if table.name in NOT_BACKED_UP:
                    continue
                rows = [dict(r._mapping) for r in conn.execute(select(table))]
                if rows:
                    out.execute(table.insert(), rows)
    target.dispose()


def _drop_staged(db_file: Path) -> None:
    """Empty the staged uploads' tables of the copy, their bytes overwritten on disk."""
    conn = sqlite3.connect(db_file)
    try:
        conn.execute("PRAGMA secure_delete=ON")
        present = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for name in NOT_BACKED_UP:
            if name in present:
                conn.execute(f'DELETE FROM "{name}"')
        conn.commit()
    finally:
        conn.close()


def _referenced_keys(db_file: Path) -> list[str]:
    with sqlite3.connect(db_file) as conn:
        keys = [
            k for (k,) in conn.execute("SELECT image_key FROM work WHERE image_key IS NOT NULL")
        ]
        # A work's other images (a copy made before their table existed has none).
        found = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'work_image'"
        if conn.execute(found).fetchone():
            keys += [
                k
                for (k,) in conn.execute(
                    "SELECT image_key FROM work_image WHERE image_key IS NOT NULL"
                )
            ]
        return keys


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
    _drop_staged(db_file)
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
    marker = {
        "database": DB_NAME,
        "media": "media",
        "copied_from": source.dialect.name,
        "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (dest / MARKER).write_text(json.dumps(marker, indent=2) + "\n")
    return report


def exported(environ: Mapping[str, str], names: tuple[str, ...]) -> list[str]:
    """Which of these variables are set (and not empty) in the environment."""
    return [name for name in names if environ.get(name)]


def serve_hint(dest: Path, environ: Mapping[str, str]) -> str:
    """The command that serves a backup folder as it is: every variable that would point
    it at another database or media store unset, on another port than the live site's."""
    unset = "".join(
        f"-u {name} " for name in exported(environ, DATABASE_VARIABLES + MEDIA_VARIABLES)
    )
    return f"env {unset}GALLERY_INSTANCE={dest} PORT=5001 make run"


def check_not_a_foreign_backup(
    instance: Path, config: Mapping[str, Any], environ: Mapping[str, str]
) -> None:
    """Refuse to serve a backup folder with a database or a media store that is not its
    own, saying exactly what to unset (RuntimeError, one line)."""
    try:
        marker = json.loads((instance / MARKER).read_text())
    except (OSError, ValueError):
        return  # not a backup folder
    own = (instance / str(marker.get("database", DB_NAME))).resolve()
    uri = config["SQLALCHEMY_DATABASE_URI"]
    db_file = sqlite_file(uri) if uri else None
    foreign_db = bool(uri) and (db_file is None or db_file.resolve() != own)
    foreign_media = bool(config["MEDIA_STORE"])
    if not (foreign_db or foreign_media):
        return
    variables = exported(
        environ,
        (DATABASE_VARIABLES if foreign_db else ()) + (MEDIA_VARIABLES if foreign_media else ()),
    )
    what = " and ".join(
        w for w, foreign in (("database", foreign_db), ("media store", foreign_media)) if foreign
    )
    fix = (
        f"unset {', '.join(variables)}: {serve_hint(instance, environ)}"
        if variables
        else f"remove them from {instance / 'config.py'}"
    )
    raise RuntimeError(
        f"{instance} is a backup with its own database and media, but the settings give it "
        f"another {what}. To serve the copy, {fix}. To bring it back into that database, "
        "see `flask --app gallery restore` (docs/operators/backup-restore-upgrade.md)."
    )


class RestoreRefused(Exception):
    """A restore that must not start; the message says why and what to do."""


@dataclass
class RestoreReport:
    rows: int = 0
    works_copied: int = 0
    files_copied: int = 0
    already_there: int = 0  # keys found in the target store with the same files


def _versions(conn: Connection) -> set[str]:
    if not inspect(conn).has_table("alembic_version"):
        return set()
    return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _reset_sequences(conn: Connection, models: MetaData) -> None:
    """PostgreSQL: every id sequence moves past the rows just copied (rows inserted with
    their ids leave the sequences where they were, and the next insert would collide)."""
    for table in models.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and column.type.python_type is int
            ):
                conn.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:table, :column), "
                        f'(SELECT COALESCE(MAX("{column.name}"), 0) + 1 FROM "{table.name}"), false)'
                    ),
                    {"table": table.name, "column": column.name},
                )


def _backup_files(folder: Path) -> Iterator[tuple[str, dict[str, bytes]]]:
    """(key, {file name: bytes}) of each work in the backup's media, one work at a time."""
    works = folder / "media" / "works"
    for key_dir in sorted(works.iterdir()) if works.is_dir() else []:
        if not KEY_RE.match(key_dir.name) or not key_dir.is_dir():
            continue
        files = {
            f.name: f.read_bytes()
            for f in sorted(key_dir.iterdir())
            if f.is_file() and FILENAME_RE.match(f.name)
        }
        if files:
            yield key_dir.name, files


def restore(folder: Path, target: Engine, models: MetaData, media: Store) -> RestoreReport:
    """Copy a backup folder's database and media into an empty, migrated database (any
    SQLAlchemy one: PostgreSQL for several workers) and its media store (folder or bucket).

    Every row is written in one transaction, committed only once every image is in the
    store: a restore that fails leaves the database empty (the images already copied stay,
    and a new attempt takes them as they are)."""
    try:
        marker = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        marker = {}  # a backup made before the marker existed: its database is enough
    db_file = folder / str(marker.get("database", DB_NAME))
    if not db_file.is_file():
        raise RestoreRefused(
            f"{folder} is not a backup folder (no {db_file.name}): only what "
            "`flask --app gallery backup` made can be restored."
        )
    source = create_engine(f"sqlite:///{db_file}")
    report = RestoreReport()
    try:
        with source.connect() as src, target.begin() as dst:
            wanted, present = _versions(src), _versions(dst)
            if not all(inspect(dst).has_table(t.name) for t in models.sorted_tables):
                raise RestoreRefused(
                    "The target database has no tables: create them first with "
                    "`flask --app gallery db upgrade`."
                )
            if wanted != present:
                raise RestoreRefused(
                    f"The backup's schema ({', '.join(sorted(wanted)) or 'none'}) is not the "
                    f"target's ({', '.join(sorted(present))}): bring both to the same version "
                    "with `flask --app gallery db upgrade` first."
                )
            filled = [
                t.name
                for t in models.sorted_tables
                if dst.scalar(select(func.count()).select_from(t))
            ]
            if filled:
                raise RestoreRefused(
                    f"The target database is not empty ({', '.join(filled)}): a restore only goes "
                    "into a new, empty database, never over a live one."
                )
            for table in models.sorted_tables:
                rows = [dict(row._mapping) for row in src.execute(select(table))]
                if rows:
                    dst.execute(table.insert(), rows)
                    report.rows += len(rows)
            if dst.dialect.name == "postgresql":
                _reset_sequences(dst, models)
            for key, files in _backup_files(folder):
                try:
                    media.publish(files, key=key)
                except FileExistsError:
                    if media.files(key) != set(files):
                        raise RestoreRefused(
                            f"The media store already holds works/{key} with "
                            "other files: restore into an empty store."
                        ) from None
                    report.already_there += 1
                    continue
                report.works_copied += 1
                report.files_copied += len(files)
    finally:
        source.dispose()
    return report
