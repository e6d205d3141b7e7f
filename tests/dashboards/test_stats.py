"""Wilson and t intervals, means from sums, and the small-sample rule, against known values."""

import math
import statistics

import pytest

from feedback.dashboards.stats import Z_95, mean_interval, sample_status, t_critical_95, wilson_interval


@pytest.mark.parametrize(("successes", "n", "low", "high"), [
    (9, 10, 59.6, 98.2),
    (90, 100, 82.6, 94.5),
    (900, 1000, 88.0, 91.7),
])
def test_wilson_interval_matches_the_published_values(successes, n, low, high):
    lower, upper = wilson_interval(successes, n)
    assert (round(100 * lower, 1), round(100 * upper, 1)) == (low, high)


def test_wilson_interval_stays_inside_zero_and_one_at_the_extremes():
    low, high = wilson_interval(10, 10)
    assert 0.69 < low < 0.73 and high == pytest.approx(1.0)
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and 0.27 < high < 0.31


@pytest.mark.parametrize(("successes", "n"), [(1, 0), (-1, 5), (6, 5)])
def test_wilson_interval_refuses_impossible_counts(successes, n):
    with pytest.raises(ValueError):
        wilson_interval(successes, n)


@pytest.mark.parametrize(("df", "published"), [
    (1, 12.706), (2, 4.303), (3, 3.182), (5, 2.571), (9, 2.262), (10, 2.228), (20, 2.086),
    (29, 2.045), (30, 2.042), (40, 2.021), (60, 2.000), (120, 1.980),
])
def test_t_critical_values_match_the_printed_table(df, published):
    assert round(t_critical_95(df), 3) == published


def _t_probability_below(t: float, df: int, steps: int = 4000) -> float:
    """P(0 < T < t) for Student's t, by Simpson's rule on its density (an independent check)."""
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)

    def density(x: float) -> float:
        """Student's t density at x."""
        return math.exp(log_c - (df + 1) / 2 * math.log1p(x * x / df))

    h = t / steps
    inner = sum((4 if i % 2 else 2) * density(i * h) for i in range(1, steps))
    return h / 3 * (density(0.0) + inner + density(t))


@pytest.mark.parametrize("df", [1, 2, 3, 4, 7, 15, 30, 31, 33, 45, 80, 250, 1000, 50_000])
def test_t_critical_value_leaves_two_and_a_half_percent_in_the_tail(df):
    assert _t_probability_below(t_critical_95(df), df) == pytest.approx(0.475, abs=2e-6)


def test_t_critical_values_fall_towards_z_and_refuse_zero_df():
    values = [t_critical_95(df) for df in range(1, 500)]
    assert all(a > b for a, b in zip(values, values[1:], strict=False))
    assert t_critical_95(10**7) == pytest.approx(Z_95, abs=1e-6)
    with pytest.raises(ValueError):
        t_critical_95(0)


def test_mean_interval_by_hand():
    values = [0.5, 0.6, 0.7, 0.8]
    mean, low, high = mean_interval(4, sum(values), sum(v * v for v in values))
    # mean 0.65; squared deviations 0.0225 + 0.0025 + 0.0025 + 0.0225 = 0.05; s² = 0.05 / 3;
    # half-width = t(3) · s / √4 = 3.182446 · 0.1290994 / 2 = 0.2054264.
    assert mean == pytest.approx(0.65)
    assert low == pytest.approx(0.65 - 0.2054264, abs=1e-6)
    assert high == pytest.approx(0.65 + 0.2054264, abs=1e-6)


def test_mean_interval_agrees_with_the_sample_standard_deviation():
    values = [0.1, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.62, 0.7, 0.9, 0.2, 0.66]
    mean, low, high = mean_interval(len(values), sum(values), sum(v * v for v in values))
    half = t_critical_95(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    assert (mean, low, high) == pytest.approx((statistics.mean(values), mean - half, mean + half))


def test_mean_interval_clips_to_the_scale_and_handles_degenerate_samples():
    mean, low, high = mean_interval(3, 1.5, 0.04 + 0.16 + 0.81)  # 0.2, 0.4, 0.9: wide
    assert (mean, low, high) == pytest.approx((0.5, 0.0, 1.0))
    assert mean_interval(5, 5.0, 5.0) == (1.0, 1.0, 1.0)  # all equal: no spread
    assert mean_interval(1, 0.7, 0.49) == (0.7, 0.0, 1.0)  # one value: spread unknown
    # Rounding in the sums must not make the variance negative.
    assert mean_interval(3, 0.3, 0.030000000000000002 - 1e-17)[1] == pytest.approx(0.1)
    with pytest.raises(ValueError):
        mean_interval(0, 0.0, 0.0)


@pytest.mark.parametrize(("n", "status"), [
    (0, "hidden"), (9, "hidden"), (10, "thin"), (29, "thin"), (30, "ok"), (5000, "ok"),
])
def test_sample_status_thresholds(n, status):
    assert sample_status(n, 10, 30) == status
