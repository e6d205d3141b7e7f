"""The attention page (/dashboard/attention) and the printable monthly report (/dashboard/report)."""

from flask import render_template, request
from flask_login import current_user

from feedback.accounts.authz import roles_required
from feedback.accounts.models import Role
from feedback.core.errors import render_error
from feedback.dashboards import attention, report
from feedback.dashboards.blueprint import bp, thresholds
from feedback.dashboards.scope import current_view


@bp.route("/attention", endpoint="attention")
@roles_required(Role.LEADER)
def attention_page():
    """Every agency of the chosen scope and period that needs attention, each saying why."""
    view = current_view()
    items = attention.attention_list(view.clause, view.window, view.previous_window)
    return render_template("dashboards/attention.html", view=view, filters=view.filters, attention=items,
                           **thresholds())


@bp.route("/report", endpoint="report")
@roles_required(Role.LEADER)
def report_page():
    """The monthly report of ?month=YYYY-MM (the last whole month by default) for the subtrees the
    viewer leads: headline figures and attention list, laid out to print on A4."""
    today = report.local_now().date()
    try:
        first = report.parse_month(request.args.get("month"), today)
    except ValueError:
        return render_error(400, report.BAD_MONTH)
    return render_template("dashboards/report.html", report=report.monthly_report(current_user, first),
                           **thresholds())
