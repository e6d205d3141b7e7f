"""`flask agencies …`: load the agency tree."""

import click
from flask.cli import AppGroup

from feedback.agencies.services import import_agencies
from feedback.extensions import db

agencies_cli = AppGroup("agencies", help="Load and inspect the agency tree.")


@agencies_cli.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def import_command(file) -> None:
    """Create or update agencies from a CSV file: code, parent_code, name_vi, name_en, kind."""
    report = import_agencies(file)
    if report.errors:
        db.session.rollback()
        for error in report.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(report.errors)} problem(s); nothing was imported")
    db.session.commit()
    click.echo(f"Imported: {report.created} created, {report.updated} updated.")
