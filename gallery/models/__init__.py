"""Typed SQLAlchemy 2 models and their status enums, one module per subject: base (what
every model shares), works, prisoners (and campaigns), moderators, reports, site, impact
(daily counts, nothing about visitors), letters (sealed), digest (sealed subscriptions),
federation (followers and activities to deliver), uploads (resumable uploads staged until
a submission takes them); labels, outlets and actions beside them. Every model is
importable from here."""

from __future__ import annotations

from .base import (
    FALLBACK_LOCALE,
    ORIGINAL_LOCALE_DEFAULT,
    Shown,
    UTCDateTime,
    pick_language,
    utcnow,
)
from .digest import DigestScope, Subscription
from .federation import Announcement, Follower, OutgoingActivity
from .impact import ImpactCount
from .letters import Letter, LetterStatus
from .moderators import ModerationEvent, Moderator, Role
from .prisoners import (
    CallState,
    Campaign,
    CampaignTranslation,
    Prisoner,
    PrisonerStatus,
    PrisonerStory,
    Source,
    SourceEntry,
    by_name,
    campaign_prisoners,
    is_cyrillic_only,
    sources_from,
    with_names,
)
from .reports import Report, ReportCategory
from .site import OutgoingMail, SiteSetting
from .uploads import Upload, UploadPart
from .works import (
    ContentWarning,
    ImageColumns,
    Licence,
    Tag,
    Work,
    WorkImage,
    WorkStatus,
    WorkText,
    work_prisoners,
    work_tags,
)

__all__ = [
    "Announcement",
    "CallState",
    "Campaign",
    "CampaignTranslation",
    "ContentWarning",
    "DigestScope",
    "FALLBACK_LOCALE",
    "Follower",
    "ImageColumns",
    "ImpactCount",
    "Letter",
    "LetterStatus",
    "Licence",
    "ModerationEvent",
    "Moderator",
    "ORIGINAL_LOCALE_DEFAULT",
    "OutgoingActivity",
    "OutgoingMail",
    "Prisoner",
    "PrisonerStatus",
    "PrisonerStory",
    "Report",
    "ReportCategory",
    "Role",
    "Shown",
    "SiteSetting",
    "Source",
    "SourceEntry",
    "Subscription",
    "Tag",
    "UTCDateTime",
    "Upload",
    "UploadPart",
    "Work",
    "WorkImage",
    "WorkStatus",
    "WorkText",
    "by_name",
    "campaign_prisoners",
    "is_cyrillic_only",
    "pick_language",
    "sources_from",
    "utcnow",
    "with_names",
    "work_prisoners",
    "work_tags",
]
