"""The monthly report: for each subtree a leader's grants cover, the month's headline figures and
the attention list; read by the printable page /dashboard/report and mailed on the first of the
month by `flask reports send` through the outbox, once per leader, grant and month.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from feedback.accounts.authz import is_admin
from feedback.accounts.models import Role, RoleGrant, User
from feedback.agencies.models import Agency
from feedback.core.public_urls import public_base_url
from feedback.dashboards import attention, metrics, tiles
from feedback.dashboards.filters import MONTH, DashboardFilters, add_months
from feedback.dashboards.scope import window_of, zone
from feedback.extensions import db
from feedback.notifications.models import Notification
from feedback.notifications.outbox import enqueue

KIND = "monthly_report"
MONTH_FORMAT = re.compile(r"(\d{4})-(\d{2})")
BAD_MONTH = _l("The month is not valid: write it as 2026-03, a month that has ended or is under way.")


@dataclass(frozen=True)
class Section:
    """One subtree's part of the report: its top agency, the month's tiles and attention list."""

    agency: Agency
    tiles: tiles.Tiles
    attention: list[attention.Item]


@dataclass(frozen=True)
class MonthlyReport:
    """The report of one month for one reader: the period and one section per subtree."""

    filters: DashboardFilters
    sections: list[Section]

    @property
    def month(self) -> str:
        """The month as in the URL, 2026-03."""
        return f"{self.filters.date_from:%Y-%m}"


def parse_month(value: str | None, today: date) -> date:
    """The first day of the month `value` names (YYYY-MM); without one, the last whole month.
    Raises ValueError for anything else, or a month that has not begun."""
    if not value:
        return add_months(today.replace(day=1), -1)
    match = MONTH_FORMAT.fullmatch(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise ValueError(value)
    first = date(int(match.group(1)), int(match.group(2)), 1)
    if first > today:
        raise ValueError(value)
    return first


def month_filters(first: date) -> DashboardFilters:
    """The dashboard filters of the whole month starting on `first` (compared with the month before)."""
    return DashboardFilters(first, add_months(first, 1) - timedelta(days=1), kind=MONTH)


def report_agencies(user: User) -> list[Agency]:
    """The top agency of each subtree `user` leads (a grant inside another grant's subtree adds
    nothing); for an admin, each root of the tree."""
    if is_admin(user):
        return list(db.session.scalars(select(Agency).where(Agency.parent_id.is_(None), Agency.active)
                                       .order_by(Agency.path)))
    agencies = sorted({g.agency for g in user.grants if g.role == Role.LEADER and g.agency is not None},
                      key=lambda a: a.path)
    tops: list[Agency] = []
    for agency in agencies:
        if not any(agency.path.startswith(top.path) for top in tops):
            tops.append(agency)
    return tops


def section(agency: Agency, filters: DashboardFilters) -> Section:
    """The month's figures for `agency` and every agency under it."""
    clause = Agency.in_subtree(agency.path)
    window = window_of(filters, None, None)
    previous = window_of(filters.previous(), None, None)
    indices = metrics.agency_indices(clause, **window)
    before = metrics.agency_indices(clause, **previous)
    return Section(agency, tiles.tiles(clause, window, previous, indices, previous_indices=before),
                   attention.attention_list(clause, window, previous, indices, previous=before))


def monthly_report(user: User, first: date) -> MonthlyReport:
    """The report of the month starting on `first` for `user`: one section per subtree they lead."""
    filters = month_filters(first)
    return MonthlyReport(filters, [section(agency, filters) for agency in report_agencies(user)])


def local_now() -> datetime:
    """Now, in the dashboards' time zone."""
    return datetime.now(zone())


def due_month(now: datetime) -> date | None:
    """The month whose report is due at local time `now`: the month before, on the first of the
    month from REPORT_SEND_HOUR on; None at any other time."""
    if now.day != 1 or now.hour < current_app.config["REPORT_SEND_HOUR"]:
        return None
    return add_months(now.date(), -1)


def _context(report_section: Section, month: str) -> dict:
    """The plain JSON snapshot the report's email is written from."""
    agency = report_section.agency
    t = report_section.tiles
    return {
        "month": month, "agency_code": agency.code, "agency_vi": agency.name_vi,
        "agency_en": agency.name_en or "",
        "index": [t.index.mean, t.index.low, t.index.high, t.index.n],
        "previous": [t.change.previous.mean, t.change.previous.n],
        "direction": t.change.direction, "responses": t.responses,
        "on_time": [t.on_time.rate, t.on_time.on_time, t.on_time.due], "flagged": t.flagged,
        "attention": [{"reason": i.reason, "code": i.code, "name_vi": i.name_vi, "name_en": i.name_en,
                       "figures": i.figures} for i in report_section.attention],
        "url": f"{public_base_url()}/dashboard/report?month={month}",
    }


def recipients() -> list[User]:
    """The active users holding a leader grant over some agency, by id."""
    return list(db.session.scalars(
        select(User).where(User.active.is_(True), User.id.in_(
            select(RoleGrant.user_id).where(RoleGrant.role == Role.LEADER,
                                            RoleGrant.agency_id.is_not(None))))
        .order_by(User.id)))


def enqueue_reports(first: date) -> int:
    """Write the report of the month starting on `first` into the outbox for every active leader,
    one message per subtree they lead, in their language; returns how many messages were new.
    The outbox keeps one message per key (leader, agency, month), so a second run adds nothing."""
    month = f"{first:%Y-%m}"
    filters = month_filters(first)
    count = select(db.func.count(Notification.id)).where(Notification.kind == KIND)
    before = db.session.scalar(count)
    sections: dict[int, Section] = {}  # two leaders of one agency share its figures
    for user in recipients():
        for agency in report_agencies(user):
            if agency.id not in sections:
                sections[agency.id] = section(agency, filters)
            enqueue(KIND, f"{KIND}:{user.id}:{agency.id}:{month}", to_email=user.email,
                    locale=user.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
                    context=_context(sections[agency.id], month))
    after = db.session.scalar(count)
    after = db.session.scalar(select(db.func.count(Notification.id)).where(Notification.kind == KIND))
    return after - before
