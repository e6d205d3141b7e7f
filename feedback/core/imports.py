"""How a CSV import command ends: every problem listed and nothing written, or committed and counted."""

import click

from feedback.extensions import db


def finish_import(report) -> None:
    """Commit an import whose report has no errors and say what it did; otherwise roll it back,
    print each problem on its own line and fail (`report`: created, updated, errors)."""
    if report.errors:
        db.session.rollback()
        for error in report.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(report.errors)} problem(s); nothing was imported")
    db.session.commit()
    click.echo(f"Imported: {report.created} created, {report.updated} updated.")


def add_import_command(group, importer, help_text: str) -> None:
    """Register `flask <group> import FILE.csv` on the click `group`: `importer(file)` returns the
    report, and the command ends as every import does (finish_import)."""

    @group.command("import", help=help_text)
    @click.argument("file", type=click.File("r", encoding="utf-8-sig"))
    def import_command(file) -> None:
        finish_import(importer(file))
