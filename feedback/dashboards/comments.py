"""Comments: the free-text answers of the responses in a leader's scope, searched and filtered in SQL.

A comment is an answer with a `search_text` (only short_text and long_text answers get one, see
surveys.services.submit_response), so the list needs no join to the question types. Every
function takes the agency clause and the window keywords of the other metrics, plus a
CommentFilter; counts and the per-agency figures are aggregated by the database (from
comment_summary, kept in step with every response like the other summary tables, unless a search
or flagged responses are asked for), and only one page of comments (or the capped CSV) is ever
read.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select, true

from feedback.agencies.models import Agency
from feedback.core.dates import local_midnight
from feedback.core.i18n import BilingualName, bilingual, in_language, short_text
from feedback.core.text import fold_for_search, like_pattern
from feedback.dashboards import metrics, summary
from feedback.dashboards.lineage import agency_join, counted_agency_ids
from feedback.dashboards.models import CommentSummary, Period
from feedback.extensions import db
from feedback.surveys.models import Answer, Deployment, Question, QuestionType, Response, SurveyVersion

PAGE_SIZE = 25
# The CSV holds at most this many comments, the newest first; the page says when it is cut.
CSV_MAX = 10_000
# The chart draws the agencies with the most comments; the table below it lists the same ones.
CHART_AGENCIES = 20
# Characters of an agency's newest comment shown in the chart's hover box.
EXCERPT = 80
# A search is at most this many characters and words (each word must appear).
SEARCH_MAX = 200
SEARCH_WORDS = 8
LIKE_ESCAPE = "\\"
FREE_TEXT = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)


@dataclass(frozen=True)
class CommentFilter:
    """What the comments page adds to the dashboard filters: the search typed, one question's key
    ("" for all), and whether flagged (excluded) responses are shown too."""

    search: str = ""
    question: str = ""
    flagged: bool = False

    @property
    def words(self) -> list[str]:
        """The search folded as the stored text is, split into words (the first few)."""
        folded = fold_for_search(self.search[:SEARCH_MAX]) or ""
        return folded.split(" ")[:SEARCH_WORDS] if folded else []


@dataclass(frozen=True)
class Comment:
    """One comment as the page lists it: when, where, about which service and question, the text
    as the citizen typed it, and whether its response is flagged (left out of the indices)."""

    submitted_at: datetime
    agency_code: str
    agency_name_vi: str
    agency_name_en: str
    service: str | None
    question_key: str
    question_vi: str | None
    question_en: str | None
    text: str
    flagged: bool

    agency_name = bilingual("agency_name")

    def question(self, locale: str) -> str:
        """The question's text in the given language (its key if the question is gone)."""
        return in_language(self.question_vi, self.question_en, locale) or self.question_key


@dataclass(frozen=True)
class AgencyComments(BilingualName):
    """How many comments an agency has under the filters, and the start of its newest one."""

    code: str
    name_vi: str
    name_en: str
    count: int
    newest: str


@dataclass(frozen=True)
class QuestionChoice:
    """A free-text question to filter by: its key and its text in the newest version that has it."""

    key: str
    text_vi: str
    text_en: str
    short_vi: str | None = None
    short_en: str | None = None

    def label(self, locale: str) -> str:
        """The question in a few words (its short label, else its text) in the given language."""
        return short_text(self.short_vi, self.short_en, self.text_vi, self.text_en, locale)


def _conditions(agency_clause, *, start, end, code_only=False, survey_id=None, service=None,
                comments: CommentFilter = CommentFilter()) -> list:
    """SQL conditions on Answer joined to Response and Agency for the comments asked for."""
    # Flagged comments are read among the counted ones as well (excluded=None: either).
    conditions = [agency_clause, Answer.search_text.is_not(None), Answer.search_text != "",
                  *metrics._response_conditions(start, end, code_only, survey_id, service,
                                                excluded=None if comments.flagged else False)]
    if comments.question:
        conditions.append(Answer.question_key == comments.question)
    # Each word anywhere in the folded text; %, _ and the escape character are literal.
    conditions.extend(Answer.search_text.like(like_pattern(word, LIKE_ESCAPE), escape=LIKE_ESCAPE)
                      for word in comments.words)
    return conditions


def _joined(statement):
    """`statement` over answers joined to their response and its agency."""
    return (statement.select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .join(*agency_join(Response.agency_id)))


def list_comments(agency_clause, *, offset: int = 0, limit: int = PAGE_SIZE, **window) -> list[Comment]:
    """The matching comments, newest first, `limit` of them from `offset`."""
    statement = _joined(select(
        Response.submitted_at, Agency.code, Agency.name_vi, Agency.name_en, Response.service,
        Answer.question_key, Question.text_vi, Question.text_en, Answer.text, Response.excluded,
    )).outerjoin(Question, and_(Question.version_id == Response.version_id,
                                Question.key == Answer.question_key))
    rows = db.session.execute(
        statement.where(*_conditions(agency_clause, **window))
        .order_by(Response.submitted_at.desc(), Answer.id.desc())
        .offset(offset).limit(limit)
    ).all()
    return [Comment(*row[:9], flagged=bool(row[9])) for row in rows]


def raw_comment_counts(agency_clause, **window) -> dict[int, list]:
    """{agency id: [comments]} straight from the answers (the summary's reference, and its edges)."""
    return {agency_id: [count] for agency_id, count in db.session.execute(
        _joined(select(Agency.id, func.count())).where(*_conditions(agency_clause, **window))
        .group_by(Agency.id))}


