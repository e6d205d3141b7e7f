"""A conference's registrants: the searchable list, its CSV and XLSX exports, cancelling one."""

from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from feedback.accounts.authz import roles_required
from feedback.accounts.models import Role
from feedback.audit.services import record
from feedback.core.dates import local_zone
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.core.spreadsheets import CSV_MIMETYPE
from feedback.dialogues.access import get_managed_conference_or_404
from feedback.dialogues.manage import exports, services
from feedback.dialogues.manage.blueprint import bp
from feedback.dialogues.manage.forms import REPRESENTING_LABELS
from feedback.dialogues.messages import Kind
from feedback.dialogues.notices import notify_registration
from feedback.dialogues.registrations import RegistrationRefused
from feedback.dialogues.registrations import cancel as cancel_registration
from feedback.extensions import db

EXPORT_TYPES = {
    "csv": CSV_MIMETYPE,
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _filters():
    """The list's search and status filter from the query string."""
    return services.parse_registrant_filters(request.args)


@bp.route("/<int:conference_id>/registrants")
@roles_required(Role.ORGANIZER)
def registrants(conference_id: int):
    """Who signed up: search by name, phone or ticket code, filter by status, in pages."""
    conference = get_managed_conference_or_404(conference_id)
    filters = _filters()
    page = services.page_number(request.args.get("page"))
    rows, total = services.registrant_page(conference, filters, page)
    return render_template(
        "dialogues/manage/registrants.html", conference=conference, rows=rows, total=total, page=page,
        page_size=services.REGISTRANT_PAGE_SIZE, filters=filters, args=filters.args(),
        statuses=services.REGISTRANT_FILTERS, counts=services.registration_counts(conference),
        representing_labels=REPRESENTING_LABELS, national_phone=exports.national_phone,
        locale=current_locale(),
    ), 400 if filters.errors else 200


@bp.route("/<int:conference_id>/registrants/export.<fmt>")
@roles_required(Role.ORGANIZER)
def export_registrants(conference_id: int, fmt: str):
    """Exactly the filtered list (every page) as CSV or XLSX; the export is audited before it is sent."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    conference = get_managed_conference_or_404(conference_id)
    filters = _filters()
    rows = list(db.session.scalars(services.registrant_query(conference, filters)))
    record("registrations.exported", conference, format=fmt, count=len(rows), filters=filters.args())
    db.session.commit()
    zone = local_zone()
    if fmt == "csv":
        data = exports.csv_bytes(rows, zone)
    else:
        data = exports.xlsx_bytes(rows, zone, conference.title(current_locale()))
    name = f"registrants-{conference.id}-{datetime.now(zone):%Y%m%d-%H%M}.{fmt}"
    response = Response(data, mimetype=EXPORT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # Personal data: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:conference_id>/registrants/<int:registration_id>/cancel", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def cancel_registrant(conference_id: int, registration_id: int):
    """Cancel one registration after a confirmation; the person, and whoever takes the freed seat,
    are notified."""
    conference = get_managed_conference_or_404(conference_id)
    registration = services.get_registration_or_none(conference, registration_id)
    if registration is None:
        abort(404)
    back = url_for("dialogue_manage.registrants", conference_id=conference.id, **_filters().args())
    if request.method == "GET":
        return render_template("dialogues/manage/cancel_registrant.html", conference=conference,
                               registration=registration, back=back, args=_filters().args(),
                               national_phone=exports.national_phone, locale=current_locale())
    try:
        promoted = cancel_registration(registration)
    except RegistrationRefused as refused:
        db.session.rollback()
        message = (_("This person has already been checked in; an attended registration cannot be "
                     "cancelled.") if refused.reason == "attended"
                   else _("This registration was already cancelled."))
        flash(message, "error")
        return redirect(back, code=303)
    notify_registration(registration, Kind.REGISTRATION_CANCELLED)
    if promoted is not None:
        notify_registration(promoted, Kind.REGISTRATION_PROMOTED)
    record("registration.cancelled", registration, actor=current_user, conference=conference.id,
           promoted=promoted.id if promoted is not None else None)
    db.session.commit()
    flash(_("The registration of %(name)s is cancelled.", name=registration.full_name or "—"), "success")
    if promoted is not None:
        flash(_("%(name)s moved from the waiting list to the freed seat and is being notified.",
                name=promoted.full_name or "—"), "success")
    return redirect(back, code=303)

