"""The desk plate's page `/o/<officer-code>`: one tap saves the level, the reasons follow if low.

No JavaScript: each level is its own submit button, so one tap sends it. The page carries a
signed token with a client UUID made when it was shown and the time it was shown: sending the same
page twice stores one rating (the UUID is unique), and a tap faster than COUNTER_MIN_SECONDS is
flagged. The thank-you page's reasons form proves it owns the rating by the same signed UUID.
"""

import uuid
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from feedback.core.hashing import daily_hash
from feedback.core.i18n import current_locale
from feedback.core.tokens import read_token, sign_token
from feedback.counters.models import Channel, Officer, RatingFlag
from feedback.counters.officers import find_officer
from feedback.counters.ratesets import set_for
from feedback.counters.ratings import (
    NewRating,
    RatingRefused,
    add_details,
    address_and_burst_flags,
    store_rating,
)
from feedback.extensions import client_address, csrf, db
from feedback.models import utcnow
from feedback.surveys.services import live_deployment_for

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


@bp.route("/o/<code>", methods=["GET", "POST"])
@csrf.exempt  # anonymous form without an account: its own signed token stands in for the CSRF token
def rate(code: str):
    """Show the rating screen; on POST store the tapped level at once and go to the thank-you page."""
    officer = _officer_or_404(code)
    rating_set = set_for(officer.agency)
    locale = current_locale()
    if request.method == "GET":
        db.session.commit()  # the default rating set, made on first use
        return render_template(
            "counters/rate.html", officer=officer, rating_set=rating_set, token=_page_token(), locale=locale
        )
    token = read_token(current_app.config["SECRET_KEY"], PAGE_SALT, request.form.get("t"), PAGE_MAX_AGE)
    level = request.form.get("level", type=int)
    if token is None or level is None or not 1 <= level <= len(rating_set.levels):
        return render_template(
            "counters/rate.html",
            officer=officer,
            rating_set=rating_set,
            token=_page_token(),
            locale=locale,
            error=True,
        ), 400
    shown_at = datetime.fromtimestamp(float(token.payload["t"]), UTC)
    now = utcnow()
    ip = client_address()
    address = daily_hash(ip)
    flags = address_and_burst_flags(officer.agency_id, address, ip, now)
    if (now - shown_at).total_seconds() < current_app.config["COUNTER_MIN_SECONDS"]:
        flags |= int(RatingFlag.TOO_FAST)
    try:
        store_rating(
            NewRating(
                agency=officer.agency,
                rating_set=rating_set,
                level=level,
                channel=Channel.PLATE,
                client_uuid=token.payload["u"],
                given_at=now,
                officer_id=officer.id,
                address_hash=address,
                flags=flags,
            )
        )
    except RatingRefused:
        abort(400)
    db.session.commit()
    done = sign_token(current_app.config["SECRET_KEY"], RATED_SALT, {"u": token.payload["u"], "l": level})
    return redirect(url_for(".thanks", code=officer.code, r=done), code=303)


@bp.route("/o/<code>/thanks", methods=["GET", "POST"])
@csrf.exempt  # as /o/: the signed rating token stands in for the CSRF token
def thanks(code: str):
    """Thank the citizen; after a low level ask why (POST: store the reasons and comment)."""
    officer = _officer_or_404(code)
    max_age = current_app.config["COUNTER_UPDATE_SECONDS"]
    done = read_token(current_app.config["SECRET_KEY"], RATED_SALT, request.values.get("r"), max_age)
    if done is None:
        return redirect(url_for(".rate", code=officer.code), code=303)
    rating_set = set_for(officer.agency)
    level = int(done.payload["l"])
    ask = done.fresh and level in rating_set.low_levels
    sent = False
    if request.method == "POST" and done.fresh:
        try:
            sent = add_details(done.payload["u"], request.form.getlist("reason"), request.form.get("comment"))
        except RatingRefused:
            abort(400)
        db.session.commit()
        ask = False
    survey = live_deployment_for(officer.agency.code)
    return render_template(
        "counters/thanks.html",
        officer=officer,
        rating_set=rating_set,
        level=level,
        ask=ask,
        sent=sent,
        token=request.values.get("r"),
        survey_url=url_for("surveys.take", agency_code=officer.agency.code) if survey else None,
        locale=current_locale(),
    )
