"""Moderators' accounts: create-moderator (the password asked twice, hidden, or read from
a pipe) and create-demo-moderator."""

from __future__ import annotations

import sys

import click

from ..core import passwords
from ..extensions import db
from ..models import Role
from ..verbs import accounts


def _read_password() -> str:
    stdin = sys.stdin
    if stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    # Piped (printf 'pw\npw\n' | ...): getpass would read the terminal instead of the
    # pipe when there is one, so read the two lines ourselves.
    click.echo("Password (read from standard input, twice)", err=True)
    first = stdin.readline().rstrip("\r\n")
    second = stdin.readline().rstrip("\r\n")
    if first != second:
        raise click.ClickException("The two passwords differ.")
    return first


@click.command("create-moderator")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.MODERATOR.value,
    show_default=True,
    help="moderator; admin (also manages moderators); volunteer (the letter desk only).",
)
@click.option("--admin", is_flag=True, help="Same as --role admin.")
def create_moderator(name: str, role: str, admin: bool) -> None:
    """Create a moderator account; the password is asked twice, hidden."""
    password = _read_password()
    try:
        moderator = accounts.create_moderator(
            name, password, role=Role.ADMIN if admin else Role(role), enforce_length=False
        )
        db.session.commit()
    except passwords.WeakPassword as exc:
        raise click.ClickException(
            f"The password must be 1 to {passwords.MAX_LENGTH} characters long."
        ) from exc
    except accounts.AccountError as exc:
        if str(exc) == "taken":
            raise click.ClickException(f"The username {name!r} is taken.") from exc
        raise click.ClickException(
            "Usernames are 3 to 40 lower-case letters, digits, dots, dashes or underscores."
        ) from exc
    click.echo(f"Created {moderator.role.value} {moderator.username}.")
    if len(password) < passwords.MIN_LENGTH:
        click.echo(
            f"Warning: this password is shorter than {passwords.MIN_LENGTH} characters. "
            "Change it at /account/password before the site is public.",
            err=True,
        )


@click.command("create-demo-moderator")
def create_demo_moderator() -> None:
    """On a database without moderators, create `demo-moderator` and print its password once."""
    password = accounts.create_demo_moderator()
    if password is None:
        return
    db.session.commit()
    click.echo("")
    click.echo("Demo moderator created (an admin). Log in at /login with:")
    click.echo(f"    username: {accounts.DEMO_USERNAME}")
    click.echo(f"    password: {password}")
    click.echo("This password is shown only now. Change it under /account/password.")
    click.echo("")
