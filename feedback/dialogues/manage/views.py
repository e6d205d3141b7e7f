"""Organizer pages for dialogue conferences (/manage/dialogues/…): the list, the form, status changes.

The registrant list, check-in and topic pages add their routes to the same blueprint from their
own modules, imported at the end of this one.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from feedback.accounts.authz import get_agency_or_404, roles_required
from feedback.accounts.models import Role
from feedback.core.actions import commit_and_redirect
from feedback.core.i18n import current_locale, ngettext
from feedback.core.i18n import gettext as _
from feedback.dialogues import conferences
from feedback.dialogues.access import get_managed_conference_or_404
from feedback.dialogues.manage import services
from feedback.dialogues.manage.blueprint import bp
from feedback.dialogues.manage.forms import ConferenceForm, error_list
from feedback.dialogues.models import Conference, ConferenceMode, ConferenceStatus, Topic
from feedback.dialogues.topics import active_topics
from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.budgets import used_up

__all__ = ["bp"]

STATUS_FILTERS = tuple(s.value for s in ConferenceStatus)


def linked_endpoint(endpoint: str, **values) -> str | None:
    """The URL of another part's page when that part is installed, else None."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


# ---- the list ----------------------------------------------------------------------------------

@bp.route("/")
@roles_required(Role.ORGANIZER)
def index():
    """The conferences hosted in the organizer's subtrees, filtered by status, agency and month."""
    messages = []
    status_arg, agency_arg, month_arg = (request.args.get(k, "") for k in ("status", "agency", "month"))
    status = None
    if status_arg in STATUS_FILTERS:
        status = ConferenceStatus(status_arg)
    elif status_arg:
        messages.append(_("Unknown status; showing every status."))
    under = get_agency_or_404(agency_arg, Role.ORGANIZER) if agency_arg else None
    month = services.month_bounds(month_arg) if month_arg else None
    if month_arg and month is None:
        messages.append(_("Please give the month as year-month, for example 2025-06; showing every month."))
    page = services.page_number(request.args.get("page"))
    rows, total = services.conference_rows(current_user, status=status, under=under, month=month, page=page)
    filters = {k: v for k, v in (("status", status.value if status else ""),
                                 ("agency", under.code if under else ""),
                                 ("month", month_arg if month else "")) if v}
    return render_template(
        "dialogues/manage/index.html", rows=rows, total=total, page=page, page_size=services.PAGE_SIZE,
        agencies=services.organizer_agencies(current_user), filters=filters, statuses=STATUS_FILTERS,
        messages=messages, locale=current_locale(), status_labels=conferences.STATUS_LABELS,
    ), 400 if messages else 200


# ---- the form ----------------------------------------------------------------------------------

def _set_choices(form: ConferenceForm, conference: Conference | None = None) -> None:
    """Offer the organizer's active agencies and the active topics; a conference being edited keeps
    its own host and topics on offer even if they have since been deactivated."""
    locale = current_locale()
    agencies = services.organizer_agencies(current_user, active_only=True)
    if conference is not None and conference.host_agency not in agencies:
        agencies.append(conference.host_agency)
    form.host_agency.choices = [SelectChoice("", _("Choose an agency…"))] + [
        SelectChoice(a.code, "\u00a0\u00a0" * a.depth + f"{a.name(locale)} ({a.code})") for a in agencies]
    topics = active_topics()
    if conference is not None:
        topics += [t for t in conference.topics if t not in topics]
    form.topics.choices = [SelectChoice(t.id, t.name(locale)) for t in topics]


def _fill_form(form: ConferenceForm, conference: Conference) -> None:
    """Show a stored conference in the form (times in local time)."""
    for name in ("title_vi", "title_en", "description_vi", "description_en", "venue", "online_url",
                 "starts_at", "ends_at", "capacity", "registration_opens_at", "registration_closes_at"):
        getattr(form, name).data = getattr(conference, name)
    form.host_agency.data = conference.host_agency.code
    form.mode.data = conference.mode.value
    form.topics.data = [t.id for t in conference.topics]
    while len(form.leaders):
        form.leaders.pop_entry()
    for leader in conference.leaders or []:
        form.leaders.append_entry(leader)
    while len(form.agenda):
        form.agenda.pop_entry()
    for item in conference.agenda or []:
        form.agenda.append_entry(item)
    form.version.data = conferences.edit_fingerprint(conference)


