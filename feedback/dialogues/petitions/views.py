"""Organizer pages for petitions (/manage/petitions/…) and conferences' closing reports."""

import dataclasses

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from feedback.accounts.authz import can_access, has_role, roles_required
from feedback.accounts.models import Role
from feedback.agencies.services import find_agency
from feedback.core.actions import commit_and_redirect
from feedback.core.codes import grouped
from feedback.core.dates import local_zone
from feedback.core.filters import FilterArgs
from feedback.core.i18n import current_locale, ngettext
from feedback.core.i18n import gettext as _
from feedback.core.text import clean_text
from feedback.dialogues.access import conference_or_404, get_managed_conference_or_404, hosted_conference
from feedback.dialogues.models import Conference, ConferenceStatus, Petition, PetitionSource, PetitionStatus
from feedback.dialogues.petitions import report as reports
from feedback.dialogues.petitions import services
from feedback.dialogues.petitions.forms import (
    COMMITMENT_ROWS_MAX,
    AnswerForm,
    AssignForm,
    FloorPetitionForm,
    HideForm,
    MergeForm,
    ReportForm,
)
from feedback.dialogues.petitions.services import PetitionRefused, QueueFilters, refusal_message
from feedback.dialogues.topics import active_topics, find_topic
from feedback.extensions import db
from feedback.models import utcnow

bp = Blueprint("petitions", __name__, url_prefix="/manage")

MAX_PAGE = 100_000
# Conferences that can take questions from the floor: on the day, and until the report is written.
FLOOR_STATUSES = (ConferenceStatus.PUBLISHED, ConferenceStatus.HELD)
REPORT_REFUSALS = {
    "not_held": lambda: _("The closing report can be written once the conference is held."),
    "already_reported": lambda: _("The closing report of this conference was already sent."),
}
FILTER_KEYS = ("conference", "status", "topic", "agency", "overdue", "source", "q")


# ---- helpers -----------------------------------------------------------------------------------

def _page_number() -> int:
    """The ?page= of the list; anything but a plain positive number means the first page."""
    raw = request.args.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isascii() and raw.isdigit() and int(raw) > 0 else 1


def _conference_in_scope(conference_id: int) -> Conference:
    """A conference the user hosts (as organizer or leader) or has petitions of; 404 otherwise."""
    conference = hosted_conference(conference_id, Role.ORGANIZER, Role.LEADER)
    if conference is not None:
        return conference
    if db.session.scalar(select(Petition.id).where(Petition.conference_id == conference_id,
                                                   services.visible_condition(current_user)).limit(1)):
        return db.session.get(Conference, conference_id)
    abort(404)


def _read_filters() -> tuple[QueueFilters, list[str], dict]:
    """The queue's filters from the query string, messages for the ones not understood, and the
    filters to keep on every link of the page."""
    filters = QueueFilters(search=clean_text(request.args.get("q", ""))[:200])
    reader = FilterArgs(request.args)
    conference_id = reader.whole_number("conference", _("Unknown conference; showing every conference."))
    if conference_id is not None:
        filters.conference_id = _conference_in_scope(conference_id).id
    status = reader.choice("status", ("", *(s.value for s in PetitionStatus)), "",
                           _("Unknown status; showing every status."), strip=False)
    filters.status = PetitionStatus(status) if status else None
    source = reader.choice("source", ("", *(s.value for s in PetitionSource)), "",
                           _("Unknown source; showing every source."), strip=False)
    filters.source = PetitionSource(source) if source else None
    topic = reader.found("topic", find_topic, _("Unknown topic; showing every topic."), max_length=32,
                         strip=False)
    filters.topic_id = topic.id if topic else None
    agency = reader.found("agency", find_agency, _("Unknown agency; showing every agency."), max_length=32,
                          strip=False)
    filters.agency_id = agency.id if agency else None
    filters.overdue = request.args.get("overdue") == "1"
    errors = reader.errors
    kept = {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)}
    if errors:
        kept = {key: value for key, value in kept.items()
                if key in ("q", "overdue") or _filter_understood(key, filters)}
    return filters, errors, kept


def _filter_understood(key: str, filters: QueueFilters) -> bool:
    """Whether the filter `key` was read (a bad one is dropped from the kept links)."""
    return {"conference": filters.conference_id, "status": filters.status, "topic": filters.topic_id,
            "agency": filters.agency_id, "source": filters.source}[key] is not None


def _petition_or_404(petition_id: int) -> Petition:
    """The petition if the signed-in user may read it; 404 otherwise (existence not leaked)."""
    petition = services.get_visible_petition(petition_id, current_user)
    if petition is None:
        abort(404)
    return petition


