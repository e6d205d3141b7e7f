"""/dashboard/officers: the officers of the viewer's subtree ranked by their counter index (with
intervals and n; unranked under MIN_RESPONSES_RANKED), one officer's trend by week or month and
the reasons ticked, with CSV (every download of officers' results is audited: personal data).
Also the counter index partial of the overview and of an agency's drill-down."""

from flask import abort, request
from flask import render_template as render
from flask_login import current_user
from sqlalchemy import and_

from feedback.accounts.authz import agency_filter, can_access, roles_required
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.audit.services import record
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.counters.officers import find_officer
from feedback.counters.ratesets import reason_label, set_for
from feedback.dashboards import counter_index
from feedback.dashboards.blueprint import bp
from feedback.dashboards.downloads import csv_requested, csv_response, decimal, interval_header, status_word
from feedback.dashboards.scope import current_view
from feedback.extensions import db

GRAINS = ("week", "month")


@bp.app_template_global("counter_index_rows")
def counter_index_rows(view, agency: Agency | None = None):
    """The counter index of the agencies in the view (or in `agency`'s subtree) for the partial."""
    clause = (
        view.clause
        if agency is None
        else and_(agency_filter(current_user, Role.LEADER), Agency.in_subtree(agency.path))
    )
    return counter_index.agency_counter_indices(clause, view.filters.date_from, view.filters.date_to)


@bp.app_template_global("counter_officer_rows")
def counter_officer_rows(view, agency: Agency):
    """The officers of a counter with their index, for the drill-down (leaders of its subtree)."""
    clause = and_(agency_filter(current_user, Role.LEADER), Agency.id == agency.id)
    return counter_index.officer_indices(clause, view.filters.date_from, view.filters.date_to)


def _ranking_rows(rows) -> list[list]:
    """The ranking as CSV rows, header first."""
    header = [
        _("Rank"),
        _("Officer code"),
        _("Officer"),
        _("Job title"),
        _("Agency code"),
        _("Satisfied (%%)").replace("%%", "%"),
        *interval_header(),
        _("Ratings"),
        _("Status"),
    ]
    return [
        header,
        *(
            [
                r.rank or "",
                r.code,
                r.name_vi,
                r.title,
                r.agency_code,
                decimal(r.rate),
                decimal(r.low),
                decimal(r.high),
                r.n,
                status_word(r.status),
            ]
            for r in rows
        ),
    ]


@bp.route("/officers")
@roles_required(Role.LEADER)
def officers():
    """The officers of the viewer's subtree, ranked; ?officer=<code> adds one officer's trend and reasons."""
    view = current_view()
    first, last = view.filters.date_from, view.filters.date_to
    rows = counter_index.officer_indices(view.clause, first, last)
    if csv_requested(("officers",)):
        record(
            "officers.export",
            scope=view.agency.code if view.agency else "all",
            date_from=first.isoformat(),
            date_to=last.isoformat(),
            rows=len(rows),
        )
        db.session.commit()
        return csv_response("officers", "officers", view, _ranking_rows(rows))
    grain = request.args.get("grain", "week")
    grain = grain if grain in GRAINS else "week"
    chosen = None
    trend, reasons = [], []
    if request.args.get("officer"):
        chosen = find_officer(request.args["officer"])
        if chosen is None or not can_access(current_user, chosen.agency, Role.LEADER):
            abort(404)
        trend = counter_index.officer_trend(chosen.id, first, last, grain)
        rating_set = set_for(chosen.agency)
        locale = current_locale()
        reasons = [
            (reason_label(rating_set, key, locale), count)
            for key, count in counter_index.reason_counts(chosen.id, first, last)
        ]
    return render(
        "dashboards/officers.html",
        view=view,
        filters=view.filters,
        rows=rows,
        chosen=chosen,
        trend=trend,
        reasons=reasons,
        grain=grain,
        grains=GRAINS,
    )
