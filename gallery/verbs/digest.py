"""The readers' e-mail digest (double opt-in, in their language, one scope each) with its
SOS mode, and the moderators' alert mail.

A sign-up stores the address sealed with its private token (core/secretbox, a purpose of
its own) and a keyed hash of address and scope, so a repeat sign-up finds its row (and
re-sends the confirmation) without any address in clear. Nothing is sent to an address
until its owner confirms from the mail; an unconfirmed sign-up is erased after
DIGEST_CONFIRM_DAYS. Unsubscribing deletes the row, and the address with it.

The messages go through the outbox (mail/outbox.py: sealed rows, sent after the commit);
their words are in mail/bulletins.py. Logs never hold an address, a token or a title."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import selectinload

from .. import mail
from ..core import secretbox
from ..core.database import begin_write
from ..core.errors import InvalidInput, NotFound
from ..core.mirrors import safe_mirrors
from ..core.tokens import keyed_hash, new_receipt_token, token_hash
from ..extensions import db
from ..models import (
    Campaign,
    DigestScope,
    Letter,
    LetterStatus,
    Moderator,
    Prisoner,
    Report,
    ReportCategory,
    SiteSetting,
    Subscription,
    Work,
    WorkStatus,
    utcnow,
    with_names,
)
from .letters import who_needs_letters

log = logging.getLogger(__name__)

_CONTACT, _ADDRESS = "digest contact", "digest address"
_ALERT = "moderator alert address"
# A repeat sign-up re-sends the confirmation at most this often (a form is no mail cannon).
RESEND_AFTER = timedelta(minutes=30)
# The "write to" call: this many people, fewest letters first.
WRITE_TO = 3
# At most this many new works in one digest (the newest; the link shows the rest).
MAX_WORKS = 20
# At most one at-once alert (a person-at-risk report) in this time; the daily one counts all.
ALERT_EVERY = timedelta(minutes=10)
_ALERTED_AT = "moderator_alert_at"


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


# ---- signing up, confirming, leaving ----


def subscribe(
    email: str,
    locale: str,
    *,
    prisoner: Prisoner | None = None,
    campaign: Campaign | None = None,
) -> bool:
    """Sign an address up for the digest of everything, of one prisoner or of one campaign,
    and queue the confirmation mail. A repeat sign-up (same address and scope, confirmed or
    not) changes nothing but re-sends the confirmation, at most every RESEND_AFTER: the
    caller says the same thing either way. Returns whether a mail was queued (False when
    mail is off or it was sent a moment ago)."""
    begin_write()
    forget_unconfirmed()
    scope, scope_id = _scope(prisoner, campaign)
    address = email.strip()
    digest_key = keyed_hash(
        f"{address.casefold()} {scope.value}:{scope_id or ''}", secret=_secret(), purpose=_ADDRESS
    )
    row = db.session.scalar(select(Subscription).where(Subscription.address_hash == digest_key))
    now = utcnow()
    if row is None:
        token = new_receipt_token()
        row = Subscription(
            address_hash=digest_key,
            token_hash=token_hash(token),
            email_sealed=_seal({"to": address, "token": token}),
            scope=scope,
            prisoner_id=prisoner.id if prisoner else None,
            campaign_id=campaign.id if campaign else None,
            locale=locale,
        )
        db.session.add(row)
    else:
        contact = _contact(row)
        if contact is None:  # sealed under another SECRET_KEY: start again
            token = new_receipt_token()
            row.token_hash = token_hash(token)
            row.email_sealed = _seal({"to": address, "token": token})
        else:
            token = contact["token"]
        if row.confirm_sent_at and now - row.confirm_sent_at < RESEND_AFTER:
            db.session.flush()
            return False
        if row.confirmed_at is None:
            row.created_at = now  # DIGEST_CONFIRM_DAYS from the newest confirmation mail
    row.confirm_sent_at = now
    db.session.flush()
    name = _scope_name(row, locale)
    queued = mail.queue(
        mail.DIGEST_CONFIRM,
        {
            "to": address,
            "locale": locale,
            "confirm": mail.private_url("digest.confirm", token, locale),
            "scope": name,
            "days": int(current_app.config["DIGEST_CONFIRM_DAYS"]),
        },
    )
    log.info("digest sign-up %s: confirmation %s", row.id, "queued" if queued else "not sent")
    return queued


def _scope(prisoner: Prisoner | None, campaign: Campaign | None) -> tuple[DigestScope, int | None]:
    if prisoner is not None:
        return DigestScope.PRISONER, prisoner.id
    if campaign is not None:
        return DigestScope.CAMPAIGN, campaign.id
    return DigestScope.EVERYTHING, None


def _scope_name(row: Subscription, locale: str) -> str | None:
    if row.scope == DigestScope.PRISONER and row.prisoner is not None:
        return row.prisoner.name_for(locale)
    if row.scope == DigestScope.CAMPAIGN and row.campaign is not None:
        shown = row.campaign.text_for("title", locale)
        return shown.text if shown else row.campaign.title
    return None


def by_token(token: str) -> Subscription | None:
    """The subscription a private link opens, or None."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(Subscription).where(Subscription.token_hash == token_hash(token))
    )


