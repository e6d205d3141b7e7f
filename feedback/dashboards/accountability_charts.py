"""Plotly figures for the accountability page: pure functions, numbers in, a JSON-ready figure dict out.

Like dashboards/charts.py: plain dicts as plotly.js reads them, names above their bars so that a
phone or tablet keeps the whole width for the bars, and every name escaped, because Plotly reads
labels and hover text as a small HTML dialect and agency and topic names are typed by people.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import escape

from feedback.dashboards.charts import (
    BAR_WIDTH,
    RANKED_BAR,
    RANKED_LINE,
    THIN_BAR,
    THIN_LINE,
    _short,
    row_bar_layout,
)


@dataclass(frozen=True)
class Bar:
    """One bar: a unique key, its (untrusted) label, its value, its n, and the hover lines below the
    name (our own words and numbers, already formatted)."""

    key: str
    label: str
    value: float
    n: int
    details: tuple[str, ...]
    thin: bool = False


@dataclass(frozen=True)
class OnTimeText:
    """The words of the on-time chart, already translated by the caller."""

    axis_title: str
    enough: str
    few: str
    on_time: str
    due: str


@dataclass(frozen=True)
class TopicText:
    """The words of the topics chart, already translated by the caller."""

    axis_title: str
    petitions: str


def _bars_figure(bars: Sequence[Bar], *, axis: dict, traces: list[tuple[str, bool, str, str]],
                 format_count: Callable[[int], str], separators: str) -> dict:
    """A horizontal bar chart, one row per bar in the given order, its label above the bar.

    `traces` lists (legend name, thin?, bar colour, line colour); a trace without bars is left
    out, and the legend shows only when both kinds are present.
    """
    data = []
    for name, thin, colour, line in traces:
        rows = [b for b in bars if b.thin == thin]
        if not rows:
            continue
        data.append(dict(
            type="bar", orientation="h", name=name,
            y=[b.key for b in rows], x=[round(b.value, 2) for b in rows],
            marker={"color": colour, "line": {"color": line, "width": 1}}, width=BAR_WIDTH, offset=0.04,
            # No <b> in the hover: plotly.js styles bold text through a style attribute, which the
            # CSP blocks (and reports as a console error) when the hover box is drawn.
            hovertext=["<br>".join([str(escape(b.label)), *b.details]) for b in rows],
            hoverinfo="text",
        ))
    labels = [
        {"x": 0, "xref": "x", "y": b.key, "yref": "y", "xanchor": "left", "yanchor": "bottom",
         "showarrow": False, "align": "left", "text": f"{escape(_short(b.label))} (n = {format_count(b.n)})"}
        for b in bars
    ]
    return {"data": data, "layout": row_bar_layout([b.key for b in bars], labels, legend=len(data) > 1,
                                                   separators=separators, xaxis=axis)}


def on_time_chart(rows: Sequence[tuple[str, str, int, int]], *, text: OnTimeText, min_due: int,
                  format_percent: Callable[[float], str] = lambda v: f"{v:.1f}%",
                  format_count: Callable[[int], str] = str, separators: str = ".,") -> dict:
    """On-time rate (0–100) per responsible agency: `rows` are (code, name, on time, due).

    Agencies with nothing due are left out (no rate); those with fewer than `min_due` petitions
    due are drawn grey, as small samples are elsewhere on the dashboards. The order is the caller's.
    """
    bars = [
        Bar(key=code, label=name, value=100 * on_time / due, n=due, thin=due < min_due,
            details=(f"{text.on_time}: {format_percent(100 * on_time / due)}",
                     f"{text.due}: {format_count(on_time)} / {format_count(due)}"))
        for code, name, on_time, due in rows if due > 0
    ]
    return _bars_figure(
        bars, axis={"range": [0, 100], "dtick": 20, "ticksuffix": "%", "title": {"text": text.axis_title}},
        traces=[(text.enough, False, RANKED_BAR, RANKED_LINE), (text.few, True, THIN_BAR, THIN_LINE)],
        format_count=format_count, separators=separators)


def topic_chart(rows: Sequence[tuple[str, str, int]], *, text: TopicText,
                format_count: Callable[[int], str] = str, separators: str = ".,") -> dict:
    """Petitions received per topic: `rows` are (key, name, count), drawn in the given order."""
    bars = [Bar(key=key, label=name, value=count, n=count,
                details=(f"{text.petitions}: {format_count(count)}",))
            for key, name, count in rows]
    return _bars_figure(
        bars, axis={"rangemode": "tozero", "tickformat": ",d", "title": {"text": text.axis_title}},
        traces=[(text.petitions, False, RANKED_BAR, RANKED_LINE)],
        format_count=format_count, separators=separators)
