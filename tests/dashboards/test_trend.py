"""The trend: SQL numbers against a plain-Python computation, gaps for small samples, the agencies
parameter kept inside the viewer's scope, the chart, the table and its CSV."""

import csv
import io
import json
import math
import re
import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, true

from feedback.accounts.authz import agency_filter
from feedback.accounts.models import Role
from feedback.dashboards import summary, trend
from feedback.dashboards.stats import t_critical_95
from feedback.extensions import db
from feedback.surveys.models import AccessMode, Answer, Response, ResponseScore
from tests.dashboards.helpers import add_responses, make_version

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
BASE = date(2025, 1, 20)
FIGURE_RE = re.compile(r'<script type="application/json" id="trend-figure">(.*?)</script>', re.S)

random_responses = st.lists(st.fixed_dictionaries({
    "agency": st.integers(0, 4),
    "day": st.integers(0, 160),
    "hour": st.sampled_from([0, 6, 23]),
    "score": st.one_of(st.none(), st.sampled_from([0.0, 0.25, 0.5, 2 / 3, 1.0])),
    "excluded": st.booleans(),
    "code": st.booleans(),
}), max_size=60)


def _local(day: date, hour: int = 0) -> datetime:
    """The UTC instant of local `day` at `hour`."""
    return datetime.combine(day, time(hour), tzinfo=ZONE).astimezone(UTC)


def _bucket(day: date, grain: str) -> date:
    """The first day of `day`'s month or quarter, computed plainly."""
    month = day.month if grain == "month" else 3 * ((day.month - 1) // 3) + 1
    return date(day.year, month, 1)


def _expected(values: list[float], shown_min: int, ranked_min: int):
    """(n, mean, low, high, status) of a list of 0–1 values, as the dashboards define them."""
    n = len(values)
    status = "hidden" if n < max(shown_min, 1) else "thin" if n < ranked_min else "ok"
    if status == "hidden":
        return n, None, None, None, status
    mean = statistics.fmean(values)
    low, high = 0.0, 1.0
    if n > 1:
        half = t_critical_95(n - 1) * statistics.stdev(values) / math.sqrt(n)
        low, high = max(0.0, mean - half), min(1.0, mean + half)
    return n, 100 * mean, 100 * low, 100 * high, status


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=random_responses, offset=st.integers(0, 25), span=st.integers(20, 140),
       grain=st.sampled_from(trend.GRAINS), code_only=st.booleans(), leader_a=st.booleans())
def test_trend_equals_a_plain_python_computation(app, tree, rows, offset, span, grain, code_only, leader_a):
    app.config.update(MIN_RESPONSES_SHOWN=2, MIN_RESPONSES_RANKED=4)
    for table in (Answer, ResponseScore, Response, *summary.TABLES):
        db.session.execute(delete(table))
    version = make_version()
    agencies = [tree.province, tree.dept_a, tree.counter_a, tree.commune_a, tree.dept_b]
    responses = []
    for row in rows:
        scores = [] if row["score"] is None else [
            ResponseScore(dimension="access", score=row["score"], weight=1.0, valid_answers=1)]
        responses.append(Response(
            version_id=version.id, agency_id=agencies[row["agency"]].id, excluded=row["excluded"],
            submitted_at=_local(BASE + timedelta(days=row["day"]), row["hour"]),
            channel=AccessMode.CODE if row["code"] else AccessMode.OPEN, scores=scores))
    db.session.add_all(responses)
    db.session.flush()
    summary.add(responses)
    db.session.commit()

    date_from = BASE + timedelta(days=offset)
    date_to = date_from + timedelta(days=span)
    clause = agency_filter(tree.leader_a, Role.LEADER) if leader_a else true()
    visible = {"A", "A1", "A2"} if leader_a else {a.code for a in agencies}
    got = trend.index_trend(clause, start=_local(date_from), end=_local(date_to + timedelta(days=1)),
                            grain=grain, code_only=code_only)

    values = defaultdict(lambda: defaultdict(list))
    for row in rows:
        day = BASE + timedelta(days=row["day"])
        code = agencies[row["agency"]].code
        if (row["excluded"] or row["score"] is None or not date_from <= day <= date_to
                or code not in visible or (code_only and not row["code"])):
            continue
        values[code][_bucket(day, grain)].append(row["score"])
        values[""][_bucket(day, grain)].append(row["score"])

    firsts = sorted({_bucket(date_from + timedelta(days=d), grain) for d in range(span + 1)})
    assert [b.first for b in got.buckets] == firsts
    assert got.buckets[0].date_from == date_from and got.buckets[-1].date_to == date_to
    by_code = {a.code: a for a in agencies}
    for code in ["", *sorted(visible)]:
        agency_id = by_code[code].id if code else None
        line = got.series(agency_id, code, code, code)
        for point in line.points:
            n, mean, low, high, status = _expected(values[code][point.bucket.first], 2, 4)
            e = point.estimate
            assert (e.n, e.status) == (n, status), (code, point.bucket)
            if mean is None:
                assert (e.mean, e.low, e.high) == (None, None, None)
            else:
                assert (e.mean, e.low, e.high) == pytest.approx((mean, low, high), abs=1e-7)


