"""The headline tiles: the change arrow only when the intervals are apart, the previous period's
numbers, the petitions answered on time, and an empty period."""

from datetime import UTC, datetime

import pytest

from feedback.agencies.models import Agency
from feedback.dashboards import tiles
from feedback.dashboards.metrics import Estimate
from feedback.dashboards.stats import wilson_interval
from feedback.extensions import db
from tests.dashboards.helpers import add_response, add_responses, make_version
from tests.dashboards.test_accountability import petition
from tests.dialogues.helpers import make_conference

JUNE = "/dashboard/?lang=en&period=month&month=2025-06"


def _estimate(mean, low, high, n=100, status="ok"):
    """An Estimate with the given numbers."""
    return Estimate(n, mean, low, high, status)


@pytest.mark.parametrize(("current", "previous", "direction"), [
    (_estimate(80, 76, 84), _estimate(70, 66, 74), tiles.UP),
    (_estimate(70, 66, 74), _estimate(80, 76, 84), tiles.DOWN),
    (_estimate(80, 74, 86), _estimate(75, 70, 80), tiles.SAME),   # overlapping: no clear change
    (_estimate(80, 75, 85), _estimate(70, 65, 75), tiles.SAME),   # touching is overlapping
    (_estimate(80, 75, 85), Estimate(5, None, None, None, "hidden"), tiles.UNKNOWN),
    (Estimate(0, None, None, None, "hidden"), _estimate(70, 65, 75), tiles.UNKNOWN),
])
def test_a_direction_only_when_the_intervals_do_not_overlap(current, previous, direction):
    change = tiles.compare(current, previous)
    assert change.direction == direction
    if direction == tiles.UNKNOWN:
        assert change.difference is None
    else:
        assert change.difference == pytest.approx(current.mean - previous.mean)


def _month(version, agency, month: int, scores: list[float]):
    """Responses at `agency` on the 15th of `month` 2025, one per score."""
    when = datetime(2025, month, 15, 5, tzinfo=UTC)
    for score in scores:
        add_responses(version, agency, 1, score, submitted_at=when)


def test_change_up_with_an_arrow_and_both_periods_numbers(leader_a_client, tree):
    version = make_version()
    _month(version, tree.dept_a, 6, [1.0] * 40)
    _month(version, tree.dept_a, 5, [0.5] * 30)
    db.session.commit()
    html = leader_a_client.get(JUNE).get_data(as_text=True)
    assert '<span aria-hidden="true">▲</span> Up 50.0 points' in html
    assert "Now: 100.0 (95% interval 100.0–100.0; n = 40)" in html
    assert "1 May 2025 – 31 May 2025: 50.0 (95% interval 50.0–50.0; n = 30)" in html
    assert "Previous period: 30" in html


def test_change_down(leader_a_client, tree):
    version = make_version()
    _month(version, tree.dept_a, 6, [0.25] * 12)
    _month(version, tree.dept_a, 5, [0.75] * 12)
    db.session.commit()
    html = leader_a_client.get(JUNE).get_data(as_text=True)
    assert '<span aria-hidden="true">▼</span> Down 50.0 points' in html


def test_overlapping_intervals_say_no_clear_change_and_show_both_values(leader_a_client, tree):
    version = make_version()
    _month(version, tree.dept_a, 6, [1.0, 0.0] * 10)              # 50, wide interval
    _month(version, tree.dept_a, 5, [1.0] * 11 + [0.0] * 9)       # 55, wide interval
    db.session.commit()
    html = leader_a_client.get(JUNE).get_data(as_text=True)
    assert "No clear change" in html and "▲" not in html and "▼" not in html
    assert "Now: 50.0 (95% interval" in html and ": 55.0 (95% interval" in html
    assert "The two 95% intervals overlap" in html


def test_previous_period_with_too_few_responses_is_not_compared(leader_a_client, tree):
    version = make_version()
    _month(version, tree.dept_a, 6, [1.0] * 12)
    _month(version, tree.dept_a, 5, [0.0] * 3)
    db.session.commit()
    html = leader_a_client.get(JUNE).get_data(as_text=True)
    assert "Not enough responses to compare." in html
    assert "not enough responses (n = 3, at least 10 needed)" in html
    assert "Previous period: 3" in html


def test_on_time_tile_pools_the_petitions_due_with_a_wilson_interval(leader_a_client, tree):
    conference = make_conference(tree.dept_a)
    for _ in range(8):
        petition(conference, agency=tree.counter_a, days_ago=6, due_in=1, answered_days_ago=1)
    for _ in range(2):
        petition(conference, agency=tree.dept_a, days_ago=6, due_in=-2)  # overdue
    petition(conference, agency=tree.dept_a, days_ago=6, due_in=5)       # pending: not due yet
    petition(conference, agency=tree.dept_b, days_ago=6, due_in=-2)      # another subtree
    db.session.commit()
    html = leader_a_client.get("/dashboard/?lang=en").get_data(as_text=True)
    low, high = wilson_interval(8, 10)
    assert ">80.0%</span>" in html
    assert f"95% interval {100 * low:.1f}–{100 * high:.1f}% · 8 of 10 due" in html


def test_few_petitions_due_give_counts_but_no_rate(leader_a_client, tree):
    conference = make_conference(tree.dept_a)
    for _ in range(3):
        petition(conference, agency=tree.dept_a, days_ago=6, due_in=1, answered_days_ago=1)
    db.session.commit()
    html = leader_a_client.get("/dashboard/?lang=en").get_data(as_text=True)
    assert "3 of 3 due: too few for a rate (at least 10 needed)" in html


def test_an_empty_period(leader_a_client, tree):
    html = leader_a_client.get(JUNE).get_data(as_text=True)
    assert "Not enough responses to show an index (n = 0, at least 10 needed)." in html
    assert "Not enough responses to compare." in html
    assert "No petition due in this period." in html
    assert "Previous period: 0" in html


def test_responses_without_an_index_value_still_count_as_responses(app, tree):
    version = make_version()
    for _ in range(3):
        add_response(version, tree.dept_a, scores={"access": (1.0, 1.0, 0)})  # no valid answer
    add_responses(version, tree.dept_a, 2, 1.0)
    db.session.commit()
    window = {"start": datetime(2000, 1, 1, tzinfo=UTC), "end": datetime(2100, 1, 1, tzinfo=UTC)}
    before = {"start": datetime(1990, 1, 1, tzinfo=UTC), "end": datetime(2000, 1, 1, tzinfo=UTC)}
    numbers = tiles.tiles(Agency.id == tree.dept_a.id, window, before)
    assert numbers.responses == 5 and numbers.index.n == 2
