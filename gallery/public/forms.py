"""Flask-WTF forms of the public side."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ..models import ReportCategory
from ..models.labels import LICENCES, REPORT_CATEGORIES, licence_name, licence_summary
from ..verbs import uploads
from ..web.forms import (
    GalleryForm,
    MultiCheckboxField,
    content_warning_field,
    validate_strict_email,
    validate_tags,
)


def _optional_int(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)  # type: ignore[arg-type]


# The languages an artist can say their words are in, each named in itself; "" is "another".
TEXT_LANGUAGES = (
    "en",
    "fr",
    "ru",
    "uk",
    "be",
    "kk",
    "tt",
    "ka",
    "hy",
    "az",
    "de",
    "es",
    "it",
    "pt",
    "pl",
    "tr",
    "ar",
    "fa",
    "zh",
)


@lru_cache(maxsize=1)
def _named_languages() -> tuple[SelectChoice, ...]:
    # Each language named in itself: the same for every reader, so made once.
    return tuple(
        SelectChoice(code, Locale.parse(code).get_display_name(code).capitalize())
        for code in TEXT_LANGUAGES
    )


def _language_choices() -> list[SelectChoice]:
    return [*_named_languages(), SelectChoice("", _l("Another language"))]


class WorkWordsForm(GalleryForm):
    """A work's words as the artist writes them: on the submission form, and on the private
    page while the work waits for review (to fix them)."""

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
    tags = StringField(
        _l("Tags (optional)"),
        description=_l("Up to 10, separated by commas. For example: poster, letters"),
        validators=[Optional(), Length(max=500), validate_tags],
    )


# A kept upload (/uploads/) that expired or was deleted before the form came back.
GONE = _l("The image you sent earlier is no longer kept on the server. Please choose it again.")


def chosen_file(field: FileField) -> FileStorage | None:
    """The file chosen in a file field, if one was."""
    data = field.data
    return data if isinstance(data, FileStorage) and data.filename else None


class ExtraImageForm(Form):
    """One more image of a work, beside its cover image: a file and its alt text (which
    it needs when a file is chosen). `upload` is the id of a resumable upload, when the
    form's script sent the file that way (empty otherwise)."""

    class Meta:
        bind_field = GalleryForm.Meta.bind_field  # texts cleaned as every form's are

    image = FileField(_l("Another image (optional)"))
    alt_text = TextAreaField(
        _l("Description of this image (alt text)"),
        description=_l("What this image shows, for visitors who cannot see it."),
        validators=[Length(max=1000)],
    )
    upload = HiddenField(validators=[Optional(), Length(max=uploads.ID_MAX_LENGTH)])

    def validate_image(self, field: FileField) -> None:
        if (
            chosen_file(field) is None
            and self.upload.data
            and not uploads.is_complete(self.upload.data)
        ):
            self.upload.data = ""  # gone: the page no longer offers it
            raise ValidationError(GONE)

    def validate_alt_text(self, field: TextAreaField) -> None:
        text = (field.data or "").strip()
        if (self.image.data or self.upload.data) and not text:
            raise ValidationError(_l("Please describe what this image shows."))
        if text and len(text) < 5:
            raise ValidationError(_l("Please describe what this image shows in a few words."))


