"""Dashboard pages: agency indices for a leader's subtrees, one agency's detail, plotly.js assets."""

from babel.numbers import get_decimal_symbol, get_group_symbol, parse_pattern
from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_babel import get_locale as get_babel_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_

from feedback.accounts.authz import agency_filter, get_agency_or_404, roles_required
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.core.i18n import current_locale
from feedback.dashboards import assets, charts, metrics
from feedback.dashboards.cli import rebuild_summary_command
from feedback.dashboards.scope import current_view

bp = Blueprint("dashboards", __name__, url_prefix="/dashboard")
# `flask dashboards …` (a blueprint's commands are grouped under its name).
bp.cli.add_command(rebuild_summary_command)

ONE_YEAR = 365 * 24 * 3600


def asset_urls():
    """The plotly.js version, so dashboard templates can build the versioned asset URLs, and the
    endpoints that exist, so the page navigation links only to pages this app serves."""
    return {"plotly_version": assets.PLOTLY_VERSION, "plotly_style_id": assets.STYLE_ELEMENT_ID,
            "plotly_no_inline_class": assets.NO_INLINE_CLASS,
            "plotly_unused_style_ids": assets.unused_style_ids(),
            "dashboard_endpoints": current_app.view_functions.keys()}


bp.context_processor(asset_urls)


def _formatter(pattern: str):
    """A number formatter for the request's locale, as flask_babel.format_decimal formats, with
    the pattern parsed once rather than for each of a chart's thousands of numbers."""
    locale, parsed = get_babel_locale(), parse_pattern(pattern)
    return lambda value: parsed.apply(value, locale)


def _chart(indices: list[metrics.AgencyIndex]) -> dict | None:
    """The agency index chart in the page's language, or None when no agency has enough responses."""
    if not any(i.status != metrics.HIDDEN for i in indices):
        return None
    locale = current_locale()
    text = charts.ChartText(
        axis_title=_("Satisfaction index (0–100)"),
        ranked=_("Ranked"),
        thin=_("Few responses, not ranked"),
        index=_("Index"),
        interval=_("%(level)s interval", level="95%"),
        responses=_("Responses"),
    )
    return charts.agency_index_chart(
        indices, locale=locale, text=text,
        format_number=_formatter("0.0"), format_count=_formatter("#,##0"),
        separators=get_decimal_symbol(locale) + get_group_symbol(locale),
    )


def _thresholds() -> dict[str, int]:
    """The small-sample thresholds, for the page's explanations."""
    return {"shown_min": current_app.config["MIN_RESPONSES_SHOWN"],
            "ranked_min": current_app.config["MIN_RESPONSES_RANKED"]}


@bp.route("/")
@roles_required(Role.LEADER)
def index():
    """The index of every agency in the chosen subtrees: chart, table, dimensions, questions."""
    view = current_view()
    indices = metrics.agency_indices(view.clause, **view.window)
    return render_template(
        "dashboards/index.html", view=view, filters=view.filters, figure=_chart(indices),
        rows=metrics.display_order(indices), overall=metrics.pooled_index(indices),
        dimensions=metrics.dimension_rates(view.clause, **view.window),
        questions=metrics.question_rates(view.clause, **view.window), **_thresholds(),
    )


@bp.route("/agencies/<code>")
@roles_required(Role.LEADER)
def agency(code: str):
    """One agency: its index, dimension rates and question rates; optionally with those under it."""
    agency = get_agency_or_404(code, Role.LEADER)
    view = current_view()
    has_sub = metrics.has_sub_agencies(agency)
    include_sub = has_sub and request.args.get("sub") == "1"
    own = Agency.in_subtree(agency.path) if include_sub else Agency.id == agency.id
    # The grant already covers the subtree; the leader's filter is repeated as a second lock.
    scope = and_(agency_filter(current_user, Role.LEADER), own)
    window = view.window
    indices = metrics.agency_indices(scope, **window)
    return render_template(
        "dashboards/agency.html", agency=agency, view=view, filters=view.filters, has_sub=has_sub,
        include_sub=include_sub, overall=metrics.pooled_index(indices),
        figure=_chart(indices) if include_sub else None,
        rows=metrics.display_order(indices) if include_sub else [],
        dimensions=metrics.dimension_rates(scope, **window),
        questions=metrics.question_rates(scope, **window), **_thresholds(),
    )


def _immutable(response):
    """Mark a versioned asset cacheable by anyone for a year, never revalidated."""
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    return response


@bp.route("/assets/plotly-<version>.min.js")
def plotly_js(version: str):
    """The plotly.js bundle of the installed plotly package; the URL changes with its version."""
    if version != assets.PLOTLY_VERSION:
        abort(404)  # an old URL must not get new content cached under it for a year
    return _immutable(send_file(assets.PLOTLY_JS, mimetype="text/javascript", max_age=ONE_YEAR))


@bp.route("/assets/plotly-<version>.css")
def plotly_css(version: str):
    """plotly.js's base styles as a stylesheet, so the page needs no inline <style> (CSP)."""
    if version != assets.PLOTLY_VERSION:
        abort(404)
    response = current_app.response_class(assets.plotly_stylesheet(), mimetype="text/css")
    return _immutable(response)
