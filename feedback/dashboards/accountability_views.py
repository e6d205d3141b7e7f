"""Dialogue accountability page for leaders: conferences, attendance, petitions and their handling."""

import re
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l

from feedback.accounts.authz import roles_required
from feedback.accounts.models import Role
from feedback.core.codes import grouped
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.core.spreadsheets import CSV_MIMETYPE, csv_document
from feedback.dashboards import accountability
from feedback.dashboards import accountability_charts as charts
from feedback.dashboards.blueprint import asset_urls, chart_numbers
from feedback.dashboards.scope import DashboardView, current_view, zone
from feedback.dialogues.models import ConferenceStatus

bp = Blueprint("accountability", __name__, url_prefix="/dashboard/accountability")

CSV_NAMES = ("on-time", "topics", "agencies", "overdue", "conferences")
STATUS_LABELS = {
    ConferenceStatus.PUBLISHED: _l("Upcoming"),
    ConferenceStatus.HELD: _l("Held"),
    ConferenceStatus.REPORTED: _l("Held, report sent"),
    ConferenceStatus.CANCELLED: _l("Cancelled"),
}


bp.context_processor(asset_urls)


def _zone() -> ZoneInfo:
    """The timezone in which the page's dates are whole days."""
    return zone()


def _percent(part: int, whole: int) -> float | None:
    """100 × part ÷ whole, None when whole is 0."""
    return 100 * part / whole if whole else None


def _numbers(scope: DashboardView) -> dict:
    """Every figure of the page for the scope, straight from the SQL aggregates."""
    start, end = scope.filters.period(_zone())
    handling = accountability.handling(scope.clause, start, end)
    return {
        "conference_totals": accountability.conference_totals(scope.clause, start, end),
        "conferences": accountability.conferences(scope.clause, start, end),
        "received": accountability.petitions_received(scope.clause, start, end),
        "topics": accountability.petitions_by_topic(scope.clause, start, end),
        "handling": handling,
        "total": accountability.total_handling(handling),
        "overdue": accountability.overdue_petitions(scope.clause, start, end),
    }


def _topic_name(topic: accountability.TopicCount, locale: str) -> str:
    """A topic's name, or the words for petitions filed without one."""
    return topic.name(locale) if topic.code is not None else _("No topic")


def _figures(numbers: dict, locale: str) -> dict:
    """The two charts in the page's language; a chart without a bar is None."""
    formats = chart_numbers()
    separators, count, decimal = formats["separators"], formats["format_count"], formats["format_number"]
    on_time_rows = [(row.code, row.name(locale), row.handling.on_time, row.handling.due)
                    for row in numbers["handling"] if row.handling.due]
    on_time = charts.on_time_chart(
        on_time_rows, min_due=current_app.config["MIN_RESPONSES_SHOWN"], separators=separators,
        format_percent=lambda value: decimal(value) + "%", format_count=count,
        text=charts.OnTimeText(axis_title=_("Answered on time (%%)").replace("%%", "%"),
                               enough=_("On-time rate"), few=_("Few petitions due"),
                               on_time=_("On-time rate"), due=_("Answered on time / due")),
    ) if on_time_rows else None
    topic_rows = [(t.code or "-", _topic_name(t, locale), t.count) for t in numbers["topics"]]
    topics = charts.topic_chart(
        topic_rows, separators=separators, format_count=count,
        text=charts.TopicText(axis_title=_("Petitions received"), petitions=_("Petitions")),
    ) if topic_rows else None
    return {"on_time_figure": on_time, "topic_figure": topics}


def status_label(status: str) -> str:
    """A listed conference's status in the request's language."""
    return str(STATUS_LABELS[ConferenceStatus(status)])


def _rate_cell(value: float | None) -> str:
    """A percentage for a CSV cell, one decimal with a point (read by spreadsheets everywhere)."""
    return "" if value is None else f"{value:.1f}"


def _csv_table(name: str, numbers: dict, locale: str) -> tuple[list[str], list[list]]:
    """The header and rows of the CSV of table or chart `name`: the same numbers the page shows."""
    # The msgids are shared with the templates, where a literal percent sign is written %%.
    on_time_rate = _("On-time rate (%%)").replace("%%", "%")
    if name == "on-time":
        return ([_("Agency code"), _("Agency"), _("Answered on time"), _("Petitions due"), on_time_rate],
                [[r.code, r.name(locale), r.handling.on_time, r.handling.due,
                  _rate_cell(_percent(r.handling.on_time, r.handling.due))]
                 for r in numbers["handling"] if r.handling.due])
    if name == "topics":
        return ([_("Topic"), _("Petitions received")],
                [[_topic_name(t, locale), t.count] for t in numbers["topics"]])
    if name == "agencies":
        header = [_("Agency code"), _("Agency"), _("Received"), _("Answered on time"), _("Answered late"),
                  _("Overdue"), _("Pending"), _("Rated not satisfied"), _("Petitions due"), on_time_rate,
                  _("Handling satisfaction (%%)").replace("%%", "%")]
        rows = []
        for row in numbers["handling"]:
            h = row.handling
            rows.append([row.code, row.name(locale), h.total, h.on_time, h.late, h.overdue, h.pending,
                         h.not_satisfied, h.due, _rate_cell(_percent(h.on_time, h.due)),
                         _rate_cell(_percent(h.handled_well, h.total))])
        return header, rows
    if name == "overdue":
        return ([_("Agency code"), _("Agency"), _("Tracking code"), _("Due date"), _("Days overdue")],
                [[p.agency_code, p.agency_name(locale), grouped(p.tracking_code), p.due_date.isoformat(),
                  p.days_overdue] for p in numbers["overdue"]])
    zone = _zone()
    header = [_("Conference"), _("Host agency code"), _("Host agency"),
              _("Starts at (%(zone)s)", zone=zone.key), _("Status"), _("Capacity"), _("Registered"),
              _("Waiting list"), _("Attended")]
    return header, [[c.title(locale), c.agency_code, c.agency_name(locale),
                     c.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), status_label(c.status),
                     c.capacity,
                     c.registered, c.waitlisted, c.attended] for c in numbers["conferences"]]


def _csv_response(name: str, scope: DashboardView, numbers: dict, locale: str):
    """One table or chart's numbers as a UTF-8 CSV with a BOM (Excel), every text cell neutralized."""
    header, rows = _csv_table(name, numbers, locale)
    filters = scope.filters
    # Agency codes are typed by admins: keep only safe characters in the header.
    agency = re.sub(r"[^A-Za-z0-9_-]", "_", scope.agency.code) if scope.agency else "all"
    filename = (f"accountability-{name}-{agency}-"
                f"{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}.csv")
    response = current_app.response_class(csv_document([header, *rows]), mimetype=CSV_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/")
@roles_required(Role.LEADER)
def index():
    """The page, or with ?format=csv&chart=<name> the numbers of one of its charts or tables."""
    scope = current_view()
    locale = current_locale()
    numbers = _numbers(scope)
    if request.args.get("format") == "csv":
        name = request.args.get("chart", "")
        if name not in CSV_NAMES:
            abort(404)
        return _csv_response(name, scope, numbers, locale)
    return render_template(
        "dashboards/accountability.html", view=scope, scope=scope, filters=scope.filters,
        csv_args=scope.query_args(), locale=locale, grouped=grouped,
        min_due=current_app.config["MIN_RESPONSES_SHOWN"], percent=_percent, status_label=status_label,
        **numbers, **_figures(numbers, locale),
    )
