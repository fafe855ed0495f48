"""Form pieces both sides use: checkbox lists, tags typed as comma-separated text, a work's
content warning, and the cover form (rectangles to fill solid on a pending work's image)."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, request
from flask_babel import gettext, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.text import clean_text
from ..models import ContentWarning, Work
from ..models.labels import CONTENT_WARNINGS
from ..verbs.common import tag_slug
from ..verbs.covers import MAX_TEXT, BadRegions, parse_regions

MAX_TAGS = 10
MAX_TAG_LENGTH = 40


class GalleryForm(FlaskForm):
    """The base of every form: each text field's value is put in NFC and cleared of hidden
    control, direction and zero-width characters (text.clean_text) before any validator
    or filter of its own sees it; passwords are taken exactly as typed."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
                options["filters"] = [clean_text, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, **options)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier to use on a phone than a multiple select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def content_warning_choices() -> list[tuple[str, str]]:
    """Each content warning's code and name, in the reader's language."""
    return [(w.value, str(CONTENT_WARNINGS[w])) for w in ContentWarning]


def _warning_choices() -> list[tuple[str, str]]:
    return [("", gettext("None")), *content_warning_choices()]


def content_warning_field(label: Any, **kw: Any) -> SelectField:
    """A work's content warning: none, or one of ContentWarning's codes (anything else is
    refused as a choice not offered)."""
    return SelectField(label, choices=_warning_choices, default="", **kw)


def content_warning_value(code: str | None) -> ContentWarning | None:
    """The field's value as the model stores it (None for no warning)."""
    return ContentWarning(code) if code else None


class WorkTextsForm(GalleryForm):
    """A work's title, alt text and description in one more language (the artist's, on their
    private page; a translator's or moderator's, in moderation). `language`'s choices are
    set by the view: the gallery's languages but the one the work was written in."""

    language = SelectField(_l("Language"), choices=[])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    alt_text = TextAreaField(
        _l("Image description (alt text)"), validators=[Optional(), Length(max=1000)]
    )
    description = TextAreaField(
        _l("About the work (optional)"), validators=[Optional(), Length(max=5000)]
    )

    def offer(self, work: Any, languages: Any) -> WorkTextsForm:
        """Offer the languages (code, name) the work was not written in."""
        self.language.choices = [
            (code, str(name)) for code, name in languages if code != work.text_locale
        ]
        return self

    def fill(self, work: Any, code: str) -> None:
        """Choose language `code` (when offered) and show its texts as written, to correct."""
        if code not in {value for value, _label in self.language.choices}:
            return
        self.language.data = code
        row = next((t for t in work.texts if t.locale == code), None)
        if row is not None:
            self.title.data, self.alt_text.data = row.title, row.alt_text
            self.description.data = row.description

    def texts(self) -> dict[str, str | None]:
        return {
            name: (getattr(self, name).data or "").strip() or None
            for name in ("title", "alt_text", "description")
        }


def split_tags(text: str | None) -> list[str]:
    """Comma-separated tags, trimmed, empty ones dropped."""
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def validate_tags(_form: object, field: Field) -> None:
    """At most MAX_TAGS tags of MAX_TAG_LENGTH characters, each with a letter or digit
    (in any script: "протест" and "Café" are fine, "✊" alone is not)."""
    tags = split_tags(field.data)
    if len(tags) > MAX_TAGS:
        raise ValidationError(
            lazy_ngettext(
                "Please use at most %(num)s tag.", "Please use at most %(num)s tags.", MAX_TAGS
            )
        )
    if any(len(t) > MAX_TAG_LENGTH for t in tags):
        raise ValidationError(
            lazy_ngettext(
                "Each tag can be at most %(num)s character long.",
                "Each tag can be at most %(num)s characters long.",
                MAX_TAG_LENGTH,
            )
        )
    for tag in tags:
        if not tag_slug(tag):
            raise ValidationError(
                _l("The tag “%(tag)s” has no letter or digit. Please use a word instead.", tag=tag)
            )


# Before the @: letters and digits of any script and . _ + - only.  RFC 5321 allows more
# (? = & % ! # ...), which real addresses do not use and which a mailto: link would read
# as headers ("a?cc=x&subject=hi@example.org").
_LOCAL_PART = re.compile(r"\A[\w.+-]+\Z")


def validate_strict_email(_form: object, field: Field) -> None:
    """Refuse an address whose part before the @ holds anything but letters, digits and
    . _ + - (the field's Email() validator checks the rest)."""
    value = (field.data or "").strip()
    if value and not _LOCAL_PART.match(value.rpartition("@")[0] or value):
        raise ValidationError(
            _l("Please use an address with only letters, digits and . _ + - before the @.")
        )


def validate_regions(_form: object, field: Field) -> None:
    """Rectangles the cover verb accepts (a JSON list of [x, y, width, height] fractions);
    the checked list is kept as field.regions."""
    try:
        field.regions = parse_regions(field.data)  # type: ignore[attr-defined]
    except BadRegions as exc:
        raise ValidationError(gettext(exc.template, **exc.params)) from exc


class CoverForm(GalleryForm):
    """Cover rectangles solid: a moderator on a pending work's page, an artist on the receipt."""

    regions = TextAreaField(
        _l("Rectangles to cover, as numbers"),
        description=_l(
            "A list of rectangles [x, y, width, height], as fractions of the "
            "image’s width and height from its top left corner. For example, "
            "[[0.5, 0, 0.5, 0.5]] covers the top right quarter."
        ),
        validators=[validate_regions],
        render_kw={"maxlength": MAX_TEXT, "spellcheck": "false", "rows": 3},
    )

    def offer(self, suggestions: list | None) -> CoverForm:
        """An empty form, unless it comes back with what was sent: the face detector's
        suggestions are offered beside it, never chosen for the person (a suggestion
        nobody applied must not look like a cover)."""
        if not self.is_submitted():
            self.regions.data = ""
        return self


def cover_prefix(image_id: int | None) -> str:
    """The cover form's prefix for one image of a work: none for its cover image (the
    field is `regions`, as before works had several images), image<id> for another."""
    return "" if image_id is None else f"image{image_id}"


def cover_forms(
    work: Work, sent: CoverForm | None = None, sent_for: int | None = None
) -> dict[int | None, CoverForm]:
    """A cover form for each image of a work, by image id (None: its cover image); the
    one sent (for sent_for) back as it came."""
    forms: dict[int | None, CoverForm] = {}
    for image in work.all_images:
        image_id = None if image is work else image.id  # type: ignore[attr-defined]
        form = sent if sent is not None and image_id == sent_for else None
        if form is None:
            form = CoverForm(formdata=None, prefix=cover_prefix(image_id))
        forms[image_id] = form.offer(image.face_suggestions)
    return forms


def chosen_image() -> int | None:
    """The image of a work a posted form is about (its `image` field): None for the cover
    image; 404 for anything but a number."""
    value = request.form.get("image", "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 10:
        abort(404)
    return int(value)
