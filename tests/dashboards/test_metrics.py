"""The SQL metrics against hand computations and a plain-Python reference, on every backend."""

import math
import statistics
from collections import defaultdict
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, true

from feedback.accounts.authz import agency_filter
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.dashboards import metrics, summary
from feedback.dashboards.stats import t_critical_95, wilson_interval
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.models import AccessMode, Answer, Response, ResponseScore
from tests.dashboards.helpers import NA, add_response, add_responses, make_version


def _by_code(indices) -> dict[str, metrics.AgencyIndex]:
    """Agency indices keyed by agency code."""
    return {i.code: i for i in indices}


def test_agency_index_by_hand_with_dimension_weights(app, tree):
    app.config.update(MIN_RESPONSES_SHOWN=1, MIN_RESPONSES_RANKED=2)
    version = make_version(weights={"access": 2})  # staff weighs 1
    # Per response: (2·access + staff) / 3, or the one score present.
    add_response(version, tree.counter_a, scores={"access": 0.75, "staff": 0.5})  # 2/3
    add_response(version, tree.counter_a, scores={"access": 0.5, "staff": 1.0})   # 2/3
    add_response(version, tree.counter_a, scores={"access": 0.5})                 # 1/2
    add_response(version, tree.counter_a, scores={"access": 1.0, "staff": 0.5})   # 5/6
    add_response(version, tree.counter_a, scores={"access": 0.0, "staff": 0.0}, excluded=True)
    add_response(version, tree.dept_b, scores={"access": 0.0})
    db.session.commit()

    index = _by_code(metrics.agency_indices(true()))["A1"]
    # Mean 2/3; deviations 0, 0, −1/6, 1/6, so s² = (2/36) / 3; half-width t(3) · s / √4.
    half = 3.182446 * math.sqrt(2 / 36 / 3) / 2
    assert index.n == 4
    assert index.mean == pytest.approx(100 * 2 / 3)
    assert index.low == pytest.approx(100 * (2 / 3 - half), abs=1e-4)
    assert index.high == pytest.approx(100 * (2 / 3 + half), abs=1e-4)
    assert (index.status, index.rank) == ("ok", 1)


def test_excluded_responses_do_not_count(app, tree):
    version = make_version()
    add_responses(version, tree.dept_a, 12, 1.0)
    add_responses(version, tree.dept_a, 50, 0.0, excluded=True)
    db.session.commit()
    index = _by_code(metrics.agency_indices(true()))["A"]
    assert (index.n, index.mean) == (12, 100.0)


def test_code_only_keeps_code_verified_responses(app, tree):
    version = make_version()
    add_responses(version, tree.dept_a, 10, 1.0, channel=AccessMode.CODE)
    add_responses(version, tree.dept_a, 10, 0.0, channel=AccessMode.OPEN)
    db.session.commit()
    assert _by_code(metrics.agency_indices(true()))["A"].mean == pytest.approx(50.0)
    coded = _by_code(metrics.agency_indices(true(), code_only=True))["A"]
    assert (coded.n, coded.mean) == (10, 100.0)


def test_period_includes_its_start_and_excludes_its_end(app, tree):
    version = make_version()
    start = utcnow().replace(microsecond=0) - timedelta(days=10)
    end = start + timedelta(days=5)
    for at, count in ((start - timedelta(seconds=1), 3), (start, 4), (end - timedelta(seconds=1), 5),
                      (end, 6)):
        add_responses(version, tree.dept_a, count, submitted_at=at)
    db.session.commit()
    assert _by_code(metrics.agency_indices(true(), start=start, end=end))["A"].n == 9
    assert _by_code(metrics.agency_indices(true(), start=start))["A"].n == 15
    assert _by_code(metrics.agency_indices(true(), end=end))["A"].n == 12


