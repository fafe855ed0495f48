"""The W3C Nu HTML Checker on the public pages of a running gallery, in every language.

usage: .venv/bin/python scripts/check_html.py http://127.0.0.1:5000

Fetches home, the grid, a work, its report form, the prisoners, a prisoner, a campaign, the
submit form, the artists' guide and the slideshows in English, French and Russian, runs vnu.jar (installed by
scripts/ensure-node-tools) on them once, prints each error and the count per page, and
exits 1 if there is any. The test suite runs the same check (tests/test_html.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

VNU = (
    Path(__file__).resolve().parents[1]
    / ".tools"
    / "node_modules"
    / "vnu-jar"
    / "build"
    / "dist"
    / "vnu.jar"
)
PAGES = [
    "/",
    "/works",
    "/prisoners",
    "/prisoners/azat-miftakhov",
    "/campaigns/art-protest-paris-2025",
    "/submit",
    "/help/artists",
    "/prisoners/azat-miftakhov/write",
    "/impact",
    "/impact/prisoners/azat-miftakhov",
    "/impact/campaigns/art-protest-paris-2025",
    "/works/{work}",
    "/works/{work}?from=all",  # with its previous and next links
    "/works/{work}?from=search:azat",  # from a search (never cached)
    "/works/{work}/report",
    "/show",
    "/campaigns/art-protest-paris-2025/show",
]
LANGUAGES = ("en", "fr", "ru")


def check(documents: dict[str, str]) -> dict[str, list[str]]:
    """{page name: [error messages]} for HTML documents given as {page name: html}."""
    if not VNU.exists() or not shutil.which("java"):
        raise SystemExit("vnu.jar or java is missing: run scripts/ensure-node-tools")
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for n, (name, html) in enumerate(documents.items()):
            path = Path(tmp) / f"{n:03d}.html"
            path.write_text(html, encoding="utf-8")
            files[path.name] = name
        done = subprocess.run(
            [
                "java",
                "-jar",
                str(VNU),
                "--errors-only",
                "--format",
                "json",
                *sorted(str(Path(tmp) / f"{n:03d}.html") for n in range(len(documents))),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    report = json.loads(done.stderr or "{}")
    found: dict[str, list[str]] = {name: [] for name in documents}
    for message in report.get("messages", []):
        if message.get("type") == "error":
            url = message.get("url", "?")
            name = files.get(url.rpartition("/")[2], url)
            found.setdefault(name, []).append(
                f"line {message.get('lastLine')}: {message['message']}"
            )
    return found


def main(base: str) -> int:
    def get(path: str) -> str:
        with urllib.request.urlopen(base.rstrip("/") + path, timeout=30) as response:  # noqa: S310
            return response.read().decode()

    work = re.search(r'href="/en/works/([A-Za-z0-9_-]{10,32})[?"]', get("/en/works"))
    documents = {}
    for code in LANGUAGES:
        for page in PAGES:
            if "{work}" in page and not work:
                continue
            path = f"/{code}" + page.format(work=work.group(1) if work else "")
            documents[path] = get(path)
    found = check(documents)
    for name, errors in found.items():
        print(f"{len(errors):3d} errors  {name}")
        for error in errors:
            print(f"           {error}")
    total = sum(len(e) for e in found.values())
    print(f"{total} errors on {len(found)} pages")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"))
