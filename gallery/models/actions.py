"""What the audit log records: the action codes stored in ModerationEvent.action (at most
40 characters). Recording is verbs/audit.py; how each code reads is labels.py."""

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
PRINT_ALLOW = (
    "print-allow"  # the artist's permission to print an all-rights-reserved work, recorded
)
PRINT_FORBID = "print-forbid"  # that permission withdrawn
COVER_CHECKED = "cover-checked"  # a moderator looked and found nothing (more) to cover
POSTCARD_SAFE = "postcard-safe"  # a published work marked fit to be sent as a postcard
POSTCARD_UNSAFE = "postcard-unsafe"  # that mark taken back
CONTENT_WARNING = "content-warning"  # a work's content warning set, changed or taken off
WORK_TEXTS = "work-texts"  # a work's title, alt text and description written in a language
LETTER_TRANSLATE = "letter-translate"  # a letter's Russian translation written or changed
LETTER_APPROVE = "letter-approve"  # read, checked against the list: in the next batch
LETTER_REFUSE = "letter-refuse"  # not to be sent; the reason goes to the writer
LETTER_SEND = "letter-send"  # a batch of letters to one prisoner marked as posted
UNDO = "undo"  # an approval or rejection taken back within its window
IMAGE_ADD = "image-add"  # an image added to a pending work (up to MAX_WORK_IMAGES)
IMAGE_REMOVE = "image-remove"  # one of a pending work's images removed, its files deleted
COVER_IMAGE = "cover-image"  # another of a work's images chosen as its cover image
TAKEDOWNS = (UNPUBLISH, REPORT_UNPUBLISH)
