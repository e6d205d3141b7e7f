"""The counter tablet `/kiosk`: pairing, the officer on duty, the one-tap rating screen (a form that
works without JavaScript; kiosk.js queues taps offline in IndexedDB), its JSON endpoint and its
service worker.

The device is known by a long-lived HttpOnly cookie holding its token (stored hashed), valid until
revoked: independent of sessions and of form-token expiry. Its posts are CSRF-exempt because the
cookie is SameSite=Strict and only a paired device has one.
"""

import uuid
from datetime import UTC, datetime
from functools import wraps

from flask import (
    Blueprint,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from feedback.agencies.procedures import procedures_for
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.core.tokens import read_token, sign_token
from feedback.counters.kiosks import device_for_token, pair, touch
from feedback.counters.models import Channel, KioskDevice, Officer
from feedback.counters.officers import counter_officers, pin_matches, start_shift
from feedback.counters.ratesets import set_for
from feedback.counters.ratings import (
    NewRating,
    RatingRefused,
    add_details,
    bounded_time,
    clean_uuid,
    device_window_flag,
    store_rating,
)
from feedback.extensions import csrf, db, limiter
from feedback.models import utcnow

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
csrf.exempt(bp)

COOKIE = "kiosk_device"
TEN_YEARS = 10 * 365 * 24 * 3600
RATED_SALT = "kiosk-rated"


def _device() -> KioskDevice | None:
    """The device the request's cookie names (revoked ones included), once per request."""
    if "kiosk_device" not in g:
        g.kiosk_device = device_for_token(request.cookies.get(COOKIE))
    return g.kiosk_device


def _blocked():
    """The page for a tablet that is not (or no longer) paired; None for a live device."""
    device = _device()
    if device is None:
        return render_template("counters/kiosk_pair.html"), 200
    if device.revoked_at is not None:
        return render_template("counters/kiosk_revoked.html", device=device), 403
    return None


def _screen(device: KioskDevice, status: int = 200, **context):
    """The rating screen of `device`'s counter."""
    touch(device)
    rating_set = set_for(device.agency)
    db.session.commit()
    response = make_response(
        render_template(
            "counters/kiosk.html",
            device=device,
            rating_set=rating_set,
            procedures=procedures_for(device.agency),
            locale=current_locale(),
            idle=current_app.config["COUNTER_KIOSK_IDLE_SECONDS"],
            new_uuid=str(uuid.uuid4()),
            **context,
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


def live_device(view):
    """Run `view(device)` on a paired, live tablet; otherwise show the pairing or revoked page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        """The view, behind the device check."""
        return _blocked() or view(_device(), *args, **kwargs)

    return wrapper


@bp.route("", methods=["GET"])
def screen():
    """The rating screen, or the pairing form on an unpaired tablet."""
    return _blocked() or _screen(_device())


@bp.route("/pair", methods=["POST"])
@limiter.limit("20 per minute")
def pair_device():
    """Exchange the pairing code shown to the organizer for this tablet's device token."""
    paired = pair(request.form.get("code", ""))
    if paired is None:
        return render_template(
            "counters/kiosk_pair.html", error=True, code=request.form.get("code", "")[:20]
        ), 422
    device, token = paired
    db.session.commit()
    response = redirect(url_for(".screen"), code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=TEN_YEARS,
        path="/kiosk",
        httponly=True,
        samesite="Strict",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response


@bp.route("/officer", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
@live_device
def pick_officer(device: KioskDevice):
    """The officer on duty picks themselves from the counter's list and types their 4-digit PIN."""
    officers = counter_officers(device.agency_id)
    error = None
    if request.method == "POST":
        officer = db.session.get(Officer, request.form.get("officer", type=int) or 0)
        if officer is None or officer.agency_id != device.agency_id or not officer.active:
            error = _("Choose your name from the list.")
        elif not pin_matches(officer, request.form.get("pin", "")):
            error = _("The PIN is not right. Try again, or ask the organizer to set it.")
        else:
            start_shift(officer, device)
            db.session.commit()
            return redirect(url_for(".screen"), code=303)
    status = 422 if error else 200
    return render_template(
        "counters/kiosk_officer.html", device=device, officers=officers, error=error
    ), status


@bp.route("/rate", methods=["POST"])
@live_device
def rate_form(device: KioskDevice):
    """The rating screen without JavaScript: a tapped level is stored at once; a low one asks why."""
    level = request.form.get("level", type=int)
    client_uuid = clean_uuid(request.form.get("uuid")) or str(uuid.uuid4())
    try:
        _store(device, {"uuid": client_uuid, "level": level})
    except RatingRefused:
        return _screen(device, 400, error=True)
    db.session.commit()
    rating_set = set_for(device.agency)
    if level in rating_set.low_levels:
        token = sign_token(current_app.config["SECRET_KEY"], RATED_SALT, client_uuid)
        return _screen(device, ask=token)
    return _screen(device, thanked=True)


@bp.route("/reasons", methods=["POST"])
@live_device
def reasons_form(device: KioskDevice):
    """The reasons screen without JavaScript: adds the ticked reasons and comment to the rating."""
    token = read_token(
        current_app.config["SECRET_KEY"],
        RATED_SALT,
        request.form.get("r"),
        current_app.config["COUNTER_UPDATE_SECONDS"],
    )
    if token is not None and token.fresh:
        try:
            add_details(
                token.payload,
                request.form.getlist("reason"),
                request.form.get("comment"),
                service_code=request.form.get("service"),
                device_id=device.id,
            )
        except RatingRefused:
            return _screen(device, 400, error=True)
        db.session.commit()
    return _screen(device, thanked=True)


def _given_at(value) -> datetime | None:
    """The client's time of the tap (ISO 8601 with zone, or milliseconds since the epoch)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else None
    return None


def _store(device: KioskDevice, body: dict) -> bool:
    """Store a tap from `device` for its own counter and its officer on duty; True when new."""
    client_uuid = clean_uuid(body.get("uuid"))
    if client_uuid is None:
        raise RatingRefused("uuid")
    given_at = bounded_time(_given_at(body.get("given_at")), utcnow())
    flags = device_window_flag(device.id, given_at)
    _id, created = store_rating(
        NewRating(
            agency=device.agency,
            rating_set=set_for(device.agency),
            level=body.get("level"),
            channel=Channel.KIOSK,
            client_uuid=client_uuid,
            given_at=given_at,
            officer_id=device.officer_id,
            device_id=device.id,
            reasons=body.get("reasons") or [],
            comment=body.get("comment"),
            flags=flags,
        )
    )
    return created


def _json_device():
    """(device, None) for a live device, or (None, error response) for an unknown or revoked one."""
    device = _device()
    if device is None:
        return None, (jsonify(error=_("This tablet is not paired. Pair it again on /kiosk.")), 401)
    if device.revoked_at is not None:
        return None, (jsonify(error=_("This tablet was revoked by an organizer.")), 403)
    touch(device)
    return device, None


@bp.route("/ratings", methods=["POST"])
def rating_json():
    """A queued tap from kiosk.js: 201 stored, 200 already stored (a replay), 422 refused."""
    device, error = _json_device()
    if error:
        return error
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error=_("The body must be a JSON object.")), 400
    try:
        created = _store(device, body)
    except RatingRefused as refused:
        db.session.rollback()
        return jsonify(error=_("This rating cannot be stored."), reason=str(refused)), 422
    db.session.commit()
    return jsonify(stored=created), 201 if created else 200


@bp.route("/ratings/<rating_uuid>/details", methods=["POST"])
def details_json(rating_uuid: str):
    """Reasons and a comment for a tap of this device, sent by kiosk.js within the update window."""
    device, error = _json_device()
    if error:
        return error
    body = request.get_json(silent=True)
    client_uuid = clean_uuid(rating_uuid)
    if not isinstance(body, dict) or client_uuid is None:
        return jsonify(error=_("The body must be a JSON object.")), 400
    try:
        updated = add_details(
            client_uuid,
            body.get("reasons") or [],
            body.get("comment"),
            service_code=body.get("service_code"),
            device_id=device.id,
        )
    except RatingRefused as refused:
        db.session.rollback()
        return jsonify(error=_("This rating cannot be stored."), reason=str(refused)), 422
    db.session.commit()
    # Too late or unknown: the level stays as it was stored, which is what the kiosk promises.
    return jsonify(updated=updated), 200


@bp.route("/sw.js")
def service_worker():
    """The kiosk's service worker, allowed to control /kiosk itself."""
    response = send_from_directory(
        current_app.static_folder, "js/kiosk-sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Service-Worker-Allowed"] = "/kiosk"
    response.headers["Cache-Control"] = "no-cache"
    return response