def comment_counts(agency_clause, *, start=None, end=None, code_only=False, survey_id=None,
                   service=None, comments: CommentFilter = CommentFilter()) -> dict[int, int]:
    """{agency id: comments} under the filters. Counted responses without a search are read from
    comment_summary (plus the pieces of the period shorter than a day); flagged responses or a
    search need the comments themselves."""
    window = {"start": start, "end": end, "code_only": code_only, "survey_id": survey_id,
              "service": service}
    if comments.flagged or comments.words:
        sums = raw_comment_counts(agency_clause, comments=comments, **window)
    else:
        only = {"survey_id": survey_id, "service": service}
        question = CommentSummary.__table__.c.question_key == comments.question
        sums = metrics._windowed(
            lambda rows: metrics._summary_sums(
                CommentSummary, "agency_id", ("count",), agency_clause, rows, code_only,
                lambda values: values[0] != 0, extra=(question,) if comments.question else (), **only),
            lambda s, e: raw_comment_counts(agency_clause, comments=comments,
                                            **{**window, "start": s, "end": e}),
            start, end)
    return {agency_id: int(values[0]) for agency_id, values in sums.items() if values[0]}


def _newest_days(agency_ids: list[int], *, start=None, end=None, code_only=False, survey_id=None,
                 service=None, comments: CommentFilter = CommentFilter()) -> dict[int, date]:
    """{agency id: the local day of its newest counted comment under the filters}, from the day
    rows of comment_summary (days at the period's ends may hold comments outside it)."""
    table = CommentSummary.__table__
    conditions = [table.c.period == Period.DAY, Agency.id.in_(agency_ids),
                  *metrics.cell_conditions(table, code_only, survey_id=survey_id, service=service)]
    if comments.question:
        conditions.append(table.c.question_key == comments.question)
    if start is not None:
        conditions.append(table.c.day >= start.astimezone(summary.zone()).date())
    if end is not None:
        conditions.append(table.c.day <= end.astimezone(summary.zone()).date())
    return dict(db.session.execute(
        select(Agency.id, func.max(table.c.day)).select_from(table).join(*agency_join(table.c.agency_id))
        .where(*conditions).group_by(Agency.id)
    ).all())


def _newest_excerpt(agency_id: int, conditions: list, day: date | None = None) -> str | None:
    """The start of the newest comment counted at the agency in the current tree (its own, and in
    today's tree those of the agencies it succeeded) matching `conditions` (on local `day` only,
    when given: an indexed look at one day of its responses)."""
    statement = (_joined(select(func.substr(Answer.text, 1, EXCERPT + 1)))
                 .where(Response.agency_id.in_(counted_agency_ids(Agency.id == agency_id)), *conditions)
                 .order_by(Response.submitted_at.desc(), Answer.id.desc()).limit(1))
    if day is not None:
        tz = summary.zone()
        statement = statement.where(
            Response.submitted_at >= local_midnight(day, tz),
            Response.submitted_at < local_midnight(day + timedelta(days=1), tz))
    return db.session.scalar(statement)


def comments_per_agency(agency_clause, **window) -> list[AgencyComments]:
    """Comments per agency, most first (then by code), each with its newest comment's first
    EXCERPT characters for the first CHART_AGENCIES of them; only agencies with a comment.

    One row per agency, never per comment. Without a search or flagged responses, the newest
    comment is looked for on the agency's newest day with one (comment_summary), so the lookup
    reads one day of the agency's responses, not every response of the period.
    """
    counts = comment_counts(agency_clause, **window)
    if not counts:
        return []
    agencies = db.session.execute(
        select(Agency.id, Agency.code, Agency.name_vi, Agency.name_en).where(Agency.id.in_(counts))
    ).all()
    agencies.sort(key=lambda a: (-counts[a.id], a.code))
    charted = [a.id for a in agencies[:CHART_AGENCIES]]
    chosen = window.get("comments") or CommentFilter()
    days = {} if chosen.flagged or chosen.words else _newest_days(charted, **window)
    conditions = _conditions(true(), **window)
    newest = {}
    for agency_id in charted:
        found = _newest_excerpt(agency_id, conditions, days[agency_id]) if agency_id in days else None
        newest[agency_id] = found if found is not None else _newest_excerpt(agency_id, conditions)
    return [AgencyComments(a.code, a.name_vi, a.name_en or "", counts[a.id],
                           excerpt(newest.get(a.id) or "")) for a in agencies]


def excerpt(text: str) -> str:
    """The first EXCERPT characters of `text` on one line, with an ellipsis when cut."""
    line = " ".join(text.split())
    return line if len(line) <= EXCERPT else line[:EXCERPT].rstrip() + "…"


def free_text_questions(agency_clause, survey_id: int | None = None) -> list[QuestionChoice]:
    """The free-text questions of the survey versions deployed at the clause's agencies (of one
    survey when asked), by key, each with the text of the newest version that has it."""
    statement = (
        select(Question.key, Question.text_vi, Question.text_en, Question.short_vi, Question.short_en)
        .where(Question.type.in_(FREE_TEXT), Question.version_id.in_(
            select(Deployment.version_id).join(Agency, Agency.id == Deployment.agency_id)
            .where(agency_clause)))
        .order_by(Question.version_id.desc())
    )
    if survey_id is not None:
        statement = statement.where(Question.version_id.in_(
            select(SurveyVersion.id).where(SurveyVersion.survey_id == survey_id)))
    choices: dict[str, QuestionChoice] = {}
    for key, text_vi, text_en, short_vi, short_en in db.session.execute(statement):
        choices.setdefault(key, QuestionChoice(key, text_vi, text_en or "", short_vi, short_en))
    return sorted(choices.values(), key=lambda c: c.text_vi)
