"""The audit log: one ModerationEvent per decision, edit and account change, never edited."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import ModerationEvent, utcnow

# Action names as stored in ModerationEvent.action (at most 40 characters).
APPROVE = "approve"
REJECT = "reject"
UNPUBLISH = "unpublish"
EDIT = "edit"
AUTO_HIDE = "auto-hide"
REPORT_DISMISS = "report-dismiss"
REPORT_UNPUBLISH = "report-unpublish"
REPORT_REJECT = "report-reject"
LOGIN = "login"
LOGOUT = "logout"
PASSWORD_CHANGE = "password-change"
MODERATOR_CREATE = "moderator-create"
MODERATOR_DEACTIVATE = "moderator-deactivate"
MODERATOR_ACTIVATE = "moderator-activate"
MODERATOR_RESET = "moderator-reset-password"
PRISONER_CREATE = "prisoner-create"
PRISONER_EDIT = "prisoner-edit"
PRISONER_VERIFY = "prisoner-verify"
CAMPAIGN_CREATE = "campaign-create"
CAMPAIGN_EDIT = "campaign-edit"


# How the audit page names each action (the stored code stays stable across languages).
LABELS = {
    APPROVE: _l("Approved"),
    REJECT: _l("Rejected"),
    UNPUBLISH: _l("Unpublished"),
    EDIT: _l("Edited title, alt text or tags"),
    AUTO_HIDE: _l("Hidden after a report"),
    REPORT_DISMISS: _l("Report dismissed"),
    REPORT_UNPUBLISH: _l("Unpublished after a report"),
    REPORT_REJECT: _l("Rejected after a report"),
    LOGIN: _l("Logged in"),
    LOGOUT: _l("Logged out"),
    PASSWORD_CHANGE: _l("Changed their password"),
    MODERATOR_CREATE: _l("Created a moderator"),
    MODERATOR_DEACTIVATE: _l("Deactivated a moderator"),
    MODERATOR_ACTIVATE: _l("Reactivated a moderator"),
    MODERATOR_RESET: _l("Reset a moderator's password"),
    PRISONER_CREATE: _l("Created a prisoner profile"),
    PRISONER_EDIT: _l("Edited a prisoner profile"),
    PRISONER_VERIFY: _l("Verified a prisoner profile"),
    CAMPAIGN_CREATE: _l("Created a campaign"),
    CAMPAIGN_EDIT: _l("Edited a campaign"),
    "withdraw": _l("Withdrawn by the artist"),
}


def action_label(action: str) -> str:
    """The human name of an audit action, or its code if it has none."""
    return str(LABELS.get(action, action))


def record(
    action: str,
    *,
    moderator_id: int | None = None,
    work_id: int | None = None,
    subject: str | None = None,
    reason: str | None = None,
) -> ModerationEvent:
    """Add an event to the current transaction (the caller commits)."""
    event = ModerationEvent(
        at=utcnow(),
        action=action,
        moderator_id=moderator_id,
        work_id=work_id,
        subject=subject[:200] if subject else None,
        reason=reason,
    )
    db.session.add(event)
    return event
