"""The summary tables: kept in step with every write, equal to a rebuild, read back exactly.

The metrics read the summary; the raw functions read the responses. On random data (flagged and
restored responses, empty periods, all-"not applicable" answers, single responses, services and
channels, periods cut at local midnight or anywhere) both must give the same numbers, and both
must equal a plain-Python computation, on SQLite and on PostgreSQL.
"""

import math
import statistics
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, true

from feedback.accounts.authz import agency_filter
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.core.text import fold_for_search
from feedback.dashboards import comments, metrics, summary
from feedback.dashboards.models import DimensionSummary, Period, QuestionSummary, ResponseSummary
from feedback.dashboards.stats import t_critical_95, wilson_interval
from feedback.extensions import db
from feedback.surveys.answers import ParsedAnswer
from feedback.surveys.models import AccessMode, Answer, Deployment, Response, ResponseScore
from feedback.surveys.responses.services import exclude, restore
from feedback.surveys.services import deploy, submit_response
from tests.dashboards.helpers import make_version

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_DAY = date(2025, 1, 20)  # the random days cross two month ends and a 28-day February
DAYS = 50
LIKERT = ("access_wait", "access_info", "staff_courtesy", "overall")
DIMENSION_OF = {"access_wait": "access", "access_info": "access", "staff_courtesy": "staff"}
SERVICES = (None, "HT-01", "DD-02")


# --- Which rows a period reads ----------------------------------------------------------------

def _days(first: date, after: date) -> set[date]:
    """Every day of [first, after)."""
    return {first + timedelta(days=i) for i in range((after - first).days)}


def _month_days(first: date) -> set[date]:
    """Every day of the month starting on `first`."""
    return _days(first, (first + timedelta(days=32)).replace(day=1))


@given(start=st.integers(0, 800), length=st.integers(0, 500))
def test_a_period_is_read_as_months_plus_and_minus_days_exactly(start, length):
    day_from = date(2024, 1, 1) + timedelta(days=start)
    day_to = day_from + timedelta(days=length)
    rows = summary.day_window(day_from, day_to)
    counted: dict[date, int] = defaultdict(int)
    if rows.months is not None:
        month = rows.months[0]
        while month < rows.months[1]:
            for day in _month_days(month):
                counted[day] += 1
            month = (month + timedelta(days=32)).replace(day=1)
    for first, after in rows.plus:
        for day in _days(first, after):
            counted[day] += 1
    for first, after in rows.minus:
        for day in _days(first, after):
            counted[day] -= 1
    assert {day for day, times in counted.items() if times} == _days(day_from, day_to)
    assert all(times in (0, 1) for times in counted.values())
    # Never more than half a month of day rows at each end.
    assert sum(len(_days(a, b)) for a, b in rows.plus + rows.minus) <= 2 * 15 + 1


def test_the_last_twelve_months_to_today_read_only_the_days_before_the_first_month(app):
    rows = summary.day_window(date(2025, 11, 24), date(2026, 11, 24))
    assert rows.months == (date(2025, 12, 1), date(2026, 12, 1))
    assert rows.plus == ((date(2025, 11, 24), date(2025, 12, 1)),)
    assert rows.minus == ((date(2026, 11, 24), date(2026, 12, 1)),)  # days still to come


def test_instants_inside_a_day_are_read_raw(app):
    start = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)  # 17:00 local
    end = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)    # 09:00 local
    rows = summary.window(start, end)
    assert rows.plus == ((date(2025, 3, 4), date(2025, 3, 10)),)
    assert rows.raw == ((start, datetime(2025, 3, 3, 17, 0, tzinfo=UTC)),
                        (datetime(2025, 3, 9, 17, 0, tzinfo=UTC), end))
    assert summary.window(start, start + timedelta(hours=3)).raw == ((start, start + timedelta(hours=3)),)
    assert summary.window(end, start) == summary.Window()


# --- Random responses through the real write paths -----------------------------------------------

answer_values = st.one_of(st.none(), st.integers(1, 5), st.just("na"))
random_responses = st.lists(st.fixed_dictionaries({
    "agency": st.integers(0, 4),
    "day": st.integers(0, DAYS - 1),
    "minute": st.sampled_from([0, 1, 6 * 60 + 59, 7 * 60, 12 * 60, 23 * 60 + 59]),
    "flagged": st.booleans(),
    "review": st.sampled_from(["keep", "restore", "restore_exclude"]),
    "code": st.booleans(),
    "service": st.sampled_from(SERVICES),
    "answers": st.fixed_dictionaries({key: answer_values for key in LIKERT}),
    # A comment, or none; whitespace and punctuation alone fold to nothing and are no comment.
    "comment": st.one_of(st.none(), st.sampled_from(["Chờ lâu quá", " ", "…", "Tốt <b>lắm</b>"])),
}), max_size=25)
periods = st.tuples(st.integers(0, DAYS + 2), st.integers(0, DAYS + 2), st.integers(0, 23))


