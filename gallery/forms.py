"""Flask-WTF forms of the public side."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .models import Licence
from .templating import LICENCES

MAX_TAGS = 10
MAX_TAG_LENGTH = 40


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier to use on a phone than a multiple select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def split_tags(text: str | None) -> list[str]:
    """Comma-separated tags, trimmed, empty ones dropped."""
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _optional_int(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)  # type: ignore[arg-type]


class SubmitForm(FlaskForm):
    """An artist's submission. Nothing here identifies the artist unless they choose."""

    image = FileField(_l("Image"), validators=[FileRequired(_l("Please choose an image file."))])
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Please give your work a title.")), Length(max=200)],
    )
    alt_text = TextAreaField(
        _l("Image description (alt text)"),
        description=_l(
            "What the image shows, for visitors who cannot see it. For example: “A red bird "
            "flies out of a barred window”."
        ),
        validators=[
            DataRequired(_l("Please describe what the image shows.")),
            Length(min=5, max=1000),
        ],
    )
    description = TextAreaField(
        _l("About the work (optional)"),
        description=_l("A few words on the work. Simple Markdown is allowed."),
        validators=[Optional(), Length(max=5000)],
    )
    display_name = StringField(
        _l("Name to show (optional)"),
        description=_l("A pseudonym is fine. Leave empty to appear as “Anonymous”."),
        validators=[Optional(), Length(max=100)],
    )
    email = EmailField(
        _l("Private e-mail (optional)"),
        description=_l(
            "Only our moderators see it, to reach you about this work. It is never shown or "
            "published. Use an address that does not reveal who you are if that matters."
        ),
        validators=[Optional(), Length(max=254), Email(_l("Please enter a valid e-mail address."))],
    )
    prisoners = MultiCheckboxField(_l("Made for"), coerce=int, validators=[Optional()])
    campaign = SelectField(_l("Campaign (optional)"), coerce=_optional_int, validators=[Optional()])
    tags = StringField(
        _l("Tags (optional)"),
        description=_l("Up to 10, separated by commas. For example: poster, letters"),
        validators=[Optional(), Length(max=500)],
    )
    licence = RadioField(
        _l("Licence"),
        choices=[SelectChoice(lic.value, name) for lic, (name, _) in LICENCES.items()],
        validators=[InputRequired(_l("Please choose a licence."))],
    )
    own_work = BooleanField(
        _l("This is my own work."),
        validators=[DataRequired(_l("We can only publish works made by the person sending them."))],
    )
    consent = BooleanField(
        _l("I agree that this work is published in the gallery after review."),
        validators=[DataRequired(_l("We need your agreement to publish the work."))],
    )
    ai_used = RadioField(
        _l("Were AI tools used to make this work?"),
        choices=[SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))],
        validators=[InputRequired(_l("Please tell us whether AI tools were used."))],
    )
    # A field people never see: bots that fill every field give themselves away.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])

    def validate_tags(self, field: StringField) -> None:
        tags = split_tags(field.data)
        if len(tags) > MAX_TAGS:
            raise ValidationError(_l("Please use at most 10 tags."))
        if any(len(t) > MAX_TAG_LENGTH for t in tags):
            raise ValidationError(_l("Each tag can be at most 40 characters long."))

    def licence_choices(self) -> list[tuple[object, str, str]]:
        """(radio field, name, one-line explanation) for each licence."""
        return [(option, str(LICENCES[Licence(option.data)][0]), str(LICENCES[Licence(option.data)][1]))
                for option in self.licence]  # fmt: skip


class WithdrawForm(FlaskForm):
    """Withdrawing cannot be undone, so it asks for a tick first."""

    confirm = BooleanField(
        _l("I understand that the image will be deleted and cannot be restored."),
        validators=[DataRequired(_l("Please tick the box to confirm."))],
    )