def _agency_choices(placeholder: str) -> list[SelectChoice]:
    """Every active agency of the tree, indented along it."""
    locale = current_locale()
    return [SelectChoice("", placeholder)] + [
        SelectChoice(a.code, "\u00a0\u00a0" * a.depth + f"{a.name(locale)} ({a.code})")
        for a in services.assignable_agencies()]


def _topic_choices() -> list[SelectChoice]:
    """The active topics, with "no topic" first."""
    locale = current_locale()
    return [SelectChoice("", _("No topic"))] + [SelectChoice(t.code, t.name(locale)) for t in active_topics()]


def _short(text: str, length: int = 90) -> str:
    """The start of a text, for a choice label."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length - 1] + "…"


# ---- the queue ---------------------------------------------------------------------------------

@bp.route("/petitions/")
@roles_required(Role.ORGANIZER, Role.LEADER)
def index():
    """The moderation queue: the petitions the user may read, filtered, overdue ones first."""
    filters, filter_errors, kept = _read_filters()
    page = _page_number()
    rows, total = services.queue_page(current_user, filters, page)
    # The counts by status link to each status with the other filters kept, overdue aside.
    tally = dataclasses.replace(filters, status=None, overdue=False)
    conference = db.session.get(Conference, filters.conference_id) if filters.conference_id else None
    manages_conference = conference is not None and can_access(current_user, conference.host_agency,
                                                               Role.ORGANIZER)
    return render_template(
        "dialogues/petitions/index.html", rows=rows, total=total, page=page, page_size=services.PAGE_SIZE,
        filters=filters, kept=kept, filter_errors=filter_errors,
        counts=services.status_counts(current_user, tally),
        overdue_total=services.overdue_count(current_user, tally),
        conferences=services.visible_conferences(current_user), topics=active_topics(),
        agencies=services.assignable_agencies(), conference=conference,
        manages_conference=manages_conference, today=services.local_today(), locale=current_locale(),
        days_overdue=services.days_overdue, grouped=grouped,
        count_base={key: value for key, value in kept.items() if key not in ("status", "overdue")},
    ), 400 if filter_errors else 200


# ---- one petition ------------------------------------------------------------------------------

def _forms(petition: Petition, given: dict) -> dict:
    """The action forms of the detail page: `given` (a form sent back with errors) or fresh ones."""
    forms = {
        "hide": given.get("hide") or HideForm(formdata=None),
        "merge": given.get("merge") or MergeForm(formdata=None),
        "assign": given.get("assign") or AssignForm(formdata=None),
        "answer": given.get("answer") or AnswerForm(formdata=None),
    }
    forms["merge"].target.choices = [SelectChoice("", _("Choose a petition…"))] + [
        SelectChoice(str(t.id), f"{grouped(t.tracking_code)}: {_short(t.text)}")
        for t in services.merge_targets(petition)]
    forms["assign"].agency.choices = _agency_choices(_("Choose an agency…"))
    if "assign" not in given:
        forms["assign"].agency.data = petition.agency.code if petition.agency else ""
        forms["assign"].due_date.data = petition.due_date or services.routing_due_date(petition.conference)
    if "answer" not in given:
        answer = forms["answer"]
        answer.answer_text.data = petition.answer_text
        name, _sep, title = (petition.answered_by or "").partition(", ")
        answer.answered_by_name.data = name
        answer.answered_by_title.data = title
        moment = (petition.answered_at or utcnow()).astimezone(local_zone())
        answer.answered_at.data = moment.replace(tzinfo=None, second=0, microsecond=0)
    return forms


def _render_detail(petition: Petition, *, given: dict | None = None, error: str | None = None,
                   status: int = 200):
    """The petition's page: what it is, its timeline, and the actions the user may take."""
    merged_into = db.session.get(Petition, petition.merged_into_id) if petition.merged_into_id else None
    duplicates = db.session.scalars(select(Petition).where(Petition.merged_into_id == petition.id)
                                    .order_by(Petition.id)).all()
    return render_template(
        "dialogues/petitions/detail.html", petition=petition, powers=services.powers(current_user, petition),
        forms=_forms(petition, given or {}), error=error, merged_into=merged_into, duplicates=duplicates,
        days_overdue=services.days_overdue(petition, services.local_today()), locale=current_locale(),
        grouped=grouped,
    ), status


