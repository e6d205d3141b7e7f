"""`flask dialogues …` (topics, reminders) and `flask purge-personal-data`."""

import click
from flask.cli import AppGroup

dialogues_cli = AppGroup("dialogues", help="Dialogue conferences: topics and reminders.")


@click.command("purge-personal-data")
def purge_personal_data_command() -> None:
    """Anonymize registrants of conferences that ended more than the retention period ago."""
    raise click.ClickException("not built yet")
