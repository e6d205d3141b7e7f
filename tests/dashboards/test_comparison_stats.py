"""Welch differences, t p-values, Benjamini–Hochberg, rank ranges and quartiles, against plain-Python
references written independently of the code under test (numerical integration, brute force)."""

import itertools
import math
import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.dashboards.peers import RankRange, quartiles, rank_ranges
from feedback.dashboards.stats import benjamini_hochberg, t_two_sided_p, welch_difference


def _t_density(x: float, df: float) -> float:
    """Student's t density."""
    return math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi) * (
        1 + x * x / df) ** (-(df + 1) / 2)


def _reference_p(t: float, df: float) -> float:
    """Two-sided p by Simpson's rule over [0, |t|] of the density: 1 − 2∫."""
    steps = 20000
    h = abs(t) / steps
    total = _t_density(0, df) + _t_density(abs(t), df)
    total += sum((4 if k % 2 else 2) * _t_density(k * h, df) for k in range(1, steps))
    return 1 - 2 * total * h / 3


@pytest.mark.parametrize(("t", "df"), [(2.0, 10), (0.5, 3.5), (2.042272, 30), (3.1, 57.3), (1.0, 200)])
def test_t_p_values_match_numerical_integration(t, df):
    assert t_two_sided_p(t, df) == pytest.approx(_reference_p(t, df), abs=1e-7)


def test_t_p_values_at_printed_critical_values():
    assert t_two_sided_p(2.228139, 10) == pytest.approx(0.05, abs=1e-6)
    assert t_two_sided_p(12.706205, 1) == pytest.approx(0.05, abs=1e-6)


def _welch_reference(a: list[float], b: list[float]):
    """Welch's difference by the textbook formulas on the raw values (statistics module)."""
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    difference = statistics.fmean(a) - statistics.fmean(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return difference, math.sqrt(va + vb), df


def _sums(values: list[float]) -> tuple[int, float, float]:
    return len(values), sum(values), sum(v * v for v in values)


def test_welch_difference_matches_the_textbook_formulas():
    rng = random.Random(7)
    a = [rng.choice((0.0, 0.5, 1.0)) for _ in range(45)]
    b = [rng.choice((0.5, 1.0, 1.0)) for _ in range(80)]
    difference, low, high, p = welch_difference(_sums(a), _sums(b))
    ref_difference, se, df = _welch_reference(a, b)
    assert difference == pytest.approx(ref_difference)
    assert df > 30  # so the interval uses the expansion, checked against scipy to 3e-8
    assert (high - low) / 2 / se == pytest.approx(_critical(df), abs=1e-4)
    assert p == pytest.approx(_reference_p(ref_difference / se, df), abs=1e-7)
    # The interval excludes zero exactly when p < 0.05.
    assert (high < 0 or low > 0) == (p < 0.05)


def _critical(df: float) -> float:
    """The 0.975 quantile of t(df) by bisection on the reference p-value."""
    low, high = 1.9, 2.2
    for _ in range(60):
        middle = (low + high) / 2
        if _reference_p(middle, df) > 0.05:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def test_hand_computed_welch_example():
    # Now 30 values at 1.0 and 30 at 0.0: mean 0.5, variance 15/59; before 20 at 1.0 and 20 at
    # 0.5: mean 0.75, variance 2.5/39. se = √(15/59/60 + 2.5/39/40) = 0.07642, Welch df = 92.1,
    # t(92.1) = 1.9861, so the interval is −0.25 ± 0.1518.
    now = [1.0] * 30 + [0.0] * 30
    then = [1.0] * 20 + [0.5] * 20
    difference, low, high, p = welch_difference(_sums(now), _sums(then))
    assert difference == pytest.approx(-0.25)
    assert (round(low, 3), round(high, 3)) == (-0.402, -0.098)
    assert p == pytest.approx(0.00148, abs=5e-5)


def test_welch_without_spread_is_exact_and_refuses_single_values():
    assert welch_difference((3, 3.0, 3.0), (4, 2.0, 1.0)) == (0.5, 0.5, 0.5, 0.0)
    with pytest.raises(ValueError):
        welch_difference((1, 1.0, 1.0), (5, 2.0, 1.0))


def _bh_reference(p_values: list[float], q: float) -> list[bool]:
    """Brute force: the largest set of the k smallest p-values whose largest is ≤ k·q/m."""
    m = len(p_values)
    ordered = sorted(p_values)
    k = max((k for k in range(1, m + 1) if ordered[k - 1] <= k * q / m), default=0)
    threshold = ordered[k - 1] if k else -1.0
    return [p <= threshold for p in p_values]


def test_benjamini_hochberg_known_example():
    # From Benjamini & Hochberg (1995), 15 p-values: at q = 0.05 the four smallest are rejected.
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262,
         0.5719, 0.6528, 0.7590, 1.0]
    assert benjamini_hochberg(p) == [True] * 4 + [False] * 11


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1), max_size=30), st.sampled_from([0.05, 0.1]))
def test_benjamini_hochberg_matches_brute_force(p_values, q):
    assert benjamini_hochberg(p_values, q) == _bh_reference(p_values, q)


def _ranks_reference(items: dict) -> dict:
    """Best and worst places over every order consistent with the intervals: brute force over
    permutations, where a order is consistent when no item comes after one whose interval lies
    wholly below its own."""
    keys = list(items)
    places = {key: [] for key in keys}
    for order in itertools.permutations(keys):
        consistent = all(not items[order[j]][0] > items[order[i]][1]
                         for i in range(len(order)) for j in range(i + 1, len(order)))
        if consistent:
            for place, key in enumerate(order, start=1):
                places[key].append(place)
    return {key: (min(p), max(p)) for key, p in places.items()}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 90), st.integers(1, 20)), min_size=1, max_size=6))
def test_rank_ranges_match_brute_force_over_consistent_orders(spans):
    items = {f"a{i}": (float(low), float(low + width)) for i, (low, width) in enumerate(spans)}
    got = rank_ranges(items)
    assert {k: (r.best, r.worst) for k, r in got.items()} == _ranks_reference(items)
    assert all(r.of == len(items) for r in got.values())


def test_overlapping_agencies_share_places_and_separate_ones_do_not():
    ranges = rank_ranges({"A": (80, 90), "B": (78, 88), "C": (60, 70)})
    assert ranges == {"A": RankRange(1, 2, 3), "B": RankRange(1, 2, 3), "C": RankRange(3, 3, 3)}
    assert ranges["A"].text == "1–2" and ranges["C"].text == "3" and ranges["C"].apart


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=100), min_size=2, max_size=40))
def test_quartiles_match_the_inclusive_method(values):
    expected = statistics.quantiles(values, n=4, method="inclusive")
    assert quartiles(values) == pytest.approx(tuple(expected), abs=1e-9)


def test_quartiles_of_one_value():
    assert quartiles([42.0]) == (42.0, 42.0, 42.0)