@bp.route("/petitions/<int:petition_id>")
@roles_required(Role.ORGANIZER, Role.LEADER)
def show(petition_id: int):
    """One petition with its timeline and, for those who may act, its action forms."""
    return _render_detail(_petition_or_404(petition_id))


def _act(petition_id: int, power: str, run, done: str, *, form_name: str | None = None, form=None):
    """Check the user's `power` over the petition, validate `form`, `run` the step, commit.

    A refused step rolls back and shows the petition's current state with the reason (409).
    """
    petition = _petition_or_404(petition_id)
    if not getattr(services.powers(current_user, petition), power):
        abort(403)
    if form is not None:
        if form_name == "merge":
            form.target.choices = [SelectChoice(str(t.id), t.tracking_code)
                                   for t in services.merge_targets(petition)]
        if form_name == "assign":
            form.agency.choices = _agency_choices("")
        if not form.validate_on_submit():
            return _render_detail(petition, given={form_name: form}, status=422)
    try:
        run(petition, form)
    except PetitionRefused as refused:
        db.session.rollback()
        petition = _petition_or_404(petition_id)
        return _render_detail(petition, given={form_name: form} if form is not None else None,
                              error=refusal_message(refused.reason), status=409)
    return commit_and_redirect(done, url_for(".show", petition_id=petition_id))


@bp.post("/petitions/<int:petition_id>/hide")
@roles_required(Role.ORGANIZER)
def hide(petition_id: int):
    """Hide the petition, with a reason kept for the staff."""
    return _act(petition_id, "moderate",
                lambda p, f: services.hide(p, f.reason.data.strip(), current_user),
                _("The petition is hidden."), form_name="hide", form=HideForm())


@bp.post("/petitions/<int:petition_id>/merge")
@roles_required(Role.ORGANIZER)
def merge(petition_id: int):
    """Merge a duplicate into another petition of the same conference."""
    def run(petition: Petition, form: MergeForm) -> None:
        target = db.session.get(Petition, int(form.target.data))
        services.merge(petition, target, current_user)

    return _act(petition_id, "moderate", run, _("The petition is merged."), form_name="merge",
                form=MergeForm())


@bp.post("/petitions/<int:petition_id>/assign")
@roles_required(Role.ORGANIZER)
def assign(petition_id: int):
    """Route the petition to the responsible agency with a due date."""
    def run(petition: Petition, form: AssignForm) -> None:
        services.assign(petition, find_agency(form.agency.data), form.due_date.data, current_user)

    return _act(petition_id, "moderate", run, _("The petition is assigned."), form_name="assign",
                form=AssignForm())


@bp.post("/petitions/<int:petition_id>/answer")
@roles_required(Role.ORGANIZER)
def answer(petition_id: int):
    """Record (or correct) the answer before it is published."""
    def run(petition: Petition, form: AnswerForm) -> None:
        services.record_answer(petition, text=form.answer_text.data.strip(), answered_by=form.answered_by,
                               answered_at=form.local_answered_at(), actor=current_user)

    return _act(petition_id, "answer", run, _("The answer is recorded. Publish it when it is final."),
                form_name="answer", form=AnswerForm())


# The steps that need no form: the power they take, the service that does it, what is said after.
STEPS = {
    "publish-question": ("moderate", services.publish_question, _l("The question is published.")),
    "unpublish-question": ("moderate", services.unpublish_question,
                           _l("The question is no longer published.")),
    "publish-answer": ("answer", services.publish_answer, _l("The answer is published.")),
    "close": ("answer", services.close, _l("The petition is closed.")),
}


@bp.post('/petitions/<int:petition_id>/<any("publish-question", "unpublish-question", "publish-answer", '
         '"close"):step>')
@roles_required(Role.ORGANIZER)
def step(petition_id: int, step: str):
    """Show the question on the conference page (only with the asker's consent) or take it off;
    publish the recorded answer and tell the asker; close an answered petition."""
    power, service, done = STEPS[step]
    return _act(petition_id, power, lambda p, _f: service(p, current_user), str(done))


