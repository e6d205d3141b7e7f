"""Answer distributions per question and dimension rates per agency, aggregated in SQL.

`answer_counts` reads the answer_summary table: how many counted responses gave each value to
each question (Likert 1–5 and "not applicable", 0–10 ratings, yes/no, choices). From those few
counts Python finishes the diverging Likert split, the choice shares and the NPS.
`agency_dimension_rates` reads dimension_summary grouped by agency and dimension, each row agency
standing for its whole subtree. Each has a raw_* twin computing the same from the responses.
All take the metrics' keywords (start, end, code_only, survey_id, service).
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select, union_all
from sqlalchemy.orm import aliased

from feedback.agencies.models import PATH_SEPARATOR, Agency
from feedback.core.i18n import BilingualName, bilingual, short_text
from feedback.dashboards import metrics, summary
from feedback.dashboards.lineage import agency_join, counted_agency_ids
from feedback.dashboards.models import ANSWERED, NOT_APPLICABLE, AnswerSummary, DimensionSummary
from feedback.dashboards.stats import HIDDEN, sample_status, wilson_interval
from feedback.extensions import db
from feedback.surveys.models import Question, QuestionType, Response, ResponseScore

LIKERT_VALUES = ("1", "2", "3", "4", "5")
RATING_VALUES = tuple(str(v) for v in range(11))
YESNO_VALUES = ("yes", "no")
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.YESNO)


# --- Reading grouped sums from a summary table or the raw rows ----------------------------------

def _summary_groups(model, groups: tuple[str, ...], columns: tuple[str, ...], agency_clause,
                    window: summary.Window, code_only: bool, **only) -> dict[tuple, list]:
    """{(group values): [sums of `columns`]} over `model`'s rows of `window` for the clause's
    agencies, days taken away counted negative (`only`: survey_id, service)."""
    table = model.__table__
    parts = []
    for condition, sign in summary.row_parts(model, window):
        parts.append(
            select(*((Agency.id if g == "agency_id" else table.c[g]).label(g) for g in groups),
                   *((table.c[c] if sign > 0 else -table.c[c]).label(c) for c in columns))
            .select_from(table).join(*agency_join(table.c.agency_id))
            .where(agency_clause, condition, *metrics.cell_conditions(table, code_only, **only))
        )
    if not parts:
        return {}
    rows = union_all(*parts).subquery()
    keys = [rows.c[g] for g in groups]
    result = db.session.execute(
        select(*keys, *(func.sum(rows.c[c]) for c in columns)).group_by(*keys)).all()
    return {tuple(row[:len(groups)]): [value or 0 for value in row[len(groups):]] for row in result}


# --- Answer counts per question and value -------------------------------------------------------

@dataclass(frozen=True)
class ValueCount:
    """One answer value of a question: its label in each language, count and share (0–100)."""

    value: str
    label_vi: str
    label_en: str
    count: int
    share: float | None

    label = bilingual("label")


@dataclass(frozen=True)
class QuestionAnswers:
    """How a question was answered over the period: counts per value, with the newest wording.

    `answered` counts responses answering it (for a multiple choice, the denominator of its
    shares); `counts` maps each value (see models.AnswerSummary) to its count.
    """

    key: str
    type: str
    text_vi: str
    text_en: str
    dimension: str | None
    position: int
    answered: int
    counts: dict = field(default_factory=dict)
    choices: tuple = ()
    short_vi: str | None = None
    short_en: str | None = None

    text = bilingual("text")

    def short_label(self, locale: str) -> str:
        """The question in a few words for charts and tables (its full text when it has none)."""
        return short_text(self.short_vi, self.short_en, self.text_vi, self.text_en, locale)

    def count(self, value: str) -> int:
        """How many answers gave `value`."""
        return int(self.counts.get(value, 0))

    @property
    def valid(self) -> int:
        """Answers that count in the question's figures: for a Likert question those with a
        1–5 value ("not applicable" left out); for the others every answer."""
        if self.type == QuestionType.LIKERT5:
            return sum(self.count(v) for v in LIKERT_VALUES)
        return self.answered


@dataclass(frozen=True)
class LikertSplit:
    """A Likert question's answers as a diverging bar: shares (0–100) of its valid answers."""

    n: int
    not_applicable: int
    counts: tuple[int, int, int, int, int]
    shares: tuple[float, float, float, float, float]
    positive: int
    rate: float
    low: float
    high: float


@dataclass(frozen=True)
class Nps:
    """Net promoter score of a 0–10 question: % promoters (9–10) − % detractors (0–6)."""

    n: int
    promoters: int
    passives: int
    detractors: int
    score: float
    counts: tuple[int, ...]


