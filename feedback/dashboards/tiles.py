"""The headline tiles of the overview and drill-down pages: the index with its interval, the number
of responses, the change against the previous period and the share of petitions answered on time.

A change is called "up" or "down" only when the two 95% intervals do not overlap; when they do, the
difference may be noise, so the page says "no clear change" and shows both values.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from feedback.dashboards import accountability, metrics
from feedback.dashboards.flagged import flagged_by_agency
from feedback.dashboards.lineage import agency_join
from feedback.dashboards.metrics import Estimate
from feedback.dashboards.models import ResponseSummary
from feedback.dashboards.stats import HIDDEN, sample_status, wilson_interval
from feedback.extensions import db
from feedback.surveys.models import Response

UP, DOWN, SAME, UNKNOWN = "up", "down", "same", "unknown"


@dataclass(frozen=True)
class Change:
    """The index now against the previous period.

    `direction` is UP or DOWN when the intervals do not overlap, SAME when they do (no clear
    change), UNKNOWN when either period has too few responses to show an index.
    `difference` is current − previous in index points (None when either is hidden).
    """

    current: Estimate
    previous: Estimate
    direction: str
    difference: float | None


@dataclass(frozen=True)
class OnTime:
    """Petitions answered by their due date among those due, pooled over the agencies in scope,
    with the Wilson 95% interval (rate, low, high on 0–100; None below the display threshold)."""

    on_time: int
    due: int
    rate: float | None
    low: float | None
    high: float | None
    status: str
    # Petitions past their due date with no published answer (a count, shown whatever the sample).
    overdue: int = 0


@dataclass(frozen=True)
class Tiles:
    """Everything the headline tiles show for one scope and period."""

    index: Estimate
    responses: int
    previous_responses: int
    change: Change
    on_time: OnTime
    # Responses of the period flagged by the integrity checks and left out of the index.
    flagged: int = 0


def compare(current: Estimate, previous: Estimate) -> Change:
    """The change from `previous` to `current`, with a direction only when the intervals are apart."""
    if current.mean is None or previous.mean is None:
        return Change(current, previous, UNKNOWN, None)
    difference = current.mean - previous.mean
    if current.low > previous.high:
        direction = UP
    elif current.high < previous.low:
        direction = DOWN
    else:
        direction = SAME
    return Change(current, previous, direction, difference)


def on_time_rate(on_time: int, due: int, overdue: int = 0) -> OnTime:
    """The on-time tile from its two counts; the rate is shown from MIN_RESPONSES_SHOWN petitions due
    (greyed below MIN_RESPONSES_RANKED), like every other rate on the dashboards."""
    config = current_app.config
    status = (sample_status(due, config["MIN_RESPONSES_SHOWN"], config["MIN_RESPONSES_RANKED"])
              if due > 0 else HIDDEN)
    if status == HIDDEN:
        return OnTime(on_time, due, None, None, None, status, overdue)
    low, high = wilson_interval(on_time, due)
    return OnTime(on_time, due, 100 * on_time / due, 100 * low, 100 * high, status, overdue)


def petitions_on_time(agency_clause, start: datetime, end: datetime) -> OnTime:
    """The pooled on-time rate of the petitions received in [start, end) and routed to an agency of
    `agency_clause`, and how many of them are overdue, exactly as the accountability page counts them."""
    total = accountability.total_handling(accountability.handling(agency_clause, start, end))
    return on_time_rate(total.on_time, total.due, total.overdue)


def _raw_response_count(agency_clause, start, end, code_only, **only) -> dict[int, list]:
    """{0: [counted responses]} in [start, end), straight from the responses."""
    count = db.session.scalar(
        select(func.count(Response.id)).join(*agency_join(Response.agency_id))
        .where(agency_clause, *metrics._response_conditions(start, end, code_only, **only)))
    return {0: [int(count or 0)]}


def response_count(agency_clause, *, start: datetime | None = None, end: datetime | None = None,
                   code_only: bool = False, survey_id: int | None = None,
                   service: str | None = None) -> int:
    """How many counted responses the agencies of `agency_clause` received in [start, end), all of
    them (also those with no index value, which answered no scored question). From the summary."""
    only = {"survey_id": survey_id, "service": service}
    sums = metrics._windowed(
        lambda window: {0: [sum(v[0] for v in metrics._summary_sums(
            ResponseSummary, "agency_id", ("responses",), agency_clause, window, code_only,
            lambda v: True, **only).values())]},
        lambda s, e: _raw_response_count(agency_clause, s, e, code_only, **only), start, end)
    return int(sums.get(0, [0])[0])


def tiles(agency_clause, window: dict, previous_window: dict,
          indices: list[metrics.AgencyIndex] | None = None, flagged: int | None = None,
          previous_indices: list[metrics.AgencyIndex] | None = None) -> Tiles:
    """The tiles for `agency_clause` over `window` against `previous_window` (scope.DashboardView's
    keyword arguments). `indices` and `previous_indices` are the two periods' agency indices, and
    `flagged` how many of the period's responses were flagged and left out, when the page has
    them already."""
    if indices is None:
        indices = metrics.agency_indices(agency_clause, **window)
    if previous_indices is None:
        previous_indices = metrics.agency_indices(agency_clause, **previous_window)
    current = metrics.pooled_index(indices)
    previous = metrics.pooled_index(previous_indices)
    return Tiles(
        index=current,
        responses=response_count(agency_clause, **window),
        previous_responses=response_count(agency_clause, **previous_window),
        change=compare(current, previous),
        on_time=petitions_on_time(agency_clause, window["start"], window["end"]),
        flagged=(flagged if flagged is not None
                 else sum(flagged_by_agency(agency_clause, **window).values())),
    )
