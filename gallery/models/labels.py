"""What stored codes mean to a person, in the reader's language: licences, report
categories, prisoner statuses, preset rejection reasons, audit actions and the demo
posters' artist name; and dates as the reader writes them (pages and print PDFs alike).

The codes stay stable in the database; only these words are translated (lazily, so each
is rendered in the language of the request that reads it)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import (
    ContentWarning,
    Letter,
    LetterStatus,
    Licence,
    PrisonerStatus,
    ReportCategory,
    Role,
    Work,
    WorkStatus,
    actions,
)

LICENCES = {
    Licence.CC_BY: (
        _l("CC BY 4.0"),
        _l("Anyone may share and adapt the work, even commercially, if they credit you."),
    ),
    Licence.CC_BY_SA: (
        _l("CC BY-SA 4.0"),
        _l("As CC BY, and adaptations must be shared under the same licence."),
    ),
    Licence.CC_BY_NC: (
        _l("CC BY-NC 4.0"),
        _l("Anyone may share and adapt the work with credit, but not for money."),
    ),
    Licence.CC0: (
        _l("CC0 (public domain)"),
        _l("You give up your rights: anyone may use the work for anything, without credit."),
    ),
    Licence.ALL_RIGHTS_RESERVED: (
        _l("All rights reserved"),
        _l(
            "We may show the work on this site; any other use, printing included, needs your "
            "permission."
        ),
    ),
}

# What a content warning says, on the cover of the work and in feeds ("Content warning:
# violence").
CONTENT_WARNINGS = {
    ContentWarning.VIOLENCE: _l("violence"),
    ContentWarning.SELF_HARM: _l("self-harm"),
    ContentWarning.DEATH: _l("death"),
    ContentWarning.OTHER: _l("distressing content"),
}

REPORT_CATEGORIES = {
    ReportCategory.UNRELATED: _l("It is not related to political prisoners"),
    ReportCategory.PERSON_AT_RISK: _l("It identifies a person who could be at risk"),
    ReportCategory.COPYRIGHT: _l("It copies someone else’s work"),
    ReportCategory.OFFENSIVE: _l("It is offensive"),
    ReportCategory.OTHER: _l("Something else"),
}

PRISONER_STATUSES = {
    PrisonerStatus.IMPRISONED: _l("In prison"),
    PrisonerStatus.RELEASED: _l("Released"),
    PrisonerStatus.EXILE: _l("In exile"),
    PrisonerStatus.DECEASED: _l("Deceased"),
}

WORK_STATUSES = {
    WorkStatus.PENDING: _l("waiting for review"),
    WorkStatus.APPROVED: _l("published"),
    WorkStatus.REJECTED: _l("rejected"),
    WorkStatus.WITHDRAWN: _l("withdrawn by the artist"),
}

ROLES = {
    Role.MODERATOR: _l("moderator"),
    Role.ADMIN: _l("admin"),
    Role.VOLUNTEER: _l("volunteer (letters only)"),
}

# A letter's state, as its writer reads it on their private page.
LETTER_STATUSES = {
    LetterStatus.PENDING: _l("waiting to be read"),
    LetterStatus.APPROVED: _l("read and translated: it goes with the next batch"),
    LetterStatus.REFUSED: _l("not sent"),
    LetterStatus.SENT: _l("sent"),
}

# Reasons a volunteer can pick when refusing a letter; the writer reads the sentence.
LETTER_REFUSALS = {
    "danger": _l(
        "The letter could put the prisoner or you in danger: it speaks of politics, the war "
        "or the case, or names other people."
    ),
    "censor": _l("A prison censor would stop it."),
    "unreadable": _l("We could not understand the letter well enough to translate it."),
    "abusive": _l("The letter is hostile or abusive."),
    "spam": _l("The letter is advertising, or not meant for the prisoner."),
}

# What a volunteer checks before approving a letter: every item, ticked on the letter's
# page (a checklist a person answers, not a filter of words).
LETTER_CHECKLIST = {
    "no-politics": _l("No politics, no war, nothing about the case, the trial or the prison."),
    "no-names": _l("No names, addresses or details that could identify other people."),
    "guidance": _l("Nothing that the profile’s letter guidance asks writers to avoid."),
    "translation": _l("The translation says what the letter says, in plain Russian."),
    "cyrillic": _l("No foreign words or Latin letters: the signature is written in Cyrillic too."),
}

# How a closed report was closed (Report.resolution starts with one of these).
REPORT_RESOLUTIONS = {
    "dismiss": _l("kept published"),
    "unpublish": _l("unpublished"),
    "reject": _l("rejected"),
}

# Reasons a moderator can pick when rejecting; the artist reads the sentence.
PRESET_REASONS = {
    "unrelated": _l("The work is not related to political prisoners or to the campaign chosen."),
    "at-risk": _l("The work could identify a person at risk."),
    "not-own": _l("We could not confirm that the work is your own."),
    "unreadable": _l("The image is unreadable or too small to show."),
    "offensive": _l("The work contains hateful or offensive content."),
    "copyright": _l("The work seems to use someone else’s work without permission."),
}

ACTIONS = {
    actions.APPROVE: _l("Approved"),
    actions.REJECT: _l("Rejected"),
    actions.UNPUBLISH: _l("Unpublished"),
    actions.EDIT: _l("Edited title, alt text or tags"),
    actions.WITHDRAW: _l("Withdrawn by the artist"),
    actions.AUTO_HIDE: _l("Hidden after a report"),
    actions.REPORT_DISMISS: _l("Report dismissed"),
    actions.REPORT_UNPUBLISH: _l("Unpublished after a report"),
    actions.REPORT_REJECT: _l("Rejected after a report"),
    actions.LOGIN: _l("Logged in"),
    actions.LOGOUT: _l("Logged out"),
    actions.PASSWORD_CHANGE: _l("Changed their password"),
    actions.MODERATOR_CREATE: _l("Created a moderator"),
    actions.MODERATOR_DEACTIVATE: _l("Deactivated a moderator"),
    actions.MODERATOR_ACTIVATE: _l("Reactivated a moderator"),
    actions.MODERATOR_RESET: _l("Reset a moderator’s password"),
    actions.PRISONER_CREATE: _l("Created a prisoner profile"),
    actions.PRISONER_EDIT: _l("Edited a prisoner profile"),
    actions.PRISONER_VERIFY: _l("Verified a prisoner profile"),
    actions.CAMPAIGN_CREATE: _l("Created a campaign"),
    actions.CAMPAIGN_EDIT: _l("Edited a campaign"),
    actions.COVER: _l("Covered faces or identifying details"),
    actions.COVER_REQUEST: _l("Asked for faces or identifying details to be covered"),
    actions.PRINT_ALLOW: _l(
        "Recorded the artist’s permission to print a work with all rights reserved"
    ),
    actions.PRINT_FORBID: _l("Withdrew the permission to print a work"),
    actions.COVER_CHECKED: _l("Found nothing (more) to cover"),
    actions.POSTCARD_SAFE: _l("Marked a work safe to send as a postcard"),
    actions.POSTCARD_UNSAFE: _l("Took back a work’s postcard-safe mark"),
    actions.CONTENT_WARNING: _l("Changed a work’s content warning"),
    actions.WORK_TEXTS: _l("Wrote a work’s texts in another language"),
    actions.UNDO: _l("Undid a decision"),
    actions.IMAGE_ADD: _l("Added an image to a work"),
    actions.IMAGE_REMOVE: _l("Removed an image from a work"),
    actions.COVER_IMAGE: _l("Chose a work’s cover image"),
    actions.LETTER_TRANSLATE: _l("Translated a letter"),
    actions.LETTER_APPROVE: _l("Approved a letter"),
    actions.LETTER_REFUSE: _l("Refused a letter"),
    actions.LETTER_SEND: _l("Marked a batch of letters as sent"),
}


def licence_name(licence: Licence | str) -> str:
    """The human name of a licence."""
    return str(LICENCES[Licence(licence)][0])


def licence_summary(licence: Licence | str) -> str:
    """One line on what a licence lets others do."""
    return str(LICENCES[Licence(licence)][1])


# The name the demo posters are shown under: the loader's words, not an artist's, so they
# are read in the reader's language (translators: the "artist" of a generated poster).
DEMO_ARTIST = _l("Demo poster")


def artist_name(work: Work) -> str | None:
    """The name a work is shown under: "Demo poster" in the reader's language for the
    demo's generated posters, else the artist's chosen name; None for Anonymous."""
    if work.is_demo:
        return str(DEMO_ARTIST)
    return work.shown_name


def rejection_reason(work: Work) -> str:
    """Why a work was refused, as the artist reads it: the preset sentence in the reader's
    language, then the moderator's own words."""
    return explained(PRESET_REASONS, work.rejection_preset, work.rejection_reason)


