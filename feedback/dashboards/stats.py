"""Confidence intervals and small-sample rules for the dashboards: pure arithmetic, no database."""

import math

# z for a two-sided 95% interval (the 0.975 quantile of the standard normal).
Z_95 = 1.959963984540054

# Student-t 0.975 quantiles for 1..30 degrees of freedom, to six decimals (computed with
# scipy.stats.t.ppf). Below 30 the series expansion used further down loses accuracy quickly
# (off by 3e-4 at df = 5), so small samples, which are exactly the ones whose interval matters
# most, read an exact table instead.
_T_975 = (
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157,
    2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922,
    2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831,
    2.048407, 2.045230, 2.042272,
)

HIDDEN = "hidden"
THIN = "thin"
OK = "ok"


def t_critical_95(df: int) -> float:
    """The Student-t value that leaves 2.5% in each tail for `df` degrees of freedom.

    From df = 31 on we use the Cornish–Fisher expansion of the t quantile around the normal one
    (Abramowitz & Stegun 26.7.5, four terms): checked against scipy it is within 3e-8 for every
    df from 31 to 100,000, far inside the three decimals a dashboard shows, and it tends to z as
    df grows, so no cut-over to the normal value is needed.
    """
    if df < 1:
        raise ValueError("a t interval needs at least one degree of freedom")
    if df <= len(_T_975):
        return _T_975[df - 1]
    z = Z_95
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """95% Wilson score interval (low, high) for a proportion, as shares in [0, 1].

    Wilson rather than the textbook p ± z·se because it stays inside [0, 1] and keeps its
    coverage for small n and for rates near 100%, which satisfaction rates often are.
    """
    if n <= 0:
        raise ValueError("a proportion needs at least one observation")
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(n: int, total: float, total_sq: float) -> tuple[float, float, float]:
    """(mean, low, high) of values in [0, 1] from their count, sum and sum of squares.

    The interval is mean ± t(n−1) · s / √n with the sample standard deviation s (n − 1 in the
    denominator), clipped to [0, 1]. Working from the three sums lets SQL do the aggregation on
    every backend (SQLite has no stddev). With one value the spread is unknown, so the interval
    is the whole scale rather than a falsely precise point.
    """
    if n <= 0:
        raise ValueError("a mean needs at least one observation")
    mean = total / n
    if n == 1:
        return mean, 0.0, 1.0
    # Rounding can push the sum of squared deviations a hair below zero when all values agree.
    variance = max(0.0, (total_sq - total * total / n) / (n - 1))
    half = t_critical_95(n - 1) * math.sqrt(variance / n)
    return mean, max(0.0, mean - half), min(1.0, mean + half)


def sample_status(n: int, shown_min: int, ranked_min: int) -> str:
    """"hidden" below `shown_min`, "thin" (shown greyed, never ranked) below `ranked_min`, else "ok"."""
    if n < shown_min:
        return HIDDEN
    if n < ranked_min:
        return THIN
    return OK
