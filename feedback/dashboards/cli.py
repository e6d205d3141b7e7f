"""`flask dashboards rebuild-summary`: recompute the dashboards' summary tables from the responses."""

import time

import click
from sqlalchemy import func, select

from feedback.dashboards import summary
from feedback.dashboards.models import Period, ResponseSummary
from feedback.extensions import db


@click.command("rebuild-summary")
def rebuild_summary_command() -> None:
    """Recompute the summary tables from the stored responses (repair, or after a bulk load)."""
    began = time.perf_counter()
    summary.rebuild()
    db.session.commit()
    cells = db.session.scalar(select(func.count()).select_from(ResponseSummary)
                              .where(ResponseSummary.period == Period.DAY))
    counted = db.session.scalar(select(func.coalesce(func.sum(ResponseSummary.responses), 0))
                                .where(ResponseSummary.period == Period.DAY))
    click.echo(f"Summary rebuilt: {counted} counted responses in {cells} agency-days "
               f"({time.perf_counter() - began:.1f} s).")
