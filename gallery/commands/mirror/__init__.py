"""A static copy of the public site (`flask --app gallery export-static DEST`).

Where the gallery is blocked, seized or down, a copy that anyone can host keeps the works
and the prisoners' stories readable: on any static host, on a USB stick opened from
`file://`, or on IPFS. So every link in the copy is relative (no leading slash, pages end
in `index.html`) and the copy works from any folder or sub-path.

The copy is made by crawling the public site in-process, as an anonymous visitor (Flask's
test client without cookies, each request in contexts of its own), from each language's
home page, the feeds, the sitemap and the print PDFs of every public work, campaign and
prisoner, following every link a page (href, src, srcset, action, poster, data-*) or a
stylesheet (`url()`, `@import`) holds. Whatever the pages link to is exported, and only
that; a private address (moderation, login, accounts, receipts, the API) is never
fetched, and media are copied only for works that are approved and not hidden. Pages that
need the server (sending a work, reports, the digest sign-up) and every form but the
search lead to the primary address (PUBLIC_URL), and each page says so in a note. The copy searches itself:
each language's search page is copied with an index of the copy beside it, searched in
the browser (searchindex.py), and every search link or box of the copy leads there.

`--push TARGET` then brings a bucket, a git repository or a folder up to date with DEST
(push.py); `--qr-base URL` makes the QR codes of the copy's prints and slideshows lead to
the copy at that address (web/i18n.url_in_language reads it from the export's requests).

The export is incremental: `.export-manifest.json` in DEST lists what it wrote, with each
file's SHA-256; a file is written only when its bytes changed (a temporary file in the same
folder, then one rename), and what the previous export wrote but this one did not (a work
unpublished, withdrawn or rejected) is deleted. Files the export never wrote are left
alone."""

from .crawl import Report, export_static, is_private, parse_public_url
from .files import MANIFEST, Target, UnsafeDestination, content_digest, file_for
from .push import BadTarget, PushFailed, PushReport, parse_target

__all__ = [
    "MANIFEST",
    "BadTarget",
    "PushFailed",
    "PushReport",
    "parse_target",
    "Report",
    "Target",
    "UnsafeDestination",
    "content_digest",
    "export_static",
    "file_for",
    "is_private",
    "parse_public_url",
]
