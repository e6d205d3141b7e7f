"""Answer counts per question and value, and dimension rates per agency: summary = raw = Python.

Random responses go through the survey's own submit path and the organizers' review (restore,
exclude); the counts the pages read from answer_summary and dimension_summary must equal the
same numbers computed from the raw answers in SQL and a plain-Python computation, on SQLite and
PostgreSQL, and the summary built step by step must equal a rebuild.
"""

import itertools
import math
import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, true

from feedback.accounts.authz import agency_filter
from feedback.accounts.models import Role
from feedback.dashboards import answers, metrics, summary
from feedback.dashboards.models import ANSWERED, AnswerSummary
from feedback.dashboards.stats import t_critical_95
from feedback.extensions import db
from feedback.surveys.answers import ParsedAnswer
from feedback.surveys.models import (
    AccessMode,
    Answer,
    Deployment,
    Question,
    QuestionType,
    Response,
    ResponseScore,
    Survey,
    SurveyVersion,
    VersionStatus,
)
from feedback.surveys.responses.services import exclude, restore
from feedback.surveys.services import deploy, submit_response

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_DAY = date(2025, 1, 25)
DAYS = 40
LIKERT = ("access_wait", "access_info", "staff_courtesy")
DIMENSION_OF = {"access_wait": "access", "access_info": "access", "staff_courtesy": "staff"}
CHOICES = ("counter", "online", "phone")
NEEDS = ("parking", "forms", "wifi")
SURVEY_NUMBERS = itertools.count(1)


def _choices(values) -> list[dict]:
    """Choice options with Vietnamese and English labels."""
    return [{"value": v, "label_vi": f"{v} (vi)", "label_en": f"{v} (en)"} for v in values]


def make_full_version(key: str = "full") -> SurveyVersion:
    """A published version with every counted question type: Likert (one with "not applicable"),
    0–10 rating, yes/no, single and multiple choice, and a comment."""
    version = SurveyVersion(survey=Survey(key=key), number=1, status=VersionStatus.PUBLISHED,
                            title_vi="Khảo sát đủ loại", title_en="Every kind", questions=[
        Question(position=0, key="section_access", type=QuestionType.SECTION, dimension="access",
                 text_vi="Tiếp cận dịch vụ", text_en="Access to the service"),
        Question(position=1, key="access_wait", type=QuestionType.LIKERT5, dimension="access",
                 text_vi="Chờ đợi", text_en="Waiting"),
        Question(position=2, key="access_info", type=QuestionType.LIKERT5, dimension="access",
                 allow_na=True, text_vi="Thông tin", text_en="Information"),
        Question(position=3, key="section_staff", type=QuestionType.SECTION, dimension="staff",
                 text_vi="Công chức", text_en="Civil servants"),
        Question(position=4, key="staff_courtesy", type=QuestionType.LIKERT5, dimension="staff",
                 text_vi="Lịch sự", text_en="Courtesy"),
        Question(position=5, key="recommend", type=QuestionType.RATING10,
                 text_vi="Giới thiệu", text_en="Recommend"),
        Question(position=6, key="returned", type=QuestionType.YESNO,
                 text_vi="Quay lại", text_en="Came back"),
        Question(position=7, key="how", type=QuestionType.SINGLE, text_vi="Cách", text_en="How",
                 options={"choices": _choices(CHOICES)}),
        Question(position=8, key="needs", type=QuestionType.MULTIPLE, text_vi="Cần", text_en="Needs",
                 options={"choices": _choices(NEEDS)}),
        Question(position=9, key="comment", type=QuestionType.LONG_TEXT,
                 text_vi="Góp ý", text_en="Comment"),
    ])
    db.session.add(version)
    db.session.flush()
    return version


def parsed(row_answers: dict) -> dict[str, ParsedAnswer]:
    """Generated answers as the survey form hands them to submit_response."""
    result = {}
    for key, value in row_answers.items():
        if value is None:
            continue
        if key in LIKERT:
            result[key] = (ParsedAnswer(key, not_applicable=True) if value == "na"
                           else ParsedAnswer(key, number=float(value)))
        elif key == "recommend":
            result[key] = ParsedAnswer(key, number=float(value))
        elif key == "returned":
            result[key] = ParsedAnswer(key, number=1.0 if value == "yes" else 0.0, text=value)
        elif key == "how":
            result[key] = ParsedAnswer(key, text=value)
        elif key == "needs":
            result[key] = ParsedAnswer(key, choices=list(value))
        else:
            result[key] = ParsedAnswer(key, text=value)
    return result


