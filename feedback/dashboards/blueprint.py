"""The dashboards' blueprint and what its page modules share: the CLI group, the asset context,
how charts write numbers and the sample thresholds (the CSV downloads are dashboards.downloads).
The page modules (views, comment_views, dimension_views, question_views, trend_views, …) add their
routes to `bp`; the app factory imports them, and nothing imports a page module back."""

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import Blueprint, current_app
from flask_babel import get_locale as get_babel_locale

from feedback.core.i18n import current_locale, number_formatter
from feedback.dashboards import assets
from feedback.dashboards.cli import rebuild_summary_command

bp = Blueprint("dashboards", __name__, url_prefix="/dashboard")
# `flask dashboards …` (a blueprint's commands are grouped under its name).
bp.cli.add_command(rebuild_summary_command)


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
