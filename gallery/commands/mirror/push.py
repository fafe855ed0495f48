"""`export-static DEST --push TARGET`: after the copy is written into DEST, bring a place
that publishes it up to date.

TARGET is one of:

- `s3://bucket/prefix`: a bucket of any S3-compatible service, reached with boto3's own
  environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...), as the media store is. New and
  changed files are uploaded with their Content-Type; what the last push uploaded and the
  copy no longer holds is deleted.
- `git+<url>` (`git+https://...`, `git+ssh://...`, `git+file:///...`; `#branch` at the end
  chooses the branch), or the path of a git repository (bare or not): cloned into a
  temporary folder, brought up to date, committed and pushed, with the `git` program.
- any other path: a folder, brought up to date like DEST itself (for a web server's root,
  or for `ipfs add -r`).

What "the copy" is: the files DEST's manifest lists (what the export wrote), and the
manifest itself. A push compares them with the manifest it finds at the target (the one
it left there last time): it writes only what changed, and deletes only what it wrote
before and the copy no longer holds, never a file someone else put there (a CNAME, a
README, a host's own files).

Every TARGET is checked before the export starts (the bucket answers, the repository can
be listed, the folder is not DEST): a bad one is a usage error and nothing is written."""

from __future__ import annotations

import json
import mimetypes
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit
from urllib.request import url2pathname

from .files import MANIFEST, _read_manifest, _remove_stale, _write_atomic

GIT_TIMEOUT = 600  # seconds for one git command (a first push of a large copy is long)
GIT_AUTHOR = ("Art Protest export", "export@localhost")
# git's own transports that run a command or read any file: never from a TARGET.
GIT_SCHEMES = ("https", "http", "ssh", "git", "file")
SCP_LIKE = re.compile(r"\A[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+\Z")  # git@host:owner/repo.git
BRANCH = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._/-]{0,99}\Z")
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/atom+xml")
mimetypes.add_type("application/atom+xml", ".atom")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("image/webp", ".webp")
mimetypes.add_type("image/avif", ".avif")


class BadTarget(ValueError):
    """A TARGET that is not one, or cannot be reached: said before anything is written."""


class PushFailed(RuntimeError):
    """A push that failed on its way (the service or the remote refused)."""


@dataclass
class PushReport:
    target: str
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    notes: list[str] = field(default_factory=list)


class PushTarget(Protocol):
    label: str

    def check(self, dest: Path) -> None: ...

    def push(self, dest: Path) -> PushReport: ...


def parse_target(text: str) -> PushTarget:
    """The target TEXT names; BadTarget saying what is expected."""
    text = (text or "").strip()
    if not text:
        raise BadTarget("--push needs a target: s3://bucket/prefix, git+URL, or a folder")
    if text.startswith("-"):
        raise BadTarget(f"--push {text!r}: a target does not start with '-'")
    if text.startswith("s3://"):
        return S3Target.parse(text)
    if text.startswith("git+"):
        return GitTarget.parse(text[4:])
    scheme = urlsplit(text).scheme
    if len(scheme) > 1 and "://" in text:  # (a Windows drive letter is not a scheme)
        raise BadTarget(
            f"--push {scheme}://...: not a target this command knows. Use s3://bucket/prefix, "
            "git+https://... (or git+ssh://...), or a folder (for IPFS: push to a folder, "
            "then `ipfs add -r` it)"
        )
    path = Path(text).expanduser()
    if _is_git_repository(path):
        return GitTarget(path.absolute().as_uri(), None, label=str(path))
    return FolderTarget(path)


def copy_files(dest: Path) -> dict[str, str]:
    """The files of the copy in dest (from its manifest), with their digests."""
    files = _read_manifest(dest)
    if not files:
        raise PushFailed(f"{dest} holds no export (no {MANIFEST}): nothing to push")
    return files


def _manifest_bytes(dest: Path) -> bytes:
    return (dest / MANIFEST).read_bytes()


# ---- a folder ----


@dataclass
class FolderTarget:
    path: Path

    @property
    def label(self) -> str:
        return str(self.path)

    def check(self, dest: Path) -> None:
        here, there = dest.absolute().resolve(), self.path.absolute().resolve()
        if here == there or here in there.parents or there in here.parents:
            raise BadTarget(
                f"--push {self.path}: the target folder must be outside {dest}, and hold no "
                "part of it"
            )
        if there.exists() and not there.is_dir():
            raise BadTarget(f"--push {self.path}: this is a file, not a folder")
        if not there.parent.is_dir():
            raise BadTarget(f"--push {self.path}: its parent folder {there.parent} does not exist")

    def push(self, dest: Path) -> PushReport:
        self.path.mkdir(exist_ok=True)
        return sync_folder(dest, self.path, PushReport(self.label))


