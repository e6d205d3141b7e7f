"""The home page."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from feedback.core.i18n import current_locale
from feedback.dialogues.public import next_conferences
from feedback.surveys.services import open_survey_agencies

bp = Blueprint("home", __name__)


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
    return render_template("home/home.html", agencies=open_survey_agencies(),
                           dialogues=next_conferences(3), track_action=track_action,
                           locale=current_locale())
