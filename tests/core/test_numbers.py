"""Numbers written in the reader's language: the fast patterns write exactly what Babel writes."""

from decimal import Decimal

from babel import Locale
from babel.numbers import parse_pattern
from hypothesis import given
from hypothesis import strategies as st

from feedback.core.i18n import number_formatter

numbers = st.one_of(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.integers(min_value=-10**12, max_value=10**12),
    # Ties, where rounding half to even and half up part ways, and values just beside them.
    st.integers(min_value=-2000, max_value=2000).map(lambda n: n / 20),
    st.decimals(min_value=-10**6, max_value=10**6, allow_nan=False, places=3),
    st.sampled_from([0.0, -0.0, -0.04, 0.05, 0.15, 0.25, 0.35, 99.95, 100.0, 1e-9, float("inf"),
                     float("-inf"), float("nan")]),
)


@given(value=numbers, locale=st.sampled_from(["vi", "en"]),
       pattern=st.sampled_from(["0.0", "#,##0", "+0.0;-0.0", None]))
def test_every_pattern_writes_what_babel_writes(value, locale, pattern):
    data = Locale.parse(locale)
    expected = parse_pattern(pattern or data.decimal_formats[None]).apply(value, data)
    assert number_formatter(locale, pattern)(value) == expected


def test_vietnamese_and_english_separators():
    assert number_formatter("vi", "0.0")(1234.56) == "1234,6"
    assert number_formatter("vi", "#,##0")(1234567) == "1.234.567"
    assert number_formatter("en", "#,##0")(1234567) == "1,234,567"
    assert number_formatter("en", "0.0")(Decimal("0.25")) == "0.2"  # half to even, as Babel
