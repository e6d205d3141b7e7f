"""Petitions: who sees them, the moderation queue, every step of their handling; the caller commits."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import joinedload

from feedback.accounts.authz import agency_filter, can_access, is_admin
from feedback.accounts.models import Role, User
from feedback.agencies.models import Agency
from feedback.audit.services import record
from feedback.core.codes import clean_code, new_unique_code
from feedback.core.dates import local_zone
from feedback.core.text import fold_for_search, like_pattern
from feedback.dialogues.models import (
    Conference,
    Petition,
    PetitionAction,
    PetitionEvent,
    PetitionSource,
    PetitionStatus,
    Registration,
    Topic,
)
from feedback.dialogues.notices import notify_petition_answered
from feedback.extensions import db
from feedback.models import utcnow


def local_date(conference: Conference) -> date:
    """The day (in the platform's time zone) the conference ends."""
    zone = local_zone()
    return conference.ends_at.astimezone(zone).date()


def default_due_date(conference: Conference | None) -> date:
    """PETITION_DUE_DAYS after the conference's last day (after today for a petition without one)."""
    days = timedelta(days=current_app.config["PETITION_DUE_DAYS"])
    if conference is None:
        zone = local_zone()
        return utcnow().astimezone(zone).date() + days
    return local_date(conference) + days


def routing_due_date(conference: Conference | None) -> date:
    """The due date offered when routing a petition: the default, unless that day has passed
    (a petition routed or a report written late), then PETITION_DUE_DAYS from today."""
    due = default_due_date(conference)
    return due if due >= local_today() else default_due_date(None)


def record_event(petition: Petition, action: PetitionAction, note: str = "") -> PetitionEvent:
    """Add a step to `petition`'s timeline with its status after the step."""
    event = PetitionEvent(action=action.value, status=petition.status, note=note, at=utcnow())
    petition.events.append(event)
    return event


def create_petition(*, text: str, source: PetitionSource, conference: Conference | None = None,
                    registration: Registration | None = None, topic: Topic | None = None,
                    consent_to_publish: bool = False, agency: Agency | None = None,
                    due_date: date | None = None) -> Petition:
    """A new petition with its tracking code and first timeline step; flushed, not committed.

    With an `agency` it starts assigned, due on `due_date` or the default (commitments in a
    closing report are written that way); otherwise it waits in the moderation queue as received.
    """
    petition = Petition(
        tracking_code=new_unique_code(Petition.tracking_code), text=text, source=source,
        conference=conference, registration=registration, topic=topic,
        consent_to_publish=consent_to_publish, status=PetitionStatus.RECEIVED, created_at=utcnow(),
    )
    db.session.add(petition)
    record_event(petition, PetitionAction.RECEIVED)
    if agency is not None:
        petition.agency = agency
        petition.due_date = due_date or default_due_date(conference)
        petition.status = PetitionStatus.ASSIGNED
        record_event(petition, PetitionAction.ASSIGNED)
    db.session.flush()
    return petition


# ---- who sees and who acts ---------------------------------------------------------------------

def local_today() -> date:
    """Today's date where the agencies are (due dates are local days)."""
    return utcnow().astimezone(local_zone()).date()


def _agency_ids(user: User, *roles: Role):
    """A subquery of the ids of the agencies `user` holds `roles` over (admins: all)."""
    return select(Agency.id).where(agency_filter(user, *roles))


def hosted_condition(user: User, *roles: Role):
    """SQL condition on Petition: raised at a conference hosted in `user`'s subtrees for `roles`."""
    return Petition.conference_id.in_(
        select(Conference.id).where(Conference.host_agency_id.in_(_agency_ids(user, *roles))))


def visible_condition(user: User):
    """SQL condition on Petition: what `user` may read, as organizer or leader.

    A conference's host sees every petition raised there; a responsible agency sees the petitions
    assigned to it, wherever they were raised.
    """
    roles = (Role.ORGANIZER, Role.LEADER)
    return or_(hosted_condition(user, *roles), Petition.agency_id.in_(_agency_ids(user, *roles)))


@dataclass(frozen=True)
class Powers:
    """What a staff member may do with one petition.

    `moderate` (publish or hide the question, merge, assign): organizers of the host agency.
    `answer` (record and publish the answer, close): those and the responsible agency's organizers.
    Leaders read only.
    """

    moderate: bool
    answer: bool


def powers(user: User, petition: Petition) -> Powers:
    """`user`'s powers over `petition` (admins hold both)."""
    if petition.conference is not None:
        hosts = can_access(user, petition.conference.host_agency, Role.ORGANIZER)
    else:
        hosts = is_admin(user)
    responsible = petition.agency is not None and can_access(user, petition.agency, Role.ORGANIZER)
    return Powers(moderate=hosts, answer=hosts or responsible)


def get_visible_petition(petition_id: int, user: User) -> Petition | None:
    """The petition if `user` may read it, else None (the view answers 404: existence not leaked)."""
    return db.session.scalar(select(Petition).where(Petition.id == petition_id, visible_condition(user)))


# ---- the queue ---------------------------------------------------------------------------------

PAGE_SIZE = 50
# Petitions still waiting for an answer; hidden and merged ones wait for nothing.
OPEN_STATUSES = (PetitionStatus.RECEIVED, PetitionStatus.ASSIGNED)


def overdue_condition(today: date):
    """SQL condition on Petition: the due date has passed and no answer is published."""
    return and_(Petition.due_date < today, Petition.answer_published_at.is_(None),
                Petition.status.in_(OPEN_STATUSES))


def days_overdue(petition: Petition, today: date) -> int:
    """How many days past its due date `petition` is without a published answer (0 if it is not)."""
    if (petition.due_date is None or petition.answer_published_at is not None
            or petition.status not in OPEN_STATUSES):
        return 0
    return max((today - petition.due_date).days, 0)


def days_late(petition: Petition) -> int:
    """How many local days after its due date `petition`'s answer was published (0 if on time or
    unanswered): the mark stays on an answer given late, as the handling figures count it late."""
    if petition.due_date is None or petition.answer_published_at is None:
        return 0
    published = petition.answer_published_at.astimezone(local_zone()).date()
    return max((published - petition.due_date).days, 0)


@dataclass
class QueueFilters:
    """The moderation queue's filters (None / False / "" mean "any")."""

    conference_id: int | None = None
    status: PetitionStatus | None = None
    topic_id: int | None = None
    agency_id: int | None = None
    overdue: bool = False
    source: PetitionSource | None = None
    search: str = ""


def _filter_conditions(user: User, filters: QueueFilters, today: date, *, with_status: bool = True) -> list:
    """The WHERE conditions of the queue for `user` and `filters`."""
    conditions = [visible_condition(user)]
    if filters.conference_id is not None:
        conditions.append(Petition.conference_id == filters.conference_id)
    if with_status and filters.status is not None:
        conditions.append(Petition.status == filters.status)
    if filters.topic_id is not None:
        conditions.append(Petition.topic_id == filters.topic_id)
    if filters.agency_id is not None:
        conditions.append(Petition.agency_id == filters.agency_id)
    if filters.overdue:
        conditions.append(overdue_condition(today))
    if filters.source is not None:
        conditions.append(Petition.source == filters.source)
    search = filters.search.strip()
    if search:
        # Folded against the folded text: any case, with or without accents, on both backends.
        text_match = Petition.search_text.like(like_pattern(fold_for_search(search)), escape="\\")
        code = clean_code(search)
        conditions.append(or_(text_match, Petition.tracking_code == code) if code else text_match)
    return conditions


def queue_page(user: User, filters: QueueFilters, page: int = 1) -> tuple[list[Petition], int]:
    """A page of the petitions `user` may read that match `filters`, and how many match in all.

    Overdue ones first (the oldest due date first), then the newest.
    """
    today = local_today()
    conditions = _filter_conditions(user, filters, today)
    total = db.session.scalar(select(func.count(Petition.id)).where(*conditions)) or 0
    overdue_first = case((overdue_condition(today), 0), else_=1)
    rows = db.session.scalars(
        select(Petition).where(*conditions)
        .options(joinedload(Petition.conference), joinedload(Petition.topic), joinedload(Petition.agency))
        .order_by(overdue_first, case((overdue_condition(today), Petition.due_date), else_=None),
                  Petition.created_at.desc(), Petition.id.desc())
        .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return list(rows), total


def status_counts(user: User, filters: QueueFilters) -> dict[PetitionStatus, int]:
    """How many petitions match `filters` in each status (the status filter itself left out)."""
    today = local_today()
    counts = dict.fromkeys(PetitionStatus, 0)
    for status, count in db.session.execute(
            select(Petition.status, func.count(Petition.id))
            .where(*_filter_conditions(user, filters, today, with_status=False))
            .group_by(Petition.status)):
        counts[PetitionStatus(status)] = count
    return counts


def overdue_count(user: User, filters: QueueFilters) -> int:
    """How many petitions matching `filters` are overdue."""
    today = local_today()
    return db.session.scalar(select(func.count(Petition.id)).where(
        *_filter_conditions(user, filters, today), overdue_condition(today))) or 0


def visible_conferences(user: User) -> list[Conference]:
    """Conferences with petitions `user` may read, newest first (the queue's conference filter)."""
    with_petitions = select(Petition.conference_id).where(visible_condition(user))
    return list(db.session.scalars(
        select(Conference).where(Conference.id.in_(with_petitions)).order_by(Conference.starts_at.desc())))


def assignable_agencies() -> list[Agency]:
    """Every active agency, in tree order: a petition may be routed anywhere in the tree."""
    return list(db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.path)))


