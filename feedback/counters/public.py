"""The desk plate's page `/o/<officer-code>`: one tap saves the level, the reasons follow if low.

No JavaScript: each level is its own submit button, so one tap sends it. The page carries a
signed token with a client UUID made when it was shown and the time it was shown: sending the same
page twice stores one rating (the UUID is unique), and a tap faster than COUNTER_MIN_SECONDS is
flagged. The thank-you page's reasons form proves it owns the rating by the same signed UUID.
"""

import uuid
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from feedback.agencies.procedures import procedures_for
from feedback.core.hashing import daily_hash
from feedback.core.i18n import current_locale
from feedback.core.rate_limits import code_missed
from feedback.core.tokens import read_token, sign_token
from feedback.counters.models import Channel, CounterRating, Officer, RatingFlag
from feedback.counters.officers import find_officer
from feedback.counters.ratesets import set_for
from feedback.counters.ratings import (
    NewRating,
    RatingRefused,
    add_details,
    address_and_burst_flags,
    rating_set_of,
    store_rating,
)
from feedback.extensions import client_address, csrf, db, limiter
from feedback.models import utcnow
from feedback.surveys.codes import CodeState, code_state, find_code, redeem
from feedback.surveys.services import live_deployment_for
from feedback.surveys.views import code_rate_limit, render_code_state

bp = Blueprint("counters", __name__)

PAGE_SALT = "counter-rating-page"
RATED_SALT = "counter-rating-done"
# A page token older than this (seconds) still stores its tap: a citizen who left the page open is
# still a citizen; it only bounds how long the signed UUID means anything.
PAGE_MAX_AGE = 24 * 3600


def _officer_or_404(code: str) -> Officer:
    """The active officer with `code`; 404 for an unknown or inactive one."""
    officer = find_officer(code)
    if officer is None or not officer.active or not officer.agency.active:
        abort(404)
    return officer


def _page_token() -> str:
    """A fresh page token: a new client UUID and the time the page was shown."""
    return sign_token(
        current_app.config["SECRET_KEY"], PAGE_SALT, {"u": str(uuid.uuid4()), "t": utcnow().timestamp()}
    )


def _rate_page(officer: Officer, rating_set, action: str, status: int = 200, error: bool = False):
    """The rating screen (a fresh page token each time it is drawn)."""
    page = render_template(
        "counters/rate.html",
        officer=officer,
        rating_set=rating_set,
        token=_page_token(),
        locale=current_locale(),
        action=action,
        error=error,
    )
    return page, status


def _tapped(rating_set) -> tuple[dict | None, int | None]:
    """(the page token's payload, the level tapped) of a POST; (None, None) when either is missing."""
    token = read_token(current_app.config["SECRET_KEY"], PAGE_SALT, request.form.get("t"), PAGE_MAX_AGE)
    level = request.form.get("level", type=int)
    if token is None or level is None or not 1 <= level <= len(rating_set.levels):
        return None, None
    return token.payload, level


def _store_tap(
    officer: Officer, rating_set, payload: dict, level: int, channel: Channel, flags: int, **extra
):
    """Store the tapped level at once and send the citizen to the thank-you page (which asks why
    after a low level). A page shown less than COUNTER_MIN_SECONDS ago is flagged. The caller's
    transaction is committed here."""
    shown_at = datetime.fromtimestamp(float(payload["t"]), UTC)
    now = utcnow()
    if (now - shown_at).total_seconds() < current_app.config["COUNTER_MIN_SECONDS"]:
        flags |= int(RatingFlag.TOO_FAST)
    try:
        store_rating(
            NewRating(
                agency=officer.agency,
                rating_set=rating_set,
                level=level,
                channel=channel,
                client_uuid=payload["u"],
                given_at=now,
                officer_id=officer.id,
                flags=flags,
                **extra,
            )
        )
    except RatingRefused:
        abort(400)
    db.session.commit()
    return _to_thanks(officer, payload["u"], level)


def _to_thanks(officer: Officer, client_uuid: str, level: int):
    """The redirect to the thank-you page, carrying the signed rating it may add reasons to."""
    done = sign_token(current_app.config["SECRET_KEY"], RATED_SALT, {"u": client_uuid, "l": level})
    return redirect(url_for(".thanks", code=officer.code, r=done), code=303)


def _screen_or_tap(officer: Officer, rating_set, action: str):
    """(response, None, None) when the rating screen is to be shown: on GET, or again with a 400 when
    the POST's tap is not valid; (None, payload, level) for a valid tap, to be stored."""
    if request.method == "GET":
        db.session.commit()  # the default rating set, made on first use
        return _rate_page(officer, rating_set, action), None, None
    payload, level = _tapped(rating_set)
    if payload is None:
        return _rate_page(officer, rating_set, action, 400, error=True), None, None
    return None, payload, level


