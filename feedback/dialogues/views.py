"""Citizens' dialogue pages: upcoming conferences, sign-up, tickets and their calendar files."""

import re
from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from feedback.core.codes import clean_code, grouped
from feedback.core.errors import handle_http_error
from feedback.core.i18n import current_locale, format_local_datetime
from feedback.core.i18n import gettext as _
from feedback.core.rate_limits import code_missed
from feedback.dialogues import forms, limits, public, tickets
from feedback.dialogues.models import Conference, ConferenceStatus, Registration, RegistrationStatus
from feedback.dialogues.petitions.services import days_late
from feedback.dialogues.registrations import RegistrationRefused
from feedback.dialogues.signup import cancel_ticket, resend_ticket, sign_up, text_lost_tickets
from feedback.dialogues.topics import active_topics, find_topic
from feedback.extensions import csrf, db, limiter

bp = Blueprint("dialogues", __name__)

MAX_PAGE = 100_000
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
# Pages whose address holds a ticket code: a secret, so never cached nor passed on as a referrer.
TICKET_ENDPOINTS = {"dialogues.ticket", "dialogues.ticket_ics", "dialogues.ticket_lookup", "dialogues.cancel",
                    "dialogues.lost_ticket"}
SIGNUP_PURPOSE = "signup"
CANCEL_PURPOSE = "cancel"
RESEND_PURPOSE = "resend"


def _secret() -> str:
    """The key that signs form tokens."""
    return current_app.config["SECRET_KEY"]