def sync_folder(dest: Path, target: Path, report: PushReport) -> PushReport:
    """Bring target up to date with the copy in dest: new and changed files written (each
    atomically), what the last push wrote and the copy no longer holds deleted; the other
    files of target are left alone."""
    files = copy_files(dest)
    old = _read_manifest(target)
    for relative, digest in sorted(files.items()):
        path = target / relative
        if old.get(relative) == digest and path.is_file():
            report.unchanged += 1
            continue
        _write_atomic(target, path, (dest / relative).read_bytes())
        report.written += 1
    # The manifest last: a push that stopped half-way is finished by the next one.
    _write_atomic(target, target / MANIFEST, _manifest_bytes(dest))
    report.removed, left_alone = _remove_stale(target, set(old) - set(files))
    report.notes.extend(f"not removed (behind a symbolic link): {r}" for r in left_alone)
    return report


# ---- a bucket ----


@dataclass
class S3Target:
    bucket: str
    prefix: str  # "" or ending in "/"
    client: Any = None

    @property
    def label(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    @classmethod
    def parse(cls, text: str) -> S3Target:
        from ...media.s3 import parse_media_url

        try:
            bucket, prefix = parse_media_url(text)
        except ValueError as exc:
            raise BadTarget(str(exc).replace("GALLERY_MEDIA", "--push")) from None
        return cls(bucket, prefix)

    def _client(self) -> Any:
        if self.client is None:
            from ...media.s3 import make_client

            self.client = make_client()
        return self.client

    def check(self, dest: Path) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client().head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code") or "unknown")
            raise BadTarget(
                f"--push {self.label}: the bucket answered {code} (create it first, and give "
                "boto3 its endpoint and credentials: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...)"
            ) from None
        except BotoCoreError as exc:
            raise BadTarget(
                f"--push {self.label}: the bucket is unreachable ({type(exc).__name__})"
            ) from None

    def push(self, dest: Path) -> PushReport:
        from botocore.exceptions import BotoCoreError, ClientError

        report = PushReport(self.label)
        files = copy_files(dest)
        client = self._client()
        try:
            old = self._old_manifest()
            present = self._keys()
            for relative, digest in sorted(files.items()):
                key = self.prefix + relative
                if old.get(relative) == digest and key in present:
                    report.unchanged += 1
                    continue
                self._upload(key, (dest / relative).read_bytes())
                report.written += 1
            self._upload(self.prefix + MANIFEST, _manifest_bytes(dest))
            stale = sorted(self.prefix + r for r in set(old) - set(files) if r != MANIFEST)
            for start in range(0, len(stale), 1000):  # a request deletes 1000 at most
                batch = [{"Key": k} for k in stale[start : start + 1000]]
                client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
            report.removed = len(stale)
        except (ClientError, BotoCoreError) as exc:
            from ...media.s3.connection import error_code

            raise PushFailed(f"{self.label}: the bucket answered {error_code(exc)}") from exc
        return report

    def _upload(self, key: str, data: bytes) -> None:
        kind = content_type(key)
        self._client().put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=kind)

    def _keys(self) -> set[str]:
        keys: set[str] = set()
        pages = self._client().get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.bucket, Prefix=self.prefix):
            keys.update(obj["Key"] for obj in page.get("Contents", []))
        return keys

    def _old_manifest(self) -> dict[str, str]:
        from botocore.exceptions import ClientError

        from ...media.s3.connection import is_missing

        try:
            body = self._client().get_object(Bucket=self.bucket, Key=self.prefix + MANIFEST)
        except ClientError as exc:
            if is_missing(exc):
                return {}
            raise
        try:
            found = json.loads(body["Body"].read())
        except ValueError:
            return {}
        if not isinstance(found, dict):
            return {}
        return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}


def content_type(name: str) -> str:
    """The Content-Type a static host sends for a file of the copy (text in UTF-8)."""
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith(TEXT_TYPES) or kind == "text/javascript":
        kind += "; charset=utf-8"
    return kind


# ---- a git repository ----


