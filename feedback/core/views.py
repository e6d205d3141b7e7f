"""Home page, health check, and how Flask-Login finds the signed-in user."""

from flask import Blueprint, Flask, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from feedback.core.errors import RETRY_AFTER_SECONDS
from feedback.core.i18n import current_locale
from feedback.dialogues.public import next_conferences
from feedback.extensions import db, limiter, login_manager
from feedback.surveys.services import open_survey_agencies

bp = Blueprint("core", __name__)


# Where the "track your question" form goes while the tracking pages are not registered.
TRACK_PATH = "/track/"


@bp.route("/")
def home():
    """Rate a service (type the code on the poster, or pick an agency offering a survey), see the
    next dialogue conferences, and track a question."""
    code = request.args.get("agency", "").strip()
    if code:
        return redirect(url_for("surveys.take", agency_code=code.upper()))
    track_action = url_for("track.lookup") if "track.lookup" in current_app.view_functions else TRACK_PATH
    return render_template("core/home.html", agencies=open_survey_agencies(),
                           dialogues=next_conferences(3), track_action=track_action,
                           locale=current_locale())


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """200 when the database answers, 503 when it does not (for the load balancer)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503, {
            "Retry-After": str(RETRY_AFTER_SECONDS)}
    return jsonify(status="ok", database="ok")


def init_login(app: Flask) -> None:
    """Tell Flask-Login how to load users and where the sign-in page is."""
    from feedback.accounts.sessions import load_signed_in

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str):
        """The user this session (or remember cookie) still signs in, if any."""
        try:
            return load_signed_in(session_id)
        except OperationalError:
            db.session.rollback()
            if g.get("database_down"):
                # Drawing the 503 page, whose header asks who is signed in: anonymous for this
                # one page; the session is kept for when the database is back.
                return None
            raise