@bp.route("/dialogues/<int:conference_id>/petitions/new", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def floor_new(conference_id: int):
    """Type in a question raised on the day; the page then shows its tracking code for the slip."""
    conference = get_managed_conference_or_404(conference_id)
    form = FloorPetitionForm()
    form.topic.choices = _topic_choices()
    created = None
    created_id = FilterArgs(request.args).whole_number("created", None)
    if created_id is not None and request.method == "GET":
        created = db.session.scalar(select(Petition).where(Petition.id == created_id,
                                                           Petition.conference_id == conference.id))
    if conference.status not in FLOOR_STATUSES:
        return render_template("dialogues/petitions/floor.html", conference=conference, form=form,
                               refused=_("Questions from the floor can be entered for a published or "
                                         "held conference only."), created=None, grouped=grouped), 409
    if request.method == "GET":
        return render_template("dialogues/petitions/floor.html", conference=conference, form=form,
                               created=created, grouped=grouped)
    valid = form.validate()
    registration = None
    if form.ticket.data and form.ticket.data.strip():
        registration = services.registration_by_ticket(conference, form.ticket.data)
        if registration is None:
            form.ticket.errors = [*form.ticket.errors,
                                  _("No registration of this conference has this ticket code.")]
            valid = False
    if not valid:
        return render_template("dialogues/petitions/floor.html", conference=conference, form=form,
                               created=None, grouped=grouped), 422
    petition = services.create_floor_petition(
        conference, text=form.text.data.strip(), topic=find_topic(form.topic.data), registration=registration,
        consent_to_publish=form.consent.data, actor=current_user)
    db.session.commit()
    return redirect(url_for(".floor_new", conference_id=conference.id, created=petition.id), code=303)


# ---- the closing report ------------------------------------------------------------------------

def _report_choices(form: ReportForm) -> None:
    """Offer every active agency and topic in each commitment row."""
    agencies = _agency_choices(_("Choose an agency…"))
    topics = _topic_choices()
    for row in form.commitments:
        row.form.agency.choices = agencies
        row.form.topic.choices = topics


def _render_report(conference: Conference, form: ReportForm | None, *, error: str | None = None,
                   status: int = 200):
    """The report page: the form for a held conference, the report once written, or a refusal."""
    manages = can_access(current_user, conference.host_agency, Role.ORGANIZER)
    return render_template(
        "dialogues/petitions/report.html", conference=conference, form=form, error=error,
        manages=manages, commitments=reports.commitments_of(conference),
        checked_in=reports.checked_in_count(conference), locale=current_locale(),
        default_due=services.routing_due_date(conference), grouped=grouped,
    ), status


@bp.route("/dialogues/<int:conference_id>/report", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER, Role.LEADER)
def report(conference_id: int):
    """Write the closing report of a held conference; a reported one shows its report read-only."""
    if request.method == "POST":
        if not has_role(current_user, Role.ORGANIZER):
            abort(403)
        conference = get_managed_conference_or_404(conference_id)
    else:
        conference = conference_or_404(conference_id, Role.ORGANIZER, Role.LEADER)
    try:
        reports.check_reportable(conference)
    except reports.ReportRefused as refused:
        if refused.reason == "already_reported":
            status = 409 if request.method == "POST" else 200
            error = REPORT_REFUSALS["already_reported"]() if request.method == "POST" else None
            return _render_report(conference, None, error=error, status=status)
        return _render_report(conference, None, error=REPORT_REFUSALS["not_held"](), status=409)
    if not can_access(current_user, conference.host_agency, Role.ORGANIZER):
        return _render_report(conference, None)

    form = ReportForm()
    if request.method == "GET":
        form.attendee_count.data = reports.checked_in_count(conference)
        for row in form.commitments:
            row.form.due_date.data = services.routing_due_date(conference)
        _report_choices(form)
        return _render_report(conference, form)

    if "add_row" in request.form:
        if len(form.commitments) < COMMITMENT_ROWS_MAX:
            form.commitments.append_entry({"due_date": services.routing_due_date(conference)})
        _report_choices(form)
        return _render_report(conference, form)
    _report_choices(form)
    if not form.validate_on_submit():
        return _render_report(conference, form, status=422)
    commitments = [
        reports.Commitment(text=row.form.text.data.strip(), agency=find_agency(row.form.agency.data),
                           due_date=row.form.due_date.data or services.routing_due_date(conference),
                           topic=find_topic(row.form.topic.data))
        for row in form.commitments if not row.form.is_blank()]
    try:
        reports.submit_report(conference, attendee_count=form.attendee_count.data,
                              summary=form.summary.data.strip(), commitments=commitments, actor=current_user)
    except reports.ReportRefused as refused:
        db.session.rollback()
        conference = get_managed_conference_or_404(conference_id)
        return _render_report(conference, None, error=REPORT_REFUSALS[refused.reason](), status=409)
    db.session.commit()
    flash(ngettext("The closing report is sent; %(num)s commitment is now followed in the petition queue.",
                   "The closing report is sent; %(num)s commitments are now followed in the petition queue.",
                   len(commitments)), "success")
    return redirect(url_for(".report", conference_id=conference.id), code=303)
