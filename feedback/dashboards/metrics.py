"""Satisfaction metrics aggregated in SQL: agency indices, dimension rates and question rates.

Every function filters responses the same way (not excluded, submitted in [start, end), optionally
code-verified only) and only over agencies matching `agency_clause`, an SQL condition on Agency
such as authz.agency_filter(current_user, Role.LEADER). The database returns counts, sums and
sums of squares; means and intervals are finished in Python from those few numbers, so no
response row is ever loaded.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from sqlalchemy import Float, and_, case, func, select, union_all

from feedback.agencies.models import Agency
from feedback.core.i18n import BilingualName, bilingual, short_text
from feedback.dashboards import summary
from feedback.dashboards.lineage import agency_join
from feedback.dashboards.models import DimensionSummary, QuestionSummary, ResponseSummary
from feedback.dashboards.stats import HIDDEN, OK, mean_interval, sample_status, wilson_interval
from feedback.extensions import db
from feedback.surveys.models import (
    AccessMode,
    Answer,
    Question,
    QuestionType,
    Response,
    ResponseScore,
    SurveyVersion,
)


@dataclass(frozen=True)
class AgencyIndex(BilingualName):
    """One agency's satisfaction index (0–100) over the period, with its 95% interval and n.

    `mean`, `low` and `high` are None when the sample is too small to show ("hidden");
    `total` and `total_sq` are the raw sums (0–1 scale) so that indices can be pooled.
    """

    agency_id: int
    code: str
    name_vi: str
    name_en: str
    path: str
    depth: int
    n: int
    total: float
    total_sq: float
    mean: float | None
    low: float | None
    high: float | None
    status: str
    rank: int | None = None


@dataclass(frozen=True)
class Estimate:
    """A mean on the 0–100 scale with its 95% interval, n and sample status (None when hidden)."""

    n: int
    mean: float | None
    low: float | None
    high: float | None
    status: str


@dataclass(frozen=True)
class DimensionRate:
    """Dimension rate: 100 × mean response score over the responses that answered the dimension."""

    dimension: str
    label_vi: str
    label_en: str
    estimate: Estimate

    label = bilingual("label")  # the dimension's heading


@dataclass(frozen=True)
class QuestionRate:
    """Share (0–100) of a Likert question's valid answers that are 4–5, with its Wilson interval.

    `n` counts valid answers only; "not applicable" answers are counted apart in `not_applicable`.
    """

    key: str
    text_vi: str
    text_en: str
    dimension: str | None
    n: int
    positive: int
    not_applicable: int
    rate: float | None
    low: float | None
    high: float | None
    status: str
    short_vi: str | None = None
    short_en: str | None = None

    text = bilingual("text")  # the question

    def short_label(self, locale: str) -> str:
        """The question in a few words for charts and tables (its full text when it has none)."""
        return short_text(self.short_vi, self.short_en, self.text_vi, self.text_en, locale)


def _thresholds() -> tuple[int, int]:
    """(shown, ranked) minimum sample sizes from the configuration."""
    config = current_app.config
    return config["MIN_RESPONSES_SHOWN"], config["MIN_RESPONSES_RANKED"]


def survey_versions(survey_id: int):
    """SQL: the ids of the versions of survey `survey_id`."""
    return select(SurveyVersion.id).where(SurveyVersion.survey_id == survey_id)


def _response_conditions(start: datetime | None, end: datetime | None, code_only: bool,
                         survey_id: int | None = None, service: str | None = None, *,
                         excluded: bool | None = False) -> list:
    """SQL conditions on Response shared by every metric: counted (or, with `excluded`, flagged
    and left out; with None, either), in the period, channel, and of one survey and one service
    when asked."""
    conditions = []
    if excluded is not None:
        # Flagged as the bare column, not "IS true": PostgreSQL then reads them through the partial
        # index ix_response_excluded (WHERE excluded) instead of scanning every response.
        conditions.append(Response.excluded if excluded else Response.excluded.is_(False))
    if survey_id is not None:
        conditions.append(Response.version_id.in_(survey_versions(survey_id)))
    if service is not None:
        conditions.append(Response.service == service)
    if start is not None:
        conditions.append(Response.submitted_at >= start)
    if end is not None:
        conditions.append(Response.submitted_at < end)
    if code_only:
        conditions.append(Response.channel == AccessMode.CODE)
    return conditions


def estimate(n: int, total: float, total_sq: float) -> Estimate:
    """An Estimate on the 0–100 scale from a count, sum and sum of squares of 0–1 values."""
    shown_min, ranked_min = _thresholds()
    # With nothing to average there is nothing to show, whatever the thresholds are set to.
    status = sample_status(n, shown_min, ranked_min) if n > 0 else HIDDEN
    if status == HIDDEN:
        return Estimate(n, None, None, None, status)
    mean, low, high = mean_interval(n, total, total_sq)
    return Estimate(n, 100 * mean, 100 * low, 100 * high, status)


def pooled_index(indices: Iterable[AgencyIndex]) -> Estimate:
    """The index over all the responses of `indices` together (sums add up across agencies)."""
    rows = list(indices)
    return estimate(sum(r.n for r in rows), sum(r.total for r in rows), sum(r.total_sq for r in rows))


def _counted_responses(agency_clause, start: datetime | None, end: datetime | None, code_only: bool,
                       **only):
    """SQL conditions on Response joined to Agency: the clause's agencies, counted, in the period
    (`only`: survey_id, service)."""
    return [agency_clause, *_response_conditions(start, end, code_only, **only)]


def _raw_index_sums(agency_clause, start, end, code_only, **only) -> dict[int, list]:
    """{agency id: [n, sum, sum of squares]} of response index values, straight from the responses."""
    per_response = (
        select(
            Agency.id.label("agency_id"),
            (func.sum(ResponseScore.weight * ResponseScore.score)
             # A version may weigh a dimension 0; a response with only such dimensions has no value.
             # (typed Float so SQLAlchemy divides in double precision, not NUMERIC, on PostgreSQL)
             / func.nullif(func.sum(ResponseScore.weight), 0.0, type_=Float)).label("value"),
        )
        .select_from(Response).join(ResponseScore, ResponseScore.response_id == Response.id)
        .join(*agency_join(Response.agency_id))
        .where(ResponseScore.valid_answers > 0,
               *_counted_responses(agency_clause, start, end, code_only, **only))
        .group_by(Agency.id, Response.id)
        .subquery()
    )
    value = per_response.c.value
    rows = db.session.execute(
        select(per_response.c.agency_id, func.count(value), func.sum(value), func.sum(value * value))
        .group_by(per_response.c.agency_id)
    ).all()
    return {row[0]: [row[1] or 0, float(row[2] or 0.0), float(row[3] or 0.0)] for row in rows}


def _raw_dimension_sums(agency_clause, start, end, code_only, **only) -> dict[str, list]:
    """{dimension: [n, sum, sum of squares]} of dimension scores, straight from the responses."""
    score = ResponseScore.score
    rows = db.session.execute(
        select(ResponseScore.dimension, func.count(), func.sum(score), func.sum(score * score))
        .join(Response, Response.id == ResponseScore.response_id)
        .join(*agency_join(Response.agency_id))
        .where(ResponseScore.valid_answers > 0,
               *_counted_responses(agency_clause, start, end, code_only, **only))
        .group_by(ResponseScore.dimension)
    ).all()
    return {row[0]: [row[1], float(row[2] or 0.0), float(row[3] or 0.0)] for row in rows}


def _raw_question_counts(agency_clause, start, end, code_only, **only) -> dict[str, list]:
    """{Likert question key: [valid, positive, not applicable]} for every key answered at all,
    straight from the answers."""
    valid = and_(Answer.not_applicable.is_(False), Answer.number.is_not(None))
    rows = db.session.execute(
        select(Answer.question_key,
               func.sum(case((valid, 1), else_=0)),
               func.sum(case((and_(valid, Answer.number >= 4), 1), else_=0)),
               func.sum(case((Answer.not_applicable.is_(True), 1), else_=0)))
        .join(Response, Response.id == Answer.response_id)
        .join(*agency_join(Response.agency_id))
        .join(Question, and_(Question.version_id == Response.version_id,
                             Question.key == Answer.question_key))
        .where(Question.type == QuestionType.LIKERT5,
               *_counted_responses(agency_clause, start, end, code_only, **only))
        .group_by(Answer.question_key)
    ).all()
    return {row[0]: [int(row[1] or 0), int(row[2] or 0), int(row[3] or 0)] for row in rows}


def _add_into(target: dict, more: dict) -> dict:
    """`target` with each of `more`'s lists added element by element (missing keys start at 0)."""
    for key, values in more.items():
        if key in target:
            target[key] = [a + b for a, b in zip(target[key], values, strict=True)]
        else:
            target[key] = list(values)
    return target