def local(day: int, minute: int = 0) -> datetime:
    """The UTC instant of local day FIRST_DAY + `day`, `minute` minutes after midnight."""
    at = datetime.combine(FIRST_DAY + timedelta(days=day), time.min, tzinfo=ZONE)
    return (at + timedelta(minutes=minute)).astimezone(UTC)


def submit(deployment: Deployment, row: dict) -> Response:
    """Store one generated response through the survey's submit path, at its time."""
    with mock.patch("feedback.surveys.services.utcnow", return_value=local(row["day"], row["minute"])):
        return submit_response(deployment, parsed(row["answers"]), locale="vi", started_at=None,
                               flags=1 if row["flagged"] else 0, client_hash=None,
                               service=row["service"],
                               channel=AccessMode.CODE if row["code"] else AccessMode.OPEN)


answer_rows = st.fixed_dictionaries({
    "access_wait": st.one_of(st.none(), st.integers(1, 5)),
    "access_info": st.one_of(st.none(), st.integers(1, 5), st.just("na")),
    "staff_courtesy": st.one_of(st.none(), st.integers(1, 5), st.just("na")),
    "recommend": st.one_of(st.none(), st.integers(0, 10)),
    "returned": st.sampled_from([None, "yes", "no"]),
    "how": st.sampled_from([None, *CHOICES]),
    "needs": st.one_of(st.none(), st.lists(st.sampled_from(NEEDS), min_size=1, max_size=3, unique=True)),
    "comment": st.sampled_from([None, "<script>alert(1)</script>"]),
})
random_responses = st.lists(st.fixed_dictionaries({
    "agency": st.integers(0, 4),
    "day": st.integers(0, DAYS - 1),
    "minute": st.sampled_from([0, 7 * 60, 23 * 60 + 59]),
    "flagged": st.booleans(),
    "review": st.sampled_from(["keep", "restore", "restore_exclude"]),
    "code": st.booleans(),
    "service": st.sampled_from([None, "HT-01"]),
    "answers": answer_rows,
}), max_size=20)


def counted(row: dict) -> bool:
    """Whether the generated response counts after its review."""
    return not row["flagged"] or row["review"] == "restore"


def reference_values(rows: list[dict]) -> dict[str, dict[str, int]]:
    """{key: {value: count}} with ANSWERED, computed in plain Python."""
    result: dict = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for key, value in row["answers"].items():
            if value is None or key == "comment":
                continue
            given = list(value) if key == "needs" else [str(value)]
            for one in given:
                result[key][one] += 1
            result[key][ANSWERED] += 1
    return {key: dict(values) for key, values in result.items()}


def reference_scores(row: dict) -> dict[str, float]:
    """A response's dimension scores: share of 4–5 among its valid Likert answers."""
    tally = defaultdict(lambda: [0, 0])
    for key, value in row["answers"].items():
        if key in DIMENSION_OF and value not in (None, "na"):
            tally[DIMENSION_OF[key]][0] += value >= 4
            tally[DIMENSION_OF[key]][1] += 1
    return {d: positive / valid for d, (positive, valid) in tally.items()}


def mean_of(data: list[float], shown_min: int, ranked_min: int):
    """(n, mean, low, high) on the 0–100 scale as the dashboards show them (None when hidden)."""
    n = len(data)
    if n < max(shown_min, 1):
        return n, None, None, None
    mean, low, high = statistics.fmean(data), 0.0, 1.0
    if n > 1:
        half = t_critical_95(n - 1) * statistics.stdev(data) / math.sqrt(n)
        low, high = max(0.0, mean - half), min(1.0, mean + half)
    return n, 100 * mean, 100 * low, 100 * high


def as_values(listed: list[answers.QuestionAnswers]) -> dict[str, dict[str, int]]:
    """{key: {value: count}} with ANSWERED, from the metric's result."""
    return {q.key: {**q.counts, ANSWERED: q.answered} for q in listed}


