"""The public transparency page (/public/), served only when PUBLIC_TRANSPARENCY is on."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from feedback.core.i18n import current_locale
from feedback.transparency.services import public_figures

bp = Blueprint("transparency", __name__, url_prefix="/public")

# The figures move with each day's responses; a few minutes' delay costs nobody anything.
CACHE_SECONDS = 300


@bp.before_request
def only_when_enabled():
    """Answer 404 for the whole section unless the setting turns it on (nothing to discover)."""
    if not current_app.config.get("PUBLIC_TRANSPARENCY"):
        abort(404)


@bp.route("/")
def index():
    """Each ranked agency's satisfaction index and petition on-time rate over the last 12 months."""
    today = datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    response = current_app.make_response(render_template(
        "transparency/index.html", figures=public_figures(today), locale=current_locale(),
        ranked_min=current_app.config["MIN_RESPONSES_RANKED"],
        shown_min=current_app.config["MIN_RESPONSES_SHOWN"]))
    # The page is the same for everyone in a language, but a signed-in visitor's copy carries
    # their sign-out form, and ?lang= answers with a cookie: only the visitor's browser keeps those.
    response.cache_control.max_age = CACHE_SECONDS
    if current_user.is_authenticated or "lang" in request.args:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response