def test_small_samples_are_hidden_greyed_or_ranked(app, tree):
    version = make_version()
    add_responses(version, tree.counter_a, 9, 1.0)   # hidden however good
    add_responses(version, tree.commune_a, 10, 1.0)  # shown greyed, never ranked
    add_responses(version, tree.dept_a, 30, 0.5)     # ranked
    add_responses(version, tree.dept_b, 15, 0.9)
    add_responses(version, tree.dept_b, 15, 0.7)     # ranked, mean 0.8
    db.session.commit()

    indices = _by_code(metrics.agency_indices(true()))
    assert (indices["A1"].status, indices["A1"].mean, indices["A1"].rank) == ("hidden", None, None)
    assert indices["A1"].n == 9
    assert (indices["A2"].status, indices["A2"].mean, indices["A2"].rank) == ("thin", 100.0, None)
    assert (indices["B"].status, indices["B"].rank) == ("ok", 1)
    assert indices["B"].mean == pytest.approx(80.0)
    assert (indices["A"].status, indices["A"].rank, indices["A"].mean) == ("ok", 2, 50.0)
    assert (indices["P"].n, indices["P"].status) == (0, "hidden")  # listed although empty


def test_thresholds_come_from_the_configuration(app, tree):
    app.config.update(MIN_RESPONSES_SHOWN=2, MIN_RESPONSES_RANKED=3)
    version = make_version()
    add_responses(version, tree.dept_a, 3)
    add_responses(version, tree.dept_b, 2)
    db.session.commit()
    indices = _by_code(metrics.agency_indices(true()))
    assert (indices["A"].status, indices["B"].status) == ("ok", "thin")


def test_ties_share_a_rank(app, tree):
    app.config.update(MIN_RESPONSES_SHOWN=1, MIN_RESPONSES_RANKED=1)
    version = make_version()
    add_responses(version, tree.dept_a, 2, 0.5)
    add_responses(version, tree.dept_b, 2, 0.5)
    add_responses(version, tree.counter_a, 2, 0.25)
    db.session.commit()
    ranks = {i.code: i.rank for i in metrics.agency_indices(true())}
    assert ranks == {"P": None, "A": 1, "B": 1, "A1": 3, "A2": None}


def test_only_agencies_of_the_clause_are_listed(app, tree):
    version = make_version()
    add_responses(version, tree.dept_b, 40)
    add_responses(version, tree.counter_a, 12)
    db.session.commit()
    seen_by_a = metrics.agency_indices(agency_filter(tree.leader_a, Role.LEADER))
    assert [i.code for i in seen_by_a] == ["A", "A1", "A2"]
    seen_by_b = metrics.agency_indices(agency_filter(tree.leader_b, Role.LEADER))
    assert [(i.code, i.n) for i in seen_by_b] == [("B", 40)]
    assert metrics.agency_indices(agency_filter(tree.organizer_a, Role.LEADER)) == []


def test_inactive_agencies_are_listed_only_with_responses(app, tree):
    version = make_version()
    tree.counter_a.active = False
    tree.commune_a.active = False
    add_responses(version, tree.commune_a, 3)
    db.session.commit()
    assert [i.code for i in metrics.agency_indices(true())] == ["P", "A", "A2", "B"]


def test_responses_weighted_zero_or_without_valid_answers_have_no_value(app, tree):
    app.config.update(MIN_RESPONSES_SHOWN=1, MIN_RESPONSES_RANKED=1)
    version = make_version()
    add_response(version, tree.dept_a, scores={"access": (1.0, 0.0)})
    add_response(version, tree.dept_a, scores={"access": (1.0, 1.0, 0)})
    add_response(version, tree.dept_a, scores={"access": (0.2, 0.0), "staff": (0.4, 1.0)})
    db.session.commit()
    index = _by_code(metrics.agency_indices(true()))["A"]
    assert (index.n, index.mean) == (1, pytest.approx(40.0))


def test_pooled_index_and_display_order(app, tree):
    version = make_version()
    add_responses(version, tree.dept_a, 30, 0.5)
    add_responses(version, tree.dept_b, 10, 1.0)
    add_responses(version, tree.counter_a, 5, 0.0)
    db.session.commit()
    indices = metrics.agency_indices(true())
    pooled = metrics.pooled_index(indices)
    assert pooled.n == 45
    assert pooled.mean == pytest.approx(100 * 25 / 45)
    # A is ranked; B has the higher mean but too few responses, so it comes after every ranked one.
    assert [i.code for i in metrics.display_order(indices)] == ["A", "B", "P", "A1", "A2"]


