"""The public figures: satisfaction index and petition on-time rate of the agencies ranked over a year.

Only agencies with at least MIN_RESPONSES_RANKED responses in the last 12 months appear (those the
dashboards would rank), and for each only two figures. The on-time rate is shown only when at
least MIN_RESPONSES_SHOWN petitions received in the same 12 months are due, the same bar a
satisfaction index must clear to be shown at all; below it, a rate of one or two petitions
would say more about chance than about the agency.
"""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app

from feedback.agencies.models import Agency
from feedback.core.i18n import BilingualName
from feedback.dashboards import metrics
from feedback.dashboards.filters import DashboardFilters, default_period
from feedback.dashboards.stats import OK
from feedback.dialogues.models import Petition
from feedback.dialogues.petitions.stats import handling_by_agency


@dataclass(frozen=True)
class PublicAgency(BilingualName):
    """One agency's public figures: index (0–100) with its 95% interval and n, and its on-time
    rate (0–100) with the number of petitions due, None when too few are due."""

    code: str
    name_vi: str
    name_en: str
    index: float
    low: float
    high: float
    responses: int
    on_time_rate: float | None
    petitions_due: int


@dataclass(frozen=True)
class PublicFigures:
    """The public table and the period it covers (whole local days)."""

    date_from: date
    date_to: date
    agencies: list[PublicAgency]


def public_figures(today: date) -> PublicFigures:
    """The ranked active agencies over the 12 months up to `today`, highest index first."""
    period = DashboardFilters(*default_period(today))
    start, end = period.period(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    ranked = [i for i in metrics.display_order(metrics.agency_indices(Agency.active.is_(True),
                                                                      start=start, end=end))
              if i.status == OK]
    handling = {h.agency_id: h for h in handling_by_agency(
        Petition.agency_id.in_([i.agency_id for i in ranked]),
        Petition.created_at >= start, Petition.created_at < end)} if ranked else {}
    min_due = current_app.config["MIN_RESPONSES_SHOWN"]
    rows = []
    for index in ranked:
        counts = handling.get(index.agency_id)
        due = counts.due if counts else 0
        rate = 100 * counts.on_time / due if counts and due and due >= min_due else None
        rows.append(PublicAgency(index.code, index.name_vi, index.name_en, index.mean, index.low, index.high,
                                 index.n, rate, due))
    return PublicFigures(period.date_from, period.date_to, rows)