def merge_targets(petition: Petition) -> list[Petition]:
    """Petitions of the same conference that `petition` may be merged into."""
    if petition.conference_id is None:
        return []
    return list(db.session.scalars(
        select(Petition).where(Petition.conference_id == petition.conference_id,
                               Petition.id != petition.id, Petition.status.in_(MERGE_TARGET_STATUSES))
        .order_by(Petition.created_at, Petition.id)))


# ---- transitions -------------------------------------------------------------------------------

# A merge moves a waiting petition into one that is still alive (answered ones included, so the
# duplicate's asker sees that answer).
MERGE_SOURCE_STATUSES = OPEN_STATUSES
MERGE_TARGET_STATUSES = (PetitionStatus.RECEIVED, PetitionStatus.ASSIGNED, PetitionStatus.ANSWERED,
                         PetitionStatus.CLOSED)
# The question may be shown on the conference page while the petition is alive.
QUESTION_SHOWN_STATUSES = MERGE_TARGET_STATUSES


class PetitionRefused(Exception):
    """A step the petition's state does not allow; `reason` is a key of REFUSALS (localized there)."""

    def __init__(self, reason: str):
        """Refuse for `reason`."""
        super().__init__(reason)
        self.reason = reason


REFUSALS = {
    "hidden": _l("This petition is hidden; nothing more can be done with it."),
    "merged": _l("This petition was merged into another one; act on that one instead."),
    "no_consent": _l("The asker did not allow publishing this question."),
    "question_published": _l("The question is already published."),
    "question_not_published": _l("The question is not published."),
    "not_open": _l("Only a petition that is not answered yet can be hidden, merged or assigned."),
    "same_petition": _l("A petition cannot be merged into itself."),
    "other_conference": _l("Only petitions of the same conference can be merged."),
    "target_gone": _l("The petition to merge into is hidden or merged itself; choose another."),
    "past_due_date": _l("The due date cannot be in the past."),
    "inactive_agency": _l("This agency is no longer active; choose another."),
    "not_assigned": _l("Assign the petition to the responsible agency first."),
    "answer_published": _l("The answer is already published; it can no longer be changed."),
    "no_answer": _l("Record the answer before publishing it."),
    "not_answered": _l("Only a petition with a published answer can be closed."),
    "closed": _l("This petition is closed."),
    "changed": _l("Someone changed this petition at the same moment; here is its current state."),
}