def summary_rows() -> dict:
    """Every answer_summary row by key."""
    table = AnswerSummary.__table__
    key = list(table.primary_key.columns)
    return {tuple(r[:-1]): r[-1] for r in db.session.execute(select(*key, table.c.count)).all()}


def _close(a, b) -> bool:
    """Equal, floats within rounding."""
    if isinstance(b, float) and a is not None:
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-7)
    return a == b


def _reset() -> None:
    """Delete every response and summary row left by an earlier example."""
    for table in (Answer, ResponseScore, Response, Deployment, *summary.TABLES):
        db.session.execute(delete(table))


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=random_responses, period=st.tuples(st.integers(0, DAYS + 2), st.integers(0, DAYS + 2),
                                               st.integers(0, 23)),
       code_only=st.booleans(), leader_a=st.booleans(), service=st.sampled_from([None, "HT-01"]),
       survey=st.sampled_from(["all", "this", "other"]))
def test_answer_counts_and_agency_dimensions_equal_raw_and_python(app, tree, rows, period, code_only,
                                                                  leader_a, service, survey):
    app.config.update(MIN_RESPONSES_SHOWN=2, MIN_RESPONSES_RANKED=4)
    _reset()
    number = next(SURVEY_NUMBERS)
    version = make_full_version(f"full-{number}")
    other = make_full_version(f"other-{number}")
    deployments = {d.agency_id: d for d in deploy(version, tree.province, subtree=True)}
    agencies = [tree.province, tree.dept_a, tree.counter_a, tree.commune_a, tree.dept_b]
    stored = [submit(deployments[agencies[row["agency"]].id], row) for row in rows]
    db.session.commit()
    for row, response in zip(rows, stored, strict=True):
        if row["flagged"] and row["review"] != "keep":
            assert restore(response, tree.organizer_a)
            if row["review"] == "restore_exclude":
                assert exclude(response, tree.organizer_a)
    db.session.commit()

    first, last, hour = period
    whole = hour % 2 == 0
    start = local(min(first, last), 0 if whole else hour * 60 + 30) if first else None
    end = local(max(first, last), 0 if whole else hour * 60) if last < DAYS + 2 else None
    clause = agency_filter(tree.leader_a, Role.LEADER) if leader_a else true()
    visible = {"A", "A1", "A2"} if leader_a else {a.code for a in agencies}
    survey_id = {"all": None, "this": version.survey_id, "other": other.survey_id}[survey]
    window = {"start": start, "end": end, "code_only": code_only, "survey_id": survey_id,
              "service": service}

    def kept(row):
        """Whether the reference counts this generated response under the filters."""
        # A code-verified response is filed at the start of its local day (docs/security.md).
        at = local(row["day"], 0 if row["code"] else row["minute"])
        return (counted(row) and agencies[row["agency"]].code in visible
                and (not code_only or row["code"]) and (service is None or row["service"] == service)
                and survey != "other"
                and (start is None or at >= start) and (end is None or at < end))

    chosen = [row for row in rows if kept(row)]
    got = answers.answer_counts(clause, **window)
    raw = answers.raw_answer_counts(clause, **window)
    assert got == raw
    assert as_values(got) == reference_values(chosen)
    assert [q.key for q in got] == [k for k in ("access_wait", "access_info", "staff_courtesy",
                                                "recommend", "returned", "how", "needs")
                                    if k in reference_values(chosen)]
    # The Likert split agrees with metrics.question_rates, which reads its own summary table.
    rates = {r.key: r for r in metrics.question_rates(clause, **window)}
    for question in got:
        if question.type == QuestionType.LIKERT5 and question.valid:
            split = answers.likert_split(question)
            assert (split.n, split.positive, split.not_applicable) == (
                rates[question.key].n, rates[question.key].positive, rates[question.key].not_applicable)

    # Dimension rates per row agency, each standing for its subtree.
    grid = answers.agency_dimension_rates(clause, **window)
    raw_grid = answers.raw_agency_dimension_rates(clause, **window)
    expected_codes = ["A", "A1", "A2"] if leader_a else ["P", "A", "B"]
    assert [r.code for r in grid.rows] == [r.code for r in raw_grid.rows] == expected_codes
    by_code = {a.code: a for a in agencies}
    for row, raw_row in zip(grid.rows, raw_grid.rows, strict=True):
        root = by_code[row.code]
        for dimension in ("access", "staff"):
            data = [reference_scores(r)[dimension] for r in chosen
                    if agencies[r["agency"]].path.startswith(root.path)
                    and dimension in reference_scores(r)]
            expected = mean_of(data, 2, 4)
            for estimate in (row.rates.get(dimension), raw_row.rates.get(dimension)):
                if estimate is None:  # a dimension nobody answered has no column
                    assert not any(dimension in reference_scores(r) for r in chosen)
                    continue
                numbers = (estimate.n, estimate.mean, estimate.low, estimate.high)
                assert all(_close(g, e) for g, e in zip(numbers, expected, strict=True)), (row.code,
                                                                                          dimension)

    incremental = summary_rows()
    summary.rebuild()
    assert summary_rows() == incremental
    db.session.rollback()


