"""Keeping the summary tables in step with the responses: increments per response, rebuild in SQL.

Every change is an INSERT … ON CONFLICT DO UPDATE that adds to the stored numbers, so two
submissions for the same agency and day in concurrent transactions both count (PostgreSQL locks
the row; the second adds to what the first committed). Rows are touched in key order, so two
transactions never wait for each other in a cycle.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import Enum
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import (
    Date,
    DateTime,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite

from feedback.core import events
from feedback.core.dates import local_midnight
from feedback.dashboards.models import (
    ANSWERED,
    NOT_APPLICABLE,
    AnswerSummary,
    CommentSummary,
    DimensionSummary,
    Period,
    QuestionSummary,
    ResponseSummary,
)
from feedback.dashboards.models import CELL as KEY
from feedback.extensions import db
from feedback.surveys.models import AccessMode, Answer, Question, QuestionType, Response, ResponseScore

TABLES = (ResponseSummary, DimensionSummary, QuestionSummary, AnswerSummary, CommentSummary)
# The question types whose answers are counted by value in AnswerSummary.
COUNTED_TYPES = (QuestionType.LIKERT5, QuestionType.RATING10, QuestionType.YESNO, QuestionType.SINGLE,
                 QuestionType.MULTIPLE)


def zone() -> tzinfo:
    """The time zone whose days and months the summary is cut into (the platform's)."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def month_start(day: date) -> date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def response_value(scores: Iterable) -> float | None:
    """A response's index value: the weighted mean of its valid dimension scores (None: no value).

    The same rule as metrics.raw_agency_indices: scores without a valid answer are left out, and a
    response whose remaining weights add up to 0 has no value.
    """
    counted = [(s.score, s.weight) for s in scores if s.valid_answers > 0]
    weight = sum(w for _s, w in counted)
    if not counted or weight == 0:
        return None
    return sum(s * w for s, w in counted) / weight


def _likert_keys(version) -> set[str]:
    """Keys of the version's Likert questions, the ones question rates count."""
    return {q.key for q in version.questions if q.type == QuestionType.LIKERT5}


def answer_values(kind: QuestionType, answer) -> list[str]:
    """The values one answer counts for in AnswerSummary (empty: it counts nowhere).

    The same rule as the SQL of `rebuild`: Likert "1".."5" or "na", rating "0".."10" (numbers
    are whole, as the survey form stores them), yes/no from the number (1 yes, 0 no) or else
    the text, a single choice's text, each of a multiple choice's values.
    """
    if kind == QuestionType.LIKERT5:
        if answer.not_applicable:
            return [NOT_APPLICABLE]
        return [] if answer.number is None else [str(int(answer.number))]
    if kind == QuestionType.RATING10:
        return [] if answer.number is None else [str(int(answer.number))]
    if kind == QuestionType.YESNO:
        value = "yes" if answer.number == 1 else "no" if answer.number == 0 else answer.text
        return [] if value is None else [value]
    if kind == QuestionType.SINGLE:
        return [] if answer.text is None else [answer.text]
    if kind == QuestionType.MULTIPLE:
        return [str(v) for v in answer.choices] if isinstance(answer.choices, list) else []
    return []


def _counted_types(version) -> dict[str, QuestionType]:
    """{key: type} of the version's questions whose answers AnswerSummary counts by value."""
    return {q.key: QuestionType(q.type) for q in version.questions if q.type in COUNTED_TYPES}


def is_comment(answer) -> bool:
    """Whether an answer is a comment: a free-text answer with text (only those get a search_text,
    see surveys.services.submit_response)."""
    return bool(answer.search_text)


def _deltas(responses: Iterable[Response], sign: int, version=None) -> tuple[dict, ...]:
    """What `responses` add (sign 1) or take away (sign −1), per summary row key, at both grains.

    `version`, when given, is the version of the responses that carry its id (read from it rather
    than from each response's relationship)."""
    tz = zone()
    cells: dict = defaultdict(lambda: [0, 0, 0.0, 0.0])
    dimensions: dict = defaultdict(lambda: [0, 0.0, 0.0])
    questions: dict = defaultdict(lambda: [0, 0, 0, 0])
    values: dict = defaultdict(lambda: [0])
    comments: dict = defaultdict(lambda: [0])
    likert_cache: dict[int, set[str]] = {}
    types_cache: dict[int, dict[str, QuestionType]] = {}
    for response in responses:
        day = response.submitted_at.astimezone(tz).date()
        if response.version_id not in likert_cache:
            held = version if version is not None and version.id == response.version_id else response.version
            likert_cache[response.version_id] = _likert_keys(held)
            types_cache[response.version_id] = _counted_types(held)
        likert = likert_cache[response.version_id]
        types = types_cache[response.version_id]
        value = response_value(response.scores)
        for period, first in ((Period.DAY, day), (Period.MONTH, month_start(day))):
            key = (period, first, response.agency_id, response.version_id,
                   AccessMode(response.channel), response.service or "")
            cell = cells[key]
            cell[0] += sign
            if value is not None:
                cell[1] += sign
                cell[2] += sign * value
                cell[3] += sign * value * value
            for score in response.scores:
                if score.valid_answers > 0:
                    row = dimensions[key + (score.dimension,)]
                    row[0] += sign
                    row[1] += sign * score.score
                    row[2] += sign * score.score * score.score
            for answer in response.answers:
                if is_comment(answer):
                    comments[key + (answer.question_key,)][0] += sign
                if answer.question_key in types:
                    given = [v for v in answer_values(types[answer.question_key], answer) if v != ANSWERED]
                    for given_value in given:
                        values[key + (answer.question_key, given_value)][0] += sign
                    if given:
                        values[key + (answer.question_key, ANSWERED)][0] += sign
                if answer.question_key not in likert:
                    continue
                row = questions[key + (answer.question_key,)]
                valid = not answer.not_applicable and answer.number is not None
                row[0] += sign
                row[1] += sign * valid
                row[2] += sign * (valid and answer.number >= 4)
                row[3] += sign * bool(answer.not_applicable)
    return cells, dimensions, questions, values, comments


def _extra(extra_key: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """The key columns a table has after the cell's."""
    if extra_key is None:
        return ()
    return (extra_key,) if isinstance(extra_key, str) else tuple(extra_key)


@lru_cache(maxsize=32)
def _upsert_statement(model, names: tuple[str, ...], key: tuple[str, ...], dialect: str):
    """INSERT … ON CONFLICT (key) DO UPDATE adding `names`, built once per table and dialect (it
    runs for every submitted response).

    On PostgreSQL the rows travel as one array per column and are unnested, so one statement
    writes them all: a response touches a hundred summary rows or more (each question's values, by
    day and by month), and one statement per row would cost the database a hundred executions. On
    SQLite, which runs in the process, the rows go one by one (executemany)."""
    table = model.__table__
    if dialect == "postgresql":
        compiler = postgresql.dialect()
        columns = key + names
        arrays = ", ".join(f"CAST(:{name} AS {table.c[name].type.compile(dialect=compiler)}[])"
                           for name in columns)
        additions = ", ".join(f"{name} = {table.name}.{name} + excluded.{name}" for name in names)
        return text(f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
                    f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {additions}")
    statement = sqlite.insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: table.c[name] + statement.excluded[name] for name in names},
    )


def _plain(value):
    """A key part as the database stores it (an enum member as its value)."""
    return value.value if isinstance(value, Enum) else value


def _upsert(model, names: tuple[str, ...], extra_key, rows: dict) -> None:
    """Add each row's numbers to the stored row with its key, creating it if missing."""
    if not rows:
        return
    key = KEY + _extra(extra_key)
    dialect = db.session.get_bind().dialect.name
    statement = _upsert_statement(model, names, key, dialect)
    ordered = [tuple(map(_plain, k)) + tuple(v) for k, v in sorted(rows.items())]
    columns = key + names
    if dialect == "postgresql":
        # One array per column; a float column's array holds floats only (psycopg types an array
        # by its first element).
        floats = {name for name in names if isinstance(model.__table__.c[name].type, Float)}
        arrays = {name: [float(x) for x in column] if name in floats else list(column)
                  for name, column in zip(columns, zip(*ordered, strict=True), strict=True)}
        db.session.connection().execute(statement, arrays)
    else:
        db.session.connection().execute(statement, [dict(zip(columns, row, strict=True)) for row in ordered])


def _drop_empty(model, count: str, extra_key, rows: dict) -> None:
    """Delete the rows among `rows`' keys that no longer count anything."""
    table = model.__table__
    key = KEY + _extra(extra_key)
    columns = [table.c[name] for name in key]
    for chunk in _chunks(sorted(rows), 200):
        db.session.execute(delete(table).where(tuple_(*columns).in_(chunk), table.c[count] <= 0))


def _chunks(items: list, size: int):
    """`items` in consecutive slices of at most `size`."""
    for offset in range(0, len(items), size):
        yield items[offset:offset + size]


ANSWER_KEY = ("question_key", "value")


def _apply(responses: Iterable[Response], sign: int, version=None) -> None:
    """Add (1) or take away (−1) `responses` in every summary table."""
    cells, dimensions, questions, values, comments = _deltas(responses, sign, version)
    _upsert(ResponseSummary, ("responses", "index_n", "index_sum", "index_sum_sq"), None, cells)
    _upsert(DimensionSummary, ("n", "total", "total_sq"), "dimension", dimensions)
    _upsert(QuestionSummary, ("answered", "valid", "positive", "not_applicable"), "question_key",
            questions)
    _upsert(AnswerSummary, ("count",), ANSWER_KEY, values)
    _upsert(CommentSummary, ("count",), "question_key", comments)
    if sign < 0:
        # Rows left counting nothing are removed, so the table stays what a rebuild would give.
        _drop_empty(ResponseSummary, "responses", None, cells)
        _drop_empty(DimensionSummary, "n", "dimension", dimensions)
        _drop_empty(QuestionSummary, "answered", "question_key", questions)
        _drop_empty(AnswerSummary, "count", ANSWER_KEY, values)
        _drop_empty(CommentSummary, "count", "question_key", comments)


def add(responses: Iterable[Response], *, version=None) -> None:
    """Count the counted (not excluded) ones of `responses`, just inserted or just restored.

    Call in the transaction that wrote them, after the flush; the caller commits. Reads each
    response's scores, answers and its version's questions (loaded ones are not fetched again;
    `version`, a SurveyVersion or a frozen one, is used for the responses of that version).
    """
    _apply([r for r in responses if not r.excluded], 1, version)


def remove(responses: Iterable[Response]) -> None:
    """Take `responses` (counted until now, just excluded) out of the summary; the caller commits."""
    _apply(list(responses), -1)


def open_link_day_total(agency_id: int, first: date, after: date) -> int:
    """How many counted open-link responses `agency_id` received on the local days [first, after),
    from the summary's day rows (what the burst check compares an hour with)."""
    return int(db.session.scalar(
        select(func.coalesce(func.sum(ResponseSummary.responses), 0)).where(
            ResponseSummary.period == Period.DAY, ResponseSummary.agency_id == agency_id,
            ResponseSummary.channel == AccessMode.OPEN,
            ResponseSummary.day >= first, ResponseSummary.day < after)) or 0)


def subscribe() -> None:
    """Keep the summary in step with the surveys' events (feedback.core.events); called when the
    app is built. Connecting the same functions again (a second app) changes nothing."""
    events.response_stored.connect(_on_stored)
    events.responses_excluded.connect(_on_excluded)
    events.responses_restored.connect(_on_restored)
    events.open_link_day_total.connect(_on_day_total)


def _on_stored(_sender, *, responses, version=None) -> None:
    """A response was stored: count it (when counted), in the sender's transaction."""
    add(responses, version=version)


def _on_excluded(_sender, *, responses) -> None:
    """Counted responses were excluded: take them out, in the sender's transaction."""
    remove(responses)


def _on_restored(_sender, *, responses) -> None:
    """Excluded responses were counted again: add them back, in the sender's transaction."""
    add(responses)


def _on_day_total(_sender, *, agency_id: int, first: date, after: date) -> int:
    """Answer the burst check's question from the day rows."""
    return open_link_day_total(agency_id, first, after)


# --- Rebuild from the raw rows, in SQL ---------------------------------------------------------

def local_day(column):
    """SQL: the local date of a UTC timestamp column, in the platform's time zone."""
    name = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(name, column), Date)
    # SQLite knows no time zones: shift by the zone's offset, which for Việt Nam (UTC+7, no
    # daylight saving since 1975) is the same all year. A zone with daylight saving is refused.
    offsets = {ZoneInfo(name).utcoffset(datetime(year, month, 1)) for year in (2000, 2025)
               for month in (1, 7)}
    if len(offsets) != 1:
        raise RuntimeError(f"time zone {name} changes its offset; the SQLite summary needs a fixed one")
    seconds = int(offsets.pop().total_seconds())
    return func.date(column, f"{seconds:+d} seconds", type_=Date)


