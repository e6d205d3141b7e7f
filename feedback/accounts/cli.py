"""`flask users …`: create staff accounts, grant and revoke roles, deactivate, set passwords."""

import sys
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from feedback.accounts.access import deactivate_user, reactivate_user, revoke_role
from feedback.accounts.models import Role, User
from feedback.accounts.services import AccountError, create_user, find_user, grant_role, set_password
from feedback.agencies.models import Agency
from feedback.agencies.services import find_agency
from feedback.extensions import db

T = TypeVar("T")


def _read_password() -> str:
    """Ask twice on a terminal; otherwise read the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _agency(code: str | None) -> Agency | None:
    """The agency with `code`, or a clean CLI error."""
    if code is None:
        return None
    agency = find_agency(code)
    if agency is None:
        raise click.ClickException(f"no agency with code {code!r}")
    return agency


def _scope(role: str, agency_code: str | None) -> tuple[Role, Agency | None]:
    """The role and the agency it covers, or a clean CLI error (admin is global, the others not)."""
    if Role(role) == Role.ADMIN:
        if agency_code is not None:
            raise click.ClickException("the admin role is global: leave out --agency")
        return Role.ADMIN, None
    if agency_code is None:
        raise click.ClickException(f"the {role} role needs --agency CODE")
    return Role(role), _agency(agency_code)


def _user(email: str) -> User:
    """The user with `email`, or a clean CLI error."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    return user


def _in_english(command: Callable) -> Callable:
    """Run a command with English messages (the services' texts are translated for the web pages);
    an AccountError rolls the transaction back and becomes a clean CLI error."""

    @wraps(command)
    def wrapped(*args, **kwargs):
        with force_locale("en"):
            try:
                return command(*args, **kwargs)
            except AccountError as error:
                db.session.rollback()
                raise click.ClickException(str(error)) from error

    return wrapped


users_cli = AppGroup("users", help="Manage staff accounts and their roles.")
ROLE_CHOICE = click.Choice([r.value for r in Role])


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=ROLE_CHOICE, required=True, help="admin, organizer or leader")
@click.option("--agency", "agency_code", help="Agency code whose subtree the role covers.")
@click.option("--name", default="", help="Display name.")
@_in_english
def create_command(email: str, role: str, agency_code: str | None, name: str) -> None:
    """Create a staff account with one role. The password is asked for (or read from stdin)."""
    role, agency = _scope(role, agency_code)
    password = _read_password()
    user = create_user(email, password, name=name)
    grant_role(user, role, agency)
    db.session.commit()
    scope = f" over {agency.code} and below" if agency else ""
    click.echo(f"Created {user.email} as {role}{scope}.")


def _user_command(name: str, *, with_role: bool = False) -> Callable[[Callable], Callable]:
    """Declare `flask users NAME EMAIL` (with --role and --agency for grant and revoke), run in English."""
    agency_help = "Agency code (not for admin, which is global)."
    role_options = (click.option("--agency", "agency_code", help=agency_help),
                    click.option("--role", type=ROLE_CHOICE, required=True)) if with_role else ()

    def declare(command: Callable) -> Callable:
        """Wrap `command` innermost first, as stacked decorators would."""
        for decorate in (_in_english, *role_options, click.argument("email"), users_cli.command(name)):
            command = decorate(command)
        return command

    return declare


def _commit_change(email: str, change: Callable[[User], T]) -> tuple[User, T]:
    """Find the user, apply `change` to them and commit; the user and what `change` returned."""
    user = _user(email)
    result = change(user)
    db.session.commit()
    return user, result


@_user_command("grant", with_role=True)
def grant_command(email: str, role: str, agency_code: str | None) -> None:
    """Give an existing user another role."""
    user, _ = _commit_change(email, lambda user: grant_role(user, *_scope(role, agency_code)))
    click.echo(f"Granted {role} to {user.email}.")


@_user_command("revoke", with_role=True)
def revoke_command(email: str, role: str, agency_code: str | None) -> None:
    """Take a role away; the user's sessions end at once."""
    user, _ = _commit_change(email, lambda user: revoke_role(user, *_scope(role, agency_code)))
    click.echo(f"Revoked {role} from {user.email}; their sessions are ended.")


@_user_command("deactivate")
def deactivate_command(email: str) -> None:
    """Stop a user signing in; every session and remember cookie of theirs stops working at once."""
    user, changed = _commit_change(email, deactivate_user)
    click.echo(f"Deactivated {user.email}." if changed else f"{user.email} was already inactive.")


@_user_command("reactivate")
def reactivate_command(email: str) -> None:
    """Let a deactivated user sign in again."""
    user, changed = _commit_change(email, reactivate_user)
    click.echo(f"Reactivated {user.email}." if changed else f"{user.email} was already active.")


@_user_command("set-password")
def set_password_command(email: str) -> None:
    """Set a user's password (asked for, or read from stdin); their sessions end."""
    user, _ = _commit_change(email, lambda user: set_password(user, _read_password()))
    click.echo(f"Password set for {user.email}; their sessions are ended.")
