"""The fonts print PDFs embed: DejaVu Sans, regular and bold, which carry Latin (French
included) and Cyrillic.  Not shipped in the repository: Debian's fonts-dejavu-core package
(installed by scripts/ensure-fonts, which `make run`, `make dev` and `make test` call) puts
them in /usr/share/fonts/truetype/dejavu; PRINT_FONT_DIR names another folder."""

from __future__ import annotations

from pathlib import Path

REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
SYSTEM_DIRS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu
    "/usr/share/fonts/dejavu",  # Fedora, Arch
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/Library/Fonts",  # macOS, after installing DejaVu
)


class FontsMissing(RuntimeError):
    """DejaVu Sans is not installed where we look."""


def find(name: str, folder: str | None = None) -> Path:
    """The path of one of the fonts, in `folder` if given, else in the system's folders."""
    for candidate in [folder] if folder else SYSTEM_DIRS:
        path = Path(candidate) / name
        if path.is_file():
            return path
    raise FontsMissing(f"{name} not found (run scripts/ensure-fonts, or set PRINT_FONT_DIR)")


def regular(folder: str | None = None) -> Path:
    return find(REGULAR, folder)


def bold(folder: str | None = None) -> Path:
    return find(BOLD, folder)