@dataclass
class GitTarget:
    url: str
    branch: str | None
    label: str = ""

    @classmethod
    def parse(cls, text: str) -> GitTarget:
        url, _hash, branch = text.partition("#")
        if branch and not BRANCH.match(branch) or ".." in branch:
            raise BadTarget(f"--push git+...#{branch}: not a branch name")
        parts = urlsplit(url)
        if url.startswith("-") or not url:
            raise BadTarget("--push git+URL: give the repository's address after git+")
        if parts.scheme:
            if parts.scheme not in GIT_SCHEMES or not (parts.netloc or parts.scheme == "file"):
                raise BadTarget(
                    f"--push git+{parts.scheme}://...: use git+https://, git+ssh://, git+git:// "
                    "or git+file:// (or the path of a repository)"
                )
        elif not SCP_LIKE.match(url):
            path = Path(url).expanduser()
            if not _is_git_repository(path):
                raise BadTarget(f"--push git+{url}: no git repository there")
            url = path.absolute().as_uri()
        return cls(url, branch or None, label=f"git+{_without_password(text)}")

    def check(self, dest: Path) -> None:
        if shutil.which("git") is None:
            raise BadTarget("--push git+...: the git program is not installed")
        found = _git(["ls-remote", "--symref", "--", self.url, "HEAD"], None, check=False)
        if found.returncode != 0:
            raise BadTarget(
                f"--push {self.label}: the repository cannot be read "
                f"({_last_line(found.stderr) or 'git ls-remote failed'})"
            )
        if self.branch is None:
            # ref: refs/heads/main	HEAD; an empty repository names none: main.
            match = re.search(r"^ref: refs/heads/(\S+)\tHEAD$", found.stdout, re.MULTILINE)
            self.branch = match.group(1) if match else self._empty_repository_branch()

    def _empty_repository_branch(self) -> str:
        """The branch an empty repository's HEAD names: a local one says it (master or
        main, as `git init` chose); a hosted one takes the first branch pushed: main."""
        parts = urlsplit(self.url)
        if parts.scheme == "file":
            done = _git(
                ["-C", url2pathname(parts.path), "symbolic-ref", "--short", "HEAD"],
                None,
                check=False,
            )
            name = done.stdout.strip()
            if done.returncode == 0 and BRANCH.match(name):
                return name
        return "main"

    def push(self, dest: Path) -> PushReport:
        if self.branch is None:
            self.check(dest)
        branch = self.branch or "main"
        report = PushReport(self.label)
        with tempfile.TemporaryDirectory(prefix="export-push-") as tmp:
            work = Path(tmp) / "copy"
            heads = _git(["ls-remote", "--heads", "--", self.url, branch], None).stdout
            if heads.strip():
                _git(
                    [
                        "clone",
                        "--quiet",
                        "--depth",
                        "1",
                        "--branch",
                        branch,
                        "--",
                        self.url,
                        str(work),
                    ],
                    None,
                )
            else:  # an empty repository, or a new branch
                work.mkdir()
                _git(["init", "--quiet"], work)
                _git(["checkout", "--quiet", "-b", branch], work)
            sync_folder(dest, work, report)
            _git(["add", "--all", "--", "."], work)
            if _git(["diff", "--cached", "--quiet"], work, check=False).returncode == 0:
                report.notes.append("nothing changed: no commit")
                return report
            name, email = GIT_AUTHOR
            _git(
                [
                    "-c", f"user.name={name}", "-c", f"user.email={email}",
                    "commit", "--quiet", "--no-gpg-sign", "-m", "Static copy of the gallery",
                ],
                work,
            )  # fmt: skip
            _git(["push", "--quiet", "--", self.url, f"HEAD:refs/heads/{branch}"], work)
        return report


def _git(args: list[str], cwd: Path | None, *, check: bool = True) -> subprocess.CompletedProcess:
    """git with an argument list (never a shell), no prompt for a password, none of git's
    command-running transports."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "LC_ALL": "C"}
    command = ["git", "-c", "protocol.ext.allow=never", "-c", "core.hooksPath=/dev/null", *args]
    try:
        done = subprocess.run(  # noqa: S603 - an argument list, our own arguments
            command,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PushFailed(f"git {args[0]} failed: {type(exc).__name__}") from exc
    if check and done.returncode != 0:
        raise PushFailed(f"git {args[0]} failed: {_last_line(done.stderr)}")
    return done


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return _without_password(lines[-1])[:300] if lines else ""


def _without_password(text: str) -> str:
    """An address as it may be shown: a password in it (https://user:pw@host) blanked."""
    return re.sub(r"(://[^/@:\s]+):[^/@\s]+@", r"\1:***@", text)


def _is_git_repository(path: Path) -> bool:
    if (path / ".git").exists():
        return True
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()
