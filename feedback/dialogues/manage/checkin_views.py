"""The check-in page used at the door on a phone: a ticket code, a walk-in, the live count."""

from flask import abort, jsonify, render_template, request
from flask_login import current_user

from feedback.accounts.authz import roles_required
from feedback.accounts.models import Role
from feedback.audit.services import record
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.dialogues.access import get_managed_conference_or_404, hosted_conference
from feedback.dialogues.manage import checkin, services
from feedback.dialogues.manage.blueprint import bp
from feedback.dialogues.manage.forms import REPRESENTING_LABELS, WalkInForm, error_list
from feedback.dialogues.models import Conference, Representing
from feedback.dialogues.registrations import RegistrationRefused
from feedback.extensions import db

# The status each outcome answers with: the page is shown either way, the code says what happened.
OUTCOME_STATUS = {
    checkin.Outcome.CHECKED_IN: 200,
    checkin.Outcome.INVALID: 422,
    checkin.Outcome.UNKNOWN: 404,
}


def _visible_conference(conference_id: int) -> Conference | None:
    """Another conference, if the signed-in organizer manages it too (so it may be named)."""
    return hosted_conference(conference_id, Role.ORGANIZER)


def _render(conference: Conference, *, result: checkin.CheckInResult | None = None,
            walk_in: WalkInForm | None = None, walk_in_created: bool | None = None,
            notice: str | None = None, status: int = 200):
    """The check-in page, with the outcome of the last ticket or walk-in when there is one."""
    other = None
    if result is not None and result.outcome == checkin.Outcome.OTHER_CONFERENCE:
        other = _visible_conference(result.registration.conference_id)
    walk_in = walk_in or WalkInForm(formdata=None)
    return render_template(
        "dialogues/manage/checkin.html", conference=conference, result=result, other=other,
        walk_in=walk_in, walk_in_errors=error_list(walk_in), walk_in_created=walk_in_created,
        notice=notice, failed=status >= 400, count=checkin.live_count(conference),
        open=conference.status in checkin.CHECK_IN_OPEN,
        representing_labels=REPRESENTING_LABELS, outcomes=checkin.Outcome, locale=current_locale(),
    ), status


def _closed(conference: Conference):
    """The page of a conference that takes no check-ins (draft, reported or cancelled), as a 409."""
    return _render(conference, status=409, notice=_(
        "Check-in is open only while the conference is published or held."))


@bp.route("/<int:conference_id>/check-in", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def check_in(conference_id: int):
    """Type or scan a ticket: the person is checked in at once, or told clearly why not."""
    conference = get_managed_conference_or_404(conference_id)
    if conference.status not in checkin.CHECK_IN_OPEN:
        return _closed(conference)
    if request.method == "GET":
        return _render(conference)
    result = checkin.check_in(conference, request.form.get("code", ""))
    db.session.commit()
    return _render(conference, result=result, status=OUTCOME_STATUS.get(result.outcome, 409))


@bp.post("/<int:conference_id>/check-in/walk-in")
@roles_required(Role.ORGANIZER)
def walk_in(conference_id: int):
    """Register someone at the door (consent recorded) and check them in when a seat is free."""
    conference = get_managed_conference_or_404(conference_id)
    if conference.status not in checkin.CHECK_IN_OPEN:
        return _closed(conference)
    form = WalkInForm()
    if not form.validate():
        return _render(conference, walk_in=form, status=422)
    try:
        registration, created, result = checkin.register_walk_in(
            conference, full_name=form.full_name.data.strip(), phone=form.phone.data,
            locality=(form.locality.data or "").strip() or None,
            representing=Representing(form.representing.data), locale=current_locale())
    except RegistrationRefused as refused:
        db.session.rollback()
        if refused.reason == "invalid_phone":
            form.phone.errors = [*form.phone.errors, _(
                "Please enter a Vietnamese phone number, for example 0912 345 678.")]
            return _render(conference, walk_in=form, status=422)
        return _render(conference, walk_in=form, status=409, notice=_(
            "This conference does not take registrations now."))
    if created:
        record("registration.walk_in", registration, actor=current_user, conference=conference.id,
               status=registration.status.value)
    db.session.commit()
    return _render(conference, result=result, walk_in_created=created,
                   status=200 if result.ok or created else OUTCOME_STATUS.get(result.outcome, 409))


@bp.post("/<int:conference_id>/check-in/<int:registration_id>/undo")
@roles_required(Role.ORGANIZER)
def undo_check_in(conference_id: int, registration_id: int):
    """Take back a check-in made by mistake (the seat stays the person's)."""
    conference = get_managed_conference_or_404(conference_id)
    registration = services.get_registration_or_none(conference, registration_id)
    if registration is None:
        abort(404)
    if checkin.undo_check_in(registration):
        record("registration.check_in_undone", registration, actor=current_user, conference=conference.id)
        db.session.commit()
        return _render(conference, notice=_("The check-in of %(name)s is undone.",
                                            name=registration.full_name or registration.ticket_code))
    db.session.rollback()
    return _render(conference, status=409, notice=_("This person is not checked in, so there is nothing "
                                                    "to undo."))


@bp.route("/<int:conference_id>/check-in/count.json")
@roles_required(Role.ORGANIZER)
def live_count(conference_id: int):
    """The numbers the check-in page polls: checked in, seated, capacity, waiting list."""
    conference = get_managed_conference_or_404(conference_id)
    response = jsonify(checkin.live_count(conference).as_json())
    response.headers["Cache-Control"] = "no-store"
    return response
