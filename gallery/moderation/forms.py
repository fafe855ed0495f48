"""Flask-WTF forms of the moderation pages."""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from ..models import SourceEntry
from ..models.labels import PRESET_REASONS, PRISONER_STATUSES
from ..verbs.decisions import compose_reason
from ..web.forms import GalleryForm, MultiCheckboxField, content_warning_field, validate_tags

MAX_REASON = 2000
LOCALES = (("en", _l("English")), ("fr", _l("French")), ("ru", _l("Russian")))


def preset_choices() -> list[SelectChoice]:
    """The preset rejection reasons, after an empty choice."""
    return [SelectChoice("", _l("Choose a reason, or write one below"))] + [
        SelectChoice(key, text) for key, text in PRESET_REASONS.items()
    ]


class ActionForm(GalleryForm):
    """Only the CSRF token (and where to go back to)."""

    after = HiddenField()


class ContentWarningForm(ActionForm):
    """A work's content warning (`warning`: a code, or empty for none)."""

    warning = content_warning_field(_l("Content warning"))


class ReasonForm(ActionForm):
    """A preset reason and/or free text: at least one of them."""

    preset = SelectField(_l("Reason"), choices=preset_choices, validators=[Optional()])
    # No Optional(): it would stop the chain before validate_reason on an empty field.
    reason = TextAreaField(
        _l("Explain (the artist reads this)"), validators=[Length(max=MAX_REASON)]
    )

    def validate_reason(self, field: TextAreaField) -> None:
        if not compose_reason(self.preset.data, field.data):
            raise ValidationError(_l("Please choose or write a reason."))

    def full_reason(self) -> str | None:
        """The text stored and shown to the artist."""
        return compose_reason(self.preset.data, self.reason.data)


class EditWorkForm(ActionForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    alt_text = TextAreaField(_l("Alt text"), validators=[DataRequired(), Length(min=5, max=1000)])
    tags = StringField(
        _l("Tags, separated by commas"), validators=[Optional(), Length(max=500), validate_tags]
    )


class DismissWaveForm(GalleryForm):
    hours = RadioField(
        _l("Which reports"),
        choices=[
            SelectChoice("1", _l("Received in the last hour")),
            SelectChoice("24", _l("Received in the last 24 hours")),
        ],
        default="1",
        validators=[DataRequired()],
    )
    note = TextAreaField(_l("Reason (optional)"), validators=[Length(max=MAX_REASON)])


class HandleReportForm(GalleryForm):
    action = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("dismiss", _l("Keep the work published (and visible again)")),
            SelectChoice("unpublish", _l("Unpublish: back to the queue")),
            SelectChoice("reject", _l("Reject: delete the image")),
        ],
        validators=[DataRequired()],
    )
    note = TextAreaField(
        _l("Reason (required to unpublish or reject)"), validators=[Length(max=MAX_REASON)]
    )

    def validate_note(self, field: TextAreaField) -> None:
        if self.action.data in ("unpublish", "reject") and not (field.data or "").strip():
            raise ValidationError(_l("Please give a reason."))


class NewModeratorForm(GalleryForm):
    username = StringField(
        _l("Username"),
        description=_l("3 to 40 lower-case letters, digits, dots, dashes or underscores."),
        validators=[DataRequired(), Length(min=3, max=40)],
    )
    role = RadioField(
        _l("Role"),
        choices=[
            SelectChoice("moderator", _l("Moderator")),
            SelectChoice("volunteer", _l("Volunteer (the letter desk only)")),
            SelectChoice("admin", _l("Admin (can manage moderators)")),
        ],
        default="moderator",
    )


def parse_sources(text: str | None) -> list[tuple[str, str, bool]]:
    """Lines "Title | https://url", each perhaps starting with "!" (an outlet declared
    "undesirable" in Russia), to (title, url, marked); raises ValueError(line number) on a
    bad line."""
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        marked = line.startswith("!")
        title, sep, url = line.removeprefix("!").rpartition("|")
        title, url = title.strip(), url.strip()
        parts = urlsplit(url)
        if not sep or not title or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(number)
        if len(title) > 300 or len(url) > 1000:
            raise ValueError(number)
        out.append((title, url, marked))
    return out