def _details(form: ConferenceForm) -> conferences.ConferenceDetails:
    """The validated form as the details a conference is written from."""
    host = get_agency_or_404(form.host_agency.data, Role.ORGANIZER)
    chosen = set(form.topics.data or [])
    topics = [t for t in db.session.scalars(db.select(Topic).order_by(Topic.code)) if t.id in chosen]
    return conferences.ConferenceDetails(
        title_vi=form.title_vi.data.strip(), title_en=(form.title_en.data or "").strip(),
        description_vi=(form.description_vi.data or "").strip(),
        description_en=(form.description_en.data or "").strip(),
        host_agency=host, mode=ConferenceMode(form.mode.data), venue=(form.venue.data or "").strip(),
        online_url=(form.online_url.data or "").strip(), starts_at=form.starts_at.data,
        ends_at=form.ends_at.data, capacity=form.capacity.data,
        registration_opens_at=form.registration_opens_at.data,
        registration_closes_at=form.registration_closes_at.data,
        leaders=form.leader_list(), agenda=form.agenda_list(), topics=topics)


def _render_form(form: ConferenceForm, conference: Conference | None, *, status: int = 200,
                 notice: str | None = None, current: Conference | None = None):
    """The conference form; `notice` explains a refusal, `current` shows what someone else saved."""
    form.pad_rows()
    return render_template("dialogues/manage/form.html", form=form, conference=conference,
                           errors=error_list(form), notice=notice, current=current,
                           locale=current_locale(), mode_labels=conferences.MODE_LABELS), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def create():
    """A new conference, saved as a draft; mistakes re-show the form with everything typed."""
    form = ConferenceForm()
    _set_choices(form)
    if request.method == "GET":
        agencies = [c.value for c in form.host_agency.choices if c.value]
        if len(agencies) == 1:
            form.host_agency.data = agencies[0]
        return _render_form(form, None)
    if not form.validate():
        return _render_form(form, None, status=422)
    conference = conferences.create_conference(_details(form), actor=current_user)
    return commit_and_redirect(
        _("The conference is saved as a draft. Publish it when the details are complete."),
        url_for("dialogue_manage.detail", conference_id=conference.id))