def _private(response: Response) -> Response:
    """A page whose address or content is a secret: never cached, never sent on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# ---- the list and one conference -----------------------------------------------------------------

def _page_number() -> int:
    """The ?page= of the list; anything but a plain positive number means the first page."""
    raw = request.args.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isascii() and raw.isdigit() and int(raw) > 0 else 1


def _parse_month(raw: str) -> date | None:
    """A YYYY-MM month as its first day, or None when it is not one."""
    match = MONTH_PATTERN.match(raw)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if 2000 <= year <= 9998 and 1 <= month <= 12 else None


def _agency_and_topic(errors: list[str]):
    """The ?agency= and ?topic= filters of a conference list (an unknown one is noted in `errors`)."""
    agency = topic = None
    if agency_arg := request.args.get("agency", "").strip():
        agency = public.find_agency_by_code(agency_arg)
        if agency is None:
            errors.append(_("We do not know the agency you chose, so conferences of every agency are shown."))
    if topic_arg := request.args.get("topic", "").strip():
        topic = find_topic(topic_arg)
        if topic is None:
            errors.append(_("We do not know the topic you chose, so conferences on every topic are shown."))
    return agency, topic


@bp.route("/dialogues/")
def index():
    """Upcoming published conferences, soonest first, filtered by agency, topic and month."""
    errors = []
    month = None
    agency, topic = _agency_and_topic(errors)
    if month_arg := request.args.get("month", "").strip():
        month = _parse_month(month_arg)
        if month is None:
            errors.append(_("The month must be written as year-month, for example 2026-11; "
                            "conferences of every month are shown."))
    page = _page_number()
    conferences, total = public.upcoming_conferences(agency=agency, topic=topic, month=month, page=page)
    months = public.upcoming_months()
    if month is not None and month not in months:
        months = sorted({*months, month})
    filters = {key: value for key, value in (("agency", agency.code if agency else ""),
                                             ("topic", topic.code if topic else ""),
                                             ("month", f"{month:%Y-%m}" if month else "")) if value}
    return render_template(
        "dialogues/public/index.html", cards=conferences, total=total, page=page,
        page_size=public.PAGE_SIZE, filters=filters, errors=errors, agencies=public.host_agencies(),
        topics=active_topics(), months=months, locale=current_locale(),
    ), 400 if errors else 200


@bp.route("/dialogues/past")
def past():
    """The archive: conferences that took place, the most recent first, each with its published
    questions and answers; filtered by agency, topic and year."""
    errors = []
    agency, topic = _agency_and_topic(errors)
    year = None
    if year_arg := request.args.get("year", "").strip():
        if year_arg.isascii() and year_arg.isdigit() and 2000 <= int(year_arg) <= 9998:
            year = int(year_arg)
        else:
            errors.append(_("The year must be written with four digits, for example 2026; conferences of "
                            "every year are shown."))
    page = _page_number()
    conferences, total = public.past_conferences(agency=agency, topic=topic, year=year, page=page)
    filters = {key: value for key, value in (("agency", agency.code if agency else ""),
                                             ("topic", topic.code if topic else ""),
                                             ("year", str(year) if year else "")) if value}
    years = public.past_years()
    if year is not None and year not in years:
        years = sorted({*years, year}, reverse=True)
    return render_template(
        "dialogues/public/past.html", conferences=conferences, total=total, page=page,
        page_size=public.PAGE_SIZE, filters=filters, errors=errors,
        agencies=public.host_agencies(public.past_query()), topics=active_topics(), years=years,
        locale=current_locale(), days_late=days_late,
    ), 400 if errors else 200


def _conference_or_404(conference_id: int) -> Conference:
    """A conference citizens may see (not a draft), or 404."""
    conference = public.public_conference(conference_id)
    if conference is None:
        abort(404)
    return conference


@bp.route("/dialogues/<int:conference_id>")
def show(conference_id: int):
    """One conference: details, seats, the register button, and its published questions and answers."""
    conference = _conference_or_404(conference_id)
    return render_template(
        "dialogues/public/show.html", card=public.conference_card(conference),
        questions=public.published_questions(conference), locale=current_locale(), days_late=days_late,
    )


# ---- sign-up -------------------------------------------------------------------------------------

def refusal_message(conference: Conference, reason: str) -> str:
    """Why sign-up is not possible, in words a citizen understands (a RegistrationRefused reason or a
    public.SignupState value)."""
    if reason == "not_published":
        reason = {ConferenceStatus.CANCELLED: "cancelled", ConferenceStatus.HELD: "past",
                  ConferenceStatus.REPORTED: "past"}.get(conference.status, reason)
    if reason in ("not_open", public.SignupState.NOT_YET) and conference.registration_opens_at:
        return _("Registration for this conference opens at %(when)s. Please come back then.",
                 when=format_local_datetime(conference.registration_opens_at))
    if reason == public.SignupState.CLOSED and conference.registration_closes_at:
        return _("Registration for this conference closed at %(when)s.",
                 when=format_local_datetime(conference.registration_closes_at))
    if reason == public.SignupState.CANCELLED:
        return _("This conference was cancelled, so no one can sign up for it.")
    if reason == public.SignupState.PAST:
        return _("This conference has already taken place.")
    return _("Registration for this conference is not open.")


def render_signup(conference: Conference, *, values: MultiDict | None = None,
                  errors: list[tuple[str, str]] | None = None, notice: str | None = None,
                  status: int = 200) -> Response:
    """The sign-up form with a fresh token, everything typed filled in, and any errors or notice."""
    values = values if values is not None else MultiDict()
    response = current_app.make_response((render_template(
        "dialogues/public/register.html", conference=conference, values=values,
        errors=errors or [], errors_by_field=dict(errors or []), notice=notice,
        topics=active_topics(), blocks=forms.question_blocks_shown(values),
        max_questions=forms.MAX_QUESTIONS, representing=forms.REPRESENTING_LABELS,
        token=forms.make_dialogue_token(_secret(), SIGNUP_PURPOSE, conference.id),
        retention_days=current_app.config["PERSONAL_DATA_RETENTION_DAYS"], locale=current_locale(),
        field=forms.question_field, token_field=forms.TOKEN_FIELD, honeypot_field=forms.HONEYPOT_FIELD,
        sms_field=forms.SMS_FIELD, zalo_field=forms.ZALO_FIELD,
    ), status))
    # The form carries a token and, after a mistake, the person's details: never from a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def render_already(conference: Conference, registration: Registration, values: MultiDict) -> Response:
    """The phone typed already holds a registration: its status with masked details, never its code."""
    unsent = [forms.clean(values.get(forms.question_field(n, "text")))
              for n in range(1, forms.MAX_QUESTIONS + 1)]
    response = current_app.make_response((render_template(
        "dialogues/public/already.html", conference=conference, registration=registration,
        initials=tickets.initials(registration.full_name), phone=tickets.masked_phone(registration.phone),
        email=tickets.masked_email(registration.email), unsent=[q for q in unsent if q],
        status_text=status_text(registration),
        token=forms.make_dialogue_token(_secret(), RESEND_PURPOSE, registration.id),
        locale=current_locale(),
    ), 409))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/dialogues/<int:conference_id>/register", methods=["GET", "POST"])
@csrf.exempt  # an anonymous form: its own signed token stands in for the session's CSRF token
@limiter.limit(limits.signup_rate_limit, methods=["POST"])
@limiter.limit(limits.signup_phone_rate_limit, methods=["POST"], key_func=limits.signup_phone_key,
               scope=limits.SIGNUP_PHONE_SCOPE, exempt_when=lambda: limits.signup_phone() is None)
@limiter.limit(limits.signup_token_rate_limit, methods=["POST"], key_func=limits.signup_token_key,
               scope=limits.SIGNUP_TOKEN_SCOPE, exempt_when=limits.no_signup_token)
def register(conference_id: int):
    """The sign-up form; a valid one registers the person and leads to their ticket (POST/redirect/GET)."""
    conference = _conference_or_404(conference_id)
    state = public.signup_state(conference)
    if request.method == "GET":
        if state != public.SignupState.OPEN:
            return render_template("dialogues/public/refused.html", conference=conference,
                                   message=refusal_message(conference, state), locale=current_locale()), 409
        return render_signup(conference)

    values = request.form.copy()
    if state != public.SignupState.OPEN:
        return render_signup(conference, values=values, notice=refusal_message(conference, state),
                             status=409)
    if not forms.dialogue_token_valid(_secret(), SIGNUP_PURPOSE, conference.id,
                                      values.get(forms.TOKEN_FIELD)):
        return render_signup(conference, values=values, status=400, notice=_(
            "This form was open for a long time, so it was not sent yet. Everything you typed is kept "
            "below: please check it and press the button again."))
    form = forms.read_signup(values, active_topics(), current_locale())
    if form.honeypot_filled:
        # Nobody is registered. A person whose browser filled the hidden field by itself just sends
        # again (it is emptied now); a bot learns nothing about why it failed.
        values.setlist(forms.HONEYPOT_FIELD, [])
        return render_signup(conference, values=values, status=422, notice=_(
            "We could not take your registration. Please check your details and press the button again."))
    if form.errors:
        return render_signup(conference, values=values, errors=form.errors, status=422)
    try:
        result = sign_up(conference.id, form.applicant)
    except RegistrationRefused as refused:
        if refused.reason == "invalid_phone":
            return render_signup(conference, values=values, status=422, errors=[("phone", _(
                "This is not a Vietnamese phone number we can call."))])
        conference = _conference_or_404(conference_id)
        return render_signup(conference, values=values, status=409,
                             notice=refusal_message(conference, refused.reason))
    if not result.created:
        return render_already(conference, result.registration, values)
    return redirect(url_for("dialogues.ticket", code=result.registration.ticket_code), code=303)


@bp.post("/dialogues/<int:conference_id>/resend")
@csrf.exempt  # its signed token is given only to the person who typed the registered phone
@limiter.limit(limits.signup_rate_limit)
@limiter.limit(limits.resend_rate_limit, key_func=limits.resend_key, scope=limits.RESEND_SCOPE)
def resend(conference_id: int):
    """Email the ticket again to the address given at sign-up (the duplicate-phone page's button)."""
    conference = _conference_or_404(conference_id)
    raw_id = request.form.get("registration", "")
    registration = (db.session.get(Registration, int(raw_id))
                    if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 12 else None)
    sent = (registration is not None and registration.conference_id == conference.id
            and forms.dialogue_token_valid(_secret(), RESEND_PURPOSE, registration.id,
                                       request.form.get(forms.TOKEN_FIELD))
            and resend_ticket(registration))
    return render_template("dialogues/public/resent.html", conference=conference,
                           sent=sent), 200 if sent else 400


# ---- tickets -------------------------------------------------------------------------------------

def status_text(registration: Registration) -> str:
    """The registration's status in words: confirmed, waitlisted #n, cancelled or attended."""
    if registration.status == RegistrationStatus.CONFIRMED:
        return _("Confirmed: you have a seat")
    if registration.status == RegistrationStatus.WAITLISTED:
        return _("On the waiting list, number %(n)s", n=registration.waitlist_position)
    if registration.status == RegistrationStatus.ATTENDED:
        return _("Attended: checked in at the conference")
    return _("Cancelled")


def render_ticket(registration: Registration, *, cancel_error: str | None = None, digits: str = "",
                  status: int = 200) -> Response:
    """The ticket page: code, QR code, status, the conference, questions sent, calendar file, cancel box."""
    code = registration.ticket_code
    return _private(current_app.make_response((render_template(
        "dialogues/public/ticket.html", registration=registration, conference=registration.conference,
        code=grouped(code), ticket_url=tickets.ticket_url(code), qr_svg=tickets.ticket_qr(code),
        status_text=status_text(registration), questions=tickets.asked_questions(registration),
        track_available="track.show" in current_app.view_functions,
        card=public.conference_card(registration.conference),
        cancellable=tickets.cancellable(registration), cancel_error=cancel_error, digits=digits,
        cancel_digits=tickets.CANCEL_DIGITS, cancel_field=forms.CANCEL_FIELD,
        token=forms.make_dialogue_token(_secret(), CANCEL_PURPOSE, registration.id),
        token_field=forms.TOKEN_FIELD, initials=tickets.initials(registration.full_name), grouped=grouped,
        phone=tickets.masked_phone(registration.phone), locale=current_locale(),
    ), status)))


def render_ticket_missing(typed: str = "", *, status: int = 404) -> Response:
    """No ticket has this code: say so, and offer to type it again."""
    return _private(current_app.make_response((render_template(
        "dialogues/public/ticket_missing.html", typed=typed, status=status), status)))


@bp.route("/tickets/")
@limiter.shared_limit(limits.code_rate_limit, scope=limits.CODE_SCOPE, deduct_when=code_missed)
def ticket_lookup():
    """A box to type a ticket code; a well-formed one leads to its ticket page."""
    typed = request.args.get("code")
    if typed is None:
        return render_ticket_missing(status=200)
    code = clean_code(typed)
    if code is None:
        return render_ticket_missing(typed[:32], status=422)
    return redirect(url_for("dialogues.ticket", code=code), code=303)


@bp.route("/tickets/lost", methods=["GET", "POST"])
@csrf.exempt  # anonymous, and it reveals nothing: the same answer whatever number is typed
@limiter.limit(limits.signup_rate_limit, methods=["POST"])
@limiter.limit(limits.resend_rate_limit, methods=["POST"], key_func=limits.lost_ticket_key,
               scope=limits.LOST_TICKET_SCOPE)
def lost_ticket():
    """A lost ticket, no email: the ticket link is texted to the phone given at sign-up.

    The page says the same words whether or not the number is registered, so typing numbers
    reveals nothing; only a number that is not a phone number at all is refused.
    """
    typed = (request.form.get("phone") or "")[:40]
    if request.method == "GET":
        return _private(current_app.make_response(render_template(
            "dialogues/public/lost_ticket.html", typed="", sent=False, error=None)))
    if limits.lost_ticket_phone() is None:
        return _private(current_app.make_response((render_template(
            "dialogues/public/lost_ticket.html", typed=typed, sent=False, error=_(
                "This is not a Vietnamese phone number. Write it as on your phone, for example "
                "0912 345 678.")), 422)))
    text_lost_tickets(typed)
    return _private(current_app.make_response(render_template(
        "dialogues/public/lost_ticket.html", typed="", sent=True, error=None)))


def _find_or_missing(code: str) -> Registration | Response:
    """The registration with this ticket code, or the "no such ticket" page (404)."""
    registration = tickets.find_ticket(code)
    return registration if registration is not None else render_ticket_missing(code[:32])


@bp.route("/tickets/<code>")
@limiter.shared_limit(limits.code_rate_limit, scope=limits.CODE_SCOPE, deduct_when=code_missed)
def ticket(code: str):
    """The ticket: its address is the ticket itself (the QR code holds it)."""
    canonical = clean_code(code)
    if canonical and canonical != code:
        return _private(redirect(url_for("dialogues.ticket", code=canonical), code=303))
    found = _find_or_missing(code)
    return render_ticket(found) if isinstance(found, Registration) else found


@bp.route("/tickets/<code>.ics")
@limiter.shared_limit(limits.code_rate_limit, scope=limits.CODE_SCOPE, deduct_when=code_missed)
def ticket_ics(code: str):
    """The ticket's conference as a calendar file (text/calendar) to import into a phone's calendar."""
    found = _find_or_missing(code)
    if not isinstance(found, Registration):
        return found
    registration, locale = found, current_locale()
    conference = registration.conference
    lines = [conference.host_agency.name(locale),
             _("Ticket %(code)s: %(status)s", code=grouped(registration.ticket_code),
               status=status_text(registration)),
             _("Your ticket: %(url)s", url=tickets.ticket_url(registration.ticket_code))]
    if conference.online_url:
        lines.append(_("Online link: %(url)s", url=conference.online_url))
    body = tickets.calendar_file(registration, locale=locale, description="\n".join(lines))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    filename = f"ve-hoi-nghi-{registration.ticket_code}.ics"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


CANCEL_REFUSALS = {
    RegistrationStatus.CANCELLED: "already_cancelled",
    RegistrationStatus.ATTENDED: "attended",
}


def cancel_refusal_message(reason: str) -> str:
    """Why this ticket cannot be cancelled."""
    if reason == "already_cancelled":
        return _("This registration is already cancelled.")
    if reason == "attended":
        return _("You were checked in at the conference, so this registration can no longer be cancelled.")
    return _("This registration can no longer be cancelled: the conference is over or was cancelled.")


@bp.post("/tickets/<code>/cancel")
@csrf.exempt  # anonymous: the signed token, the secret code and the phone digits stand in for a session
@limiter.shared_limit(limits.code_rate_limit, scope=limits.CODE_SCOPE, deduct_when=code_missed)
@limiter.limit(limits.cancel_guess_limit, key_func=limits.ticket_key, scope=limits.CANCEL_GUESS_SCOPE,
               deduct_when=limits.wrong_digits)
def cancel(code: str):
    """Give up a seat or a waiting-list place, after typing the last 4 digits of the phone."""
    found = _find_or_missing(code)
    if not isinstance(found, Registration):
        return found
    registration = found
    if not tickets.cancellable(registration):
        reason = CANCEL_REFUSALS.get(registration.status, "over")
        return render_ticket(registration, status=409, cancel_error=cancel_refusal_message(reason))
    if not forms.dialogue_token_valid(_secret(), CANCEL_PURPOSE, registration.id,
                                  request.form.get(forms.TOKEN_FIELD)):
        return render_ticket(registration, status=400, cancel_error=_(
            "This page was open for a long time. Please type the digits again and press the button."))
    digits, error = forms.read_cancel_digits(request.form)
    if error is None and not tickets.phone_ends_with(registration, digits):
        error = _("These are not the last %(n)s digits of the phone number this ticket was registered "
                  "with. Please check and try again.", n=tickets.CANCEL_DIGITS)
    if error is not None:
        return render_ticket(registration, status=422, cancel_error=error, digits=digits)
    try:
        cancel_ticket(registration)
    except RegistrationRefused as refused:
        return render_ticket(registration, status=409, cancel_error=cancel_refusal_message(refused.reason))
    flash(_("Your registration is cancelled. Thank you for letting us know: your seat goes to the next "
            "person waiting."), "success")
    return _private(redirect(url_for("dialogues.ticket", code=registration.ticket_code), code=303))


@bp.errorhandler(429)
def too_many_requests(error):
    """Over a rate limit: the sign-up form keeps everything typed, a ticket says to wait; else the
    standard page."""
    if request.endpoint == "dialogues.register" and request.method == "POST":
        conference = public.public_conference((request.view_args or {}).get("conference_id", 0))
        if conference is not None:
            if limits.broken_scope(error) == limits.SIGNUP_PHONE_SCOPE:
                notice = _("This phone number was sent many times for this conference in a short "
                           "while. Please try again after %(when)s: everything you typed is kept.",
                           when=limits.retry_time())
            else:
                notice = _("This form was sent many times in a short while. Please try again after "
                           "%(when)s: everything you typed is kept.", when=limits.retry_time())
            return render_signup(conference, values=request.form.copy(), status=429, notice=notice)
    if request.endpoint == "dialogues.cancel" and limits.broken_scope(error) == limits.CANCEL_GUESS_SCOPE:
        registration = tickets.find_ticket((request.view_args or {}).get("code", ""))
        if registration is not None:
            return render_ticket(registration, status=429, cancel_error=_(
                "Too many wrong tries on this ticket. You can try again after %(when)s, or ask the "
                "organizers of the conference to cancel your registration.", when=limits.retry_time()))
    response = handle_http_error(error)
    return _private(response) if request.endpoint in TICKET_ENDPOINTS else response
