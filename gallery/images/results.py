"""What the pipeline gives back: the renditions and facts of a cleaned picture, or a refusal
whose reason the uploader reads (translatable: .template and .params).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import InvalidInput
from ..core.i18n import N_

UNSUPPORTED = N_(
    "This file type is not supported. Please upload a JPEG, PNG, GIF, WebP, HEIC or AVIF image."
)
DAMAGED = N_(
    "This file is damaged or incomplete. "
    "Please export it again as JPEG, PNG, GIF, WebP, HEIC or AVIF and retry."
)
TOO_MANY_PIXELS = N_(
    "This image is too large: at most %(megapixels)s megapixels are accepted. "
    "Please reduce its size and retry."
)
TOO_COSTLY = N_(
    "This image needs more memory or time to open than the gallery gives one picture. "
    "Please export it again as an ordinary JPEG, PNG or WebP and retry."
)
TOO_MANY_FRAMES = N_(
    "This animation is too large to process. "
    "Please upload a single still image or a shorter animation."
)


class InvalidImage(InvalidInput):
    """A refused file: .reason tells the uploader politely what to do; .status is 400 or 413.

    .template and .params let a caller translate the reason before filling it in."""

    public = True

    def __init__(self, template: str, status: int = 400, **params: str):
        super().__init__(template, **params)
        self.reason = str(self)
        self.status = status


@dataclass(frozen=True)
class Rendition:
    """One encoded size of an artwork."""

    size: str
    format: str
    width: int
    height: int
    data: bytes = field(repr=False)

    @property
    def filename(self) -> str:
        """Stored file name, e.g. "share.webp" or "thumb.jpg"."""
        return f"{self.size}.{'jpg' if self.format == 'jpeg' else self.format}"


@dataclass(frozen=True)
class ProcessedImage:
    """The cleaned artwork: its facts and every rendition."""

    source_format: str
    width: int
    height: int
    has_alpha: bool
    animated: bool
    sha256: str
    renditions: tuple[Rendition, ...]
    # 64-bit perceptual hash (16 hex digits) of the smallest rendition, for the moderators'
    # near-duplicate hints; None when it could not be computed (the upload still goes on).
    phash: str | None = None
