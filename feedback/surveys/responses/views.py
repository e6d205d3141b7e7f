"""Staff pages for survey responses: the filtered list, one response, review, CSV and XLSX export."""

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from feedback.accounts.authz import get_agency_or_404, roles_required
from feedback.audit.services import record
from feedback.core.dates import local_zone
from feedback.core.i18n import current_locale, ngettext
from feedback.core.i18n import gettext as _
from feedback.core.spreadsheets import CSV_MIMETYPE
from feedback.extensions import db
from feedback.surveys.responses import exports, services

bp = Blueprint("responses", __name__, url_prefix="/manage/responses")

EXPORT_TYPES = {
    "csv": CSV_MIMETYPE,
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}



def _list_args() -> dict[str, str]:
    """The list's filters and page as given in the URL, to lead back to the same list."""
    names = (*services.FILTER_ARGS, "page")
    return {name: request.args[name][:100] for name in names if request.args.get(name)}


@bp.route("/")
@roles_required(*services.READERS)
def index():
    """The responses of the user's subtrees, newest first, filtered by the query string."""
    surveys = services.survey_choices(current_user)
    return _list_page(services.parse_filters(request.args, current_user, surveys), surveys)


def _list_page(filters: services.ResponseFilters, surveys: list):
    """The list page for `filters`: its messages first, then the matching responses."""
    messages = [str(error) for error in filters.errors]
    page_number, page_error = services.parse_page(request.args.get("page"))
    conditions = services.response_conditions(current_user, filters, local_zone())
    page, page_past_end = services.response_page(conditions, page_number)
    messages += [m for m in (page_error, page_past_end) if m]
    return render_template(
        "surveys/responses/list.html", filters=filters, messages=messages, page=page,
        held=services.held_bursts(current_user),
        agencies=services.agency_choices(current_user), surveys=surveys,
        flag_labels=services.flag_labels, args=filters.query_args(), locale=current_locale(),
    )


def _response_or_404(response_id: int):
    """The response if it lies in the user's subtrees; 404 otherwise (existence not leaked)."""
    response = services.visible_response(current_user, response_id)
    if response is None:
        abort(404)
    return response


@bp.route("/<int:response_id>")
@roles_required(*services.READERS)
def detail(response_id: int):
    """One response in full: every question in order with its answer, scores, flags, status."""
    response = _response_or_404(response_id)
    locale = current_locale()
    return render_template(
        "surveys/responses/detail.html", response=response, locale=locale,
        items=services.answer_items(response, locale),
        scores=services.dimension_scores(response, locale),
        flags=services.flag_labels(response.flags),
        can_review=services.can_review(current_user, response), back_args=_list_args(),
    )


def _review(response_id: int, change) -> object:
    """Apply `change` (restore or exclude) to a response the user organizes; back to its page."""
    response = _response_or_404(response_id)
    if not services.can_review(current_user, response):
        abort(403)
    if change is services.exclude and not response.flags:
        flash(_("Only a flagged response can be excluded."), "error")
    elif change(response, current_user):
        db.session.commit()
        flash(_("The response counts in the indices again.") if change is services.restore
              else _("The response is excluded from the indices again."), "success")
    else:
        flash(_("Nothing changed: the response was already in that state."), "info")
    return redirect(url_for("responses.detail", response_id=response.id, **_list_args()), code=303)


@bp.route("/<int:response_id>/restore", methods=["POST"])
@roles_required(*services.REVIEWERS)
def restore(response_id: int):
    """Count a flagged response in the indices again (organizers only; its flags are kept)."""
    return _review(response_id, services.restore)


@bp.route("/<int:response_id>/exclude", methods=["POST"])
@roles_required(*services.REVIEWERS)
def exclude(response_id: int):
    """Leave a flagged response out of the indices again (organizers only)."""
    return _review(response_id, services.exclude)


@bp.route("/held/<agency_code>/restore", methods=["POST"])
@roles_required(*services.REVIEWERS)
def restore_burst(agency_code: str):
    """Count again, in one go, the responses of an agency held for review after a burst
    (organizers of that agency only; each response keeps its flag)."""
    agency = get_agency_or_404(agency_code, *services.REVIEWERS)
    restored = services.restore_burst(agency, current_user)
    if restored:
        db.session.commit()
        flash(ngettext("%(num)s held response counts in the indices again.",
                       "%(num)s held responses count in the indices again.", restored), "success")
    else:
        flash(_("Nothing changed: no response of this agency is held for review."), "info")
    return redirect(url_for("responses.index", **_list_args()), code=303)


@bp.route("/export.<fmt>")
@roles_required(*services.READERS)
def export(fmt: str):
    """The filtered list as CSV (streamed) or XLSX, labels in the request's language (?lang=).

    The audit event is committed before the first byte is sent, so an export is never unrecorded.
    """
    if fmt not in EXPORT_TYPES:
        abort(404)
    surveys = services.survey_choices(current_user)
    filters = services.parse_filters(request.args, current_user, surveys)
    if filters.errors:
        # A filter the list page would drop (an agency not one of yours, a bad date) is not
        # dropped silently here: the file would hold more than was asked for. The list page
        # answers instead, with the same messages, and nothing is exported.
        return _list_page(filters, surveys)
    zone, locale = local_zone(), current_locale()
    conditions = services.response_conditions(current_user, filters, zone)
    count, max_id = exports.snapshot(conditions)
    record("responses.export", format=fmt, rows=count, lang=locale, filters=filters.audit_details())
    db.session.commit()
    plan = exports.plan_export(conditions, count, max_id, locale)
    name = f"responses-{filters.agency_code or 'all'}-{datetime.now(zone):%Y%m%d-%H%M}.{fmt}"
    if fmt == "csv":
        response = current_app.response_class(
            stream_with_context(exports.csv_chunks(plan, locale, zone)), mimetype=EXPORT_TYPES["csv"])
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        response = send_file(exports.xlsx_file(plan, locale, zone, zone.key), mimetype=EXPORT_TYPES["xlsx"],
                             as_attachment=True, download_name=name)
    # Personal to the signed-in user and possibly large: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response
