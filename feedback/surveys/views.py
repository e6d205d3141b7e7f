"""Citizen-facing survey pages: the survey deployed at an agency, and the thank-you page after it."""

from datetime import datetime

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from feedback.agencies.services import find_agency
from feedback.core.i18n import current_locale
from feedback.extensions import client_address, csrf, db
from feedback.models import utcnow
from feedback.surveys.forms import (
    HONEYPOT_FIELD,
    SERVICE_FIELD,
    TOKEN_FIELD,
    error_target,
    field_name,
    max_length,
    parse_answers,
    parse_service,
    question_numbers,
    show_if_hint,
)
from feedback.surveys.models import Deployment
from feedback.surveys.services import (
    client_hash,
    integrity_flags,
    live_deployment_for,
    submit_response,
)
from feedback.surveys.tokens import make_form_token, read_form_token

bp = Blueprint("surveys", __name__)


def render_survey(deployment: Deployment, started_at: datetime, *, values: MultiDict | None = None,
                  errors: list[tuple[str, str]] | None = None, notice: str | None = None,
                  status: int = 200):
    """The survey form with a fresh token, the citizen's answers filled back in, and any errors."""
    questions = deployment.version.questions
    errors = errors or []
    key_of_target = {error_target(q): q.key for q in questions}
    key_of_target[f"{SERVICE_FIELD}-1"] = SERVICE_FIELD
    locale = current_locale()
    response = current_app.make_response((render_template(
        "surveys/take.html",
        deployment=deployment, agency=deployment.agency, version=deployment.version,
        questions=questions, numbers=question_numbers(questions),
        hints={q.key: show_if_hint(q, questions, locale) for q in questions if q.show_if},
        field_name=field_name, max_length=max_length, locale=locale,
        values=values if values is not None else MultiDict(),
        errors=errors, errors_by_key={key_of_target.get(target): message for target, message in errors},
        notice=notice, honeypot_field=HONEYPOT_FIELD, token_field=TOKEN_FIELD,
        service_field=SERVICE_FIELD,
        token=make_form_token(current_app.config["SECRET_KEY"], deployment.id, started_at),
    ), status))
    # The page carries a timestamped token and, after a failed send, the citizen's answers.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/s/<agency_code>", methods=["GET", "POST"])
@csrf.exempt  # anonymous form without a session: its own signed token stands in for the CSRF token
def take(agency_code: str):
    """Show the survey live at this agency; on POST, check it and store it in one transaction."""
    deployment = live_deployment_for(agency_code)
    if deployment is None:
        abort(404)
    if request.method == "GET":
        return render_survey(deployment, utcnow())

    form = request.form
    token = read_form_token(current_app.config["SECRET_KEY"], form.get(TOKEN_FIELD, ""),
                            deployment.id, current_app.config["SURVEY_FORM_MAX_AGE"])
    started_at = token.started_at or utcnow()
    if not token.valid:
        return render_survey(deployment, started_at, values=form, status=400, notice=_(
            "This page was open for a long time, so your answers were not sent yet. They are all "
            "kept below: please check them and press “Send my answers” again."))
    answers, errors = parse_answers(form, deployment.version.questions)
    service, service_error = parse_service(form, deployment.services or [])
    if service_error:
        errors.insert(0, (f"{SERVICE_FIELD}-1", service_error))
    if errors:
        return render_survey(deployment, started_at, values=form, errors=errors, status=422)

    client = client_hash(client_address(), request.user_agent.string)
    flags = integrity_flags(deployment, honeypot=form.get(HONEYPOT_FIELD, ""), started_at=started_at,
                            client=client)
    submit_response(deployment, answers, locale=current_locale(), started_at=started_at, flags=flags,
                    client_hash=client, service=service)
    db.session.commit()
    # A flagged response gets the same thanks: telling a bot why it was caught only teaches it.
    return redirect(url_for("surveys.thanks", agency_code=deployment.agency.code), code=303)


@bp.route("/s/<agency_code>/thanks")
def thanks(agency_code: str):
    """Thank the citizen after a response was stored."""
    agency = find_agency(agency_code)
    if agency is None:
        abort(404)
    return render_template("surveys/thanks.html", agency=agency)
