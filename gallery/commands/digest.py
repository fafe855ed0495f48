"""The readers' digest and the moderators' alert, for cron: send-digest (weekly), sos
(now, with every mirror), moderator-digest (daily, counts only), moderator-alerts (a
moderator's address and opt-in)."""

from __future__ import annotations

import click
from sqlalchemy import select

from .. import mail
from ..extensions import db
from ..models import Moderator
from ..verbs import digest


def _deliver() -> None:
    done = mail.deliver_due()
    click.echo(f"Sent {done.sent}, to retry later {done.retrying}, given up {done.given_up}.")


def _mail_on() -> bool:
    if mail.settings() is None:
        click.echo("Mail is off (no MAIL_SERVER or MAIL_DEFAULT_SENDER): nothing sent.")
        return False
    return True


@click.command("send-digest")
def send_digest() -> None:
    """Send each confirmed subscriber what is new in their scope since their last digest
    (run it weekly from cron); erase sign-ups never confirmed."""
    if not _mail_on():
        digest.forget_unconfirmed()
        db.session.commit()
        return
    try:
        done = digest.send_digests()
    except RuntimeError as exc:  # no PUBLIC_URL or SERVER_NAME to build the links on
        db.session.rollback()
        raise click.ClickException(f"Set PUBLIC_URL to send the digest ({exc}).") from None
    db.session.commit()
    click.echo(f"Digests queued: {done.queued}; nothing new for {done.nothing_new}.")
    if done.unreadable:
        click.echo(
            f"{done.unreadable} subscription(s) cannot be read (SECRET_KEY changed?).", err=True
        )
    _deliver()


@click.command("sos")
@click.argument("message")
def sos(message: str) -> None:
    """Send MESSAGE now to every confirmed subscriber, with the main address, every mirror
    (MIRRORS) and the onion address (ONION_URL): for the day this address is blocked."""
    if not message.strip():
        raise click.UsageError("The message is empty.")
    if not _mail_on():
        raise SystemExit(1)
    try:
        count = digest.sos(message)
    except RuntimeError as exc:
        db.session.rollback()
        raise click.ClickException(f"Set PUBLIC_URL to send the SOS digest ({exc}).") from None
    db.session.commit()
    click.echo(f"SOS digest queued for {count} subscriber(s).")
    _deliver()


@click.command("moderator-digest")
def moderator_digest() -> None:
    """Tell the moderators who asked for alerts how many things wait (counts only; nothing
    when nothing waits). Run it daily from cron."""
    if not _mail_on():
        return
    try:
        count = digest.alert_moderators(kick=False)
        db.session.commit()
    except RuntimeError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Alerts queued for {count} moderator(s).")
    _deliver()


@click.command("moderator-alerts")
@click.argument("username")
@click.option("--email", help='The address for the alerts (sealed); "" erases it.')
@click.option("--on/--off", "on", default=True, show_default=True, help="Opt in or out.")
def moderator_alerts(username: str, email: str | None, on: bool) -> None:
    """Give a moderator an address for the alert mail, and turn the alerts on or off."""
    moderator = db.session.scalar(select(Moderator).where(Moderator.username == username))
    if moderator is None:
        raise click.ClickException(f"No moderator {username!r}.")
    digest.set_alerts(moderator, email=email, on=on)
    db.session.commit()
    if on and not moderator.alerts:
        raise click.ClickException(f"{username} has no alert address: give one with --email.")
    click.echo(f"Alerts {'on' if moderator.alerts else 'off'} for {username}.")