def shown(question: QuestionAnswers, shown_min: int) -> bool:
    """Whether the question has enough valid answers for its figures (else "not enough")."""
    return question.valid > 0 and sample_status(question.valid, shown_min, shown_min) != HIDDEN


def likert_split(question: QuestionAnswers) -> LikertSplit | None:
    """The diverging bar of a Likert question (None without a valid answer)."""
    counts = tuple(question.count(v) for v in LIKERT_VALUES)
    n = sum(counts)
    if n == 0:
        return None
    positive = counts[3] + counts[4]
    low, high = wilson_interval(positive, n)
    return LikertSplit(n=n, not_applicable=question.count(NOT_APPLICABLE), counts=counts,
                       shares=tuple(100 * c / n for c in counts), positive=positive,
                       rate=100 * positive / n, low=100 * low, high=100 * high)


def nps(question: QuestionAnswers) -> Nps | None:
    """The NPS of a 0–10 question (None without an answer)."""
    counts = tuple(question.count(v) for v in RATING_VALUES)
    n = sum(counts)
    if n == 0:
        return None
    promoters, passives, detractors = sum(counts[9:]), sum(counts[7:9]), sum(counts[:7])
    return Nps(n=n, promoters=promoters, passives=passives, detractors=detractors,
               score=100 * (promoters - detractors) / n, counts=counts)


def distribution(question: QuestionAnswers, yes: tuple[str, str] = ("Có", "Yes"),
                 no: tuple[str, str] = ("Không", "No")) -> list[ValueCount]:
    """A choice or yes/no question's values in the question's order, then values no longer
    offered, each with its count and share of the answering responses (a multiple choice's
    shares can add up to more than 100)."""
    if question.type == QuestionType.YESNO:
        listed = [("yes", *yes), ("no", *no)]
    else:
        listed = [(str(c.get("value")), str(c.get("label_vi") or c.get("value")),
                   str(c.get("label_en") or "")) for c in question.choices if isinstance(c, dict)]
    known = {value for value, _vi, _en in listed}
    listed += [(value, value, "") for value in sorted(question.counts)
               if value not in known and value not in (ANSWERED, NOT_APPLICABLE)]
    n = question.answered
    return [ValueCount(value, vi, en, question.count(value),
                       100 * question.count(value) / n if n else None) for value, vi, en in listed]


def _listed_answers(counts: dict[tuple, list]) -> list[QuestionAnswers]:
    """QuestionAnswers in the newest version's order from {(key, value): [count]}.

    Questions are matched by key across survey versions, shown with the newest wording and
    choices; a key answered under several types takes its newest type.
    """
    per_key: dict[str, dict[str, int]] = {}
    for (key, value), (count,) in counts.items():
        if int(count) > 0:
            per_key.setdefault(key, {})[value] = int(count)
    if not per_key:
        return []
    rows = db.session.execute(
        select(Question.key, Question.type, Question.text_vi, Question.text_en, Question.dimension,
               Question.position, Question.options, Question.short_vi, Question.short_en)
        .where(Question.type.in_(summary.COUNTED_TYPES), Question.key.in_(list(per_key)))
        .order_by(Question.version_id.desc())
    ).all()
    newest: dict = {}
    for row in rows:
        newest.setdefault(row.key, row)
    listed = []
    for key, values in per_key.items():
        row = newest.get(key)
        if row is None:
            continue
        listed.append(QuestionAnswers(
            key=key, type=str(row.type), text_vi=row.text_vi, text_en=row.text_en or "",
            dimension=row.dimension, position=row.position, answered=values.get(ANSWERED, 0),
            counts={v: c for v, c in values.items() if v != ANSWERED},
            choices=tuple((row.options or {}).get("choices") or ()),
            short_vi=row.short_vi, short_en=row.short_en,
        ))
    return sorted(listed, key=lambda q: (q.position, q.key))


def _raw_value_counts(agency_clause, start, end, code_only, **only) -> dict[tuple, list]:
    """{(question key, value): [count]}, ANSWERED included, straight from the answers."""
    condition = Response.agency_id.in_(counted_agency_ids(agency_clause))
    conditions = [condition, *metrics._response_conditions(start, end, code_only, **only)]
    values = summary.answer_values_query(and_(*conditions), []).subquery()
    counted = values.c.value != ANSWERED
    rows = db.session.execute(
        select(values.c.question_key, values.c.value, func.count())
        .where(counted).group_by(values.c.question_key, values.c.value)
    ).all()
    answered = db.session.execute(
        select(values.c.question_key, func.count(values.c.answer_id.distinct()))
        .where(counted).group_by(values.c.question_key)
    ).all()
    result = {(key, value): [count] for key, value, count in rows}
    result.update({(key, ANSWERED): [count] for key, count in answered})
    return result