def merge_sources(
    lists: dict[str, list[tuple[str, str, bool]]], original: str
) -> list[SourceEntry]:
    """One source per address from each language's list: in the original language's order,
    then the addresses only other languages list; a title per language; marked when any
    language's line marks it."""
    titles: dict[str, dict[str, str]] = {}
    marked: dict[str, bool] = {}
    for code in sorted(lists, key=lambda code: code != original):
        for title, url, flag in lists[code]:
            titles.setdefault(url, {}).setdefault(code, title)
            marked[url] = marked.get(url, False) or flag
    return [
        SourceEntry(url=url, titles=texts, undesirable=marked[url]) for url, texts in titles.items()
    ]


def _valid_sources(form: GalleryForm, field: TextAreaField) -> None:
    try:
        parse_sources(field.data)
    except ValueError as exc:
        raise ValidationError(
            _l("Line %(n)s is not “Title | https://address”.", n=exc.args[0])
        ) from exc


def _sources_field() -> TextAreaField:
    return TextAreaField(
        _l("Sources"),
        description=_l(
            "One a line, titled in this language: Title | https://address. Start the line "
            "with ! for an outlet declared “undesirable” in Russia (known ones are marked "
            "anyway)."
        ),
        validators=[Optional(), Length(max=20_000), _valid_sources],
    )


def _valid_timezone(form: GalleryForm, field: StringField) -> None:
    try:
        ZoneInfo(field.data)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_l("Unknown time zone. Use a name such as Europe/Moscow.")) from exc


def _original_language() -> SelectField:
    return SelectField(
        _l("Written first in"),
        choices=[SelectChoice(code, name) for code, name in LOCALES],
        default="en",
        description=_l("Visitors see their own language, else English, else this one."),
    )


class TranslatedForm(GalleryForm):
    """A form with one set of text fields per language (FIELD_code), one of them required
    in the language the texts were first written in."""

    TEXTS: tuple[tuple[str, object], ...] = ()  # (name, make a field) for each language
    REQUIRED = ""  # the text that must exist in the original language
    original_locale = _original_language()

    @classmethod
    def add_language_fields(cls) -> None:
        for code, _name in LOCALES:
            for name, make in cls.TEXTS:
                setattr(cls, f"{name}_{code}", make())  # type: ignore[operator]

    def text(self, name: str, code: str) -> str | None:
        """One language's text as typed, trimmed (None when empty)."""
        return (getattr(self, f"{name}_{code}").data or "").strip() or None

    def missing(self) -> list[str]:
        """The languages whose required text is still empty."""
        return [code for code, _name in LOCALES if not self.text(self.REQUIRED, code)]

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        ok = super().validate(extra_validators)
        original = self.original_locale.data
        if original in dict(LOCALES) and not self.text(self.REQUIRED, original):
            getattr(self, f"{self.REQUIRED}_{original}").errors.append(
                _l("Please write this in the language chosen as the original.")
            )
            return False
        return ok


LANGUAGE_CODE_RE = re.compile(r"\A[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")