def _local(day: int, minute: int = 0) -> datetime:
    """The UTC instant of local day FIRST_DAY + `day`, `minute` minutes after midnight."""
    local = datetime.combine(FIRST_DAY + timedelta(days=day), time.min, tzinfo=ZONE)
    return (local + timedelta(minutes=minute)).astimezone(UTC)


def _parsed(answers: dict, comment: str | None = None) -> dict[str, ParsedAnswer]:
    """The generated answers (and comment) as the survey form hands them to submit_response."""
    parsed = {"comment": ParsedAnswer("comment", text=comment)} if comment is not None else {}
    for key, value in answers.items():
        if value == "na":
            parsed[key] = ParsedAnswer(key, not_applicable=True)
        elif value is not None:
            parsed[key] = ParsedAnswer(key, number=float(value))
    return parsed


def _submit(deployment: Deployment, row: dict) -> Response:
    """Store one generated response through the survey's own submit path, at its time."""
    with mock.patch("feedback.surveys.services.utcnow", return_value=_local(row["day"], row["minute"])):
        return submit_response(deployment, _parsed(row["answers"], row.get("comment")), locale="vi",
                               started_at=None,
                               flags=1 if row["flagged"] else 0, client_hash=None,
                               service=row["service"],
                               channel=AccessMode.CODE if row["code"] else AccessMode.OPEN)


def _counted(row: dict) -> bool:
    """Whether the generated response counts after its review."""
    return not row["flagged"] or row["review"] == "restore"


def _reference(rows, agencies, visible, weights, start, end, code_only):
    """(index values per agency code, scores per dimension, counts per question, comments per
    agency id) in plain Python."""
    values, scores = defaultdict(list), defaultdict(list)
    questions: dict = {}
    comments: dict = defaultdict(int)
    for row in rows:
        # A code-verified response is filed at the start of its local day (docs/security.md).
        at = _local(row["day"], 0 if row["code"] else row["minute"])
        if (not _counted(row) or agencies[row["agency"]] not in visible or (code_only and not row["code"])
                or (start is not None and at < start) or (end is not None and at >= end)):
            continue
        if row.get("comment") and fold_for_search(row["comment"]):
            comments[agencies[row["agency"]].id] += 1
        tally = defaultdict(lambda: [0, 0])
        for key, value in row["answers"].items():
            if value is None:
                continue
            counts = questions.setdefault(key, [0, 0, 0])
            if value == "na":
                counts[2] += 1
                continue
            counts[0] += 1
            counts[1] += value >= 4
            if key in DIMENSION_OF:
                tally[DIMENSION_OF[key]][0] += value >= 4
                tally[DIMENSION_OF[key]][1] += 1
        weighted = [(positive / valid, weights.get(d, 1.0)) for d, (positive, valid) in tally.items()]
        for dimension, (positive, valid) in tally.items():
            scores[dimension].append(positive / valid)
        if weighted and sum(w for _s, w in weighted) > 0:
            values[agencies[row["agency"]]].append(
                sum(s * w for s, w in weighted) / sum(w for _s, w in weighted))
    return values, scores, questions, comments


def _estimate(data: list[float], shown_min: int, ranked_min: int):
    """(n, mean, low, high, status) of 0–1 values on the 0–100 scale, as the dashboards show them."""
    n = len(data)
    status = "hidden" if n < max(shown_min, 1) else "thin" if n < ranked_min else "ok"
    if status == "hidden":
        return n, None, None, None, status
    mean, low, high = statistics.fmean(data), 0.0, 1.0
    if n > 1:
        half = t_critical_95(n - 1) * statistics.stdev(data) / math.sqrt(n)
        low, high = max(0.0, mean - half), min(1.0, mean + half)
    return n, 100 * mean, 100 * low, 100 * high, status


def _close(got, expected) -> bool:
    """Equal, floats within rounding (sums are added in another order)."""
    if isinstance(expected, float) and got is not None:
        return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-7)
    return got == expected