def answer_counts(agency_clause, *, start: datetime | None = None, end: datetime | None = None,
                  code_only: bool = False, survey_id: int | None = None,
                  service: str | None = None) -> list[QuestionAnswers]:
    """How each counted question (Likert, 0–10, yes/no, choices) was answered over the matching
    agencies' counted responses, in questionnaire order. Read from answer_summary; equal to
    raw_answer_counts."""
    only = {"survey_id": survey_id, "service": service}
    return _listed_answers(metrics._windowed(
        lambda window: _summary_groups(AnswerSummary, ("question_key", "value"), ("count",),
                                       agency_clause, window, code_only, **only),
        lambda s, e: _raw_value_counts(agency_clause, s, e, code_only, **only), start, end))


def raw_answer_counts(agency_clause, *, start: datetime | None = None, end: datetime | None = None,
                      code_only: bool = False, survey_id: int | None = None,
                      service: str | None = None) -> list[QuestionAnswers]:
    """answer_counts computed from the responses and their answers (for tests and benchmarks)."""
    return _listed_answers(_raw_value_counts(agency_clause, start, end, code_only,
                                             survey_id=survey_id, service=service))


# --- Dimension rates per agency (each row agency standing for its subtree) -----------------------

@dataclass(frozen=True)
class AgencyRow(BilingualName):
    """One row of the agency × dimension heatmap: an agency and its subtree's dimension rates."""

    agency_id: int
    code: str
    name_vi: str
    name_en: str
    depth: int
    is_root: bool
    rates: dict  # dimension → metrics.Estimate


@dataclass(frozen=True)
class DimensionGrid:
    """The heatmap's rows (agencies in tree order) and columns (dimensions in questionnaire order)."""

    dimensions: list  # metrics.DimensionRate of the whole subtree, for the headings and order
    rows: list[AgencyRow]


def row_agencies(agency_clause, root: Agency | None) -> list:
    """The heatmap's agencies, in tree order: `root` and its direct children, or without a root
    the top agencies of the clause (those whose parent lies outside it) and their children."""
    inside = select(Agency.id).where(agency_clause)
    if root is not None:
        roots = [root.id]
    else:
        roots = list(db.session.scalars(
            select(Agency.id).where(agency_clause,
                                    or_(Agency.parent_id.is_(None), Agency.parent_id.not_in(inside)))))
    if not roots:
        return []
    return db.session.execute(
        select(Agency.id, Agency.code, Agency.name_vi, Agency.name_en, Agency.depth, Agency.path,
               Agency.parent_id, Agency.active)
        .where(agency_clause, or_(Agency.id.in_(roots), Agency.parent_id.in_(roots)))
        .order_by(Agency.path)
    ).all()


def _membership(agency_clause, row_ids: list[int]):
    """SQL subquery (agency_id, row_id): each agency of the clause with each row agency whose
    subtree holds it (itself included)."""
    row = aliased(Agency)
    return (select(Agency.id.label("agency_id"), row.id.label("row_id"))
            .join(row, Agency.path.startswith(row.path))
            .where(agency_clause, row.id.in_(row_ids))
            .subquery())


def _row_members(agency_clause, row_ids: list[int]) -> dict[int, list[int]]:
    """{agency id: the row agencies whose subtree holds it (itself included)}, for the agencies of
    the clause: each path's prefixes looked up among the rows' paths, not a join on LIKE."""
    paths = dict(db.session.execute(select(Agency.id, Agency.path).where(agency_clause)).all())
    row_of_path = {paths[row_id]: row_id for row_id in row_ids if row_id in paths}
    members: dict[int, list[int]] = {}
    for agency_id, path in paths.items():
        prefixes = (path[:end + 1] for end, char in enumerate(path) if char == PATH_SEPARATOR)
        rows = [row_of_path[prefix] for prefix in prefixes if prefix in row_of_path]
        if rows:
            members[agency_id] = rows
    return members


