"""`flask dialogues …` (topics, reminders) and `flask purge-personal-data`."""

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from feedback.dialogues.privacy import purge_personal_data
from feedback.dialogues.reminders import queue_reminders, tomorrow
from feedback.dialogues.topics import load_default_topics
from feedback.extensions import db

dialogues_cli = AppGroup("dialogues", help="Dialogue conferences: topics and reminders.")


def _plural(count: int, word: str) -> str:
    """"1 reminder", "3 reminders"."""
    return f"{count} {word}{'' if count == 1 else 's'}"


@dialogues_cli.command("load-topics")
def load_topics_command() -> None:
    """Add the standard dialogue topics that are missing (đất đai, môi trường, giáo dục, …)."""
    added = load_default_topics()
    db.session.commit()
    click.echo(f"Added {_plural(added, 'topic')}" + ("." if added else "; all were there already."))


@dialogues_cli.command("remind")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Local day whose conferences to remind of (YYYY-MM-DD); default tomorrow.")
def remind_command(day) -> None:
    """Queue the reminder for confirmed registrants (with an email) of a day's conferences (cron: daily)."""
    target: date = day.date() if day is not None else tomorrow()
    queued = queue_reminders(target)
    db.session.commit()
    click.echo(f"Queued {_plural(queued, 'reminder')} for conferences starting on {target.isoformat()}.")


@click.command("purge-personal-data")
@click.option("--dry-run", is_flag=True, help="Only count what would be anonymized.")
def purge_personal_data_command(dry_run: bool) -> None:
    """Anonymize registrants of conferences that ended more than PERSONAL_DATA_RETENTION_DAYS ago."""
    result = purge_personal_data(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    days = current_app.config["PERSONAL_DATA_RETENTION_DAYS"]
    verb = "Would anonymize" if dry_run else "Anonymized"
    click.echo(f"{verb} {_plural(result.registrations, 'registration')} of "
               f"{_plural(result.conferences, 'conference')} that ended more than {days} days ago "
               f"(before {result.cutoff.isoformat(timespec='minutes')}); "
               f"{_plural(result.notifications, 'outbox message')} "
               + ("would be cleared." if dry_run else "cleared."))
