"""`flask officers …`: import officers from CSV; end per-officer detail past the retention time."""

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from feedback.audit.services import record
from feedback.core.events import counter_rating_changed
from feedback.core.imports import add_import_command
from feedback.counters.officers import import_officers
from feedback.counters.ratings import purge_officer_detail
from feedback.extensions import db
from feedback.models import utcnow

officers_cli = AppGroup("officers", help="Officers at counters and their ratings.")


add_import_command(officers_cli, import_officers,
                   "Create or update officers from a CSV file: code, full_name, title, agency_code, active.")


@officers_cli.command("purge")
def purge_command() -> None:
    """End per-officer detail older than COUNTER_OFFICER_DETAIL_MONTHS (meant for cron): ratings
    keep their agency, level and reasons, lose their officer, shift and comment; the per-officer
    summary rows of those months go too, the agency totals stay."""
    months = current_app.config["COUNTER_OFFICER_DETAIL_MONTHS"]
    before = utcnow() - timedelta(days=round(months * 30.44))
    count = purge_officer_detail(before)
    # The summary's receivers drop their per-officer rows before that day (no rating is "changed").
    counter_rating_changed.send(before=None, after=None, purge_before=before)
    record("officers.purge", months=months, ratings=count)
    db.session.commit()
    click.echo(f"Per-officer detail ended for {count} rating(s) before {before.date().isoformat()}.")
