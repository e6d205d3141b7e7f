"""The JSON API (`/api/v1`): survey codes issued per dossier, and its OpenAPI description."""

import re
from collections.abc import Callable
from functools import wraps

from flask import Blueprint, g, jsonify, request

from feedback.agencies.services import find_agency
from feedback.api.openapi import openapi_document
from feedback.api.ratings import parse_rating_request, post_rating
from feedback.api.services import NoLiveSurvey, bearer_token, in_scope, issue_code, key_for_secret, touch_key
from feedback.core.i18n import gettext as _
from feedback.core.rate_limits import configured
from feedback.core.text import clean_text
from feedback.counters.models import Officer
from feedback.counters.officers import find_officer
from feedback.extensions import client_address, csrf, db, limiter
from feedback.surveys.codes import code_url
from feedback.surveys.models import SurveyCode

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Other systems authenticate with a bearer key, not a session cookie, so there is nothing to forge.
csrf.exempt(bp)

MAX_DOSSIER_LENGTH = 64
MAX_EXPIRY_DAYS = 365
# Control characters, and lone UTF-16 surrogates ("\ud800" is valid JSON but no text a database can store).
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
OFFICER_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def api_error(status: int, title: str, detail: str, headers: dict | None = None, **extra):
    """A JSON error in the shape every API error has: {"error": {status, title, detail, …}}."""
    response = jsonify(error={"status": status, "title": title, "detail": detail, **extra})
    response.status_code = status
    response.headers.update(headers or {})
    return response


PRESENTED_KEY = "feedback.api.presented_key"


def presented_key():
    """The live API key the request's bearer secret belongs to, or None; looked up once per request
    (the rate limit's key and `key_required` both need it). Kept in the request's environ, not in
    `g`: `g` lives as long as the app context, which a test or a script may share between requests."""
    if PRESENTED_KEY not in request.environ:
        request.environ[PRESENTED_KEY] = key_for_secret(bearer_token(request.headers.get("Authorization")))
    return request.environ[PRESENTED_KEY]


def rate_limit_key() -> str:
    """Requests with a live key are counted per key; every other request (no key, a revoked or
    made-up one) per client address.

    Not per presented secret: an attacker rotating made-up secrets would get a fresh allowance
    with each. Not by the key's displayed prefix either: anyone who has seen a prefix (in an admin
    page or a log) could otherwise use up the real key's allowance.
    """
    key = presented_key()
    return f"api-key:{key.id}" if key is not None else f"api-addr:{client_address()}"


# The limit per live key, and per address for requests without one.
rate_limit = configured("API_RATE_LIMIT")