def refusal_message(reason: str) -> str:
    """The localized explanation of a refusal."""
    return str(REFUSALS.get(reason, REFUSALS["changed"]))


def _dead_end(petition: Petition) -> None:
    """Refuse anything on a hidden or merged petition."""
    if petition.status == PetitionStatus.HIDDEN:
        raise PetitionRefused("hidden")
    if petition.status == PetitionStatus.MERGED:
        raise PetitionRefused("merged")


def _guarded_update(petition: Petition, conditions: list, values: dict, recheck) -> None:
    """Apply `values` to `petition` only if `conditions` still hold in the database.

    The conditional UPDATE is the guard against two moderators acting at once: on PostgreSQL the
    second waits for the first's row lock and then re-evaluates the conditions on the committed
    row; on SQLite the write lock serializes them. When no row matched, `recheck` (the same checks
    as before the update, on the re-read petition) names the reason; "changed" if it finds none.
    """
    result = db.session.execute(
        update(Petition).where(Petition.id == petition.id, *conditions).values(**values)
        .execution_options(synchronize_session=False))
    db.session.refresh(petition)
    if result.rowcount != 1:
        recheck(petition)
        raise PetitionRefused("changed")


def _audit(action: str, petition: Petition, actor: User, **details) -> None:
    """Record a staff action on `petition` in the audit log."""
    record(f"petition.{action}", petition, actor=actor, tracking_code=petition.tracking_code, **details)


