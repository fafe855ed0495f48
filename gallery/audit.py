"""The audit log: one ModerationEvent per decision, edit and account change, never edited.
How each action reads on the audit page is in labels.py."""
from __future__ import annotations

from .extensions import db
from .models import ModerationEvent, utcnow

# Action names as stored in ModerationEvent.action (at most 40 characters).
APPROVE = "approve"
REJECT = "reject"
UNPUBLISH = "unpublish"
EDIT = "edit"
WITHDRAW = "withdraw"
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
COVER = "cover"  # rectangles filled solid on a pending work's image
COVER_REQUEST = "cover-request"  # the artist asked the moderators to cover
PRINT_ALLOW = "print-allow"  # leave to print a work whose licence reserves every right
PRINT_FORBID = "print-forbid"  # that leave withdrawn
COVER_CHECKED = "cover-checked"  # a moderator looked and found nothing (more) to cover
UNDO = "undo"  # an approval or rejection taken back within its window
TAKEDOWNS = (UNPUBLISH, REPORT_UNPUBLISH)


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
