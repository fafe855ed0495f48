"""Filters and helpers that templates share."""

from __future__ import annotations

import contextlib
import hashlib
import os
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, has_app_context, has_request_context, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileRequired
from jinja2 import Template
from markupsafe import Markup
from wtforms.validators import DataRequired, InputRequired

from ..core import typography
from ..core.mirrors import safe_mirrors
from ..core.text import render_markdown
from ..images import faces
from ..models import Prisoner, Shown, Work, WorkImage, WorkStatus, labels
from .forms import content_warning_choices
from .limits import from_export

# Said above a text shown in another language than the reader's, by the language it is in.
FALLBACK_NOTES = {
    "en": _l("This text is not yet available in your language; here it is in English."),
    "fr": _l("This text is not yet available in your language; here it is in French."),
    "ru": _l("This text is not yet available in your language; here it is in Russian."),
}
OTHER_LANGUAGE = _l(
    "This text is not yet available in your language; here it is in its original language."
)


def language_name(code: str) -> str:
    """The name of a language in the reader's language ("russe" for a French reader)."""
    try:
        return Locale.parse(str(get_locale())).languages.get(code, code)
    except (UnknownLocaleError, ValueError):
        return code


OG_LOCALES = {"en": "en_GB", "fr": "fr_FR", "ru": "ru_RU"}


def og_locale(code: str) -> str:
    """The Open Graph form of a language code (fr -> fr_FR)."""
    return OG_LOCALES.get(code, code)


def share_image(work: Work | None, image: WorkImage | None = None) -> dict[str, object] | None:
    """The picture a share preview shows: a published work's share rendition (a JPEG about
    1200 px wide), with an absolute URL; None for anything not public, and for a work
    with a content warning (a chat's preview cannot be covered).  Works stored before that
    rendition existed offer their display JPEG (or PNG) instead.  With `image`, that one
    of the work's other images (the feed shows them all), as the work allows."""
    if work is None or work.status != WorkStatus.APPROVED or work.hidden or not work.image_key:
        return None
    if work.content_warning is not None:
        return None
    shown: Work | WorkImage = image if image is not None else work
    if not shown.image_key:
        return None
    renditions = shown.renditions or {}
    info, fmt = renditions.get("share"), "jpeg"
    if not info:
        info, fmt = renditions.get("display"), "png" if shown.has_alpha else "jpeg"
    if not info or fmt not in info["files"]:
        return None
    url = url_for("media.file", key=shown.image_key, filename=info["files"][fmt], _external=True)
    alt = shown.text_for("alt_text", str(get_locale()))
    return {
        "url": url,
        "type": f"image/{fmt}",
        "width": info["width"],
        "height": info["height"],
        "alt": alt.text if alt else "",
        "alt_lang": alt.locale if alt else None,
    }


def mailto(address: str) -> str:
    """A mailto: link to one address, percent-encoded so that nothing in it can add a
    header (?cc=, &subject=) or end the attribute."""
    return "mailto:" + quote(address, safe="@")


RENDITION_SIZES = ("thumb", "share", "display", "large")


def srcset(work: Work | WorkImage, fmt: str, token: str | None = None) -> str:
    """The srcset of a work's renditions in one format, each width once (a small image's
    display and large renditions have the same width: the browser needs it only once);
    with the token of a receipt, through the artist's private address instead.

    The WebP set offers a size kept only as JPEG or PNG (display and large: see
    images.WEBP_SIZES) in that format: every browser that takes WebP takes those too, so
    a wide screen still gets its size.  A share JPEG laid on white never stands in for a
    transparent work's WebP: the fallback of such a work is PNG, which that size lacks."""
    fallback = "png" if work.has_alpha else "jpeg"
    seen: set[int] = set()
    parts = []
    for size in RENDITION_SIZES:
        info = (work.renditions or {}).get(size)
        files = info["files"] if info else {}
        filename = files.get(fmt) or (files.get(fallback) if fmt == "webp" else None)
        if not filename or info["width"] in seen:
            continue
        seen.add(info["width"])
        if token and isinstance(work, WorkImage):  # one of the work's other images
            url = url_for(
                "submit.receipt_image_media", token=token, image_id=work.id, filename=filename
            )
        elif token:
            url = url_for("submit.receipt_media", token=token, filename=filename)
        else:
            url = url_for("media.file", key=work.image_key, filename=filename)
        parts.append(f"{url} {info['width']}w")
    return ", ".join(parts)