def test_pieces_shorter_than_a_day_are_read_from_the_responses(app, tree):
    version = make_version()
    add_responses(version, tree.dept_a, 3, 1.0, submitted_at=_local(date(2025, 3, 31), 22))
    add_responses(version, tree.dept_a, 2, 0.0, submitted_at=_local(date(2025, 4, 1), 1))
    db.session.commit()
    app.config.update(MIN_RESPONSES_SHOWN=1, MIN_RESPONSES_RANKED=1)
    start, end = _local(date(2025, 3, 31), 20), _local(date(2025, 4, 1), 2)
    for compute in (trend.index_trend, trend.raw_index_trend):
        got = compute(true(), start=start, end=end, grain="month")
        points = got.series(None, "", "", "").points
        assert [(p.bucket.first, p.estimate.n, p.estimate.mean) for p in points] == [
            (date(2025, 3, 1), 3, 100.0), (date(2025, 4, 1), 2, 0.0)]


# ---- the page -------------------------------------------------------------------------------------

@pytest.fixture
def months(app, tree):
    """A: 12 responses in Jan 2025 and 5 in Feb (too few); A2: 20 in Feb; B: 30 in Jan."""
    version = make_version()
    add_responses(version, tree.dept_a, 12, 1.0, submitted_at=_local(date(2025, 1, 10), 9))
    add_responses(version, tree.dept_a, 5, 0.5, submitted_at=_local(date(2025, 2, 10), 9))
    add_responses(version, tree.commune_a, 20, 0.5, submitted_at=_local(date(2025, 2, 11), 9))
    add_responses(version, tree.dept_b, 30, 0.25, submitted_at=_local(date(2025, 1, 12), 9))
    db.session.commit()


PERIOD = "period=custom&from=2025-01-01&to=2025-03-31"


