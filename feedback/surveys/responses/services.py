"""Reads and writes behind the responses pages: filters, the paginated list, one response, review."""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from blinker import NamedSignal
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from feedback.accounts.authz import agency_filter, can_access, reachable_agency, visible_agencies
from feedback.accounts.models import Role, User
from feedback.agencies.models import Agency
from feedback.agencies.services import CODE_PATTERN
from feedback.audit.services import record
from feedback.core.dates import local_days
from feedback.core.events import responses_excluded, responses_restored
from feedback.core.filters import FilterArgs
from feedback.core.i18n import format_local_date, in_language
from feedback.core.i18n import gettext as _
from feedback.extensions import db
from feedback.surveys.answers import HEADINGS, LIKERT_LABELS, ParsedAnswer, is_shown, question_numbers
from feedback.surveys.models import (
    AccessMode,
    Answer,
    Deployment,
    Question,
    QuestionType,
    Response,
    ResponseFlag,
    Survey,
    SurveyVersion,
)

# Who may read responses; only organizers may change whether one counts.
READERS = (Role.ORGANIZER, Role.LEADER)
REVIEWERS = (Role.ORGANIZER,)
PAGE_SIZE = 50

CHANNEL_ALL = "all"
CHANNELS = (CHANNEL_ALL, AccessMode.OPEN.value, AccessMode.CODE.value)
STATUS_ALL, STATUS_FLAGGED, STATUS_COUNTED = "all", "flagged", "counted"
STATUSES = (STATUS_ALL, STATUS_FLAGGED, STATUS_COUNTED)
# The query parameters that make up a filtered list; anything else in the URL is ignored.
FILTER_ARGS = ("agency", "from", "to", "channel", "flagged", "survey")
SURVEY_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
PAGE_NUMBER = re.compile(r"^[0-9]{1,9}$")

# (bit, stable name used in exports and audit details, label shown to people)
FLAGS = (
    (ResponseFlag.HONEYPOT, "honeypot", _l("Honeypot filled")),
    (ResponseFlag.TOO_FAST, "too_fast", _l("Filled too fast")),
    (ResponseFlag.RATE_LIMITED, "rate_limited", _l("Over the daily limit")),
    (ResponseFlag.REPLAY, "replay", _l("Form already sent (replay)")),
    (ResponseFlag.ADDRESS_LIMITED, "address_limited", _l("Over the daily limit for one address")),
    (ResponseFlag.UNDER_REVIEW, "under_review", _l("Burst: held for review")),
)

UNKNOWN_AGENCY = _l("That agency is not one of yours. Responses from all your agencies are shown.")
INVALID_FROM = _l("“From” is not a valid date, so it was left out.")
INVALID_TO = _l("“To” is not a valid date, so it was left out.")
REVERSED = _l("“From” is later than “To”, so the period was left out.")
INVALID_CHANNEL = _l("Unknown channel. Responses from every channel are shown.")
INVALID_STATUS = _l("Unknown choice of flagged responses. All responses are shown.")
UNKNOWN_SURVEY = _l("Unknown survey. Responses to every survey are shown.")
INVALID_PAGE = _l("That page does not exist. The first page is shown.")
PAGE_PAST_END = _l("That page does not exist. The last page is shown.")