class SubmitForm(WorkWordsForm):
    """An artist's submission. Nothing here identifies the artist unless they choose."""

    # Required unless `upload` names a complete upload (validate_image).
    image = FileField(_l("Image"))
    # The id of a complete resumable upload (/uploads/) that holds the image: set by the
    # form's script, or by the view when a form comes back with a mistake (the file sent
    # the plain way is kept). A file chosen in `image` wins over it.
    upload = HiddenField(validators=[Optional(), Length(max=uploads.ID_MAX_LENGTH)])
    # The work's other images (up to MAX_WORK_IMAGES - 1), named more-0-image,
    # more-0-alt_text, more-0-upload...: the view sets how many (offer_more_images).
    more = FieldList(FormField(ExtraImageForm), min_entries=0)
    display_name = StringField(
        _l("Name to show (optional)"),
        description=_l(
            "A pseudonym is fine, but not one you use on social networks. Leave empty "
            "to appear as “Anonymous”."
        ),
        validators=[Optional(), Length(max=100)],
    )
    email = EmailField(
        _l("Private e-mail (optional)"),
        description=_l(
            "Only our moderators see it, and only to reach you about this work. It is never "
            "shown or published, and it is erased if the work is rejected or you withdraw it. "
            "Use an address that does not reveal who you are if that matters."
        ),
        validators=[
            Optional(),
            Length(max=254),
            Email(_l("Please enter a valid e-mail address.")),
            validate_strict_email,
        ],
    )
    # Named `notify` in the form (interfaces.md). Only with an address: validate_notify.
    notify = BooleanField(
        _l("E-mail me when a moderator decides"),
        description=_l(
            "One short message when your work is published, not published or taken "
            "down, with your private link. Its subject and its sender’s name mention "
            "neither the work nor the gallery, but the link in it leads to this "
            "site."
        ),
    )
    language = SelectField(
        _l("Language of your words"),
        description=_l(
            "The language of the title, image description and text above, so "
            "that screen readers pronounce them right."
        ),
        choices=_language_choices,
        validators=[Optional()],
    )
    cover = BooleanField(
        _l("I ask the moderators to cover faces and other identifying details before publishing"),
        description=_l(
            "Our moderators will fill them with solid black before the work is "
            "published. Tick this if you could not cover them yourself."
        ),
    )
    content_warning = content_warning_field(
        _l("Content warning (optional)"),
        description=_l(
            "If the work shows violence, self-harm or death, say so: readers then see it "
            "blurred under the warning until they choose to look, and slideshows leave it "
            "out unless the organisers choose it."
        ),
    )
    prisoners = MultiCheckboxField(_l("Made for"), coerce=int, validators=[Optional()])
    campaign = SelectField(_l("Campaign (optional)"), coerce=_optional_int, validators=[Optional()])
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

    def chosen_file(self) -> FileStorage | None:
        """The file chosen in the image field, if one was."""
        return chosen_file(self.image)

    def validate_image(self, field: FileField) -> None:
        if self.chosen_file() is not None:
            return
        if not self.upload.data:
            raise ValidationError(_l("Please choose an image file."))
        if not uploads.is_complete(self.upload.data):
            self.upload.data = ""  # gone: the page no longer offers it
            raise ValidationError(GONE)

    def validate_notify(self, field: BooleanField) -> None:
        if field.data and not (self.email.data or "").strip():
            raise ValidationError(
                _l(
                    "To be told by e-mail, please give your e-mail address "
                    "above, or untick this box."
                )
            )

    def offer_more_images(self, count: int) -> SubmitForm:
        """Offer `count` extra image slots (those sent come back as they were; more are
        refused)."""
        self.more.max_entries = count
        while len(self.more) < count:
            self.more.append_entry()
        return self

    def more_images(self) -> list[ExtraImageForm]:
        """The extra image slots with a file chosen, or an upload kept, in order."""
        return [
            entry.form
            for entry in self.more
            if chosen_file(entry.form.image) is not None or entry.form.upload.data
        ]

    def licence_choices(self) -> list[tuple[object, str, str]]:
        """(radio field, name, one-line explanation) for each licence."""
        return [
            (option, licence_name(option.data), licence_summary(option.data))
            for option in self.licence
        ]


class WithdrawForm(GalleryForm):
    """Withdrawing cannot be undone, so it asks for a tick first."""

    confirm = BooleanField(
        _l("I understand that the image will be deleted and cannot be restored."),
        validators=[DataRequired(_l("Please tick the box to confirm."))],
    )


class ReportForm(GalleryForm):
    """A visitor's report on a published work (no account, no name asked)."""

    category = RadioField(
        _l("What is wrong?"),
        choices=[
            SelectChoice(category.value, label) for category, label in REPORT_CATEGORIES.items()
        ],
        validators=[InputRequired(_l("Please choose what is wrong."))],
    )
    text = TextAreaField(
        _l("Tell us more"),
        description=_l("Optional, except for “Something else”. Please do not write your name."),
        validators=[Length(max=2000)],  # no Optional(): validate_text must run
    )

    def validate_text(self, field: TextAreaField) -> None:
        if self.category.data == ReportCategory.OTHER.value and not (field.data or "").strip():
            raise ValidationError(_l("Please tell us what is wrong."))