def month_of(column):
    """SQL: the first day of the month of a date column."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("month", cast(column, DateTime)), Date)
    return func.date(column, "start of month", type_=Date)


def _insert_from(model, select_statement) -> None:
    """INSERT INTO model's table (the select's column names) SELECT …."""
    table = model.__table__
    names = [c.name for c in select_statement.selected_columns]
    db.session.execute(insert(table).from_select(names, select_statement))


def _months_from_days(model, extra_key, names: tuple[str, ...]) -> None:
    """The month rows of `model`, as sums of its day rows."""
    table = model.__table__
    month = month_of(table.c.day)
    group = [table.c.agency_id, table.c.version_id, table.c.channel, table.c.service]
    group += [table.c[name] for name in _extra(extra_key)]
    _insert_from(model, select(
        literal(Period.MONTH.value).label("period"), month.label("day"), *group,
        *(func.sum(table.c[name]).label(name) for name in names),
    ).where(table.c.period == Period.DAY).group_by(month, *group))


def rebuild() -> None:
    """Recompute every summary row from the responses, scores and answers; the caller commits.

    For repair and after bulk loads. Everything runs in the database: a few INSERT … SELECT
    statements over the raw rows, whatever their number.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        # TRUNCATE (transactional in PostgreSQL) leaves no dead rows for the inserts to wade
        # through; the grouping of tens of millions of answers wants memory rather than disk.
        db.session.execute(text("TRUNCATE " + ", ".join(m.__tablename__ for m in TABLES)))
        db.session.execute(text("SET LOCAL work_mem = '256MB'"))
    else:
        for model in TABLES:
            db.session.execute(delete(model.__table__))
    day = local_day(Response.submitted_at).label("day")
    service = func.coalesce(Response.service, "").label("service")
    cell = [day, Response.agency_id, Response.version_id, Response.channel, service]
    period = literal(Period.DAY.value).label("period")
    counted = Response.excluded.is_(False)

    values = (
        select(ResponseScore.response_id.label("response_id"),
               (func.sum(ResponseScore.weight * ResponseScore.score)
                / func.nullif(func.sum(ResponseScore.weight), 0.0, type_=Float)).label("value"))
        .where(ResponseScore.valid_answers > 0)
        .group_by(ResponseScore.response_id)
        .subquery()
    )
    value = values.c.value
    _insert_from(ResponseSummary, select(
        period, *cell, func.count().label("responses"), func.count(value).label("index_n"),
        func.coalesce(func.sum(value), 0.0).label("index_sum"),
        func.coalesce(func.sum(value * value), 0.0).label("index_sum_sq"),
    ).select_from(Response).outerjoin(values, values.c.response_id == Response.id)
        .where(counted).group_by(*cell))

    score = ResponseScore.score
    _insert_from(DimensionSummary, select(
        period, *cell, ResponseScore.dimension, func.count().label("n"),
        func.sum(score).label("total"), func.sum(score * score).label("total_sq"),
    ).select_from(Response).join(ResponseScore, ResponseScore.response_id == Response.id)
        .where(counted, ResponseScore.valid_answers > 0)
        .group_by(*cell, ResponseScore.dimension))

    valid = and_(Answer.not_applicable.is_(False), Answer.number.is_not(None))
    _insert_from(QuestionSummary, select(
        period, *cell, Answer.question_key, func.count().label("answered"),
        func.sum(case((valid, 1), else_=0)).label("valid"),
        func.sum(case((and_(valid, Answer.number >= 4), 1), else_=0)).label("positive"),
        func.sum(case((Answer.not_applicable.is_(True), 1), else_=0)).label("not_applicable"),
    ).select_from(Response).join(Answer, Answer.response_id == Response.id)
        .join(Question, and_(Question.version_id == Response.version_id,
                             Question.key == Answer.question_key))
        .where(counted, Question.type == QuestionType.LIKERT5)
        .group_by(*cell, Answer.question_key))

    answers = answer_values_query(counted, cell).subquery()
    answer_cell = [answers.c[name] for name in ("day", "agency_id", "version_id", "channel", "service")]
    _insert_from(AnswerSummary, select(
        period, *answer_cell, answers.c.question_key, answers.c.value, func.count().label("count"),
    ).where(answers.c.value != ANSWERED)
        .group_by(*answer_cell, answers.c.question_key, answers.c.value))
    _insert_from(AnswerSummary, select(
        period, *answer_cell, answers.c.question_key, literal(ANSWERED).label("value"),
        func.count(answers.c.answer_id.distinct()).label("count"),
    ).where(answers.c.value != ANSWERED).group_by(*answer_cell, answers.c.question_key))

    _insert_from(CommentSummary, select(
        period, *cell, Answer.question_key, func.count().label("count"),
    ).select_from(Response).join(Answer, Answer.response_id == Response.id)
        .where(counted, Answer.search_text.is_not(None), Answer.search_text != "")
        .group_by(*cell, Answer.question_key))

    _months_from_days(ResponseSummary, None, ("responses", "index_n", "index_sum", "index_sum_sq"))
    _months_from_days(DimensionSummary, "dimension", ("n", "total", "total_sq"))
    _months_from_days(QuestionSummary, "question_key", ("answered", "valid", "positive", "not_applicable"))
    _months_from_days(AnswerSummary, ANSWER_KEY, ("count",))
    _months_from_days(CommentSummary, "question_key", ("count",))


