"""The procedures list of an agency (/manage/procedures/): organizers see, add, take off and
import from CSV the administrative procedures citizens pick from (blueprint "procedures")."""

import csv
import io

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from feedback.accounts.authz import get_agency_or_404, roles_required, visible_agencies
from feedback.accounts.models import Role
from feedback.agencies.procedures import (
    CODE_PATTERN,
    NAME_MAX,
    Procedure,
    agency_procedures,
    import_procedures,
    set_procedure_active,
)
from feedback.core.forms import CleanForm
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.extensions import db

bp = Blueprint("procedures", __name__, url_prefix="/manage/procedures")
MAX_CSV_BYTES = 1024 * 1024


class ProcedureForm(CleanForm):
    """One procedure typed by hand; the code may be left empty."""

    code = StringField(_l("National procedure code (optional)"), validators=[
        Optional(), Regexp(CODE_PATTERN, message=_l("Write the code as printed, for example 1.001193."))])
    name_vi = StringField(_l("Name in Vietnamese"), validators=[
        DataRequired(_l("Please write the procedure's name.")), Length(max=NAME_MAX)])
    name_en = StringField(_l("Name in English (optional)"), validators=[Optional(), Length(max=NAME_MAX)])


class ImportForm(CleanForm):
    """A CSV file of procedures, or its text pasted."""

    file = FileField(_l("CSV file"))
    text = TextAreaField(_l("… or paste the CSV here"))


@bp.route("/")
@roles_required(Role.ORGANIZER)
def index():
    """The agencies whose lists the organizer keeps, each with its number of procedures."""
    agencies = list(db.session.scalars(visible_agencies(current_user, Role.ORGANIZER)))
    counts = dict(db.session.execute(
        select(Procedure.agency_id, db.func.count()).where(Procedure.active.is_(True))
        .group_by(Procedure.agency_id)).all())
    return render_template("agencies/procedures_index.html", agencies=agencies, counts=counts,
                           locale=current_locale())


def _render(agency, form=None, import_form=None, errors=(), status=200):
    """An agency's list with the add and import forms."""
    return render_template(
        "agencies/procedures.html", agency=agency, procedures=agency_procedures(agency),
        form=form or ProcedureForm(formdata=None), import_form=import_form or ImportForm(formdata=None),
        errors=list(errors), locale=current_locale()), status


@bp.route("/<code>", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def agency_list(code: str):
    """One agency's procedures; a POST adds one (the same line written again updates it)."""
    agency = get_agency_or_404(code, Role.ORGANIZER)
    if request.method == "GET":
        return _render(agency)
    form = ProcedureForm()
    if not form.validate_on_submit():
        return _render(agency, form=form, status=422)
    line = io.StringIO()
    line.write("code,name_vi,name_en\n")

    csv.writer(line).writerow([form.code.data or "", form.name_vi.data, form.name_en.data or ""])
    report = import_procedures(agency, io.StringIO(line.getvalue()), actor=current_user)
    if report.errors:
        db.session.rollback()
        return _render(agency, form=form, errors=report.errors, status=422)
    db.session.commit()
    flash(_("The procedure is on the list."), "success")
    return redirect(url_for("procedures.agency_list", code=agency.code), code=303)


@bp.route("/<code>/import", methods=["POST"])
@roles_required(Role.ORGANIZER)
def import_csv(code: str):
    """Import a CSV (code, name_vi, name_en, active): all rows or none, every bad row named."""
    agency = get_agency_or_404(code, Role.ORGANIZER)
    form = ImportForm()
    if not form.validate_on_submit():
        return _render(agency, import_form=form, status=422)
    upload = request.files.get(form.file.name)
    raw = upload.read(MAX_CSV_BYTES + 1) if upload and upload.filename else (form.text.data or "").encode()
    if not raw.strip():
        return _render(agency, import_form=form, errors=[_("Please choose a CSV file or paste it.")],
                       status=422)
    if len(raw) > MAX_CSV_BYTES:
        return _render(agency, import_form=form, errors=[_("The file is too large.")], status=422)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _render(agency, import_form=form, errors=[_("The file is not UTF-8 text.")], status=422)
    report = import_procedures(agency, io.StringIO(text), actor=current_user)
    if report.errors:
        db.session.rollback()
        return _render(agency, import_form=form, errors=report.errors, status=422)
    db.session.commit()
    flash(_("Imported: %(created)s added, %(updated)s updated.", created=report.created,
            updated=report.updated), "success")
    return redirect(url_for("procedures.agency_list", code=agency.code), code=303)


@bp.route("/<code>/<int:procedure_id>/active", methods=["POST"])
@roles_required(Role.ORGANIZER)
def toggle(code: str, procedure_id: int):
    """Take a procedure off the list, or put it back (kept, so old responses keep their name)."""
    agency = get_agency_or_404(code, Role.ORGANIZER)
    procedure = db.session.get(Procedure, procedure_id)
    if procedure is None or procedure.agency_id != agency.id:
        return _render(agency, status=404)
    set_procedure_active(procedure, request.form.get("active") == "1", actor=current_user)
    db.session.commit()
    return redirect(url_for("procedures.agency_list", code=agency.code), code=303)