def letter_status(status: LetterStatus | str) -> str:
    """Where a letter is, as its writer reads it."""
    return str(LETTER_STATUSES[LetterStatus(status)])


def letter_refusal(letter: Letter) -> str:
    """Why a letter was not sent, as its writer reads it: the preset sentence in their
    language, then the volunteer's own words."""
    return explained(LETTER_REFUSALS, letter.refusal_preset, letter.refusal_reason)


def explained(presets: Mapping[str, Any], preset: str | None, words: str | None) -> str:
    """A decision's reason as its reader reads it: the preset sentence (one of `presets`)
    in the reader's language, then the decider's own words, a blank line between."""
    parts = [str(presets[preset])] if preset in presets else []
    if words:
        parts.append(words)
    return "\n\n".join(parts)


def content_warning(work: Work) -> str | None:
    """The work's warning as a reader sees it ("Content warning: violence"), None for none."""
    if work.content_warning is None:
        return None
    return str(_("Content warning: %(what)s", what=CONTENT_WARNINGS[work.content_warning]))


def status_label(status: WorkStatus | str) -> str:
    """What a work's status means."""
    return str(WORK_STATUSES[WorkStatus(status)])


def role_label(role: Role | str) -> str:
    """What a moderator's role is called."""
    return str(ROLES[Role(role)])