def test_dimension_rates(app, tree):
    app.config.update(MIN_RESPONSES_SHOWN=2, MIN_RESPONSES_RANKED=3)
    version = make_version()
    add_response(version, tree.dept_a, scores={"access": 1.0, "staff": 0.5})
    add_response(version, tree.dept_a, scores={"access": 0.5, "staff": (0.0, 1.0, 0)})
    add_response(version, tree.counter_a, scores={"access": 0.0, "staff": 1.0})
    add_response(version, tree.dept_b, scores={"access": 0.0, "staff": 0.0, "result": 1.0})
    add_response(version, tree.dept_a, scores={"access": 0.0, "staff": 0.0}, excluded=True)
    db.session.commit()

    rates = metrics.dimension_rates(agency_filter(tree.leader_a, Role.LEADER))
    assert [(r.dimension, r.label("en"), r.label("vi")) for r in rates] == [
        ("access", "Access to the service", "Tiếp cận dịch vụ"),
        ("staff", "Civil servants", "Công chức"),
    ]
    access, staff = (r.estimate for r in rates)
    values = [1.0, 0.5, 0.0]
    half = t_critical_95(2) * statistics.stdev(values) / math.sqrt(3)
    assert (access.n, access.status) == (3, "ok")
    assert access.mean == pytest.approx(50.0)
    assert (access.low, access.high) == pytest.approx((max(0, 50 - 100 * half), min(100, 50 + 100 * half)))
    assert (staff.n, staff.mean, staff.status) == (2, 75.0, "thin")  # the 0-valid row is no answer

    everything = {r.dimension: r for r in metrics.dimension_rates(true())}
    assert everything["result"].label("en") == "result"  # no section heading: the key
    assert (everything["result"].estimate.n, everything["result"].estimate.mean) == (1, None)


def test_question_rates_leave_not_applicable_out_of_the_denominator(app, tree):
    app.config.update(MIN_RESPONSES_SHOWN=3, MIN_RESPONSES_RANKED=5)
    version = make_version()
    answers = [
        {"access_wait": 5, "access_info": NA, "overall": 4, "comment": "Tốt"},
        {"access_wait": 4, "access_info": 2, "overall": 3},
        {"access_wait": 3, "access_info": NA, "overall": 5},
        {"access_wait": 1, "access_info": NA, "overall": 4},
        {"access_wait": 4, "access_info": 5},
    ]
    for answered in answers:
        add_response(version, tree.dept_a, answers=answered)
    add_response(version, tree.dept_a, answers={"access_wait": 1}, excluded=True)
    add_response(version, tree.dept_b, answers={"access_wait": 1})
    db.session.commit()

    rates = {r.key: r for r in metrics.question_rates(agency_filter(tree.leader_a, Role.LEADER))}
    assert list(rates) == ["access_wait", "access_info", "overall"]  # questionnaire order
    wait = rates["access_wait"]
    assert (wait.n, wait.positive, wait.not_applicable, wait.status) == (5, 3, 0, "ok")
    low, high = wilson_interval(3, 5)
    assert (wait.rate, wait.low, wait.high) == pytest.approx((60.0, 100 * low, 100 * high))
    assert wait.text("en") == "Waiting" and wait.text("vi") == "Chờ đợi"
    info = rates["access_info"]
    assert (info.n, info.positive, info.not_applicable, info.status, info.rate) == (2, 1, 3, "hidden", None)
    overall = rates["overall"]
    assert (overall.n, overall.positive, overall.status) == (4, 3, "thin")
    assert overall.rate == pytest.approx(75.0)


# --- The SQL index equals a plain-Python computation on random data -------------------------

DIMENSIONS = ["access", "staff", "result"]
# Scores are shares of valid answers, k / m, as the survey code writes them (ties included).
shares = st.tuples(st.integers(0, 12), st.integers(1, 12)).map(lambda km: min(km) / km[1])
score_entries = st.tuples(
    shares,
    st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]),
    st.sampled_from([0, 1, 1, 3]),
)
random_responses = st.lists(st.fixed_dictionaries({
    "agency": st.integers(0, 4),
    "excluded": st.booleans(),
    "code": st.booleans(),
    "day": st.integers(0, 3),
    "scores": st.dictionaries(st.sampled_from(DIMENSIONS), score_entries, max_size=3),
}), max_size=40)