def sizes_within(sizes: str, work: Work | WorkImage) -> str:
    """An <img> sizes attribute whose every length is capped at the work's widest
    rendition (`min(1300px, 300px)`): the browser takes an image's size from `sizes`
    over the chosen file's width, so without the cap a 300 px upload would be drawn 1300
    px wide, blurred.  Browsers that do not know min() there fall back to 100vw."""
    widths = [info["width"] for info in (work.renditions or {}).values() if info]
    if not widths:
        return sizes
    cap = max(widths)
    capped = []
    for entry in sizes.split(","):
        entry = entry.strip()
        condition, length = "", entry
        if entry.startswith("("):
            end = entry.rindex(")") + 1
            condition, length = entry[:end] + " ", entry[end:].strip()
        capped.append(f"{condition}min({length}, {cap}px)")
    return ", ".join(capped)


def lang_attr(text: Shown | str | None) -> Markup:
    """` lang="xx"` for a text in another language than the page's (a Shown text, or the
    code of the language something was written in); nothing when it is the page's."""
    code = text.locale if isinstance(text, Shown) else text
    if not code or code == str(get_locale()):
        return Markup("")
    return Markup(' lang="%s"') % code


def in_language(shown: Shown | None) -> Markup:
    """A short "(English)" after a text shown in another language than the page's."""
    if shown is None or shown.locale == str(get_locale()):
        return Markup("")
    return Markup(' <span class="meta">(%s)</span>') % language_name(shown.locale)


def text_for(item: Any, field: str) -> Shown | None:
    """item.text_for(field, the reader's language), for macros imported without the
    page's context (they do not see current_locale)."""
    return item.text_for(field, str(get_locale()))


def fallback_note(shown: Shown | None) -> str | None:
    """What to say above a text that is not in the reader's language (None if it is)."""
    if shown is None or shown.locale == str(get_locale()):
        return None
    return str(FALLBACK_NOTES.get(shown.locale, OTHER_LANGUAGE))


def prisoner_name(prisoner: Prisoner) -> Markup:
    """A prisoner's name as the reader's language spells it («Азат Мифтахов» on a Russian
    page), marked with its own language when the page has to show another spelling."""
    shown = prisoner.name_shown(str(get_locale()))
    attr = lang_attr(shown)
    return Markup("<span%s>%s</span>") % (attr, shown.text) if attr else Markup.escape(shown.text)


def prisoner_names(prisoners: list[Prisoner]) -> Markup:
    """Several prisoners' names (prisoner_name), with commas between them."""
    return Markup(", ").join(prisoner_name(p) for p in prisoners)


# The validators whose message says a field must be filled in.
_REQUIRED = (DataRequired, InputRequired, FileRequired)


def required_message(field: Any) -> str | None:
    """The message a field's "required" check gives, or None if it may be left empty."""
    found = (v.message for v in field.validators if isinstance(v, _REQUIRED) and v.message)
    message = next(found, None)
    return str(message) if message else None


def aria(field: Any, **extra: str) -> dict[str, str]:
    """aria-describedby (hint, error) and aria-invalid attributes for a form field, and
    the message of its "required" check (data-msg-required), which a form's script shows
    before sending (static/js/submit.js) in the words the server would use; `extra`, more
    attributes to add."""
    ids = []
    if field.description:
        ids.append(f"{field.id}-hint")
    if field.errors:
        ids.append(f"{field.id}-error")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    required = required_message(field)
    if required:
        attrs["data-msg-required"] = required
    attrs.update(extra)  # a template's own attributes (data-* names come with dashes)
    return attrs