def _html(client, url):
    """The page at `url`, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _csv(client, url) -> list[list[str]]:
    """The CSV download at `url`, as rows."""
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_default_lines_are_the_pool_and_the_most_answered_agencies(leader_a_client, months):
    html = _html(leader_a_client, f"/dashboard/trend?lang=en&{PERIOD}")
    figure = json.loads(FIGURE_RE.search(html).group(1))
    lines = [t for t in figure["data"] if t.get("mode") == "lines+markers"]
    assert [t["name"] for t in lines] == ["All the agencies you lead", "An Binh Commune",
                                          "Department of Justice"]
    assert figure["layout"]["xaxis"]["categoryarray"] == ["01/2025", "02/2025", "03/2025"]
    pooled, commune, dept = (t["y"] for t in lines)
    assert pooled == [100.0, 50.0, None]  # Feb: 25 responses at 0.5; March: none, a gap
    assert commune == [None, 50.0, None]
    assert dept == [100.0, None, None]  # Feb: 5 responses, under the display threshold
    assert "Department of Health" not in html  # leader of A: never B, not even in the list
    # The gaps are listed in the tables as not enough responses.
    assert html.count("Not enough responses (n &lt; 10)") >= 4


def test_bands_follow_the_shown_points(leader_a_client, months):
    html = _html(leader_a_client, f"/dashboard/trend?lang=en&{PERIOD}&agencies=A")
    figure = json.loads(FIGURE_RE.search(html).group(1))
    bands = [t for t in figure["data"] if t.get("fill") == "toself"]
    # Pooled: Jan and Feb in one band; A: Jan alone (Feb hidden).
    assert [b["x"] for b in bands] == [["01/2025", "02/2025", "02/2025", "01/2025"], ["01/2025", "01/2025"]]
    assert all(b["hoverinfo"] == "skip" and not b["showlegend"] for b in bands)


def test_quarter_grain(leader_a_client, months):
    rows = _csv(leader_a_client, f"/dashboard/trend?lang=en&{PERIOD}&grain=quarter&agencies=A"
                                 "&format=csv&chart=trend")
    assert rows[0] == ["Agency code", "Agency", "Period", "From", "To", "Index", "95% interval, low",
                       "95% interval, high", "Responses", "Status"]
    assert rows[1][2:5] == ["Q1/2025", "2025-01-01", "2025-03-31"] and rows[1][8] == "37"
    a = rows[2]
    assert a[:3] == ["A", "Department of Justice", "Q1/2025"] and a[8] == "17"
    assert a[5] == f"{100 * (12 + 2.5) / 17:.1f}"


def test_csv_holds_exactly_the_tables_numbers(leader_a_client, months):
    rows = _csv(leader_a_client, f"/dashboard/trend?lang=en&{PERIOD}&agencies=A2&agencies=A"
                                 "&format=csv&chart=trend")
    assert [(r[0], r[2], r[5], r[8], r[9]) for r in rows[1:]] == [
        ("", "01/2025", "100.0", "12", "Few responses, not ranked"),
        ("", "02/2025", "50.0", "25", "Few responses, not ranked"),
        ("", "03/2025", "", "0", "Not enough responses"),
        ("A2", "01/2025", "", "0", "Not enough responses"),
        ("A2", "02/2025", "50.0", "20", "Few responses, not ranked"),
        ("A2", "03/2025", "", "0", "Not enough responses"),
        ("A", "01/2025", "100.0", "12", "Few responses, not ranked"),
        ("A", "02/2025", "", "5", "Not enough responses"),
        ("A", "03/2025", "", "0", "Not enough responses"),
    ]
    assert leader_a_client.get(f"/dashboard/trend?{PERIOD}&format=csv&chart=nope").status_code == 404


def test_partial_months_cover_only_the_days_of_the_period(leader_a_client, months):
    rows = _csv(leader_a_client, "/dashboard/trend?lang=en&period=custom&from=2025-01-11&to=2025-02-10"
                                 "&agencies=A&format=csv&chart=trend")
    assert [(r[0], r[3], r[4], r[8]) for r in rows[1:]] == [
        ("", "2025-01-11", "2025-01-31", "0"), ("", "2025-02-01", "2025-02-10", "5"),
        ("A", "2025-01-11", "2025-01-31", "0"), ("A", "2025-02-01", "2025-02-10", "5")]
    html = _html(leader_a_client, "/dashboard/trend?lang=en&period=custom&from=2025-01-11&to=2025-02-10")
    assert "count only the days inside the period" in html


def test_agencies_outside_the_viewers_scope_are_answered_as_unknown(leader_a_client, leader_b_client,
                                                                   months):
    for code in ("B", "P", "NOPE"):
        html = _html(leader_a_client, f"/dashboard/trend?lang=en&{PERIOD}&agencies={code}&agencies=A1")
        assert f"Unknown agency left out of the trend: {code}." in html
        assert "Department of Health" not in html and "Test Province" not in html
    rows = _csv(leader_a_client, f"/dashboard/trend?lang=en&{PERIOD}&agencies=B&format=csv&chart=trend")
    assert {r[0] for r in rows[1:]} <= {"", "A", "A1", "A2"}
    assert "0.25" not in str(rows) and "25.0" not in [r[5] for r in rows[1:]]
    # B's pooled line is B's own 30 responses; A's agencies are unknown to B.
    rows_b = _csv(leader_b_client, f"/dashboard/trend?lang=en&{PERIOD}&agencies=A&format=csv&chart=trend")
    assert [(r[0], r[8]) for r in rows_b[1:]] == [("", "30"), ("", "0"), ("", "0"),
                                                 ("B", "30"), ("B", "0"), ("B", "0")]


def test_at_most_five_agencies(admin_client, months):
    query = "&".join(f"agencies={c}" for c in ("P", "A", "A1", "A2", "B", "P"))
    html = _html(admin_client, f"/dashboard/trend?lang=en&{PERIOD}&{query}&grain=week")
    assert "Unknown grain. The trend is shown by month instead." in html
    figure = json.loads(FIGURE_RE.search(html).group(1))
    assert len([t for t in figure["data"] if t.get("mode") == "lines+markers"]) == 6
    admin_html = _html(admin_client, f"/dashboard/trend?lang=en&{PERIOD}&agencies=P&agencies=A&agencies=A1"
                                     "&agencies=A2&agencies=B&agencies=X1")
    assert "Unknown agency left out of the trend: X1." in admin_html


def test_hostile_agency_names_are_escaped_in_the_figure(admin_client, tree, months):
    tree.dept_a.name_en = '"><img src=x onerror=alert(1)><script>x</script>'
    db.session.commit()
    html = _html(admin_client, f"/dashboard/trend?lang=en&{PERIOD}&agencies=A")
    figure = json.loads(FIGURE_RE.search(html).group(1))
    text = json.dumps([(t.get("name"), t.get("hovertext")) for t in figure["data"]])
    assert "<img" not in text and "<script" not in text and "&lt;img" in text
    assert "<img src=x" not in html


def test_only_leaders_see_the_trend(client, organizer_a_client, tree):
    assert client.get("/dashboard/trend").status_code == 302
    assert organizer_a_client.get("/dashboard/trend").status_code == 403


def test_no_chart_without_enough_responses(leader_a_client, tree):
    html = _html(leader_a_client, "/dashboard/trend?lang=en")
    assert "trend-figure" not in html and "plotly" not in html
    assert "No month or quarter has enough responses in this period for a chart" in html
