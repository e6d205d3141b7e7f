"""`flask users …`: create staff accounts and grant roles from the command line."""

import sys

import click
from flask.cli import AppGroup

from feedback.accounts.models import Role
from feedback.accounts.services import AccountError, create_user, find_user, grant_role
from feedback.agencies.models import Agency
from feedback.agencies.services import find_agency
from feedback.extensions import db


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


users_cli = AppGroup("users", help="Manage staff accounts and their roles.")
ROLE_CHOICE = click.Choice([r.value for r in Role])


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=ROLE_CHOICE, required=True, help="admin, organizer or leader")
@click.option("--agency", "agency_code", help="Agency code whose subtree the role covers.")
@click.option("--name", default="", help="Display name.")
def create_command(email: str, role: str, agency_code: str | None, name: str) -> None:
    """Create a staff account with one role. The password is asked for (or read from stdin)."""
    agency = _agency(agency_code)
    if Role(role) != Role.ADMIN and agency is None:
        raise click.ClickException(f"the {role} role needs --agency CODE")
    password = _read_password()
    try:
        user = create_user(email, password, name=name)
        grant_role(user, Role(role), agency)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    scope = f" over {agency.code} and below" if agency else ""
    click.echo(f"Created {user.email} as {role}{scope}.")


@users_cli.command("grant")
@click.argument("email")
@click.option("--role", type=ROLE_CHOICE, required=True)
@click.option("--agency", "agency_code")
def grant_command(email: str, role: str, agency_code: str | None) -> None:
    """Give an existing user another role."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    try:
        grant_role(user, Role(role), _agency(agency_code))
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Granted {role} to {user.email}.")