@bp.route("/<int:conference_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def edit(conference_id: int):
    """Change a draft or published conference. A capacity raise seats people from the waiting list;
    a form opened before someone else's save is refused rather than overwriting it."""
    conference = get_managed_conference_or_404(conference_id)
    if conference.status not in conferences.EDITABLE:
        return _render_detail(conference, error=_(
            "A conference that is %(status)s can no longer be edited.",
            status=conferences.status_label(conference.status).lower()), status=409)
    form = ConferenceForm()
    _set_choices(form, conference)
    if request.method == "GET":
        _fill_form(form, conference)
        return _render_form(form, conference)
    if not form.validate():
        return _render_form(form, conference, status=422)
    try:
        promoted = conferences.update_conference(conference, _details(form), fingerprint=form.version.data,
                                                 actor=current_user)
    except conferences.StaleEdit as stale:
        db.session.rollback()
        conference = get_managed_conference_or_404(conference_id)
        # Saving again now is a deliberate choice made with the other person's version in view.
        form.version.data = conferences.edit_fingerprint(conference)
        return _render_form(form, conference, status=409, notice=str(stale), current=conference)
    except conferences.CapacityRefused as refused:
        db.session.rollback()
        form.capacity.errors = [*form.capacity.errors, str(refused)]
        return _render_form(form, get_managed_conference_or_404(conference_id), status=422)
    except conferences.ConferenceRefused as refused:
        db.session.rollback()
        return _render_detail(get_managed_conference_or_404(conference_id), error=str(refused), status=409)
    db.session.commit()
    flash(_("The changes are saved."), "success")
    if promoted:
        flash(ngettext("%(num)s person was moved from the waiting list to a seat and notified.",
                       "%(num)s people were moved from the waiting list to a seat and notified.",
                       len(promoted)), "success")
    return redirect(url_for("dialogue_manage.detail", conference_id=conference.id), code=303)


# ---- one conference and its status -------------------------------------------------------------

def _render_detail(conference: Conference, *, error: str | None = None,
                   problems: list[tuple[str, str]] | None = None, status: int = 200):
    """The conference's page: details, counts, the actions its status allows."""
    return render_template(
        "dialogues/manage/detail.html", conference=conference,
        counts=services.registration_counts(conference),
        error=error, problems=problems or [], locale=current_locale(),
        status_labels=conferences.STATUS_LABELS, mode_labels=conferences.MODE_LABELS,
        started=conference.starts_at <= utcnow(),
        report_url=linked_endpoint("petitions.report", conference_id=conference.id),
        petitions_url=linked_endpoint("petitions.index", conference=conference.id),
        public_url=linked_endpoint("dialogues.show", conference_id=conference.id),
        text_budgets_spent=[key for key in (f"conference:{conference.id}",
                                            f"agency:{conference.host_agency_id}") if used_up(key)],
    ), status


@bp.route("/<int:conference_id>")
@roles_required(Role.ORGANIZER)
def detail(conference_id: int):
    """One conference as the organizer sees it."""
    return _render_detail(get_managed_conference_or_404(conference_id))


def _transition(conference_id: int, change, done: str):
    """Apply a status change; a refusal re-shows the conference page with the reason (409)."""
    conference = get_managed_conference_or_404(conference_id)
    try:
        change(conference, actor=current_user)
    except conferences.ConferenceIncomplete as incomplete:
        db.session.rollback()
        return _render_detail(get_managed_conference_or_404(conference_id), error=str(incomplete),
                              problems=incomplete.problems, status=409)
    except conferences.ConferenceRefused as refused:
        db.session.rollback()
        return _render_detail(get_managed_conference_or_404(conference_id), error=str(refused), status=409)
    return commit_and_redirect(done, url_for("dialogue_manage.detail", conference_id=conference_id))


@bp.post("/<int:conference_id>/publish")
@roles_required(Role.ORGANIZER)
def publish(conference_id: int):
    """Announce a complete draft: citizens can see it and sign up."""
    return _transition(conference_id, conferences.publish,
                       _("The conference is published: citizens can now see it and sign up."))


@bp.post("/<int:conference_id>/held")
@roles_required(Role.ORGANIZER)
def held(conference_id: int):
    """Record that a published conference has taken place."""
    return _transition(conference_id, conferences.mark_held,
                       _("The conference is marked as held. Write the closing report next."))


@bp.route("/<int:conference_id>/cancel", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def cancel(conference_id: int):
    """Cancel a draft or published conference, after a confirmation page saying who is told."""
    conference = get_managed_conference_or_404(conference_id)
    if request.method == "GET":
        if conference.status not in conferences.CANCELLABLE:
            return _render_detail(conference, status=409, error=_(
                "Only a draft or published conference can be cancelled; this one is %(status)s.",
                status=conferences.status_label(conference.status).lower()))
        live, reachable = conferences.live_registrations(conference)
        return render_template("dialogues/manage/cancel.html", conference=conference, live=live,
                               reachable=reachable, locale=current_locale())
    if request.form.get("confirm") != "yes":
        abort(400)
    return _transition(conference_id, conferences.cancel_conference,
                       _("The conference is cancelled; everyone registered with an email address is "
                         "being told."))


# Routes of the same blueprint kept in their own modules (imported for their side effect).
from feedback.dialogues.manage import checkin_views, registrant_views, topic_views  # noqa: E402,F401,I001