def event_details(action: str, reason: str | None) -> str:
    """An audit event's "reason or details" as the log shows it: a new account's role,
    stored as its code, by its name in the reader's language; any other reason as written.
    (Accounts created before the role was stored there show it in the subject instead,
    "alice (admin)", with no details.)"""
    if action == actions.MODERATOR_CREATE and reason in {role.value for role in Role}:
        return _("Role: %(role)s", role=role_label(reason))
    return reason or ""


def resolution_label(resolution: str | None) -> str:
    """How a report was closed, and the moderator's note ("unpublish: too close" reads
    "unpublished: too close" in the reader's language)."""
    action, _sep, note = (resolution or "").partition(":")
    label = REPORT_RESOLUTIONS.get(action.strip())
    if label is None:
        return resolution or ""
    return _("%(label)s: %(note)s", label=label, note=note.strip()) if note.strip() else str(label)


def category_label(category: ReportCategory | str) -> str:
    """What a report category means."""
    return str(REPORT_CATEGORIES[ReportCategory(category)])


def action_label(action: str) -> str:
    """The human name of an audit action, or its code if it has none."""
    return str(ACTIONS.get(action, action))


def dateformat(value: date | datetime | None, format: str = "medium") -> str:
    """Babel's date in the reader's locale, with French's "1er" for the first of a month
    ("1er février 2019", "1er févr. 2019"; CLDR writes "1 février"). The short, numeric
    format (01/02/2019) has none."""
    if value is None:
        return ""
    text = format_date(value, format)
    if (
        str(get_locale()) == "fr"
        and value.day == 1
        and (format in ("medium", "long", "full") or "MMM" in format)
    ):
        text = re.sub(r"(?<!\d)1(?= )", "1er", text, count=1)
    return text


# The hour as each language writes it; French typography: "23 h 42" (no-break spaces).
TIME_PATTERNS = {"fr": "H\u00a0'h'\u00a0mm"}


def datetimeformat(value: datetime | None) -> str:
    """A stored moment (UTC) as the reader writes it, to the minute, saying it is UTC:
    "5 décembre 2026 à 23 h 42 (UTC)", "December 5, 2026 at 23:42 (UTC)"."""
    if value is None:
        return ""
    time = format_time(value, TIME_PATTERNS.get(str(get_locale()), "HH:mm"))
    return _("%(date)s at %(time)s (UTC)", date=dateformat(value, "long"), time=time)
