"""Organizers' rating-set pages: the set each agency of their subtree uses, and the editor of an
agency's own set. A set that has ratings is frozen: saving adds a version used from then on, and
the ratings already given keep the version they were given under (ratesets.save_set)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from feedback.accounts.authz import get_agency_or_404, roles_required, visible_agencies
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.audit.services import record
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.counters.rateset_form import read_form, resized, rows_of
from feedback.counters.ratesets import applying_sets, default_values, save_set, set_for, versions_of
from feedback.extensions import db

bp = Blueprint("ratesets_manage", __name__, url_prefix="/manage/rating-sets")


@bp.route("/")
@roles_required(Role.ORGANIZER)
def index():
    """The active agencies of the organizer's subtrees, each with the set it uses and where from."""
    agencies = list(
        db.session.scalars(visible_agencies(current_user, Role.ORGANIZER).where(Agency.active.is_(True)))
    )
    applying = applying_sets(agencies)
    owners = {s.agency_id for s in applying.values() if s is not None}
    names = {a.id: a for a in agencies}
    missing = owners - names.keys()
    if missing:
        names.update({a.id: a for a in db.session.scalars(db.select(Agency).where(Agency.id.in_(missing)))})
    return render_template(
        "counters/rating_sets.html",
        agencies=agencies,
        applying=applying,
        owners=names,
        default_count=len(default_values()["levels"]),
        locale=current_locale(),
    )


@bp.route("/<agency_code>", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def edit(agency_code: str):
    """Edit the agency's own set (starting from the one it uses now). "Show these answers" redraws
    the rows for another number of answers; "Save" checks everything and saves, as a new version
    when the set in use has ratings."""
    agency = get_agency_or_404(agency_code, Role.ORGANIZER)
    current = set_for(agency)
    own = current if current.agency_id == agency.id else None
    errors: list[tuple[str, str]] = []
    status = 200
    if request.method == "GET":
        rows = rows_of(_columns(current))
    elif request.form.get("action") == "resize" and request.form.get("count") != request.form.get("shown"):
        # Enter in a text field presses the first button, "Show these answers": with the number
        # unchanged it saves.
        rows = resized(request.form)
    else:
        rows, values, errors = read_form(request.form)
        if values is not None:
            saved = save_set(agency, values)
            record("rating_set.save", saved, agency=agency.code, number=saved.number)
            db.session.commit()
            if own is not None and saved.id != own.id:
                flash(
                    _(
                        "Saved as version %(number)d, used from now on. Ratings already given keep version "
                        "%(old)d.",
                        number=saved.number,
                        old=own.number,
                    ),
                    "success",
                )
            else:
                flash(
                    _("The rating set of %(agency)s is saved.", agency=agency.name(current_locale())),
                    "success",
                )
            return redirect(url_for(".edit", agency_code=agency.code), code=303)
        status = 422
    db.session.commit()  # the default set, made on first use
    return render_template(
        "counters/rating_set.html",
        agency=agency,
        current=current,
        own=own,
        versions=versions_of(agency),
        current_owner_name=current.agency_id
        and db.session.get(Agency, current.agency_id).name(current_locale()),
        rows=rows,
        errors=errors,
        field_errors=_by_field(errors),
        locale=current_locale(),
    ), status


def _by_field(errors: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The messages of each field id, to show beside the field."""
    found: dict[str, list[str]] = {}
    for field_id, message in errors:
        found.setdefault(field_id, []).append(message)
    return found


def _columns(rating_set) -> dict:
    """A set's editable columns."""
    names = default_values().keys()
    return {name: getattr(rating_set, name) for name in names}
