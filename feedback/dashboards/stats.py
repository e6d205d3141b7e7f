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


def sample_variance(n: int, total: float, total_sq: float) -> float:
    """The sample variance (n − 1 in the denominator) of values from their count, sum and sum of
    squares; 0 for fewer than two values."""
    if n < 2:
        return 0.0
    return max(0.0, (total_sq - total * total / n) / (n - 1))


def _continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz's method), which
    converges quickly for x < (a + 1) / (a + b + 2)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return result


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), for x in [0, 1]."""
    if not 0.0 <= x <= 1.0:
        raise ValueError("x must lie in [0, 1]")
    if x in (0.0, 1.0):
        return x
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _continued_fraction(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """The two-sided p-value of a Student t statistic with `df` (possibly fractional) degrees of
    freedom: P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2)."""
    if df <= 0:
        raise ValueError("a t test needs a positive number of degrees of freedom")
    return incomplete_beta(df / 2, 0.5, df / (df + t * t))


def t_critical_95_fractional(df: float) -> float:
    """t_critical_95 for a fractional `df` (Welch's): the expansion where it is exact enough,
    else the table's value at the whole df below, which errs on the wide, cautious side."""
    return t_critical_95(df) if df > len(_T_975) else t_critical_95(max(1, math.floor(df)))


def welch_difference(current: tuple[int, float, float],
                     previous: tuple[int, float, float]) -> tuple[float, float, float, float]:
    """(difference, low, high, p) for the difference of two means, current − previous, each
    given as (n, sum, sum of squares): the Welch 95% interval and the two-sided p-value.

    Welch rather than the pooled t because an agency's spread can change between periods; the
    degrees of freedom follow Welch–Satterthwaite. Each side needs at least two values.
    """
    (n1, s1, q1), (n2, s2, q2) = current, previous
    if n1 < 2 or n2 < 2:
        raise ValueError("each side needs at least two values")
    v1, v2 = sample_variance(n1, s1, q1) / n1, sample_variance(n2, s2, q2) / n2
    difference = s1 / n1 - s2 / n2
    se2 = v1 + v2
    if se2 == 0:
        # No spread on either side: the difference is exact.
        return difference, difference, difference, 0.0 if difference else 1.0
    df = se2 * se2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    half = t_critical_95_fractional(df) * math.sqrt(se2)
    return difference, difference - half, difference + half, t_two_sided_p(difference / math.sqrt(se2), df)


def benjamini_hochberg(p_values: list[float], q: float = 0.05) -> list[bool]:
    """Which hypotheses the Benjamini–Hochberg step-up procedure rejects at false-discovery rate
    `q`: the largest k with p_(k) ≤ k·q/m, and every p-value up to it, in the order given."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    cutoff = 0
    for rank, i in enumerate(order, start=1):
        if p_values[i] <= rank * q / m:
            cutoff = rank
    rejected = [False] * m
    for i in order[:cutoff]:
        rejected[i] = True
    return rejected
