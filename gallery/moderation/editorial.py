"""Moderators edit prisoner profiles and campaigns (with a server-rendered preview)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectChoice

from ..core.text import render_markdown
from ..extensions import db
from ..models import Campaign, Prisoner, PrisonerStatus, Source, SourceEntry
from ..verbs import profiles
from ..web.http import or_404
from . import queries
from .blueprint import act, bp
from .forms import (
    LOCALES,
    ActionForm,
    CampaignForm,
    PrisonerForm,
    TranslatedForm,
    merge_sources,
    parse_sources,
)


def _fill_sources(form: TranslatedForm, rows: list[Source], original: str) -> None:
    """Each language's list of sources, in the form's own line format."""
    for code, _name in LOCALES:
        lines = []
        for row in rows:
            title = (row.titles or {original: row.title}).get(code)
            if title:
                lines.append(f"{'! ' if row.undesirable else ''}{title} | {row.url}")
        getattr(form, f"sources_{code}").data = "\n".join(lines)


def _sources(form: TranslatedForm) -> tuple[SourceEntry, ...]:
    """The sources every language's list names, one per address."""
    lists = {code: parse_sources(getattr(form, f"sources_{code}").data) for code, _name in LOCALES}
    return tuple(merge_sources(lists, form.original_locale.data))


def _locale() -> str:
    return str(get_locale())


def _previewing() -> bool:
    return "preview" in request.form


@bp.get("/prisoners")
def prisoners() -> ResponseReturnValue:
    """Prisoner profiles, with links to edit them."""
    return render_template(
        "moderation/prisoners.html",
        prisoners=queries.prisoners(_locale()),
        campaigns=queries.campaigns(),
        form=ActionForm(),
    )


# Form field name -> PrisonerStory column, for each language's texts.
STORY_FIELDS = {
    "name": "name",
    "summary": "summary",
    "story": "body",
    "charges": "charges",
    "sentence": "sentence",
    "guidance": "letter_guidance",
}


def _prisoner_form(prisoner: Prisoner | None) -> PrisonerForm:
    if prisoner is None or request.method == "POST":
        return PrisonerForm()
    form = PrisonerForm(obj=prisoner)
    form.status.data = prisoner.status.value
    for story in prisoner.stories:
        if story.locale in dict(LOCALES):
            for field, column in STORY_FIELDS.items():
                getattr(form, f"{field}_{story.locale}").data = getattr(story, column)
    _fill_sources(form, prisoner.sources, prisoner.original_locale)
    return form


def _prisoner_data(form: PrisonerForm) -> profiles.PrisonerData:
    def text(field) -> str | None:  # type: ignore[no-untyped-def]
        return (field.data or "").strip() or None

    texts = {
        code: {column: form.text(field, code) for field, column in STORY_FIELDS.items()}
        for code, _name in LOCALES
    }
    return profiles.PrisonerData(
        name=form.name.data.strip(),
        status=PrisonerStatus(form.status.data),
        name_native=text(form.name_native),
        name_native_locale=text(form.name_native_locale),
        detained_on=form.detained_on.data,
        released_on=form.released_on.data,
        birth_date=form.birth_date.data,
        timezone=form.timezone.data.strip(),
        letter_address=text(form.letter_address),
        featured=bool(form.featured.data),
        original_locale=form.original_locale.data,
        texts=texts,
        sources=_sources(form),
    )


def _markdown_previews(form: TranslatedForm, *names: str) -> dict[str, Markup]:
    """Rendered Markdown of each named text in each language that has it, by "name_code"."""
    return {
        f"{name}_{code}": render_markdown(form.text(name, code))
        for code, _label in LOCALES
        for name in names
        if form.text(name, code)
    }