def key_required(view: Callable) -> Callable:
    """View decorator: 401 unless the request carries a live API key; the key goes to `g.api_key`."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = presented_key()
        if key is None:
            return api_error(401, _("API key missing or not valid"), _(
                "Send a valid, unrevoked API key as “Authorization: Bearer <key>”."),
                headers={"WWW-Authenticate": 'Bearer realm="api"'})
        if touch_key(key):
            # Committed on its own, so the request's real work starts a fresh, short transaction.
            db.session.commit()
        g.api_key = key
        return view(*args, **kwargs)

    return wrapped


def parse_code_request(body) -> tuple[dict, dict[str, str]]:
    """(clean values, {field: message}) for a request to issue a survey code."""
    if not isinstance(body, dict):
        return {}, {"body": _("The body must be a JSON object.")}
    values, errors = {}, {}
    agency_code = body.get("agency_code")
    if not isinstance(agency_code, str) or not agency_code.strip():
        errors["agency_code"] = _("Give the code of the agency, as a string.")
    elif len(agency_code.strip()) > 32:
        errors["agency_code"] = _("An agency code has at most 32 characters.")
    elif CONTROL_CHARS.search(agency_code):
        errors["agency_code"] = _("An agency code cannot contain control characters.")
    else:
        values["agency_code"] = clean_text(agency_code)
    dossier_id = body.get("dossier_id")
    if not isinstance(dossier_id, str) or not dossier_id.strip():
        errors["dossier_id"] = _("Give the dossier number, as a non-empty string.")
    elif len(dossier_id.strip()) > MAX_DOSSIER_LENGTH:
        errors["dossier_id"] = _("A dossier number has at most %(max)s characters.", max=MAX_DOSSIER_LENGTH)
    elif CONTROL_CHARS.search(dossier_id):
        errors["dossier_id"] = _("A dossier number cannot contain control characters.")
    else:
        values["dossier_id"] = clean_text(dossier_id)
    days = body.get("expires_in_days")
    if isinstance(days, float) and days.is_integer():
        days = int(days)  # JSON (and the schema) count 30.0 as an integer
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                             or not 1 <= days <= MAX_EXPIRY_DAYS):
        errors["expires_in_days"] = _("Give a whole number of days from 1 to %(max)s, or leave it out.",
                                      max=MAX_EXPIRY_DAYS)
    else:
        values["expires_in_days"] = days
    officer_code = body.get("officer_code")
    if officer_code is not None and (not isinstance(officer_code, str)
                                     or not OFFICER_CODE.match(officer_code.strip())):
        errors["officer_code"] = _("An officer code has 1 to 32 letters, digits, - or _; or leave it out.")
    else:
        values["officer_code"] = officer_code.strip().upper() if officer_code else None
    return values, errors


def code_body(code: SurveyCode) -> dict:
    """A survey code as the API returns it (`officer_code`: the officer whose rating it opens;
    null for a survey code, and once a code naming an officer is used)."""
    expires = code.expires_at and code.expires_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    officer = db.session.get(Officer, code.officer_id) if code.officer_id else None
    return {"code": code.code, "url": code_url(code.code), "agency_code": code.agency.code,
            "dossier_id": code.dossier_id, "expires_at": expires,
            "officer_code": officer.code if officer else None}


def officer_at(key, agency, officer_code: str | None):
    """The active officer with `officer_code` working at `agency` or under it, within the key's
    agencies; None when there is no such officer (or none was asked for: see `officer_code`)."""
    officer = find_officer(officer_code) if officer_code else None
    if officer is None or not officer.active or not in_scope(key, officer.agency):
        return None
    return officer if officer.agency.path.startswith(agency.path) else None


def _parsed_body(parse, example: str):
    """(values, None) from the request's JSON body read by `parse` (which returns values and
    per-field errors), or (None, the 400 or 422 error to answer); `example` tells what to send."""
    try:
        body = request.get_json(force=True, silent=True)
    except RecursionError:  # nested thousands deep: valid JSON in theory, an attack in practice
        body = None
    if body is None:
        return None, api_error(400, _("The body is not JSON"), example)
    values, errors = parse(body)
    if errors:
        return None, api_error(422, _("Some fields are not valid"), _("See the message for each field."),
                               fields=errors)
    return values, None


def _not_stored_by_caches(answer: dict, status: int):
    """`answer` as JSON with `status`, marked for no cache to keep (it names codes and ratings)."""
    response = jsonify(answer)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/survey-codes", methods=["POST"])
@limiter.limit(rate_limit, key_func=rate_limit_key)
@key_required
def issue_survey_code():
    """Issue the one-time code for a dossier at an agency: 201 when new, 200 with the same code after."""
    values, refused = _parsed_body(parse_code_request, _(
        "Send a JSON object such as "
        "{\"agency_code\": \"A1\", \"dossier_id\": \"000.00.00.H00-240101-0001\"}."))
    if refused is not None:
        return refused
    key = g.api_key
    agency = find_agency(values["agency_code"])
    if agency is None or not in_scope(key, agency):
        return api_error(404, _("Agency not found"), _(
            "No agency with the code %(code)s is within this API key's agencies.",
            code=values["agency_code"]))
    officer = officer_at(key, agency, values["officer_code"])
    if values["officer_code"] and officer is None:
        return api_error(404, _("Officer not found"), _(
            "No active officer with the code %(code)s works at %(agency)s or under it.",
            code=values["officer_code"], agency=agency.code))
    try:
        code, created = issue_code(key, agency, values["dossier_id"],
                                   expires_in_days=values["expires_in_days"],
                                   officer_id=officer.id if officer else None)
    except NoLiveSurvey:
        return api_error(409, _("No survey is taking responses at this agency"), _(
            "%(code)s has no live survey deployment, so a code would open nothing. Deploy a survey "
            "there first.", code=agency.code), agency_code=agency.code)
    body = code_body(code)
    db.session.commit()
    return _not_stored_by_caches(body, 201 if created else 200)


@bp.route("/ratings", methods=["POST"])
@limiter.limit(rate_limit, key_func=rate_limit_key)
@key_required
def post_counter_rating():
    """A counter rating from a queue system: 201 stored, 200 already stored (same UUID or dossier)."""
    values, refused = _parsed_body(parse_rating_request, _(
        "Send a JSON object such as {\"officer_code\": \"CB01\", \"level\": 4}."))
    if refused is not None:
        return refused
    status, answer = post_rating(g.api_key, values)
    if status >= 400:
        db.session.rollback()
        return api_error(status, answer.pop("title"), answer.pop("detail"), **answer)
    db.session.commit()
    return _not_stored_by_caches(answer, status)


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document(server_url=request.url_root.rstrip("/") + bp.url_prefix))