def _check_publish_question(petition: Petition) -> None:
    """Refuse publishing a question that is hidden, merged, already shown, or without consent."""
    _dead_end(petition)
    if not petition.consent_to_publish:
        raise PetitionRefused("no_consent")
    if petition.question_published_at is not None:
        raise PetitionRefused("question_published")


def publish_question(petition: Petition, actor: User) -> None:
    """Show the question (text and topic only) on the conference page; the asker allowed it."""
    _check_publish_question(petition)
    _guarded_update(petition, [Petition.status.in_(QUESTION_SHOWN_STATUSES),
                               Petition.consent_to_publish.is_(True),
                               Petition.question_published_at.is_(None)],
                    {"question_published_at": utcnow()}, _check_publish_question)
    record_event(petition, PetitionAction.QUESTION_PUBLISHED)
    _audit("publish_question", petition, actor)


def _check_unpublish_question(petition: Petition) -> None:
    """Refuse taking down a question that is not shown."""
    if petition.question_published_at is None:
        raise PetitionRefused("question_not_published")


def unpublish_question(petition: Petition, actor: User) -> None:
    """Take the question off the conference page."""
    _check_unpublish_question(petition)
    _guarded_update(petition, [Petition.question_published_at.is_not(None)],
                    {"question_published_at": None}, _check_unpublish_question)
    record_event(petition, PetitionAction.QUESTION_UNPUBLISHED)
    _audit("unpublish_question", petition, actor)


def _check_open(petition: Petition) -> None:
    """Refuse a step meant for a petition still waiting for its answer."""
    _dead_end(petition)
    if petition.status not in OPEN_STATUSES:
        raise PetitionRefused("not_open")


def hide(petition: Petition, reason: str, actor: User) -> None:
    """Hide a petition that will not be answered publicly; `reason` stays internal (timeline note
    shown to staff only, and the audit log). Its question leaves the conference page too."""
    _check_open(petition)
    _guarded_update(petition, [Petition.status.in_(OPEN_STATUSES)],
                    {"status": PetitionStatus.HIDDEN, "question_published_at": None}, _check_open)
    record_event(petition, PetitionAction.HIDDEN, reason)
    _audit("hide", petition, actor, reason=reason)


def _check_merge(petition: Petition, target: Petition) -> None:
    """Refuse merging into itself, across conferences, from a settled or into a dead petition."""
    if petition.id == target.id:
        raise PetitionRefused("same_petition")
    _check_open(petition)
    if petition.conference_id != target.conference_id or petition.conference_id is None:
        raise PetitionRefused("other_conference")
    if target.status not in MERGE_TARGET_STATUSES:
        raise PetitionRefused("target_gone")


def merge(petition: Petition, target: Petition, actor: User) -> None:
    """Merge duplicate `petition` into `target`: its asker follows the target's progress.

    Both rows are locked in id order (each by its conditional UPDATE), so two moderators merging
    A into B and B into A at once cannot make a cycle: the second finds its target merged.
    Petitions merged into `petition` earlier now point at `target`, so a chain is one step long.
    """
    _check_merge(petition, target)

    def target_alive(row: Petition) -> None:
        if row.status not in MERGE_TARGET_STATUSES:
            raise PetitionRefused("target_gone")

    steps = {
        petition.id: ([Petition.status.in_(MERGE_SOURCE_STATUSES),
                       Petition.conference_id == target.conference_id],
                      {"status": PetitionStatus.MERGED, "merged_into_id": target.id,
                       "question_published_at": None}, _check_open),
        # Changing nothing, but taking the target's row lock and checking it is still alive.
        target.id: ([Petition.status.in_(MERGE_TARGET_STATUSES)], {"status": Petition.status},
                    target_alive),
    }
    for row in sorted((petition, target), key=lambda p: p.id):
        conditions, values, recheck = steps[row.id]
        _guarded_update(row, conditions, values, recheck)
    db.session.execute(update(Petition).where(Petition.merged_into_id == petition.id)
                       .values(merged_into_id=target.id).execution_options(synchronize_session=False))
    record_event(petition, PetitionAction.MERGED, target.tracking_code)
    _audit("merge", petition, actor, into=target.tracking_code)


