"""The comments page's figure: comments per agency as a Plotly bar chart (numbers in, dict out).

Agency names and comment texts are typed by people, and Plotly reads labels and hover text as a
small HTML dialect, so every one of them is escaped here; our own words and numbers are not.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import escape

from feedback.dashboards.charts import RANKED_BAR, RANKED_LINE, _short, row_bar_layout
from feedback.dashboards.comments import AgencyComments


@dataclass(frozen=True)
class CommentChartText:
    """The words of the chart, already translated by the caller."""

    axis_title: str
    comments: str
    newest: str


def _hover(row: AgencyComments, name: str, text: CommentChartText, count: str) -> str:
    """The hover box of one bar: the agency, the count, and the start of its newest comment."""
    lines = [str(escape(name)), f"{text.comments}: {count}"]
    if row.newest:
        lines.append(f"{text.newest}: {escape(row.newest)}")
    # No <b>: plotly.js draws it with a style attribute, which the CSP refuses.
    return "<br>".join(lines)


def comments_chart(rows: Sequence[AgencyComments], *, locale: str, text: CommentChartText,
                   format_count: Callable[[int], str] = str, separators: str = ".,") -> dict:
    """One bar per agency in the given order (most comments first), its name above the bar."""
    keys = [row.code for row in rows]
    data = [dict(
        type="bar", orientation="h", name=text.comments,
        y=keys, x=[row.count for row in rows],
        marker={"color": RANKED_BAR, "line": {"color": RANKED_LINE, "width": 1}}, width=0.4, offset=0.04,
        hovertext=[_hover(row, row.name(locale), text, format_count(row.count)) for row in rows],
        hoverinfo="text",
    )] if rows else []
    labels = [
        {"x": 0, "xref": "x", "y": row.code, "yref": "y", "xanchor": "left", "yanchor": "bottom",
         "showarrow": False, "align": "left",
         "text": f"{escape(_short(row.name(locale)))} (n = {format_count(row.count)})"}
        for row in rows
    ]
    axis = {"rangemode": "tozero", "tickformat": ",d", "title": {"text": text.axis_title}}
    return {"data": data, "layout": row_bar_layout(keys, labels, legend=False, separators=separators,
                                                   xaxis=axis)}