def _summary_rows() -> dict:
    """Every summary row, keyed by table and key, with its numbers."""
    rows = {}
    for model in summary.TABLES:
        table = model.__table__
        key = [c for c in table.primary_key.columns]
        numbers = [c for c in table.columns if c not in key]
        for row in db.session.execute(select(*key, *numbers)).all():
            rows[(table.name, *row[:len(key)])] = tuple(row[len(key):])
    return rows


def _assert_same_rows(got: dict, expected: dict) -> None:
    """The two snapshots hold the same rows with the same numbers (floats within rounding)."""
    assert got.keys() == expected.keys()
    for key, numbers in got.items():
        assert all(_close(a, float(b) if isinstance(b, float) else b)
                   for a, b in zip(numbers, expected[key], strict=True)), key


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=random_responses, period=periods, code_only=st.booleans(), leader_a=st.booleans(),
       weights=st.sampled_from([{}, {"access": 2.0}, {"staff": 0.0}, {"access": 0.0, "staff": 0.0}]))
def test_summary_metrics_equal_raw_and_python_on_random_data(app, tree, rows, period, code_only,
                                                             leader_a, weights):
    app.config.update(MIN_RESPONSES_SHOWN=2, MIN_RESPONSES_RANKED=4)
    for table in (Answer, ResponseScore, Response, Deployment, *summary.TABLES):
        db.session.execute(delete(table))
    version = make_version(weights=weights)
    deployments = {d.agency_id: d for d in deploy(version, tree.province, subtree=True)}
    agencies = [tree.province, tree.dept_a, tree.counter_a, tree.commune_a, tree.dept_b]
    stored = [_submit(deployments[agencies[row["agency"]].id], row) for row in rows]
    db.session.commit()
    # Organizers review the flagged ones; each change goes through the responses' services.
    for row, response in zip(rows, stored, strict=True):
        if row["flagged"] and row["review"] != "keep":
            assert restore(response, tree.organizer_a)
            assert not restore(response, tree.organizer_a)  # a second press changes nothing
            if row["review"] == "restore_exclude":
                assert exclude(response, tree.organizer_a)
    db.session.commit()

    first, last, hour = period
    whole_days = hour % 2 == 0  # the dashboards' own periods run midnight to midnight
    start = _local(min(first, last), 0 if whole_days else hour * 60 + 30) if first else None
    end = _local(max(first, last), 0 if whole_days else hour * 60) if last < DAYS + 2 else None
    clause = agency_filter(tree.leader_a, Role.LEADER) if leader_a else true()
    visible = [a for a in agencies if not leader_a or a.code in ("A", "A1", "A2")]
    window = {"start": start, "end": end, "code_only": code_only}
    values, scores, questions, comment_counts = _reference(rows, agencies, visible, weights, start, end,
                                                           code_only)

    indices = metrics.agency_indices(clause, **window)
    raw_indices = metrics.raw_agency_indices(clause, **window)
    assert [i.code for i in indices] == [i.code for i in raw_indices] == [a.code for a in visible]
    for got, raw, agency in zip(indices, raw_indices, visible, strict=True):
        expected = _estimate(values[agency], 2, 4)
        for index in (got, raw):
            numbers = (index.n, index.mean, index.low, index.high, index.status)
            assert all(_close(g, e) for g, e in zip(numbers, expected, strict=True)), agency.code
        assert got.rank == raw.rank

    dimensions = metrics.dimension_rates(clause, **window)
    raw_dimensions = metrics.raw_dimension_rates(clause, **window)
    assert [d.dimension for d in dimensions] == [d.dimension for d in raw_dimensions] == [
        d for d in ("access", "staff") if scores[d]]
    for got, raw in zip(dimensions, raw_dimensions, strict=True):
        expected = _estimate(scores[got.dimension], 2, 4)
        for rate in (got, raw):
            e = rate.estimate
            assert all(_close(g, x) for g, x in zip((e.n, e.mean, e.low, e.high, e.status), expected,
                                                    strict=True)), got.dimension

    rates = metrics.question_rates(clause, **window)
    assert rates == metrics.raw_question_rates(clause, **window)
    assert [r.key for r in rates] == [key for key in LIKERT if key in questions]
    for rate in rates:
        n, positive, not_applicable = questions[rate.key]
        assert (rate.n, rate.positive, rate.not_applicable) == (n, positive, not_applicable)
        if rate.rate is not None:
            low, high = wilson_interval(positive, n)
            assert (rate.rate, rate.low, rate.high) == pytest.approx((100 * positive / n, 100 * low,
                                                                      100 * high))

    # Comments per agency: the summary (with the raw edges of a period) = the answers = Python.
    for question in ("", "comment"):
        chosen = comments.CommentFilter(question=question)
        assert comments.comment_counts(clause, comments=chosen, **window) == dict(comment_counts)
        assert {agency_id: count for agency_id, [count] in comments.raw_comment_counts(
            clause, comments=chosen, **window).items()} == dict(comment_counts)

    # What the writes built step by step is what a rebuild computes from the raw rows.
    incremental = _summary_rows()
    summary.rebuild()
    _assert_same_rows(_summary_rows(), incremental)
    db.session.rollback()


