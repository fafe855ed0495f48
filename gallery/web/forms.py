"""Form pieces both sides use: checkbox lists, and tags typed as comma-separated text."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import Field, SelectMultipleField, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..verbs.common import tag_slug

MAX_TAGS = 10
MAX_TAG_LENGTH = 40


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier to use on a phone than a multiple select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def split_tags(text: str | None) -> list[str]:
    """Comma-separated tags, trimmed, empty ones dropped."""
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def validate_tags(_form: object, field: Field) -> None:
    """At most MAX_TAGS tags of MAX_TAG_LENGTH characters, each with a letter or digit
    (in any script: "протест" and "Café" are fine, "✊" alone is not)."""
    tags = split_tags(field.data)
    if len(tags) > MAX_TAGS:
        raise ValidationError(lazy_ngettext("Please use at most %(num)s tag.",
                                            "Please use at most %(num)s tags.", MAX_TAGS))
    if any(len(t) > MAX_TAG_LENGTH for t in tags):
        raise ValidationError(lazy_ngettext("Each tag can be at most %(num)s character long.",
                                            "Each tag can be at most %(num)s characters long.",
                                            MAX_TAG_LENGTH))
    for tag in tags:
        if not tag_slug(tag):
            raise ValidationError(
                _l("The tag “%(tag)s” has no letter or digit. Please use a word instead.", tag=tag)
            )
