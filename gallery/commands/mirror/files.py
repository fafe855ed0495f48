"""The files of export-static: the file each address becomes, the manifest of what the
last export wrote, atomic writes that never follow a link out of DEST, and the removal of
what is stale."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlencode

log = logging.getLogger(__package__)  # gallery.commands.mirror, as before the split


MANIFEST = ".export-manifest.json"
SAFE_SEGMENT = re.compile(r"\A[A-Za-z0-9_~-][A-Za-z0-9._~-]*\Z")  # no "..", no hidden file
READABLE_KEY = re.compile(r"\A[a-z]{1,20}\Z")
READABLE_VALUE = re.compile(r"\A[A-Za-z0-9-]{1,60}\Z")
# A PDF rebuilt with nothing but new time stamps and ids is the same document.
PDF_STAMPS = re.compile(rb"/(?:CreationDate|ModDate)\s*\([^)]*\)|/ID\s*\[[^\]]*\]")


class UnsafeDestination(ValueError):
    """A folder of DEST is a symbolic link leading out of it: the export writes nothing
    through it (someone who can write into DEST could aim the copy anywhere)."""


@dataclass
class Target:
    """One address of the site to copy, and the file it becomes."""

    path: str  # the site's own path, without PUBLIC_URL's path prefix
    query: tuple[tuple[str, str], ...]
    file: str  # relative to DEST, with forward slashes
    media: bool = False
    optional: bool = False  # a seed that may answer 400/403/404 (print PDFs, slideshows)
    search: bool = False  # the search page, searched in the browser (searchindex.py)
    linked_from: str = ""

    @property
    def url(self) -> str:
        return self.path + ("?" + urlencode(self.query) if self.query else "")


def file_for(path: str, query: tuple[tuple[str, str], ...]) -> str | None:
    """The file an address becomes: `/fr/works/abc` -> `fr/works/abc/index.html`,
    `/fr/works?page=2` -> `fr/works/index-page-2.html`, `poster.pdf?size=a4` ->
    `poster-a4.pdf`; None for a path no file may carry (`..`, hidden or odd names)."""
    segments = [unquote(s) for s in path.strip("/").split("/") if s]
    if not all(SAFE_SEGMENT.match(s) for s in segments):
        return None
    is_file = bool(segments) and not path.endswith("/") and "." in segments[-1]
    if not is_file:
        name = "index.html" if not query else f"index-{_query_name(query, page=True)}.html"
        return "/".join([*segments, name])
    stem, _dot, ext = segments[-1].rpartition(".")
    if query:
        segments[-1] = f"{stem}-{_query_name(query, page=False)}.{ext}"
    return "/".join(segments)


def _query_name(query: tuple[tuple[str, str], ...], *, page: bool) -> str:
    if all(READABLE_KEY.match(k) and READABLE_VALUE.match(v) for k, v in query) and len(query) <= 4:
        if not page and len(query) == 1:
            return query[0][1]
        return "_".join(f"{k}-{v}" for k, v in query)
    return "q" + _digest(urlencode(query).encode())[:12]


def content_digest(data: bytes) -> str:
    """The SHA-256 the manifest keeps; a PDF's creation and modification times and its
    /ID are left out, so a PDF rebuilt from the same content counts as unchanged."""
    return _digest(PDF_STAMPS.sub(b"", data) if data.startswith(b"%PDF-") else data)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(dest: Path) -> dict[str, str]:
    """What the last export wrote; entries that could name a file outside dest are dropped."""
    try:
        found = json.loads((dest / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {
        k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str) and _inside(k)
    }


def _write_manifest(dest: Path, entries: dict[str, str]) -> None:
    data = json.dumps(entries, indent=0, sort_keys=True).encode()
    path = dest / MANIFEST
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    _write_atomic(dest, path, data)


def _inside(relative: str) -> bool:
    parts = relative.split("/")
    return (
        bool(parts) and not relative.startswith("/") and all(SAFE_SEGMENT.match(p) for p in parts)
    )


def _within(dest: Path, path: Path) -> bool:
    """Whether the folder of path, symbolic links followed, is dest or inside it."""
    root, folder = dest.resolve(), path.parent.resolve()
    return folder == root or root in folder.parents


def _write_atomic(dest: Path, path: Path, data: bytes) -> None:
    # Checked before any folder is made: mkdir and mkstemp would follow a planted link.
    # (A file that is itself a link is replaced, not followed: os.replace renames over it.)
    if not _within(dest, path):
        raise UnsafeDestination(
            f"{path.parent} leads out of {dest} through a symbolic link; the export writes "
            "nothing through links. Remove the link (or export into a folder only you can write to)."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # a static host's server reads it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_stale(dest: Path, stale: set[str]) -> tuple[int, list[str]]:
    """Delete what an earlier export wrote and this one did not, then empty folders; an
    entry whose folder is a link out of dest is left alone (a manifest can be tampered
    with).  Returns how many files went, and the entries left alone."""
    removed, left_alone = 0, []
    folders: set[Path] = set()
    for relative in sorted(stale):
        path = dest / relative
        if not _within(dest, path):
            log.warning(
                "export-static: %s is behind a symbolic link out of %s; left alone", relative, dest
            )
            left_alone.append(relative)
            continue
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        folders.update(p for p in path.parents if p != dest and dest in p.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        try:
            folder.rmdir()  # only when empty: files the export never wrote stay
        except OSError:
            pass
    return removed, left_alone
