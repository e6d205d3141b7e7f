"""The dashboards' blueprint and what its page modules share: the CLI group, the asset context,
how charts write numbers, and the CSV downloads. The page modules (views, comment_views,
dimension_views, question_views, trend_views) add their routes to `bp`; the app factory imports
them, and nothing imports a page module back."""

import re

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import Blueprint, abort, current_app, make_response, request
from flask_babel import get_locale as get_babel_locale
from flask_babel import lazy_gettext as _l

from feedback.core.errors import render_error
from feedback.core.i18n import current_locale, number_formatter
from feedback.core.i18n import gettext as _
from feedback.core.spreadsheets import CSV_MIMETYPE, csv_document
from feedback.dashboards import assets
from feedback.dashboards.cli import rebuild_summary_command
from feedback.dashboards.scope import DashboardView
from feedback.dashboards.stats import HIDDEN, THIN

bp = Blueprint("dashboards", __name__, url_prefix="/dashboard")
# `flask dashboards …` (a blueprint's commands are grouped under its name).
bp.cli.add_command(rebuild_summary_command)

UNKNOWN_CHART = _l("There is no such table on this page.")




def asset_urls():
    """The plotly.js version, so dashboard templates can build the versioned asset URLs, and the
    endpoints that exist, so the page navigation links only to pages this app serves."""
    return {"plotly_version": assets.PLOTLY_VERSION, "plotly_style_id": assets.STYLE_ELEMENT_ID,
            "plotly_no_inline_class": assets.NO_INLINE_CLASS,
            "plotly_unused_style_ids": assets.unused_style_ids(),
            "dashboard_endpoints": current_app.view_functions.keys()}


bp.context_processor(asset_urls)


def chart_numbers() -> dict:
    """How a chart writes numbers in the request's language: one-decimal values, whole counts, and
    plotly's decimal and thousands separators."""
    locale = get_babel_locale()
    language = current_locale()
    return {"format_number": number_formatter(language, "0.0"),
            "format_count": number_formatter(language, "#,##0"),
            "separators": get_decimal_symbol(locale) + get_group_symbol(locale)}


def thresholds() -> dict[str, int]:
    """The small-sample and peer-group thresholds, for the pages' explanations."""
    config = current_app.config
    return {"shown_min": config["MIN_RESPONSES_SHOWN"], "ranked_min": config["MIN_RESPONSES_RANKED"],
            "min_peer_group": config["MIN_PEER_GROUP"]}


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
