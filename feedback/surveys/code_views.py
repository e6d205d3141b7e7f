"""Organizers' pages for one-time codes: generate a batch, list batches, print a sheet, export CSV."""

from datetime import date, datetime, time

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user

from feedback.accounts.authz import agency_filter, can_access, get_agency_or_404, roles_required
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.audit.services import record
from feedback.core.codes import grouped
from feedback.core.dates import local_zone
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.core.public_urls import public_base_url
from feedback.core.qr import qr_svg_inline
from feedback.core.spreadsheets import CSV_MIMETYPE, csv_document
from feedback.extensions import db
from feedback.surveys.code_forms import MAX_BATCH, GenerateCodesForm
from feedback.surveys.codes import (
    agencies_with_live_survey,
    batch_codes,
    batch_summaries,
    code_url,
    generate_batch,
    live_deployment_at,
)
from feedback.surveys.models import AccessMode, SurveyCode

bp = Blueprint("survey_codes", __name__, url_prefix="/manage/codes")

BATCHES_PER_PAGE = 50
CSV_COLUMNS = ("code", "url", "agency_code", "expires_at", "redeemed_on")



def _end_of_day(day: date) -> datetime:
    """The last second of `day` in the app's time zone: a code "valid until" a date works all that day."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=local_zone())


def _choices(pairs) -> list[tuple[str, str]]:
    """Select options for the agencies with a live survey, saying how citizens reach each."""
    modes = {AccessMode.OPEN: _("public link and codes"), AccessMode.CODE: _("codes only")}
    return [(agency.code, f"{agency.name(current_locale())} ({agency.code}): {modes[deployment.access_mode]}")
            for agency, deployment in pairs]


@bp.route("/")
@roles_required(Role.ORGANIZER)
def index():
    """The batches made for the caller's agencies, newest first, with how many codes were used."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = batch_summaries(agency_filter(current_user, Role.ORGANIZER), limit=BATCHES_PER_PAGE + 1,
                           offset=(page - 1) * BATCHES_PER_PAGE)
    return render_template("surveys/codes/index.html", batches=rows[:BATCHES_PER_PAGE], page=page,
                           has_next=len(rows) > BATCHES_PER_PAGE)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def new():
    """Generate a batch of codes for an agency with a live survey, then show its sheet."""
    today = datetime.now(local_zone()).date()
    form = GenerateCodesForm(today=today)
    pairs = agencies_with_live_survey(agency_filter(current_user, Role.ORGANIZER))
    form.agency.choices = [("", _("Choose an agency"))] + _choices(pairs)
    asked = form.agency.data if request.method == "POST" else request.args.get("agency")
    agency = get_agency_or_404(asked, Role.ORGANIZER) if asked else None
    if request.method == "GET" and agency is not None:
        form.agency.data = agency.code

    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        deployment = live_deployment_at(agency) if agency is not None else None
        if agency is not None and deployment is None:
            form.agency.errors = [*form.agency.errors, _(
                "%(agency)s has no survey taking responses now. Deploy one first.",
                agency=agency.name(current_locale()))]
            valid = False
        if valid:
            expires_at = _end_of_day(form.expires_on.data) if form.expires_on.data else None
            batch, codes = generate_batch(deployment, form.count.data, expires_at=expires_at,
                                          created_by_id=current_user.id)
            record("codes.generate", deployment, batch=batch, agency=agency.code, count=len(codes),
                   expires_at=expires_at.isoformat() if expires_at else None)
            db.session.commit()
            flash(_("%(count)s codes were made for %(agency)s.", count=len(codes),
                    agency=agency.name(current_locale())), "success")
            return redirect(url_for(".batch", batch=batch), code=303)
        status = 422
    return render_template("surveys/codes/new.html", form=form, has_agencies=bool(pairs),
                           max_batch=MAX_BATCH), status


def _batch_or_404(batch: str) -> list[SurveyCode]:
    """The codes of `batch` if the caller organizes its agency; 404 otherwise (existence not leaked)."""
    codes = batch_codes(batch) if len(batch) <= 32 else []
    if not codes or not can_access(current_user, codes[0].agency, Role.ORGANIZER):
        abort(404)
    return codes


def _exported(batch: str, form: str) -> tuple[list[SurveyCode], Agency, str]:
    """The codes of `batch` (404 unless the caller organizes its agency), their agency and the
    public base of their addresses; the export is audited and committed before it is drawn."""
    codes = _batch_or_404(batch)
    agency = codes[0].agency
    record("codes.export", agency, batch=batch, format=form, count=len(codes))
    db.session.commit()
    return codes, agency, public_base_url()


@bp.route("/batches/<batch>")
@roles_required(Role.ORGANIZER)
def batch(batch: str):
    """The printable sheet of a batch: one slip per code, with its short address."""
    codes, agency, base = _exported(batch, "sheet")
    # The slips go to citizens, so they are printed in Vietnamese whatever language the staff reads.
    with force_locale("vi"):
        slip = {"title": _("Rate the service you received"), "go": _("Open this address:"),
                "once": _("This code works once."), "until": _("Valid until"),
                "qr": _("QR code of this slip's address")}
    used = sum(1 for c in codes if c.redeemed_on is not None)
    return render_template("surveys/codes/batch.html", batch=batch, agency=agency, codes=codes,
                           used=used, url_of=lambda c: code_url(c.code, base), grouped=grouped,
                           slip=slip, qr_of=lambda c: qr_svg_inline(code_url(c.code, base)))


def _local_iso(value: datetime | None) -> str:
    """A timestamp in the app's time zone, ISO 8601 with its offset (empty when missing)."""
    return value.astimezone(local_zone()).isoformat(timespec="seconds") if value else ""


@bp.route("/batches/<batch>/codes.csv")
@roles_required(Role.ORGANIZER)
def batch_csv(batch: str):
    """The batch as CSV (UTF-8 with a byte-order mark, so Excel reads Vietnamese correctly)."""
    codes, agency, base = _exported(batch, "csv")
    data = csv_document([CSV_COLUMNS, *(
        (code.code, code_url(code.code, base), agency.code, _local_iso(code.expires_at),
         code.redeemed_on.isoformat() if code.redeemed_on else "") for code in codes)])
    return Response(data, mimetype=CSV_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="codes-{agency.code}-{batch}.csv"',
        "Cache-Control": "no-store",
    })
