"""How many responses the integrity checks flagged and left out, shown next to every index so a
flag (a burst held for review, a replay, a limit) never silently lowers an agency's n.

Read straight from the responses: excluded ones are few, and the partial index ix_response_excluded
holds only them, so these counts never scan the counted responses the summary tables stand for.
"""

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func, select

from feedback.agencies.models import Agency
from feedback.dashboards import metrics, summary
from feedback.dashboards.lineage import agency_join
from feedback.extensions import db
from feedback.surveys.models import Response


def flagged_by_agency(agency_clause, *, start: datetime | None = None, end: datetime | None = None,
                      code_only: bool = False, survey_id: int | None = None,
                      service: str | None = None) -> dict[int, int]:
    """{agency id: responses flagged and left out} for the agencies of `agency_clause` over the
    window (scope.DashboardView's keyword arguments): the same filters as the indices, excluded
    instead of counted."""
    rows = db.session.execute(
        select(Agency.id, func.count(Response.id)).select_from(Response)
        .join(*agency_join(Response.agency_id))
        .where(agency_clause, *metrics._response_conditions(start, end, code_only, survey_id, service,
                                                            excluded=True))
        .group_by(Agency.id)
    ).all()
    return {agency_id: int(count) for agency_id, count in rows}


def by_subtree(counts: dict[int, int], rows) -> dict[int, int]:
    """{row's agency id: flagged responses of its whole subtree}, for rows (AgencyIndex) that
    stand for subtrees (the drill-down's children), given per-agency `counts` and the paths of
    the agencies counted (read once)."""
    if not counts:
        return {}
    paths = dict(db.session.execute(select(Agency.id, Agency.path).where(Agency.id.in_(counts))).all())
    return {row.agency_id: sum(n for agency_id, n in counts.items()
                               if paths.get(agency_id, "").startswith(row.path)) for row in rows}


def flagged_by_month(agency_clause, *, start: datetime | None = None, end: datetime | None = None,
                     code_only: bool = False, survey_id: int | None = None,
                     service: str | None = None) -> dict[int, dict[date, int]]:
    """{agency id: {first day of a local month: responses flagged and left out}} over the window,
    for the trend's tables."""
    month = summary.month_of(summary.local_day(Response.submitted_at))
    rows = db.session.execute(
        select(Agency.id, month, func.count(Response.id)).select_from(Response)
        .join(*agency_join(Response.agency_id))
        .where(agency_clause, *metrics._response_conditions(start, end, code_only, survey_id, service,
                                                            excluded=True))
        .group_by(Agency.id, month)
    ).all()
    counts: dict[int, dict[date, int]] = defaultdict(dict)
    for agency_id, first, count in rows:
        first = first if isinstance(first, date) else date.fromisoformat(str(first)[:10])
        counts[agency_id][first] = int(count)
    return counts
