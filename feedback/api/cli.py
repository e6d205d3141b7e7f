"""`flask api-keys …`: create and list API keys from the command line."""

import click
from flask.cli import AppGroup

from feedback.agencies.services import find_agency
from feedback.api.services import create_key, list_keys
from feedback.extensions import db

api_keys_cli = AppGroup("api-keys", help="Create and list API keys for other systems.")


@api_keys_cli.command("create")
@click.option("--name", required=True, help="Which system will use the key.")
@click.option("--agency", "agency_code", required=True, help="Code of the agency whose subtree it covers.")
def create_command(name: str, agency_code: str) -> None:
    """Create a key and print its secret, once: only its hash is kept."""
    if not name.strip() or len(name.strip()) > 200:
        raise click.ClickException("The name must have 1 to 200 characters.")
    agency = find_agency(agency_code)
    if agency is None:
        raise click.ClickException(f"No agency has the code {agency_code!r}.")
    key, secret = create_key(name, agency)
    db.session.commit()
    click.echo(f"Created API key {key.prefix}… “{key.name}” for {agency.code} and the agencies below it.")
    click.echo("Copy the key now; it will not be shown again:")
    click.echo(secret)


@api_keys_cli.command("list")
def list_command() -> None:
    """Every key: prefix, agency, name, last use, revoked or not."""
    for key in list_keys():
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "live"
        used = f"{key.last_used_at:%Y-%m-%d %H:%M} UTC" if key.last_used_at else "never used"
        click.echo(f"{key.prefix}…\t{key.agency.code}\t{state}\t{used}\t{key.name}")
