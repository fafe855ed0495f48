"""Screenshots of a running gallery at phone and desktop widths, for a person to look at.

usage: .venv/bin/python scripts/screenshots.py http://127.0.0.1:5000 OUTDIR PATH [PATH ...]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

WIDTHS = (390, 1280)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main(base: str, out: Path, paths: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900})
            for path in paths:
                page.goto(base + path)
                name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
                page.screenshot(path=out / f"{name}-{width}.png", full_page=True)
                overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
                print(f"{path} @ {width}px{' HORIZONTAL OVERFLOW' if overflow else ''}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3:])