@bp.route("/o/<code>", methods=["GET", "POST"])
@csrf.exempt  # anonymous form without an account: its own signed token stands in for the CSRF token
def rate(code: str):
    """Show the rating screen; on POST store the tapped level at once and go to the thank-you page."""
    officer = _officer_or_404(code)
    rating_set = set_for(officer.agency)
    shown, payload, level = _screen_or_tap(officer, rating_set, url_for(".rate", code=officer.code))
    if shown is not None:
        return shown
    ip = client_address()
    address = daily_hash(ip)
    flags = address_and_burst_flags(officer.agency_id, address, ip, utcnow())
    return _store_tap(officer, rating_set, payload, level, Channel.PLATE, flags, address_hash=address)


def _code_officer(row) -> Officer | None:
    """The active officer a code issued by the API names, if it still names one."""
    officer = db.session.get(Officer, row.officer_id) if row is not None and row.officer_id else None
    if officer is None or not officer.active or not officer.agency.active:
        return None
    return officer


def _sent_before() -> object | None:
    """After a used code: the thank-you page when this very page's tap was stored (a second click,
    or Back and send again); None otherwise."""
    token = read_token(current_app.config["SECRET_KEY"], PAGE_SALT, request.form.get("t"), PAGE_MAX_AGE)
    if request.method != "POST" or token is None:
        return None
    rating = db.session.scalar(select(CounterRating).where(CounterRating.client_uuid == token.payload["u"]))
    if rating is None or rating.officer is None:
        return None
    return _to_thanks(rating.officer, rating.client_uuid, rating.level)


@bp.route("/r/<code>/rate", methods=["GET", "POST"])
@csrf.exempt  # as /o/: the signed page token stands in for the CSRF token
@limiter.shared_limit(code_rate_limit, scope="survey-code", deduct_when=code_missed)
def code_rate(code: str):
    """The counter rating a receipt's one-time code opens when the API issued it naming an officer:
    the same screen as /o/<officer-code>; the tap redeems the code, which then forgets the officer
    (a used code never points at a rating)."""
    row = find_code(code)
    if row is not None and row.deployment_id is not None:
        return redirect(url_for("surveys.code_survey", code=row.code), code=303)
    state = code_state(row, live=True)
    officer = _code_officer(row)
    if state != CodeState.USABLE or officer is None:
        return _sent_before() or render_code_state(CodeState.UNKNOWN if state == CodeState.USABLE else state)
    rating_set = set_for(officer.agency)
    shown, payload, level = _screen_or_tap(officer, rating_set, url_for(".code_rate", code=row.code))
    if shown is not None:
        return shown
    if not redeem(row):
        db.session.rollback()
        return render_code_state(CodeState.USED)
    row.officer_id = None
    return _store_tap(officer, rating_set, payload, level, Channel.API, 0)


@bp.route("/o/<code>/thanks", methods=["GET", "POST"])
@csrf.exempt  # as /o/: the signed rating token stands in for the CSRF token
def thanks(code: str):
    """Thank the citizen; after a low level ask why, and when the agency has procedures ask which
    one (both optional; POST: add them to the rating, within COUNTER_UPDATE_SECONDS)."""
    officer = _officer_or_404(code)
    max_age = current_app.config["COUNTER_UPDATE_SECONDS"]
    done = read_token(current_app.config["SECRET_KEY"], RATED_SALT, request.values.get("r"), max_age)
    if done is None:
        return redirect(url_for(".rate", code=officer.code), code=303)
    # The set the rating was given under: a newer version may have come since the page was shown.
    rating_set = rating_set_of(done.payload["u"]) or set_for(officer.agency)
    level = int(done.payload["l"])
    procedures = procedures_for(officer.agency) if done.fresh else []
    ask = done.fresh and level in rating_set.low_levels
    sent = None
    if request.method == "POST" and done.fresh:
        reasons, comment = request.form.getlist("reason"), request.form.get("comment")
        try:
            added = add_details(done.payload["u"], reasons, comment, service_code=request.form.get("service"))
        except RatingRefused:
            abort(400)
        db.session.commit()
        sent = ("reasons" if reasons or (comment or "").strip() else "service") if added else None
        ask, procedures = False, []
    survey = live_deployment_for(officer.agency.code)
    return render_template(
        "counters/thanks.html", officer=officer, rating_set=rating_set, level=level, ask=ask,
        procedures=procedures, sent=sent, token=request.values.get("r"), locale=current_locale(),
        survey_url=url_for("surveys.take", agency_code=officer.agency.code) if survey else None,
    )