def cell_conditions(table, code_only: bool, survey_id: int | None = None,
                    service: str | None = None) -> list:
    """SQL conditions on a summary table's cell columns: channel, survey and service."""
    conditions = []
    if code_only:
        conditions.append(table.c.channel == AccessMode.CODE)
    if survey_id is not None:
        conditions.append(table.c.version_id.in_(survey_versions(survey_id)))
    if service is not None:
        conditions.append(table.c.service == service)
    return conditions


def _summary_sums(model, group, columns, agency_clause, window, code_only, present, *, extra=(),
                  **only) -> dict:
    """{group value: [sums of `columns`]} over the summary rows of `window` (the days it takes
    away counted negative), keeping the groups for which `present` (a function of the sums) holds.
    `only`: survey_id, service; `extra`: more conditions on the table's columns."""
    table = model.__table__
    parts = []
    for condition, sign in summary.row_parts(model, window):
        conditions = [agency_clause, condition, *cell_conditions(table, code_only, **only), *extra]
        parts.append(
            # After the join Agency.id is the agency the row counts for (lineage.py).
            select((Agency.id if group == "agency_id" else table.c[group]).label("key"),
                   *((table.c[name] if sign > 0 else -table.c[name]).label(name) for name in columns))
            .select_from(table).join(*agency_join(table.c.agency_id))
            .where(*conditions)
        )
    if not parts:
        return {}
    rows = union_all(*parts).subquery()
    result = db.session.execute(
        select(rows.c.key, *(func.sum(rows.c[name]) for name in columns)).group_by(rows.c.key)
    ).all()
    sums = {row[0]: [value or 0 for value in row[1:]] for row in result}
    return {key: values for key, values in sums.items() if present(values)}


