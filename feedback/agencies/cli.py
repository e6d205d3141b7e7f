"""`flask agencies …`: load the agency tree and procedure lists; set an agency's own networks."""

import click
from flask.cli import AppGroup

from feedback.agencies.procedures import import_procedures
from feedback.agencies.services import find_agency, import_agencies, parse_networks, set_networks
from feedback.core.imports import add_import_command, finish_import
from feedback.extensions import db

agencies_cli = AppGroup("agencies", help="Load and inspect the agency tree.")


add_import_command(agencies_cli, import_agencies,
                   "Create or update agencies from a CSV file: code, parent_code, name_vi, name_en, kind.")


@agencies_cli.command("networks")
@click.argument("code")
@click.argument("networks", nargs=-1)
@click.option("--clear", is_flag=True, help="Remove every network of the agency.")
def networks_command(code: str, networks: tuple[str, ...], clear: bool) -> None:
    """Show or set an agency's own networks (addresses or CIDR ranges of its Wi-Fi and counters):
    open-link responses from them are exempt from the daily per-client and per-address limits.
    Given networks replace the stored ones; with none, the stored ones are shown."""
    agency = find_agency(code)
    if agency is None:
        raise click.ClickException(f"No agency has the code {code!r}.")
    if networks and clear:
        raise click.ClickException("Give networks or --clear, not both.")
    if not networks and not clear:
        shown = agency.networks or []
        click.echo(f"{agency.code}: " + (" ".join(shown) if shown else "no own networks"))
        return
    parsed, bad = parse_networks(networks)
    if bad:
        raise click.ClickException(
            "Not an address or network: " + ", ".join(repr(b) for b in bad)
            + " (write e.g. 203.0.113.7, 203.0.113.0/24 or 2001:db8::/48; a network's address must "
            "end in zero bits, e.g. 192.168.1.0/24 rather than 192.168.1.5/24). Nothing changed.")
    changed = set_networks(agency, parsed)
    db.session.commit()
    shown = " ".join(parsed) if parsed else "no own networks"
    click.echo(f"{agency.code}: {shown}" + ("" if changed else " (unchanged)"))


@agencies_cli.command("procedures")
@click.argument("code")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def procedures_command(code: str, file) -> None:
    """Import an agency's administrative procedures from a CSV file: code, name_vi, name_en, active."""
    agency = find_agency(code)
    if agency is None:
        raise click.ClickException(f"No agency has the code {code!r}.")
    finish_import(import_procedures(agency, file))