def _editor(
    form: FlaskForm,
    template: str,
    preview: Callable[[], Any],
    save: Callable[[], str],
    **context: Any,
) -> ResponseReturnValue:
    """A profile or campaign editor: "Preview" re-shows the form with the rendered Markdown
    and saves nothing; "Save" calls the verb, commits and goes back to the list."""
    shown = None
    if request.method == "POST" and form.validate():
        if _previewing():
            shown = preview()
        else:
            message = save()
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("moderation.prisoners"), code=303)
    return render_template(template, form=form, preview=shown, locales=LOCALES, **context)


def _edit_prisoner(prisoner: Prisoner | None) -> ResponseReturnValue:
    form = _prisoner_form(prisoner)

    def save() -> str:
        saved = profiles.save_prisoner(
            prisoner.id if prisoner else None, _prisoner_data(form), current_user.id
        )
        return _("Profile saved: %(name)s", name=saved.name_for(_locale()))

    return _editor(
        form,
        "moderation/prisoner_form.html",
        lambda: _markdown_previews(form, "story", "guidance"),
        save,
        prisoner=prisoner,
    )


@bp.route("/prisoners/new", methods=["GET", "POST"])
def new_prisoner() -> ResponseReturnValue:
    """Create a prisoner profile."""
    return _edit_prisoner(None)


@bp.route("/prisoners/<int:prisoner_id>/edit", methods=["GET", "POST"])
def edit_prisoner(prisoner_id: int) -> ResponseReturnValue:
    """Edit a prisoner profile (the slug never changes)."""
    prisoner = or_404(queries.prisoner_for_edit(prisoner_id))
    return _edit_prisoner(prisoner)


@bp.post("/prisoners/<int:prisoner_id>/verify")
def verify_prisoner(prisoner_id: int) -> ResponseReturnValue:
    """Mark the profile as checked against its sources today."""
    return act(
        lambda: profiles.mark_verified(prisoner_id, current_user.id, datetime.now(UTC).date()),
        done=lambda prisoner: _(
            "%(name)s: marked as verified today.", name=prisoner.name_for(_locale())
        ),
        back=lambda: redirect(url_for("moderation.prisoners"), code=303),
    )


def _campaign_form(campaign: Campaign | None) -> CampaignForm:
    form = (
        CampaignForm()
        if campaign is None or request.method == "POST"
        else CampaignForm(obj=campaign)
    )
    form.prisoners.choices = [
        SelectChoice(p.id, p.name_for(_locale())) for p in queries.prisoners(_locale())
    ]
    if campaign is not None and request.method == "GET":
        form.prisoners.data = [p.id for p in campaign.prisoners]
        _fill_sources(form, campaign.sources, campaign.original_locale)
        for code, _name in LOCALES:
            for name, value in campaign.texts_in(code).items():
                getattr(form, f"{name}_{code}").data = value
    return form


def _edit_campaign(campaign: Campaign | None) -> ResponseReturnValue:
    form = _campaign_form(campaign)

    def save() -> str:
        data = profiles.CampaignData(
            held_on=form.held_on.data,
            call_opens_on=form.call_opens_on.data,
            call_closes_on=form.call_closes_on.data,
            original_locale=form.original_locale.data,
            texts={
                code: {name: form.text(name, code) for name in Campaign.TEXTS}
                for code, _name in LOCALES
            },
            prisoner_ids=tuple(form.prisoners.data or ()),
            sources=_sources(form),
        )
        saved = profiles.save_campaign(campaign.id if campaign else None, data, current_user.id)
        return _("Campaign saved: %(title)s", title=saved.title)

    return _editor(
        form,
        "moderation/campaign_form.html",
        lambda: _markdown_previews(form, "description", "call_brief"),
        save,
        campaign=campaign,
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
def new_campaign() -> ResponseReturnValue:
    """Create a campaign."""
    return _edit_campaign(None)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit_campaign(campaign_id: int) -> ResponseReturnValue:
    """Edit a campaign (the slug never changes)."""
    campaign = or_404(queries.campaign_for_edit(campaign_id))
    return _edit_campaign(campaign)