def _windowed(summary_part, raw_part, start, end) -> dict:
    """The summary's whole local days of [start, end) plus the raw pieces shorter than a day."""
    window = summary.window(start, end)
    sums = summary_part(window)
    for piece_start, piece_end in window.raw:
        _add_into(sums, raw_part(piece_start, piece_end))
    return sums


def _listed_indices(agency_clause, sums: dict[int, list]) -> list[AgencyIndex]:
    """AgencyIndex rows for the clause's agencies from {agency id: [n, sum, sum of squares]}.

    Inactive agencies are listed only with responses: they matter only for their history.
    """
    agencies = db.session.execute(
        select(Agency.id, Agency.code, Agency.name_vi, Agency.name_en, Agency.path, Agency.depth,
               Agency.active)
        .where(agency_clause).order_by(Agency.path)
    ).all()
    indices = []
    for row in agencies:
        n, total, total_sq = sums.get(row.id, (0, 0.0, 0.0))
        n, total, total_sq = int(n), float(total), float(total_sq)
        if not row.active and n <= 0:
            continue
        est = estimate(n, total, total_sq)
        indices.append(AgencyIndex(
            agency_id=row.id, code=row.code, name_vi=row.name_vi, name_en=row.name_en or "",
            path=row.path, depth=row.depth, n=n, total=total, total_sq=total_sq,
            mean=est.mean, low=est.low, high=est.high, status=est.status,
        ))
    return _ranked(indices)


def agency_indices(agency_clause, *, start: datetime | None = None, end: datetime | None = None,
                   code_only: bool = False, survey_id: int | None = None,
                   service: str | None = None) -> list[AgencyIndex]:
    """The index of every agency matching `agency_clause`, in tree order, ranked where n allows.

    Per response the value is the weighted mean of its dimension scores, sum(w·s) / sum(w); per
    agency the index is 100 × the mean of those values with a 95% t interval. Agencies without
    responses are listed too (n = 0), except inactive ones, which only matter for their history.
    Only agencies with status "ok" get a rank, 1 for the highest mean, ties sharing a rank.
    Read from the summary tables; equal to raw_agency_indices.
    """
    only = {"survey_id": survey_id, "service": service}
    sums = _windowed(
        lambda window: _summary_sums(ResponseSummary, "agency_id", ("index_n", "index_sum", "index_sum_sq"),
                                     agency_clause, window, code_only, lambda v: True, **only),
        lambda s, e: _raw_index_sums(agency_clause, s, e, code_only, **only), start, end)
    return _listed_indices(agency_clause, sums)


