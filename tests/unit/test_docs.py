"""The documentation: the package table is what the packages' docstrings say, and the site
builds with --strict (no broken link or anchor)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_package_table_is_what_the_docstrings_say(tmp_path):
    script = ROOT / "scripts" / "package-table"
    done = subprocess.run([sys.executable, script, "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    # ... and the check can fail: a page whose table lost a row is refused.
    page = ROOT / "docs" / "developers" / "architecture.md"
    text = page.read_text()
    stale = "\n".join(line for line in text.splitlines() if "`gallery/mail/`" not in line)
    assert stale != text
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    shutil.copytree(
        ROOT / "gallery", copy / "gallery", ignore=shutil.ignore_patterns("*.mo", "__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    (copy / "docs" / "developers").mkdir(parents=True)
    (copy / "docs" / "developers" / "architecture.md").write_text(stale + "\n")
    done = subprocess.run(
        [sys.executable, copy / "scripts" / "package-table", "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "the package table is out of date" in done.stdout


def test_the_docs_build_with_strict(tmp_path):
    pytest.importorskip("mkdocs", reason="the docs extra: pip install -e '.[docs]'")
    pytest.importorskip("material", reason="the docs extra: pip install -e '.[docs]'")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "site" / "operators" / "install" / "index.html").is_file()
