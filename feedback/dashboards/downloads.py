"""The dashboards' CSV downloads: which table a page is asked for, the file, and how its cells
write numbers, intervals and sample statuses (as the pages do)."""

import re

from flask import abort, current_app, make_response, request
from flask_babel import lazy_gettext as _l

from feedback.core.errors import render_error
from feedback.core.i18n import gettext as _
from feedback.core.spreadsheets import CSV_MIMETYPE, csv_document
from feedback.dashboards.scope import DashboardView
from feedback.dashboards.stats import HIDDEN, THIN

UNKNOWN_CHART = _l("There is no such table on this page.")


def status_word(status: str) -> str:
    """A sample status in words, for CSV cells (the page says the same)."""
    if status == HIDDEN:
        return _("Not enough responses")
    if status == THIN:
        return _("Few responses, not ranked")
    return _("Enough responses")


def decimal(value: float | None) -> str:
    """A number for a CSV cell: one decimal with a point, as the page rounds it ("" when hidden)."""
    return "" if value is None else f"{value:.1f}"


def csv_response(page: str, name: str, view: DashboardView, rows: list[list], subject: str = ""):
    """`rows` (header first) as a UTF-8 CSV download named after the page, table, scope and period;
    every text cell goes through csv_document, which neutralizes formula cells."""
    filters = view.filters
    scope = subject or (view.agency.code if view.agency else "all")
    # Agency codes are typed by admins: keep only safe characters in the header.
    scope = re.sub(r"[^A-Za-z0-9_-]", "_", scope)
    filename = f"{page}-{name}-{scope}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}.csv"
    response = current_app.response_class(csv_document(rows), mimetype=CSV_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def unknown_chart():
    """The 404 page saying so, for a CSV of a chart or table the page does not have."""
    return render_error(404, UNKNOWN_CHART)


def csv_requested(names: tuple[str, ...]) -> str | None:
    """The chart or table asked for with ?format=csv&chart=<name>; 404 for any other name."""
    if request.args.get("format") != "csv":
        return None
    name = request.args.get("chart", "")
    if name not in names:
        abort(make_response(unknown_chart()))
    return name


def interval_header() -> list[str]:
    """The two CSV column headings of a 95% interval."""
    return [_("95%% interval, low").replace("%%", "%"), _("95%% interval, high").replace("%%", "%")]