class PrisonerForm(TranslatedForm):
    TEXTS = (
        (
            "name",
            lambda: StringField(
                _l("Name in this language"),
                description=_l(
                    "As readers of this language write it (in Russian: "
                    "«Азат Мифтахов»). Empty: the name above is shown."
                ),
                validators=[Optional(), Length(max=200)],
            ),
        ),
        ("summary", lambda: StringField(_l("Summary"), validators=[Optional(), Length(max=400)])),
        (
            "story",
            lambda: TextAreaField(
                _l("Story (Markdown)"), validators=[Optional(), Length(max=50_000)]
            ),
        ),
        (
            "charges",
            lambda: TextAreaField(_l("Charges"), validators=[Optional(), Length(max=5000)]),
        ),
        (
            "sentence",
            lambda: TextAreaField(_l("Sentence"), validators=[Optional(), Length(max=5000)]),
        ),
        (
            "guidance",
            lambda: TextAreaField(
                _l("Letter guidance (Markdown)"), validators=[Optional(), Length(max=10_000)]
            ),
        ),
        ("sources", _sources_field),
    )
    REQUIRED = "story"

    name = StringField(
        _l("Name"),
        description=_l(
            "As written in the original language; each language may spell it its own way below."
        ),
        validators=[DataRequired(), Length(max=200)],
    )
    name_native = StringField(
        _l("Name in their own script"), validators=[Optional(), Length(max=200)]
    )
    name_native_locale = StringField(
        _l("Language of that name"),
        description=_l("A language code, such as ru, uk, be or tt."),
        validators=[Length(max=16)],
    )  # checked below, even empty
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(status.value, label) for status, label in PRISONER_STATUSES.items()],
    )
    detained_on = DateField(_l("Detained on"), validators=[Optional()])
    released_on = DateField(_l("Released on"), validators=[Optional()])
    birth_date = DateField(
        _l("Date of birth (optional)"),
        description=_l(
            "Shown as an upcoming birthday on the home page, so visitors can send a card in time."
        ),
        validators=[Optional()],
    )
    timezone = StringField(
        _l("Time zone where held"),
        default="Europe/Moscow",
        validators=[DataRequired(), Length(max=64), _valid_timezone],
    )
    letter_address = TextAreaField(_l("Letter address"), validators=[Optional(), Length(max=2000)])
    featured = BooleanField(_l("Feature on the home page"))

    def validate_name_native_locale(self, field: StringField) -> None:
        code = (field.data or "").strip()
        if code and not LANGUAGE_CODE_RE.match(code):
            raise ValidationError(_l("Use a language code, such as ru, uk, be or tt."))
        if (self.name_native.data or "").strip() and not code:
            raise ValidationError(_l("Say which language this name is written in."))

    def validate_released_on(self, field: DateField) -> None:
        if field.data and self.detained_on.data and field.data < self.detained_on.data:
            raise ValidationError(_l("Release cannot come before detention."))


class CampaignForm(TranslatedForm):
    TEXTS = (
        ("title", lambda: StringField(_l("Title"), validators=[Optional(), Length(max=200)])),
        ("place", lambda: StringField(_l("Place"), validators=[Optional(), Length(max=300)])),
        ("summary", lambda: StringField(_l("Summary"), validators=[Optional(), Length(max=400)])),
        (
            "description",
            lambda: TextAreaField(
                _l("Description (Markdown)"), validators=[Optional(), Length(max=50_000)]
            ),
        ),
        ("sources", _sources_field),
        (
            "call_brief",
            lambda: TextAreaField(
                _l("Call for works: the brief (Markdown)"),
                description=_l(
                    "What artists are asked for, shown above the call’s form. Leave it empty "
                    "in every language for a campaign without a call."
                ),
                validators=[Optional(), Length(max=10_000)],
            ),
        ),
        (
            "call_thanks",
            lambda: TextAreaField(
                _l("Call for works: the thank-you"),
                description=_l("Shown to the artist on their private page after they send."),
                validators=[Optional(), Length(max=2_000)],
            ),
        ),
    )
    REQUIRED = "title"

    held_on = DateField(_l("Date"), validators=[Optional()])
    call_opens_on = DateField(_l("The call opens on"), validators=[Optional()])
    call_closes_on = DateField(
        _l("Last day of the call"),
        description=_l(
            "Both days count anywhere on Earth: the call stays open to an artist wherever "
            "that day has not yet ended."
        ),
        validators=[Optional()],
    )
    prisoners = MultiCheckboxField(_l("Prisoners"), coerce=int, validators=[Optional()])

    def validate_call_closes_on(self, field: DateField) -> None:
        if field.data and self.call_opens_on.data and field.data < self.call_opens_on.data:
            raise ValidationError(_l("A call cannot close before it opens."))


PrisonerForm.add_language_fields()
CampaignForm.add_language_fields()
