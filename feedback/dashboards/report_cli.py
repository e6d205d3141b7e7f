"""`flask reports send`: the monthly report mailed to every active leader, meant for cron."""

import click

from feedback.dashboards import report
from feedback.extensions import db

reports_cli = click.Group("reports", help="The leaders' monthly report.")


@reports_cli.command("send")
@click.option("--month", help="Send the report of this month (YYYY-MM) now, e.g. to catch up.")
def send_command(month: str | None) -> None:
    """Put the last month's report in the outbox for every active leader, on the first of the
    month from REPORT_SEND_HOUR on (run it hourly from cron); at other times it does nothing.
    A report already written for a leader, subtree and month is never written again."""
    now = report.local_now()
    if month:
        try:
            first = report.parse_month(month, now.date())
        except ValueError:
            raise click.BadParameter("The month is not valid: write it as 2026-03, a month that has begun.",
                                     param_hint="--month") from None
    else:
        first = report.due_month(now)
        if first is None:
            click.echo("Not the first of the month after the sending hour: nothing to send.")
            return
    written = report.enqueue_reports(first)
    db.session.commit()
    click.echo(f"Monthly report {first:%Y-%m}: {written} new message(s) in the outbox.")