class LetterForm(GalleryForm):
    """A visitor's letter to a prisoner (no account): the words, a first name, an optional
    postcard and an optional address for news of it. The length limit is LETTER_MAX_LENGTH,
    checked in validate_body."""

    body = TextAreaField(
        _l("Your letter"),
        description=_l(
            "In any language: our volunteers translate it into Russian. A few warm, "
            "everyday lines are best."
        ),
        validators=[DataRequired(_l("Please write your letter."))],
    )
    signature = StringField(
        _l("Your first name or a pseudonym"),
        description=_l("Not your full name. It is written at the end of the letter, in Russian."),
        validators=[
            DataRequired(_l("Please sign with a first name or a pseudonym.")),
            Length(max=40),
        ],
    )
    # Choices: "" and the public ids of the prisoner's postcard-safe works (set by the view).
    work = RadioField(_l("A postcard (optional)"), choices=[], default="", validate_choice=False)
    # Its description names LETTER_EMAIL_DAYS: set by the view (public/letters.py).
    email = EmailField(
        _l("Private e-mail (optional)"),
        validators=[
            Optional(),
            Length(max=254),
            Email(_l("Please enter a valid e-mail address.")),
            validate_strict_email,
        ],
    )

    def validate_work(self, field: RadioField) -> None:
        # A card can stop being offered between the form and the sending (unpublished,
        # or no longer postcard-safe): say so, rather than WTForms' "Not a valid choice".
        if (field.data or "") not in {choice.value for choice in field.choices}:
            raise ValidationError(
                _l("This card is no longer offered. Please choose another one, or none.")
            )

    def validate_body(self, field: TextAreaField) -> None:
        limit = int(current_app.config["LETTER_MAX_LENGTH"])
        if len((field.data or "").strip()) > limit:
            raise ValidationError(
                _l("Please keep your letter under %(limit)s characters.", limit=limit)
            )


class LetterWithdrawForm(GalleryForm):
    """Withdrawing a letter deletes it, so it asks for a tick first."""

    confirm = BooleanField(
        _l("I understand that my letter will be deleted and cannot be restored."),
        validators=[DataRequired(_l("Please tick the box to confirm."))],
    )


class SubscribeForm(GalleryForm):
    """A digest sign-up: an address and a scope ("all", "prisoner:<slug>" or
    "campaign:<slug>"; the view lists the choices)."""

    email = EmailField(
        _l("Your e-mail address"),
        description=_l(
            "Kept encrypted and used only for this summary. Nothing is sent until you "
            "confirm from the mail we send you."
        ),
        validators=[
            DataRequired(_l("Please enter your e-mail address.")),
            Length(max=254),
            Email(_l("Please enter a valid e-mail address.")),
            validate_strict_email,
        ],
    )
    scope = SelectField(_l("What the summary is about"), choices=[], default="all")


class DigestButtonForm(GalleryForm):
    """The confirm page's button: no field but the CSRF token."""


class AddImageForm(GalleryForm):
    """One more image of a pending work, from the private link."""

    image = FileField(_l("Image"), validators=[FileRequired(_l("Please choose an image file."))])
    alt_text = TextAreaField(
        _l("Description of this image (alt text)"),
        description=_l("What this image shows, for visitors who cannot see it."),
        validators=[
            DataRequired(_l("Please describe what this image shows.")),
            Length(min=5, max=1000),
        ],
    )


class ImageAltForm(GalleryForm):
    """The alt text of one of a pending work's other images, fixed from the private link."""

    alt_text = TextAreaField(
        _l("Description of this image (alt text)"),
        validators=[
            DataRequired(_l("Please describe what this image shows.")),
            Length(min=5, max=1000),
        ],
    )