@dataclass(frozen=True)
class ResponseFilters:
    """What the staff member asked to see; plain values, so they outlive a commit.

    `errors` says which values were unusable and dropped, for a message on the page.
    """

    agency_code: str | None = None
    agency_path: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    channel: str = CHANNEL_ALL
    status: str = STATUS_ALL
    survey_key: str | None = None
    survey_id: int | None = None
    errors: tuple = field(default=())

    def period(self, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
        """[start, end) in UTC: local midnight of `date_from` to local midnight after `date_to`."""
        return local_days(self.date_from, self.date_to, zone)

    def query_args(self) -> dict[str, str]:
        """The filters that differ from the defaults, as query parameters for links."""
        args = {"agency": self.agency_code, "from": self.date_from and self.date_from.isoformat(),
                "to": self.date_to and self.date_to.isoformat(),
                "channel": None if self.channel == CHANNEL_ALL else self.channel,
                "flagged": None if self.status == STATUS_ALL else self.status,
                "survey": self.survey_key}
        return {name: value for name, value in args.items() if value}

    def audit_details(self) -> dict[str, str]:
        """The filters as recorded in an audit event (every one, defaults included)."""
        return {"agency": self.agency_code or "",
                "from": self.date_from.isoformat() if self.date_from else "",
                "to": self.date_to.isoformat() if self.date_to else "",
                "channel": self.channel, "flagged": self.status, "survey": self.survey_key or ""}


def survey_choices(user: User) -> list[Survey]:
    """Surveys the user may filter by: built-in ones, those owned by or deployed in their subtrees.

    Versions are loaded with them, since the choice is shown by the newest version's title.
    """
    scope = agency_filter(user, *READERS)
    deployed = (select(SurveyVersion.survey_id)
                .join(Deployment, Deployment.version_id == SurveyVersion.id)
                .join(Agency, Agency.id == Deployment.agency_id).where(scope))
    owned = select(Agency.id).where(scope)
    return list(db.session.scalars(
        select(Survey)
        .where(or_(Survey.owner_agency_id.is_(None), Survey.owner_agency_id.in_(owned),
                   Survey.id.in_(deployed)))
        .options(selectinload(Survey.versions)).order_by(Survey.key)
    ))


def agency_choices(user: User) -> list[Agency]:
    """The agencies the user may read responses of, in tree order."""
    return list(db.session.scalars(visible_agencies(user, *READERS)))


def parse_filters(args: Mapping[str, str], user: User,
                  surveys: list[Survey] | None = None) -> ResponseFilters:
    """Filters from the query string; an unusable value is dropped with a message, never an error.

    An agency outside the user's subtrees is treated exactly like an unknown one, so the answer
    does not tell whether it exists. `surveys` are the user's survey choices, if already loaded.
    """
    reader = FilterArgs(args)
    agency = reader.found(
        "agency", lambda code: reachable_agency(user, code, *READERS) if CODE_PATTERN.match(code) else None,
        UNKNOWN_AGENCY)
    date_from, date_to, _usable = reader.dates(INVALID_FROM, INVALID_TO)
    if date_from and date_to and date_from > date_to:
        reader.errors.append(REVERSED)
        date_from = date_to = None
    channel = reader.choice("channel", CHANNELS, CHANNEL_ALL, INVALID_CHANNEL)
    status = reader.choice("flagged", STATUSES, STATUS_ALL, INVALID_STATUS)

    def find_survey(key: str) -> Survey | None:
        """The survey of the user's choices with this key."""
        choices = surveys if surveys is not None else (survey_choices(user) if SURVEY_KEY.match(key) else [])
        return next((s for s in choices if s.key == key), None)

    survey = reader.found("survey", find_survey, UNKNOWN_SURVEY)
    return ResponseFilters(agency and agency.code, agency and agency.path, date_from, date_to, channel,
                           status, survey and survey.key, survey and survey.id, tuple(reader.errors))


def response_conditions(user: User, filters: ResponseFilters, zone: tzinfo) -> list:
    """SQL conditions on Response (joined to its Agency) for the user's scope and the filters."""
    conditions = [agency_filter(user, *READERS)]
    if filters.agency_path:
        conditions.append(Agency.in_subtree(filters.agency_path))
    start, end = filters.period(zone)
    if start is not None:
        conditions.append(Response.submitted_at >= start)
    if end is not None:
        conditions.append(Response.submitted_at < end)
    if filters.channel != CHANNEL_ALL:
        conditions.append(Response.channel == AccessMode(filters.channel))
    if filters.status == STATUS_FLAGGED:
        conditions.append(Response.flags != 0)
    elif filters.status == STATUS_COUNTED:
        conditions.append(Response.excluded.is_(False))
    if filters.survey_id is not None:
        conditions.append(Response.version_id.in_(
            select(SurveyVersion.id).where(SurveyVersion.survey_id == filters.survey_id)))
    return conditions


def count_responses(conditions: list) -> int:
    """How many responses match `conditions`."""
    return db.session.scalar(
        select(func.count(Response.id)).join(Agency, Agency.id == Response.agency_id).where(*conditions)
    ) or 0


def responses_with_context(conditions: list):
    """A Select of matching responses, newest first, with the agency, version and survey they show."""
    return (
        select(Response)
        .join(Response.agency).join(Response.version).join(SurveyVersion.survey)
        .where(*conditions)
        .options(contains_eager(Response.agency),
                 contains_eager(Response.version).contains_eager(SurveyVersion.survey))
        .order_by(Response.submitted_at.desc(), Response.id.desc())
    )


@dataclass
class ResponsePage:
    """One page of the list, with what the pagination links need."""

    items: list[Response]
    total: int
    page: int
    pages: int


def parse_page(value: str | None) -> tuple[int, str | None]:
    """(page number ≥ 1, message or None) from the query string."""
    value = (value or "").strip()
    if not value:
        return 1, None
    if not PAGE_NUMBER.fullmatch(value) or int(value) < 1:
        return 1, str(INVALID_PAGE)
    return int(value), None


def response_page(conditions: list, page: int) -> tuple[ResponsePage, str | None]:
    """The `page`-th page of matching responses (a page past the end shows the last one)."""
    total = count_responses(conditions)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    message = None
    if page > pages:
        page, message = pages, str(PAGE_PAST_END)
    items = list(db.session.scalars(
        responses_with_context(conditions).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ))
    return ResponsePage(items, total, page, pages), message


def flag_names(flags: int) -> list[str]:
    """The stable names of the flags set in `flags` (honeypot, too_fast, rate_limited, …)."""
    return [name for bit, name, _label in FLAGS if flags & bit]


def flag_labels(flags: int) -> list[str]:
    """The flags set in `flags`, as words in the page's language."""
    return [str(label) for bit, _name, label in FLAGS if flags & bit]


def visible_response(user: User, response_id: int) -> Response | None:
    """The response with everything its page shows, if it lies in the user's subtrees."""
    return db.session.scalar(
        select(Response).join(Response.agency)
        .where(Response.id == response_id, agency_filter(user, *READERS))
        .options(contains_eager(Response.agency),
                 joinedload(Response.version).selectinload(SurveyVersion.questions),
                 joinedload(Response.version).joinedload(SurveyVersion.survey),
                 selectinload(Response.answers), selectinload(Response.scores))
    )


def can_review(user: User, response: Response) -> bool:
    """Whether `user` may restore or exclude `response` (an organizer over its agency)."""
    return can_access(user, response.agency, *REVIEWERS)


def choice_label(question: Question, value, locale: str) -> str:
    """The label of a choice value in `locale` (falling back to Vietnamese, then the value)."""
    for choice in (question.options or {}).get("choices") or []:
        if isinstance(choice, dict) and str(choice.get("value")) == str(value):
            label = in_language(choice.get("label_vi"), choice.get("label_en"), locale)
            return str(label or value)
    return str(value)


def _plain_number(value: float) -> int | float:
    """4.0 as 4, so that whole numbers read as whole numbers."""
    return int(value) if float(value).is_integer() else value


def _yes_no(answer: Answer) -> str:
    """Yes or No for a yes/no answer (stored as text "yes"/"no" and as 1/0)."""
    yes = answer.text == "yes" if answer.text in ("yes", "no") else bool(answer.number)
    return _("Yes") if yes else _("No")


def answer_cell(question: Question, answer: Answer | None, locale: str) -> str | int | float | None:
    """An answer as an export cell: numbers for Likert, ratings and numbers; labels elsewhere."""
    if answer is None:
        return None
    if answer.not_applicable:
        return _("Not applicable")
    kind = question.type
    if kind in (QuestionType.LIKERT5, QuestionType.RATING10, QuestionType.NUMBER) \
            and answer.number is not None:
        return _plain_number(answer.number)
    if kind == QuestionType.YESNO:
        return _yes_no(answer)
    if kind == QuestionType.SINGLE and answer.text is not None:
        return choice_label(question, answer.text, locale)
    if kind == QuestionType.MULTIPLE and answer.choices is not None:
        return "; ".join(choice_label(question, value, locale) for value in answer.choices)
    if answer.text is not None:
        return answer.text
    return _plain_number(answer.number) if answer.number is not None else None


def answer_text(question: Question, answer: Answer, locale: str) -> str:
    """An answer as a person reads it on the response page (Likert with its label, dates local)."""
    kind = question.type
    if kind == QuestionType.LIKERT5 and answer.number is not None and not answer.not_applicable:
        label = LIKERT_LABELS.get(int(answer.number))
        return f"{int(answer.number)} – {label}" if label else format_decimal(answer.number)
    if kind == QuestionType.RATING10 and answer.number is not None:
        return _("%(n)s out of 10", n=format_decimal(answer.number))
    if kind == QuestionType.NUMBER and answer.number is not None:
        return format_decimal(answer.number)
    if kind == QuestionType.DATE and answer.text:
        try:
            return format_local_date(date.fromisoformat(answer.text))
        except ValueError:
            return answer.text
    return str(answer_cell(question, answer, locale))


@dataclass
class AnswerItem:
    """One line of a response's page: a section heading, or a question with its answer.

    `state` is "answered", "not_applicable", "not_answered" or "not_shown" (its show-if condition
    was not met, so the citizen was not asked it).
    """

    kind: str
    text: str
    number: int | None = None
    value: str | None = None
    state: str = "answered"
    multiline: bool = False


def answer_items(response: Response, locale: str) -> list[AnswerItem]:
    """Every section and question of the response's version in order, with the answers given."""
    questions = response.version.questions
    numbers = question_numbers(questions)
    by_key = {a.question_key: a for a in response.answers}
    # The same shape the citizen's form was checked with, to tell "not asked" from "not answered".
    parsed = {a.question_key: ParsedAnswer(a.question_key, a.number, a.text, a.choices, a.not_applicable)
              for a in response.answers}
    items = []
    for question in questions:
        if question.type == QuestionType.SECTION:
            items.append(AnswerItem("section", question.text(locale)))
            continue
        if question.type in HEADINGS:
            continue  # notes are instructions to the citizen, not questions
        item = AnswerItem("question", question.text(locale), number=numbers[question.key],
                          multiline=question.type == QuestionType.LONG_TEXT)
        answer = by_key.get(question.key)
        if answer is None:
            item.state = "not_answered" if is_shown(question, parsed) else "not_shown"
        elif answer.not_applicable:
            item.state, item.value = "not_applicable", _("Not applicable")
        else:
            item.value = answer_text(question, answer, locale)
        items.append(item)
    return items


@dataclass
class DimensionScore:
    """A response's score in one dimension, with the heading of that dimension."""

    label: str
    score: float
    positive: int
    valid: int


def dimension_scores(response: Response, locale: str) -> list[DimensionScore]:
    """The response's dimension scores in questionnaire order, headed by the sections' texts."""
    sections = {q.dimension: q for q in response.version.questions
                if q.type == QuestionType.SECTION and q.dimension}
    order = {q.dimension: q.position for q in reversed(response.version.questions) if q.dimension}

    def position(score) -> tuple:
        """Questionnaire order; dimensions without a question last, by key."""
        return (score.dimension not in order, order.get(score.dimension, 0), score.dimension)

    return [
        DimensionScore(
            label=sections[s.dimension].text(locale) if s.dimension in sections else s.dimension,
            score=s.score, positive=round(s.score * s.valid_answers), valid=s.valid_answers)
        for s in sorted(response.scores, key=position)
    ]


def _set_excluded(response: Response, excluded: bool) -> bool:
    """Set `excluded` if it is not so already; whether this call changed it.

    One conditional UPDATE, so that of two reviewers pressing the same button at once only one
    changes the response, and the dashboards' summary is adjusted exactly once.
    """
    changed = db.session.execute(
        update(Response).where(Response.id == response.id, Response.excluded.is_(not excluded))
        .values(excluded=excluded).execution_options(synchronize_session=False)
    ).rowcount
    set_committed_value(response, "excluded", excluded)  # what the row now holds, either way
    return changed == 1


def restore(response: Response, actor: User) -> bool:
    """Count a flagged, excluded response again (its flags stay); False when there was nothing to do."""
    if not _set_excluded(response, False):
        return False
    _announce(response, actor, responses_restored, "response.restore")
    return True


def exclude(response: Response, actor: User) -> bool:
    """Leave a flagged response out of the indices again; False when it is excluded already.

    Only a flagged response can be excluded: letting staff drop unflagged responses would let an
    agency remove the ratings it dislikes.
    """
    if not response.flags or not _set_excluded(response, True):
        return False
    _announce(response, actor, responses_excluded, "response.exclude")
    return True


def _announce(response: Response, actor: User, signal: NamedSignal, action: str) -> None:
    """Tell the listeners (the dashboards) that `response` now counts or not, and audit it."""
    signal.send(responses=[response])
    record(action, response, actor=actor, agency=response.agency.code, flags=flag_names(response.flags))
    db.session.flush()


# --- Bursts held for review (feedback.surveys.integrity.hold_burst) --------------------------

# A response held only because of a burst: what restoring a burst counts again. One held for
# another reason too (a replay, too fast) stays excluded and is reviewed one by one.
_HELD_ONLY = ResponseFlag.UNDER_REVIEW.value


def _held_conditions() -> list:
    """SQL conditions on Response: held for review because of a burst alone, not restored yet
    (read through the partial index ix_response_excluded)."""
    return [Response.flags == _HELD_ONLY, Response.excluded.is_(True)]


@dataclass
class HeldBurst:
    """An agency's open-link responses held for review after a burst, waiting for an organizer."""

    agency: Agency
    count: int
    first: datetime
    last: datetime


def held_bursts(user: User) -> list[HeldBurst]:
    """The held bursts at the agencies `user` organizes (their subtrees), in tree order."""
    rows = db.session.execute(
        select(Agency, func.count(Response.id), func.min(Response.submitted_at),
               func.max(Response.submitted_at))
        .join(Response, Response.agency_id == Agency.id)
        .where(agency_filter(user, *REVIEWERS), *_held_conditions())
        .group_by(Agency.id).order_by(Agency.path)
    ).all()
    return [HeldBurst(agency, count, first, last) for agency, count, first, last in rows]


def restore_burst(agency: Agency, actor: User) -> int:
    """Count again every response of `agency` held for review because of a burst alone; returns
    how many. One conditional UPDATE, so two organizers pressing the button at once restore each
    response once and the summary is adjusted once. The caller commits."""
    ids = db.session.scalars(
        update(Response).where(Response.agency_id == agency.id, *_held_conditions())
        .values(excluded=False).returning(Response.id).execution_options(synchronize_session=False)
    ).all()
    if not ids:
        return 0
    restored = db.session.scalars(
        select(Response).where(Response.id.in_(ids))
        .options(selectinload(Response.answers), selectinload(Response.scores))
        .execution_options(populate_existing=True)
    ).all()
    responses_restored.send(responses=restored)
    record("responses.restore_burst", agency, actor=actor, agency=agency.code, count=len(ids),
           first=min(r.submitted_at for r in restored).isoformat(),
           last=max(r.submitted_at for r in restored).isoformat())
    db.session.flush()
    return len(ids)