def _summary_agency_dimensions(agency_clause, row_ids, window, code_only, **only) -> dict:
    """{(row agency id, dimension): [n, sum, sum of squares]} from dimension_summary, grouped by
    agency and dimension in SQL, then rolled up to the row agencies."""
    table = DimensionSummary.__table__
    parts = []
    for condition, sign in summary.row_parts(DimensionSummary, window):
        parts.append(
            select(Agency.id.label("agency_id"), table.c.dimension,
                   *((table.c[c] if sign > 0 else -table.c[c]).label(c) for c in ("n", "total", "total_sq")))
            .select_from(table).join(*agency_join(table.c.agency_id))
            .where(agency_clause, condition, *metrics.cell_conditions(table, code_only, **only)))
    if not parts:
        return {}
    rows = union_all(*parts).subquery()
    per_agency = db.session.execute(
        select(rows.c.agency_id, rows.c.dimension, func.sum(rows.c.n), func.sum(rows.c.total),
               func.sum(rows.c.total_sq))
        .group_by(rows.c.agency_id, rows.c.dimension)
    ).all()
    members = _row_members(agency_clause, row_ids)
    sums: dict = {}
    for agency_id, dimension, n, total, total_sq in per_agency:
        for row_id in members.get(agency_id, ()):
            held = sums.setdefault((row_id, dimension), [0, 0.0, 0.0])
            held[0] += n or 0
            held[1] += float(total or 0.0)
            held[2] += float(total_sq or 0.0)
    return sums


def _raw_agency_dimensions(agency_clause, row_ids, start, end, code_only, **only) -> dict:
    """{(row agency id, dimension): [n, sum, sum of squares]} straight from the response scores."""
    members = _membership(agency_clause, row_ids)
    score = ResponseScore.score
    result = db.session.execute(
        select(members.c.row_id, ResponseScore.dimension, func.count(), func.sum(score),
               func.sum(score * score))
        .select_from(ResponseScore)
        .join(Response, Response.id == ResponseScore.response_id)
        .join(*agency_join(Response.agency_id))
        .join(members, members.c.agency_id == Agency.id)
        .where(ResponseScore.valid_answers > 0,
               *metrics._response_conditions(start, end, code_only, **only))
        .group_by(members.c.row_id, ResponseScore.dimension)
    ).all()
    return {(r[0], r[1]): [r[2] or 0, float(r[3] or 0.0), float(r[4] or 0.0)] for r in result}


def _grid(agency_clause, root, sums_of, dimensions) -> DimensionGrid:
    """The grid from the row agencies and a function giving their sums."""
    agencies = row_agencies(agency_clause, root)
    sums = sums_of([a.id for a in agencies]) if agencies else {}
    rows = []
    listed = {a.id for a in agencies}
    roots = {a.id for a in agencies if root is not None and a.id == root.id} or {
        a.id for a in agencies if a.parent_id not in listed}
    for agency in agencies:
        rates = {}
        for d in dimensions:
            n, total, total_sq = sums.get((agency.id, d.dimension), (0, 0.0, 0.0))
            rates[d.dimension] = metrics.estimate(int(n), float(total), float(total_sq))
        has_any = any(rate.n for rate in rates.values())
        if not agency.active and not has_any:
            continue
        rows.append(AgencyRow(agency.id, agency.code, agency.name_vi, agency.name_en or "",
                              agency.depth, agency.id in roots, rates))
    return DimensionGrid(dimensions=dimensions, rows=rows)


def agency_dimension_rates(agency_clause, *, root: Agency | None = None, start: datetime | None = None,
                           end: datetime | None = None, code_only: bool = False,
                           survey_id: int | None = None, service: str | None = None) -> DimensionGrid:
    """Each row agency's dimension rates over its whole subtree (see row_agencies), as
    metrics.Estimate (hidden below the display threshold). Read from dimension_summary; equal
    to raw_agency_dimension_rates."""
    only = {"survey_id": survey_id, "service": service}
    dimensions = metrics.dimension_rates(agency_clause, start=start, end=end, code_only=code_only,
                                         **only)
    return _grid(agency_clause, root, lambda ids: metrics._windowed(
        lambda window: _summary_agency_dimensions(agency_clause, ids, window, code_only, **only),
        lambda s, e: _raw_agency_dimensions(agency_clause, ids, s, e, code_only, **only),
        start, end), dimensions)


def raw_agency_dimension_rates(agency_clause, *, root: Agency | None = None,
                               start: datetime | None = None, end: datetime | None = None,
                               code_only: bool = False, survey_id: int | None = None,
                               service: str | None = None) -> DimensionGrid:
    """agency_dimension_rates computed from the responses' scores (for tests and benchmarks)."""
    only = {"survey_id": survey_id, "service": service}
    dimensions = metrics.raw_dimension_rates(agency_clause, start=start, end=end, code_only=code_only,
                                             **only)
    return _grid(agency_clause, root, lambda ids: _raw_agency_dimensions(
        agency_clause, ids, start, end, code_only, **only), dimensions)


def weakest_questions(rates, limit: int = 10) -> list:
    """The `limit` Likert questions with the lowest share of 4–5 answers among those with
    enough responses to rank (status "ok"), lowest first."""
    ok = [r for r in rates if r.status == "ok"]
    return sorted(ok, key=lambda r: (r.rate, -r.n, r.key))[:limit]