def _check_assign(petition: Petition, agency: Agency, due_date: date) -> None:
    """Refuse assigning a settled petition, to an inactive agency, or with a past due date."""
    _check_open(petition)
    if not agency.active:
        raise PetitionRefused("inactive_agency")
    if due_date < local_today():
        raise PetitionRefused("past_due_date")


def assign(petition: Petition, agency: Agency, due_date: date, actor: User) -> None:
    """Route `petition` to the responsible `agency`, to be answered by `due_date` (or re-route it)."""
    _check_assign(petition, agency, due_date)
    _guarded_update(petition, [Petition.status.in_(OPEN_STATUSES)],
                    {"status": PetitionStatus.ASSIGNED, "agency_id": agency.id, "due_date": due_date},
                    lambda p: _check_assign(p, agency, due_date))
    record_event(petition, PetitionAction.ASSIGNED, f"{agency.code} {due_date.isoformat()}")
    _audit("assign", petition, actor, agency=agency.code, due_date=due_date.isoformat())


def _check_answer(petition: Petition) -> None:
    """Refuse recording an answer unless the petition is assigned and its answer not yet out."""
    _dead_end(petition)
    if petition.answer_published_at is not None:
        raise PetitionRefused("answer_published")
    if petition.status != PetitionStatus.ASSIGNED:
        raise PetitionRefused("not_assigned")


def record_answer(petition: Petition, *, text: str, answered_by: str, answered_at: datetime,
                  actor: User) -> None:
    """Record the agency's answer (text, who gave it, when); it can be corrected until published."""
    _check_answer(petition)
    _guarded_update(petition, [Petition.status == PetitionStatus.ASSIGNED,
                               Petition.answer_published_at.is_(None)],
                    {"answer_text": text, "answered_by": answered_by, "answered_at": answered_at,
                     "answered_by_user_id": actor.id}, _check_answer)
    record_event(petition, PetitionAction.ANSWERED)
    _audit("record_answer", petition, actor, answered_by=answered_by)


def _check_publish_answer(petition: Petition) -> None:
    """Refuse publishing unless an answer is recorded on an assigned petition."""
    _check_answer(petition)
    if not petition.answer_text.strip():
        raise PetitionRefused("no_answer")


def publish_answer(petition: Petition, actor: User) -> None:
    """Publish the recorded answer: the petition is answered, and its asker (and the askers of the
    petitions merged into it) are told, in this same transaction."""
    _check_publish_answer(petition)
    _guarded_update(petition, [Petition.status == PetitionStatus.ASSIGNED,
                               Petition.answer_published_at.is_(None), Petition.answer_text != ""],
                    {"status": PetitionStatus.ANSWERED, "answer_published_at": utcnow()},
                    _check_publish_answer)
    record_event(petition, PetitionAction.ANSWER_PUBLISHED)
    notify_petition_answered(petition)
    for duplicate in db.session.scalars(select(Petition).where(Petition.merged_into_id == petition.id)):
        notify_petition_answered(duplicate)
    _audit("publish_answer", petition, actor)


def _check_close(petition: Petition) -> None:
    """Refuse closing anything but an answered petition."""
    _dead_end(petition)
    if petition.status == PetitionStatus.CLOSED:
        raise PetitionRefused("closed")
    if petition.status != PetitionStatus.ANSWERED:
        raise PetitionRefused("not_answered")


def close(petition: Petition, actor: User) -> None:
    """Close an answered petition: handling is complete."""
    _check_close(petition)
    _guarded_update(petition, [Petition.status == PetitionStatus.ANSWERED],
                    {"status": PetitionStatus.CLOSED}, _check_close)
    record_event(petition, PetitionAction.CLOSED)
    _audit("close", petition, actor)


def create_floor_petition(conference: Conference, *, text: str, topic: Topic | None,
                          registration: Registration | None, consent_to_publish: bool,
                          actor: User) -> Petition:
    """A question raised on the day, typed in by an organizer; flushed, audited."""
    petition = create_petition(text=text, source=PetitionSource.FLOOR, conference=conference,
                               registration=registration, topic=topic,
                               consent_to_publish=consent_to_publish)
    _audit("create_floor", petition, actor, conference_id=conference.id)
    return petition


def registration_by_ticket(conference: Conference, typed: str) -> Registration | None:
    """The registration of `conference` whose ticket code is `typed` (any case, dash or not)."""
    code = clean_code(typed)
    if code is None:
        return None
    return db.session.scalar(select(Registration).where(Registration.conference_id == conference.id,
                                                        Registration.ticket_code == code))