def test_all_not_applicable_answers_are_counted_apart_and_hide_the_bar(app, tree):
    version = make_full_version()
    [deployment] = deploy(version, tree.dept_a)
    for day in range(12):
        submit(deployment, {"day": day, "minute": 60, "flagged": False, "code": False, "service": None,
                            "answers": {"access_info": "na", "staff_courtesy": "na"}})
    db.session.commit()
    listed = answers.answer_counts(true())
    assert [(q.key, q.counts, q.answered, q.valid) for q in listed] == [
        ("access_info", {"na": 12}, 12, 0), ("staff_courtesy", {"na": 12}, 12, 0)]
    assert answers.likert_split(listed[0]) is None
    assert not answers.shown(listed[0], 10)
    assert listed == answers.raw_answer_counts(true())
    grid = answers.agency_dimension_rates(true())
    assert grid.dimensions == [] and all(r.rates == {} for r in grid.rows)
    incremental = summary_rows()
    summary.rebuild()
    assert summary_rows() == incremental


def test_an_empty_period_has_no_answers_and_empty_cells(app, tree):
    version = make_full_version()
    [deployment] = deploy(version, tree.dept_a)
    submit(deployment, {"day": 1, "minute": 0, "flagged": False, "code": False, "service": None,
                        "answers": {"access_wait": 5, "recommend": 10, "needs": ["wifi"]}})
    db.session.commit()
    empty = {"start": local(10), "end": local(20)}
    assert answers.answer_counts(true(), **empty) == answers.raw_answer_counts(true(), **empty) == []
    grid = answers.agency_dimension_rates(true(), **empty)
    assert [r.code for r in grid.rows] == ["P", "A", "B"]
    assert all(e.n == 0 and e.mean is None for r in grid.rows for e in r.rates.values())


def test_excluding_and_restoring_keeps_the_counts_exact(app, tree):
    version = make_full_version()
    [deployment] = deploy(version, tree.counter_a)
    response = submit(deployment, {"day": 2, "minute": 0, "flagged": True, "code": True,
                                   "service": "HT-01", "answers": {
                                       "access_wait": 4, "recommend": 9, "returned": "no", "how": "online",
                                       "needs": ["parking", "wifi"]}})
    db.session.commit()
    assert summary_rows() == {} and answers.answer_counts(true()) == []
    assert restore(response, tree.organizer_a)
    db.session.commit()
    [wait, recommend, returned, how, needs] = answers.answer_counts(true())
    assert (wait.counts, recommend.counts, returned.counts, how.counts) == (
        {"4": 1}, {"9": 1}, {"no": 1}, {"online": 1})
    assert needs.counts == {"parking": 1, "wifi": 1} and needs.answered == 1
    shares = {v.value: v.share for v in answers.distribution(needs)}
    assert shares == {"parking": 100.0, "forms": 0.0, "wifi": 100.0}
    assert exclude(response, tree.organizer_a)
    db.session.commit()
    assert summary_rows() == {}


def test_nps_counts_promoters_minus_detractors(app, tree):
    question = answers.QuestionAnswers(key="r", type=QuestionType.RATING10, text_vi="r", text_en="",
                                       dimension=None, position=0, answered=10,
                                       counts={"10": 3, "9": 2, "8": 2, "6": 1, "0": 2})
    score = answers.nps(question)
    assert (score.promoters, score.passives, score.detractors, score.n) == (5, 2, 3, 10)
    assert score.score == pytest.approx(20.0)