def raw_agency_indices(agency_clause, *, start: datetime | None = None, end: datetime | None = None,
                       code_only: bool = False, survey_id: int | None = None,
                       service: str | None = None) -> list[AgencyIndex]:
    """agency_indices computed from the responses and their scores (for tests and benchmarks)."""
    only = {"survey_id": survey_id, "service": service}
    return _listed_indices(agency_clause, _raw_index_sums(agency_clause, start, end, code_only, **only))


def _ranked(indices: list[AgencyIndex]) -> list[AgencyIndex]:
    """`indices` with competition ranks (1, 2, 2, 4) for the "ok" ones by mean, highest first."""
    # Means equal but for floating-point summation order are a tie, not a ranking.
    def key(i: AgencyIndex) -> float:
        """The mean as compared for ranking."""
        return round(i.mean, 9)

    means = sorted((key(i) for i in indices if i.status == OK), reverse=True)
    first_place: dict[float, int] = {}
    for position, mean in enumerate(means, start=1):
        first_place.setdefault(mean, position)
    return [replace(i, rank=first_place[key(i)]) if i.status == OK else i for i in indices]


def _latest_by(rows, key) -> dict:
    """The first row for each key, rows being ordered newest version first."""
    latest: dict = {}
    for row in rows:
        latest.setdefault(key(row), row)
    return latest


def _listed_dimensions(sums: dict[str, list]) -> list[DimensionRate]:
    """DimensionRate rows in questionnaire order from {dimension: [n, sum, sum of squares]}.

    Headings come from the newest section item of the dimension, falling back to its key.
    """
    if not sums:
        return []
    sections = _latest_by(db.session.execute(
        select(Question.dimension, Question.text_vi, Question.text_en, Question.position)
        .where(Question.type == QuestionType.SECTION, Question.dimension.in_(list(sums)))
        .order_by(Question.version_id.desc(), Question.position)
    ).all(), key=lambda s: s.dimension)

    def order(dimension):
        """Questionnaire order; dimensions without a heading last, by key."""
        section = sections.get(dimension)
        return (section is None, section.position if section else 0, dimension)

    rates = []
    for dimension in sorted(sums, key=order):
        section = sections.get(dimension)
        n, total, total_sq = sums[dimension]
        rates.append(DimensionRate(
            dimension=dimension,
            label_vi=section.text_vi if section else dimension,
            label_en=(section.text_en or "") if section else dimension,
            estimate=estimate(int(n), float(total), float(total_sq)),
        ))
    return rates


def dimension_rates(agency_clause, *, start: datetime | None = None, end: datetime | None = None,
                    code_only: bool = False, survey_id: int | None = None,
                    service: str | None = None) -> list[DimensionRate]:
    """Each dimension's rate over the matching agencies' responses, in questionnaire order.

    A response counts for a dimension when it has a score there, i.e. at least one valid
    (not "not applicable") answer in it. Read from the summary tables; equal to raw_dimension_rates.
    """
    only = {"survey_id": survey_id, "service": service}
    return _listed_dimensions(_windowed(
        lambda window: _summary_sums(DimensionSummary, "dimension", ("n", "total", "total_sq"),
                                     agency_clause, window, code_only, lambda v: v[0] > 0, **only),
        lambda s, e: _raw_dimension_sums(agency_clause, s, e, code_only, **only), start, end))


def raw_dimension_rates(agency_clause, *, start: datetime | None = None, end: datetime | None = None,
                        code_only: bool = False, survey_id: int | None = None,
                        service: str | None = None) -> list[DimensionRate]:
    """dimension_rates computed from the responses and their scores (for tests and benchmarks)."""
    only = {"survey_id": survey_id, "service": service}
    return _listed_dimensions(_raw_dimension_sums(agency_clause, start, end, code_only, **only))