def test_a_restored_response_counts_once_and_an_excluded_one_leaves_no_row(app, tree):
    version = make_version()
    [deployment] = deploy(version, tree.counter_a)
    row = {"day": 3, "minute": 60, "flagged": True, "code": False, "service": "HT-01",
           "answers": {"access_wait": 5, "access_info": "na", "staff_courtesy": 2, "overall": 4}}
    response = _submit(deployment, row)
    db.session.commit()
    assert _summary_rows() == {}  # flagged: not counted
    assert restore(response, tree.organizer_a) and not restore(response, tree.organizer_a)
    db.session.commit()
    day = (Period.DAY, FIRST_DAY + timedelta(days=3), tree.counter_a.id, version.id, AccessMode.OPEN,
           "HT-01")
    rows = _summary_rows()
    assert rows[("response_summary", *day)] == (1, 1, 0.5, 0.25)  # (access 1.0 + staff 0.0) / 2
    assert rows[("question_summary", *day, "access_info")] == (1, 0, 0, 1)
    month = (Period.MONTH, date(2025, 1, 1), *day[2:])
    assert rows[("dimension_summary", *month, "access")] == (1, 1.0, 1.0)
    assert exclude(response, tree.organizer_a)
    db.session.commit()
    assert _summary_rows() == {}


def test_rebuild_command_repairs_the_summary(app, tree, runner):
    version = make_version()
    [deployment] = deploy(version, tree.dept_a)
    for day in range(3):
        _submit(deployment, {"day": day, "minute": 0, "flagged": False, "code": False, "service": None,
                             "answers": {"access_wait": 4, "access_info": None, "staff_courtesy": 1,
                                         "overall": None}})
    db.session.commit()
    expected = _summary_rows()
    db.session.execute(delete(QuestionSummary))
    db.session.execute(delete(DimensionSummary).where(DimensionSummary.dimension == "staff"))
    db.session.commit()
    result = runner.invoke(args=["dashboards", "rebuild-summary"])
    assert result.exit_code == 0, result.output
    assert "Summary rebuilt: 3 counted responses in 3 agency-days" in result.output
    db.session.expire_all()
    _assert_same_rows(_summary_rows(), expected)


SUBMITTERS = 24
EACH = 4


def test_concurrent_submissions_for_one_agency_and_day_all_count(app, tree):
    """Every thread has its own app context, session and transaction, as under gunicorn."""
    version = make_version()
    [deployment] = deploy(version, tree.counter_a)
    db.session.commit()
    deployment_id = deployment.id
    start = threading.Barrier(SUBMITTERS)

    def one(n):
        """Wait for everyone, then submit EACH responses, one transaction each."""
        start.wait(timeout=30)
        with app.app_context():
            mine = db.session.get(Deployment, deployment_id)
            for i in range(EACH):
                answers = {"access_wait": 1 + (n + i) % 5, "access_info": "na", "staff_courtesy": 4,
                           "overall": 5}
                submit_response(mine, _parsed(answers), locale="vi", started_at=None, flags=0,
                                client_hash=None, channel=AccessMode.CODE if n % 2 else None)
                db.session.commit()

    # Patched once for all the threads: patching from several threads at once would leave the
    # module patched after the test.
    with (mock.patch("feedback.surveys.services.utcnow", return_value=_local(5, 600)),
          ThreadPoolExecutor(max_workers=SUBMITTERS) as pool):
        list(pool.map(one, range(SUBMITTERS)))  # re-raises what a thread hit

    db.session.expire_all()
    counted = db.session.scalar(select(func.sum(ResponseSummary.responses))
                                .where(ResponseSummary.period == Period.DAY))
    assert counted == SUBMITTERS * EACH
    incremental = _summary_rows()
    summary.rebuild()
    _assert_same_rows(_summary_rows(), incremental)
    [index] = metrics.agency_indices(Agency.id == tree.counter_a.id)
    assert index.n == SUBMITTERS * EACH