def _choice_elements():
    """SQL FROM item: the elements of a multiple-choice answer's JSON list, as text, one row each
    (column `value`). A JSON value that is not a list gives none."""
    if db.session.get_bind().dialect.name == "postgresql":
        # PostgreSQL refuses to take the elements of a scalar, so a non-list becomes [].
        listed = case((func.json_typeof(Answer.choices) == "array", Answer.choices),
                      else_=cast(literal("[]"), Answer.choices.type))
        return func.json_array_elements_text(listed).table_valued("value").lateral()
    elements = func.json_each(Answer.choices).table_valued("value", "type")
    return elements


def answer_values_query(condition, cell: list):
    """SELECT answer_id, the cell's columns, question_key, value: one row for each value an answer
    of a counted question gives (see answer_values), over responses matching `condition`.

    `cell` are labelled columns of Response (the summary key, or whatever the caller groups by).
    """
    def joined(statement):
        """`statement` over the responses, their answers and the answers' questions."""
        return (statement.select_from(Response)
                .join(Answer, Answer.response_id == Response.id)
                .join(Question, and_(Question.version_id == Response.version_id,
                                     Question.key == Answer.question_key)))

    whole = cast(cast(Answer.number, Integer), String)
    yes_no = case((Answer.number == 1, literal("yes")), (Answer.number == 0, literal("no")),
                  else_=Answer.text)
    columns = [Answer.id.label("answer_id"), *cell, Answer.question_key.label("question_key")]
    parts = [
        joined(select(*columns, case((Answer.not_applicable.is_(True), literal(NOT_APPLICABLE)),
                                     else_=whole).label("value")))
        .where(condition, Question.type == QuestionType.LIKERT5,
               (Answer.not_applicable.is_(True)) | Answer.number.is_not(None)),
        joined(select(*columns, whole.label("value")))
        .where(condition, Question.type == QuestionType.RATING10, Answer.number.is_not(None)),
        joined(select(*columns, yes_no.label("value")))
        .where(condition, Question.type == QuestionType.YESNO, yes_no.is_not(None)),
        joined(select(*columns, Answer.text.label("value")))
        .where(condition, Question.type == QuestionType.SINGLE, Answer.text.is_not(None)),
    ]
    elements = _choice_elements()
    multiple = joined(select(*columns, elements.c.value.label("value"))).join(elements, true())
    multiple = multiple.where(condition, Question.type == QuestionType.MULTIPLE)
    if db.session.get_bind().dialect.name != "postgresql":
        # json_each walks an object's members too; only a list's elements are choices.
        multiple = multiple.where(func.json_type(Answer.choices) == "array")
    parts.append(multiple)
    return union_all(*parts)