def mirror_addresses() -> tuple[str, ...]:
    """MIRRORS, each an http(s) or onion address (checked at start, and here again)."""
    return safe_mirrors(current_app.config["MIRRORS"])


def static_copy() -> bool:
    """Whether this page is rendered for export-static's copy (which has no server to
    answer a form: the grid's filters are links there)."""
    return has_request_context() and from_export()


@lru_cache(maxsize=256)
def _file_version(path: str, mtime_ns: int) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def _static_version(app: Flask, endpoint: str, values: dict[str, Any]) -> None:
    # ?v=<content hash> on every static URL, so browsers may cache assets for a year and
    # still fetch a new file the moment it changes.
    if endpoint != "static" or "filename" not in values or not app.static_folder:
        return
    path = os.path.join(app.static_folder, values["filename"])
    with contextlib.suppress(OSError):  # a missing file gets no version, and a 404
        values.setdefault("v", _file_version(path, os.stat(path).st_mtime_ns))


class TypesetTemplate(Template):
    """A template whose HTML comes out with the no-break spaces of the reader's language
    (typography.typeset_html: text nodes only, never a tag, an attribute or a textarea).

    The whole page rather than each translated string: a line also breaks between pieces
    that only meet on the page (a count and its word, a date from Babel, a name and the
    dash after it in a template, a profile's Markdown, a title someone typed)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        html = super().render(*args, **kwargs)
        if self.name and self.name.endswith(".html") and has_app_context():
            return typography.typeset_html(html, get_locale())
        return html


def inner_quotes(text: str | None) -> str:
    """A title about to be put in «…», its own «…» nested as the reader's language does."""
    return typography.inner_quotes(text or "", get_locale())


def capfirst(text: object) -> str:
    """A text with a capital first letter and the rest as it was: a date starting a line
    («Суббота, 20 сентября 2025 г.»; Jinja's capitalize would lower "September")."""
    text = str(text or "")
    return text[:1].upper() + text[1:]


def excerpt(text: object, length: int = 150) -> str:
    """The start of a text for a description: whole words, no comma or dash left hanging,
    and an ellipsis set tight («…по делу о «хулиганстве»…», not «…»,...»)."""
    text = " ".join(str(text or "").split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return cut.rstrip(" ,;:—–-·") + "…"


def init_app(app: Flask) -> None:
    """Register the shared filters and globals."""
    # Before any template is loaded: each is made from this class.
    app.jinja_env.template_class = TypesetTemplate
    app.add_template_filter(inner_quotes)
    app.add_template_filter(excerpt)
    app.add_template_filter(capfirst)
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(language_name)
    app.add_template_filter(mailto)
    app.add_template_filter(labels.dateformat)  # in place of Flask-Babel's, for "1er"
    app.add_template_filter(
        labels.datetimeformat
    )  # in place of Flask-Babel's: to the minute, "(UTC)"
    for helper in (
        fallback_note,
        lang_attr,
        in_language,
        og_locale,
        share_image,
        srcset,
        sizes_within,
        prisoner_name,
        prisoner_names,
        text_for,
    ):
        app.add_template_global(helper)
    for helper in (
        labels.licence_name,
        labels.category_label,
        labels.action_label,
        labels.status_label,
        labels.role_label,
        labels.resolution_label,
        labels.event_details,
        labels.rejection_reason,
        labels.artist_name,
        labels.content_warning,
        labels.letter_status,
        labels.letter_refusal,
    ):
        app.add_template_global(helper)
    app.add_template_global(aria)
    app.add_template_global(required_message)
    app.add_template_global(content_warning_choices)
    app.add_template_global(mirror_addresses)
    app.add_template_global(static_copy)
    app.add_template_global(faces.available, "face_detector_on")
    app.url_defaults(lambda endpoint, values: _static_version(app, endpoint, values))