def confirm(token: str) -> Subscription:
    """Confirm a sign-up (again: nothing changes). NotFound for an unknown link."""
    begin_write()
    row = by_token(token)
    if row is None:
        raise NotFound("no such subscription")
    if row.confirmed_at is None:
        row.confirmed_at = utcnow()
        log.info("digest subscription %s confirmed", row.id)
    db.session.flush()
    return row


def unsubscribe(token: str) -> None:
    """Delete the subscription, and the address with it. NotFound for an unknown link."""
    begin_write()
    row = by_token(token)
    if row is None:
        raise NotFound("no such subscription")
    db.session.delete(row)
    db.session.flush()
    log.info("digest subscription %s ended", row.id)


def forget_unconfirmed(now: datetime | None = None) -> int:
    """Delete the sign-ups not confirmed within DIGEST_CONFIRM_DAYS (each sign-up,
    `send-digest` and `flask purge` run it); returns how many."""
    days = int(current_app.config["DIGEST_CONFIRM_DAYS"])
    cutoff = (now or utcnow()) - timedelta(days=days)
    result = db.session.execute(
        delete(Subscription)
        .where(Subscription.confirmed_at.is_(None), Subscription.created_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _seal(contact: dict[str, str]) -> str:
    return secretbox.seal(json.dumps(contact), secret=_secret(), purpose=_CONTACT)


def _contact(row: Subscription) -> dict[str, str] | None:
    try:
        return json.loads(
            secretbox.open_sealed(row.email_sealed, secret=_secret(), purpose=_CONTACT)
        )
    except (secretbox.InvalidToken, ValueError):
        return None  # SECRET_KEY changed since: this address can no longer be read


# ---- the digest ----


@dataclass
class Sent:
    """What a digest run queued."""

    queued: int = 0
    nothing_new: int = 0
    unreadable: int = 0


def send_digests(now: datetime | None = None) -> Sent:
    """Queue, for each confirmed subscriber with something new in their scope since their
    last digest (or their confirmation), the digest in their language; then remember now
    as their last. Nothing new: no mail (and the next digest still looks back that far).
    Outside a request, links need PUBLIC_URL (or SERVER_NAME)."""
    begin_write()
    forget_unconfirmed(now)
    moment = now or utcnow()
    done = Sent()
    cache: dict[tuple[Any, ...], dict[str, Any]] = {}
    needing = [p for p, _sent in who_needs_letters()]  # once a run, whatever the scopes
    for row in _confirmed():
        contact = _contact(row)
        if contact is None:
            done.unreadable += 1
            continue
        since = row.last_sent_at or row.confirmed_at or row.created_at
        key = (row.scope, row.prisoner_id, row.campaign_id, row.locale, since)
        if key not in cache:
            cache[key] = _news(row, since, moment, needing)
        news = cache[key]
        if not news["works"] and not news["news"]:
            done.nothing_new += 1
            continue
        payload = {
            "to": contact["to"],
            "locale": row.locale,
            "unsubscribe": mail.private_url("digest.unsubscribe", contact["token"], row.locale),
            **news,
            **_addresses(),
        }
        if mail.queue(mail.DIGEST, payload, kick=False):
            row.last_sent_at = moment
            done.queued += 1
    db.session.flush()
    log.info(
        "digest: %d queued, %d with nothing new, %d unreadable",
        done.queued,
        done.nothing_new,
        done.unreadable,
    )
    return done


def sos(message: str) -> int:
    """Queue a short digest now to every confirmed subscriber: the message, the main
    address, every mirror and the onion address (the day the main address is blocked).
    Returns how many; InvalidInput for an empty message."""
    text = (message or "").strip()
    if not text:
        raise InvalidInput("empty message")
    begin_write()
    public = current_app.config.get("PUBLIC_URL")
    count = 0
    for row in _confirmed():
        contact = _contact(row)
        if contact is None:
            continue
        payload = {
            "to": contact["to"],
            "locale": row.locale,
            "unsubscribe": mail.private_url("digest.unsubscribe", contact["token"], row.locale),
            "message": text,
            "main": [public] if public else [],
            **_addresses(),
        }
        if mail.queue(mail.DIGEST_SOS, payload, kick=False):
            count += 1
    db.session.flush()
    log.info("SOS digest queued for %d subscriber(s)", count)
    return count


def _confirmed() -> list[Subscription]:
    stmt = (
        select(Subscription)
        .where(Subscription.confirmed_at.is_not(None))
        .options(selectinload(Subscription.prisoner), selectinload(Subscription.campaign))
        .order_by(Subscription.id)
    )
    return list(db.session.scalars(stmt))


def _addresses() -> dict[str, Any]:
    config = current_app.config
    return {"mirrors": list(safe_mirrors(config["MIRRORS"])), "onion": config.get("ONION_URL")}


def _news(
    row: Subscription, since: datetime, now: datetime, needing: list[Prisoner]
) -> dict[str, Any]:
    """What is new in a subscriber's scope since `since`, in their language: the works
    published, the profiles updated or checked again, and who needs letters."""
    locale = row.locale
    works_stmt = (
        select(Work)
        .where(
            Work.status == WorkStatus.APPROVED,
            Work.hidden.is_(False),
            Work.published_at > since,
            Work.published_at <= now,
        )
        .options(with_names(Work.prisoners))
        .order_by(Work.published_at.desc(), Work.id.desc())
        .limit(MAX_WORKS)
    )
    people_stmt = select(Prisoner).options(selectinload(Prisoner.stories))
    if row.scope == DigestScope.PRISONER:
        works_stmt = works_stmt.where(Work.prisoners.any(Prisoner.id == row.prisoner_id))
        people_stmt = people_stmt.where(Prisoner.id == row.prisoner_id)
    elif row.scope == DigestScope.CAMPAIGN:
        works_stmt = works_stmt.where(Work.campaign_id == row.campaign_id)
        people_stmt = people_stmt.where(Prisoner.campaigns.any(Campaign.id == row.campaign_id))
    works = [
        {
            "title": w.title,
            "names": [p.name_for(locale) for p in w.prisoners],
            "url": mail.page_url("public.work", locale, public_id=w.public_id),
        }
        for w in db.session.scalars(works_stmt)
    ]
    people = list(
        db.session.scalars(
            people_stmt.where(
                or_(
                    Prisoner.updated_at > since,
                    Prisoner.last_verified_on > since.date(),
                ),
                Prisoner.updated_at <= now,
            ).order_by(Prisoner.name)
        )
    )
    news = [
        {
            "name": p.name_for(locale),
            "url": mail.page_url("public.prisoner", locale, slug=p.slug),
        }
        for p in people
    ]
    in_scope = (
        None
        if row.scope == DigestScope.EVERYTHING
        else {p.id for p in db.session.scalars(people_stmt)}
    )
    write = [
        {
            "name": p.name_for(locale),
            "url": mail.page_url("letters.write", locale, slug=p.slug),
        }
        for p in needing
        if in_scope is None or p.id in in_scope
    ][:WRITE_TO]
    return {"works": works, "news": news, "write": write}


# ---- the moderators' alert ----


def waiting_counts() -> dict[str, int]:
    """How many things wait for the moderators: works to review, letters to read, open
    person-at-risk reports, works hidden automatically. Counts only."""
    scalar = db.session.scalar
    return {
        "works": scalar(select(func.count(Work.id)).where(Work.status == WorkStatus.PENDING)) or 0,
        "letters": scalar(
            select(func.count(Letter.id)).where(Letter.status == LetterStatus.PENDING)
        )
        or 0,
        "at_risk": scalar(
            select(func.count(Report.id)).where(
                Report.handled_at.is_(None), Report.category == ReportCategory.PERSON_AT_RISK
            )
        )
        or 0,
        "hidden": scalar(
            select(func.count(Work.id)).where(
                Work.status == WorkStatus.APPROVED, Work.hidden.is_(True)
            )
        )
        or 0,
    }


def alert_moderators(*, at_risk_now: bool = False, kick: bool = True) -> int:
    """Queue the alert to every active moderator who opted in and gave an address: the
    counts of what waits (never a title or an image). The cron digest (at_risk_now=False)
    sends nothing when nothing waits; a person-at-risk report (at_risk_now=True) always
    does. Returns how many were queued; never raises (an alert must not cost a report)."""
    try:
        if mail.settings() is None:
            return 0
        begin_write()
        if at_risk_now and _alerted_lately():
            return 0  # a wave of reports: one alert per ALERT_EVERY is enough
        counts = waiting_counts()
        if not at_risk_now and not any(counts.values()):
            return 0
        moderators = db.session.scalars(
            select(Moderator).where(
                Moderator.active.is_(True),
                Moderator.alerts.is_(True),
                Moderator.alert_email_sealed.is_not(None),
            )
        )
        count = 0
        for moderator in moderators:
            address = open_alert_address(moderator)
            if address is None:
                continue
            locale = current_app.config["BABEL_DEFAULT_LOCALE"]
            payload = {
                "to": address,
                "locale": locale,
                "counts": counts,
                "at_risk_now": at_risk_now,
                "url": current_app.url_for("moderation.queue", _external=True),
            }
            if mail.queue(mail.MODERATOR_ALERT, payload, kick=kick):
                count += 1
        log.info("moderator alert queued for %d moderator(s)", count)
        return count
    except Exception:  # noqa: BLE001 - mail must never cost the report
        log.exception("could not queue the moderators' alert")
        return 0


def _alerted_lately() -> bool:
    """Whether an at-once alert went out within ALERT_EVERY (and if not, note that one
    goes now): a wave of reports sends one alert, the next counts the rest."""
    now = utcnow()
    row = db.session.get(SiteSetting, _ALERTED_AT, with_for_update=True)
    if row is not None:
        try:
            if now - datetime.fromisoformat(row.value) < ALERT_EVERY:
                return True
        except ValueError:
            pass
        row.value = now.isoformat()
    else:
        db.session.add(SiteSetting(key=_ALERTED_AT, value=now.isoformat()))
    return False


def set_alerts(moderator: Moderator, *, email: str | None, on: bool) -> None:
    """A moderator's alert address (sealed; None keeps it, "" erases it) and opt-in."""
    begin_write()
    if email is not None:
        address = email.strip()
        moderator.alert_email_sealed = (
            secretbox.seal(address, secret=_secret(), purpose=_ALERT) if address else None
        )
    moderator.alerts = bool(on and moderator.alert_email_sealed)
    db.session.flush()


def open_alert_address(moderator: Moderator) -> str | None:
    """A moderator's alert address, opened (None when none, or unreadable)."""
    if not moderator.alert_email_sealed:
        return None
    try:
        return secretbox.open_sealed(moderator.alert_email_sealed, secret=_secret(), purpose=_ALERT)
    except secretbox.InvalidToken:
        return None