# --- Which rows make up a period ---------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """How a period [start, end) is read: month rows, day rows added or taken away, raw pieces.

    `months` is [first, after) of the month rows to add (None: none; a None bound: unbounded).
    `plus` and `minus` are [first, after) ranges of day rows to add or take away: a month the
    period covers mostly is read as the month minus the days it leaves out, so that a period of
    "the last twelve months to today" reads a few day rows, not a month's worth at each end.
    `raw` are the pieces of the period shorter than a whole local day, read from the responses.
    """

    months: tuple[date | None, date | None] | None = None
    plus: tuple[tuple[date, date], ...] = ()
    minus: tuple[tuple[date, date], ...] = ()
    raw: tuple[tuple[datetime | None, datetime | None], ...] = ()


def _next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    first = month_start(day)
    return (first + timedelta(days=32)).replace(day=1)


def _edge(first: date, after: date, covered_from: date, covered_to: date) -> tuple[bool, list, list]:
    """How to read the part [covered_from, covered_to) of the month [first, after).

    (whole month?, day ranges to add, day ranges to take away), whichever reads fewer days.
    """
    inside = (covered_to - covered_from).days
    if inside <= (after - first).days - inside:
        return False, [(covered_from, covered_to)], []
    outside = [(a, b) for a, b in ((first, covered_from), (covered_to, after)) if a < b]
    return True, [], outside


def _month_bound(day: date, *, lower: bool) -> tuple[date, list, list]:
    """Where the month rows start (`lower`) or stop for a period bounded at `day`.

    (bound, day ranges to add, day ranges to take away): a bound on the first of a month is one
    already; otherwise the month around it is read whole (minus the days outside the period) or
    left to day rows, whichever reads fewer days.
    """
    if day.day == 1:
        return day, [], []
    first, after = month_start(day), _next_month(day)
    whole, add_days, take_days = _edge(first, after, day, after) if lower else _edge(first, after, first, day)
    # Read whole, the month's far edge bounds the month rows; read as days, its near edge does.
    outer, inner = (first, after) if lower else (after, first)
    return (outer if whole else inner), add_days, take_days


def day_window(day_from: date | None, day_to: date | None) -> Window:
    """The rows for the local days [day_from, day_to) (None: unbounded on that side)."""
    if day_from is not None and day_to is not None and day_from >= day_to:
        return Window()
    plus: list = []
    minus: list = []
    low = high = None
    if (day_from is not None and day_to is not None
            and month_start(day_from) == month_start(day_to - timedelta(days=1))):
        first, after = month_start(day_from), _next_month(day_from)
        whole, plus, minus = _edge(first, after, day_from, day_to)
        return Window(months=(first, after) if whole else None, plus=tuple(plus), minus=tuple(minus))
    if day_from is not None:
        low, add_days, take_days = _month_bound(day_from, lower=True)
        plus += add_days
        minus += take_days
    if day_to is not None:
        high, add_days, take_days = _month_bound(day_to, lower=False)
        plus += add_days
        minus += take_days
    months = None if (low is not None and high is not None and low >= high) else (low, high)
    return Window(months=months, plus=tuple(plus), minus=tuple(minus))


def window(start: datetime | None, end: datetime | None) -> Window:
    """The rows for the instants [start, end): whole local days from the summary, the rest raw.

    Dashboard periods run from local midnight to local midnight, so they read no raw row; any
    other instant (an API caller, a test) still gets an exact answer from the raw pieces.
    """
    tz = zone()
    if start is not None and end is not None and start >= end:
        return Window()
    day_from = day_to = None
    raw = []
    if start is not None:
        local = start.astimezone(tz)
        day_from = local.date() if local.time() == time.min else local.date() + timedelta(days=1)
    if end is not None:
        day_to = end.astimezone(tz).date()
    if day_from is not None and day_to is not None and day_from >= day_to:
        return Window(raw=((start, end),))  # not one whole local day inside
    if start is not None and start < local_midnight(day_from, tz):
        raw.append((start, local_midnight(day_from, tz)))
    if end is not None and local_midnight(day_to, tz) < end:
        raw.append((local_midnight(day_to, tz), end))
    rows = day_window(day_from, day_to)
    return Window(months=rows.months, plus=rows.plus, minus=rows.minus, raw=tuple(raw))


def _in_ranges(column, ranges) -> list:
    """SQL conditions: `column` in one of the [first, after) ranges."""
    return [and_(column >= first, column < after) for first, after in ranges]


def row_parts(model, rows: Window) -> list[tuple]:
    """[(SQL condition on `model`'s table, sign)]: the month rows and day ranges to add (1) and the
    day ranges to take away (−1). Each part is one range of the table's key, so each is read by an
    index range scan; an OR of them all would make PostgreSQL scan every day row instead."""
    table = model.__table__
    parts = []
    if rows.months is not None:
        low, high = rows.months
        month = [table.c.period == Period.MONTH]
        if low is not None:
            month.append(table.c.day >= low)
        if high is not None:
            month.append(table.c.day < high)
        parts.append((and_(*month), 1))
    for ranges, sign in ((rows.plus, 1), (rows.minus, -1)):
        for first, after in ranges:
            parts.append((and_(table.c.period == Period.DAY, table.c.day >= first, table.c.day < after),
                          sign))
    return parts