def _listed_questions(counts: dict[str, list]) -> list[QuestionRate]:
    """QuestionRate rows in the newest version's order from {key: [valid, positive, n/a]}.

    Questions are matched by key across survey versions (a key keeps its meaning), shown with
    the newest version's wording.
    """
    if not counts:
        return []
    questions = _latest_by(db.session.execute(
        select(Question.key, Question.text_vi, Question.text_en, Question.dimension, Question.position,
               Question.short_vi, Question.short_en)
        .where(Question.type == QuestionType.LIKERT5, Question.key.in_(list(counts)))
        .order_by(Question.version_id.desc())
    ).all(), key=lambda q: q.key)

    shown_min, ranked_min = _thresholds()
    rates = []
    for key in sorted(counts, key=lambda k: (questions[k].position, k)):
        question = questions[key]
        n, positive, not_applicable = (int(v) for v in counts[key])
        status = sample_status(n, shown_min, ranked_min) if n > 0 else HIDDEN
        rate = low = high = None
        if status != HIDDEN:
            rate = 100 * positive / n
            low, high = (100 * bound for bound in wilson_interval(positive, n))
        rates.append(QuestionRate(
            key=key, text_vi=question.text_vi, text_en=question.text_en or "",
            dimension=question.dimension, n=n, positive=positive, not_applicable=not_applicable,
            rate=rate, low=low, high=high, status=status,
            short_vi=question.short_vi, short_en=question.short_en,
        ))
    return rates


def question_rates(agency_clause, *, start: datetime | None = None, end: datetime | None = None,
                   code_only: bool = False, survey_id: int | None = None,
                   service: str | None = None) -> list[QuestionRate]:
    """Each Likert question's share of 4–5 answers over the matching agencies' responses.

    Read from the summary tables; equal to raw_question_rates.
    """
    only = {"survey_id": survey_id, "service": service}
    counts = _windowed(
        lambda window: _summary_sums(QuestionSummary, "question_key",
                                     ("answered", "valid", "positive", "not_applicable"),
                                     agency_clause, window, code_only, lambda v: v[0] > 0, **only),
        lambda s, e: {k: [1, *v]
                      for k, v in _raw_question_counts(agency_clause, s, e, code_only, **only).items()},
        start, end)
    # Every key present was answered at least once; "answered" only decided which keys to show.
    return _listed_questions({key: values[1:] for key, values in counts.items()})


def raw_question_rates(agency_clause, *, start: datetime | None = None, end: datetime | None = None,
                       code_only: bool = False, survey_id: int | None = None,
                       service: str | None = None) -> list[QuestionRate]:
    """question_rates computed from the responses and their answers (for tests and benchmarks)."""
    only = {"survey_id": survey_id, "service": service}
    return _listed_questions(_raw_question_counts(agency_clause, start, end, code_only, **only))


def display_order(indices: Iterable[AgencyIndex]) -> list[AgencyIndex]:
    """Ranked agencies by index, highest first; then the thin ones, also by index; then the
    hidden ones in tree order.

    A thin sample is never ranked, so it never sits among (or above) the ranked ones where a
    reader would take its place for a rank. The chart and the table use this one order.
    """
    rows = list(indices)
    shown = sorted((i for i in rows if i.status != HIDDEN),
                   key=lambda i: (i.status != OK, -i.mean, i.path))
    return shown + [i for i in rows if i.status == HIDDEN]


def has_sub_agencies(agency: Agency) -> bool:
    """Whether any agency sits under `agency` in the tree."""
    return db.session.scalar(select(select(Agency.id).where(Agency.parent_id == agency.id).exists()))


def child_indices(agency: Agency, subtree: Iterable[AgencyIndex]) -> list[AgencyIndex]:
    """The index of each child of `agency` over its whole subtree (the child and every agency under
    it), pooled from `subtree`, the per-agency indices of `agency`'s subtree; ranked among siblings.

    Sums add up across agencies, so the pooling needs no query; a child without responses is
    listed with n = 0 unless it is inactive, as in agency_indices.
    """
    rows = list(subtree)
    children = [i for i in rows if i.depth == agency.depth + 1 and i.path.startswith(agency.path)]
    pooled = []
    for child in children:
        under = [i for i in rows if i.path.startswith(child.path)]
        n, total, total_sq = (sum(i.n for i in under), sum(i.total for i in under),
                              sum(i.total_sq for i in under))
        est = estimate(n, total, total_sq)
        pooled.append(replace(child, n=n, total=total, total_sq=total_sq, mean=est.mean, low=est.low,
                              high=est.high, status=est.status, rank=None))
    return _ranked(pooled)
