"""Organizers' pages: the officers of their subtree (list, add, edit, desk plates) and the kiosk
tablets (pairing codes with their QR, officer on duty, revocation)."""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from feedback.accounts.authz import agency_filter, can_access, roles_required, visible_agencies
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.agencies.services import find_agency
from feedback.audit.services import record
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.core.qr import qr_svg_inline
from feedback.counters.forms import OfficerForm, OnDutyForm, PairingForm
from feedback.counters.kiosks import devices_in, new_pairing, revoke
from feedback.counters.models import KioskDevice, Officer
from feedback.counters.officers import (
    counter_officers,
    find_officer,
    officers_in,
    set_pin,
    shifts_of,
    start_shift,
)
from feedback.extensions import db

bp = Blueprint("counters_manage", __name__, url_prefix="/manage")
PLATE_SIZES = ("a6", "a5")


def _agency_choices(form) -> None:
    """Offer the active agencies of the organizer's subtrees, counters first in tree order."""
    agencies = db.session.scalars(
        visible_agencies(current_user, Role.ORGANIZER).where(Agency.active.is_(True))
    )
    form.agency.choices = [("", _("Choose an agency"))] + [
        (a.code, f"{'— ' * a.depth}{a.name(current_locale())} ({a.code})") for a in agencies
    ]


def _ours_or_404(found):
    """`found` (an officer or a kiosk) when it is at an agency of the organizer's subtrees; 404
    otherwise, the same whether or not it exists."""
    if found is None or not can_access(current_user, found.agency, Role.ORGANIZER):
        abort(404)
    return found


def _officer_or_404(code: str) -> Officer:
    """An officer of the organizer's subtrees; 404 otherwise."""
    return _ours_or_404(find_officer(code))


@bp.route("/officers/", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def officers():
    """The officers of the organizer's subtrees; on POST add one."""
    form = OfficerForm()
    _agency_choices(form)
    status = 200
    if request.method == "POST":
        code = (form.code.data or "").strip().upper()
        if form.validate_on_submit() and find_officer(code) is None:
            officer = Officer(
                code=code,
                full_name=form.full_name.data,
                title=form.title.data or "",
                agency_id=find_agency(form.agency.data).id,
                active=form.active.data,
            )
            db.session.add(officer)
            set_pin(officer, form.pin.data)
            db.session.flush()
            record("officer.create", officer, code=code, agency=form.agency.data)
            db.session.commit()
            flash(_("Officer %(code)s added.", code=code), "success")
            return redirect(url_for(".officers"), code=303)
        if form.code.data and find_officer(code) is not None:
            form.code.errors = [*form.code.errors, _("This code is taken; choose another.")]
        status = 422
    rows = officers_in(agency_filter(current_user, Role.ORGANIZER))
    return render_template("counters/officers.html", form=form, officers=rows), status


@bp.route("/officers/<code>", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def officer(code: str):
    """One officer: edit name, title, counter, active and PIN; their latest shifts."""
    found = _officer_or_404(code)
    form = OfficerForm(obj=found) if request.method == "GET" else OfficerForm()
    _agency_choices(form)
    if request.method == "GET":
        form.agency.data = found.agency.code
    status = 200
    if request.method == "POST":
        form.code.data = found.code  # codes are printed on plates: never changed
        if form.validate_on_submit():
            found.full_name, found.title = form.full_name.data, form.title.data or ""
            found.agency_id, found.active = find_agency(form.agency.data).id, form.active.data
            if form.pin.data:
                set_pin(found, form.pin.data)
            record("officer.update", found, code=found.code)
            db.session.commit()
            flash(_("Officer %(code)s saved.", code=found.code), "success")
            return redirect(url_for(".officers"), code=303)
        status = 422
    return render_template("counters/officer.html", form=form, officer=found, shifts=shifts_of(found)), status


@bp.route("/officers/<code>/plate")
@roles_required(Role.ORGANIZER)
def plate(code: str):
    """The officer's desk plate, A6 or A5, for printing: name, title, counter and the QR to /o/<code>."""
    found = _officer_or_404(code)
    size = request.args.get("size", "a6")
    if size not in PLATE_SIZES:
        size = "a6"
    url = url_for("counters.rate", code=found.code, _external=True)
    return render_template(
        "counters/plate.html",
        officer=found,
        size=size,
        url=url,
        qr=Markup(qr_svg_inline(url)),
        locale=current_locale(),
    )


def _pairing_form() -> PairingForm:
    """The pairing form with the organizer's counters offered."""
    form = PairingForm()
    _agency_choices(form)
    return form


def _device_or_404(device_id: int) -> KioskDevice:
    """A kiosk of the organizer's subtrees; 404 otherwise."""
    return _ours_or_404(db.session.get(KioskDevice, device_id))


@bp.route("/kiosks/", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def kiosks():
    """The tablets of the organizer's subtrees with their last contact; on POST a pairing code
    (shown once, with its QR, never stored in clear)."""
    form = _pairing_form()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            device, code = new_pairing(
                find_agency(form.agency.data), form.name.data, actor=current_user._get_current_object()
            )
            db.session.commit()
            url = url_for("kiosk.screen", _external=True)
            response = make_response(
                render_template(
                    "counters/kiosk_code.html",
                    device=device,
                    code=code,
                    url=url,
                    qr=Markup(qr_svg_inline(url)),
                ),
                201,
            )
            response.headers["Cache-Control"] = "no-store"
            return response
        status = 422
    devices = devices_in(agency_filter(current_user, Role.ORGANIZER))
    duty_forms = {}
    for device in devices:
        duty = OnDutyForm(prefix=f"d{device.id}")
        duty.officer.choices = [("", _("Choose an officer"))] + [
            (str(o.id), o.full_name) for o in counter_officers(device.agency_id)
        ]
        duty_forms[device.id] = duty
    return render_template("counters/kiosks.html", form=form, devices=devices, duty_forms=duty_forms), status


@bp.route("/kiosks/<int:device_id>/revoke", methods=["POST"])
@roles_required(Role.ORGANIZER)
def revoke_kiosk(device_id: int):
    """Revoke a tablet: its token stops working at once."""
    device = _device_or_404(device_id)
    if revoke(device, actor=current_user._get_current_object()):
        db.session.commit()
        flash(_("The tablet “%(name)s” is revoked.", name=device.name), "success")
    return redirect(url_for(".kiosks"), code=303)


@bp.route("/kiosks/<int:device_id>/on-duty", methods=["POST"])
@roles_required(Role.ORGANIZER)
def on_duty(device_id: int):
    """The organizer puts an officer of the tablet's counter on duty there."""
    device = _device_or_404(device_id)
    form = OnDutyForm(prefix=f"d{device.id}")
    officer_id = request.form.get(f"d{device.id}-officer", type=int)
    officer = db.session.scalar(
        select(Officer).where(Officer.id == (officer_id or 0), Officer.agency_id == device.agency_id)
    )
    if not form.validate_on_submit() or officer is None:
        flash(_("Choose an officer of this counter."), "error")
        return redirect(url_for(".kiosks"), code=303)
    start_shift(officer, device)
    record("kiosk.on_duty", device, officer=officer.code)
    db.session.commit()
    flash(_("%(name)s is on duty at “%(device)s”.", name=officer.full_name, device=device.name), "success")
    return redirect(url_for(".kiosks"), code=303)