def _reference(rows, agencies, visible, *, start_day, end_day, code_only, shown_min, ranked_min):
    """The index per agency code computed naively from the generated rows."""
    values = defaultdict(list)
    for row in rows:
        agency = agencies[row["agency"]]
        if (row["excluded"] or not start_day <= row["day"] < end_day or agency.code not in visible
                or (code_only and not row["code"])):
            continue
        counted = [(score, weight) for score, weight, valid in row["scores"].values() if valid > 0]
        weight = sum(w for _, w in counted)
        if counted and weight > 0:
            values[agency.code].append(sum(s * w for s, w in counted) / weight)
    expected = {}
    for code in visible:
        data = values[code]
        n = len(data)
        status = "hidden" if n < max(shown_min, 1) else "thin" if n < ranked_min else "ok"
        mean = low = high = None
        if status != "hidden":
            mean = statistics.fmean(data)
            low, high = 0.0, 1.0
            if n > 1:
                half = t_critical_95(n - 1) * statistics.stdev(data) / math.sqrt(n)
                low, high = max(0.0, mean - half), min(1.0, mean + half)
            mean, low, high = 100 * mean, 100 * low, 100 * high
        expected[code] = [n, mean, low, high, status]
    ranked = sorted((e[1] for e in expected.values() if e[4] == "ok"), reverse=True)
    for e in expected.values():
        e.append(1 + sum(m > e[1] + 1e-9 for m in ranked) if e[4] == "ok" else None)
    return expected


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=random_responses, start_day=st.integers(0, 2), span=st.integers(1, 3),
       code_only=st.booleans(), leader_a=st.booleans())
def test_agency_index_sql_equals_python_reference(app, tree, rows, start_day, span, code_only, leader_a):
    app.config.update(MIN_RESPONSES_SHOWN=2, MIN_RESPONSES_RANKED=4)
    for table in (Answer, ResponseScore, Response, *summary.TABLES):
        db.session.execute(delete(table))
    version = make_version()
    agencies = [tree.province, tree.dept_a, tree.counter_a, tree.commune_a, tree.dept_b]
    base = utcnow().replace(microsecond=0) - timedelta(days=30)
    responses = [
        Response(version_id=version.id, agency_id=agencies[row["agency"]].id,
                 excluded=row["excluded"], submitted_at=base + timedelta(days=row["day"], hours=1),
                 channel=AccessMode.CODE if row["code"] else AccessMode.OPEN,
                 scores=[ResponseScore(dimension=d, score=s, weight=w, valid_answers=v)
                         for d, (s, w, v) in row["scores"].items()])
        for row in rows
    ]
    db.session.add_all(responses)
    db.session.flush()
    summary.add(responses)
    db.session.commit()

    clause = agency_filter(tree.leader_a, Role.LEADER) if leader_a else true()
    visible = {"A", "A1", "A2"} if leader_a else {a.code for a in agencies}
    end_day = start_day + span
    got = metrics.agency_indices(clause, start=base + timedelta(days=start_day),
                                 end=base + timedelta(days=end_day), code_only=code_only)
    expected = _reference(rows, agencies, visible, start_day=start_day, end_day=end_day,
                          code_only=code_only, shown_min=2, ranked_min=4)

    assert {i.code for i in got} == visible
    for index in got:
        n, mean, low, high, status, rank = expected[index.code]
        assert (index.n, index.status, index.rank) == (n, status, rank), index.code
        if mean is None:
            assert (index.mean, index.low, index.high) == (None, None, None)
        else:
            assert (index.mean, index.low, index.high) == pytest.approx((mean, low, high), abs=1e-7)


def test_agency_index_dataclass_names_by_locale(app, tree):
    index = metrics.agency_indices(Agency.code == "A")[0]
    assert (index.name("vi"), index.name("en")) == ("Sở Tư pháp", "Department of Justice")
