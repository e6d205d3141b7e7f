"""Citizens follow a petition: /track/ and /track/<code> (timeline, answer, rating)."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from feedback.core.codes import clean_code, grouped
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.core.rate_limits import code_missed
from feedback.core.text import clean_text
from feedback.dialogues import limits
from feedback.dialogues.models import Petition, PetitionStatus
from feedback.dialogues.petitions import tracking
from feedback.dialogues.petitions.services import days_late, days_overdue, local_today
from feedback.extensions import csrf, db, limiter

bp = Blueprint("track", __name__, url_prefix="/track")


@bp.after_request
def private_page(response):
    """A tracking page is reached by a secret code: never cached, and its address never sent on."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _lookup_page(typed: str = "", error: str | None = None, status: int = 200):
    """The box to type a tracking code, with `error` under it."""
    return render_template("dialogues/track/lookup.html", typed=typed, error=error), status


@bp.route("/")
@limiter.shared_limit(limits.code_rate_limit, scope=limits.CODE_SCOPE, deduct_when=code_missed)
def lookup():
    """Type a tracking code (any case, with or without the dash); a well-formed one opens its page."""
    typed = request.args.get("code")
    if typed is None:
        return _lookup_page()
    code = clean_code(typed)
    if code is None:
        return _lookup_page(typed[:40], _("A tracking code has 8 letters and digits, as written on your "
                                          "slip or in your confirmation."), 422)
    return redirect(url_for(".show", code=code), code=303)


def _render(petition: Petition, *, rating: dict | None = None, error: str | None = None, status: int = 200):
    """The tracking page of `petition`, with the rating form's choices kept after a mistake."""
    shown = tracking.followed(petition)
    merged = shown.id != petition.id
    return render_template(
        "dialogues/track/show.html", petition=petition, shown=shown, merged=merged,
        timeline=tracking.public_timeline(petition),
        shown_timeline=tracking.public_timeline(shown) if merged else [],
        state=tracking.rating_state(petition) if not merged else tracking.RatingState(False, False),
        rating=rating or {}, error=error, overdue_days=days_overdue(shown, local_today()),
        late_days=days_late(shown),
        token=tracking.make_rating_token(current_app.config["SECRET_KEY"], petition.tracking_code),
        code=grouped(petition.tracking_code), locale=current_locale(),
        hidden=petition.status == PetitionStatus.HIDDEN, comment_max=tracking.RATING_COMMENT_MAX,
    ), status


def _petition_or_retry(code: str):
    """(petition, None) for a known code, or (None, the lookup page answering 404)."""
    cleaned = clean_code(code)
    petition = tracking.find_by_code(cleaned) if cleaned else None
    if petition is None:
        return None, _lookup_page(code[:40], _("No question has this tracking code. Please check it and "
                                               "try again."), 404)
    return petition, None


@bp.route("/<code>")
@limiter.shared_limit(limits.code_rate_limit, scope=limits.CODE_SCOPE, deduct_when=code_missed)
def show(code: str):
    """A petition's progress: timeline, due date, responsible agency, answer, and the rating form."""
    cleaned = clean_code(code)
    if cleaned and cleaned != code:
        kept = {key: value for key, value in request.args.items() if key != "code"}
        return redirect(url_for(".show", code=cleaned, **kept), code=303)
    petition, retry = _petition_or_retry(code)
    if retry is not None:
        return retry
    return _render(petition)


@bp.post("/<code>/rating")
@csrf.exempt  # no account, and a session may be gone: the signed form token stands in for CSRF
@limiter.shared_limit(limits.code_rate_limit, scope=limits.CODE_SCOPE, deduct_when=code_missed)
def rate(code: str):
    """Store the asker's rating of the published answer; mistakes keep what was typed."""
    petition, retry = _petition_or_retry(code)
    if retry is not None:
        return retry
    choice = request.form.get("satisfied", "")
    comment = clean_text(request.form.get("comment", ""))
    kept = {"satisfied": choice, "comment": comment}
    token = tracking.read_rating_token(current_app.config["SECRET_KEY"], request.form.get("token", ""),
                                       petition.tracking_code, current_app.config["SURVEY_FORM_MAX_AGE"])
    if token == "bad":
        return _render(petition, rating=kept, status=400,
                       error=_("This form could not be checked. Please send your rating again."))
    if token == "expired":
        return _render(petition, rating=kept, status=422,
                       error=_("This page was open for a long time. Please check your rating and send it "
                               "again."))
    if choice not in ("yes", "no"):
        return _render(petition, rating=kept, status=422,
                       error=_("Please choose whether you are satisfied with the answer."))
    if len(comment) > tracking.RATING_COMMENT_MAX:
        return _render(petition, rating=kept, status=422,
                       error=_("Please keep your comment under %(max)s characters.",
                               max=tracking.RATING_COMMENT_MAX))
    if petition.status == PetitionStatus.MERGED or not tracking.rate(petition, satisfied=choice == "yes",
                                                                     comment=comment.strip()):
        db.session.rollback()
        return _render(petition, status=409, error=_("This answer can no longer be rated."))
    db.session.commit()
    return redirect(url_for(".show", code=petition.tracking_code, rated=1) + "#rating", code=303)
