"""Plotly figures for the dashboards: pure functions, numbers in, a JSON-ready figure dict out.

Figures are written as the plain dicts plotly.js reads, not through plotly.graph_objects, whose
validation of every property took most of a 700-agency page's time; only JSON types go in.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import plotly.io as pio
from markupsafe import escape

from feedback.dashboards.metrics import AgencyIndex, display_order
from feedback.dashboards.stats import HIDDEN, OK

# Bars mid-tone so the interval line (dark) stays visible where it crosses the bar.
RANKED_BAR = "#5b9aa0"
RANKED_LINE = "#1b1f23"
THIN_BAR = "#d5dbe0"
THIN_LINE = "#4a5560"
GRID = "#e1e6ea"
LABEL_BACKGROUND = "rgba(255,255,255,0.94)"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif'
# A label longer than this would not fit a phone's width; the table and the hover give it whole.
LABEL_MAX = 40
# Pixels per agency: its label on one line, its bar below. BAR_WIDTH is the bar's share of that.
ROW_HEIGHT = 46
BAR_WIDTH = 0.4


@dataclass(frozen=True)
class ChartText:
    """The words a chart shows, already translated by the caller (this module knows no locale)."""

    axis_title: str
    ranked: str
    thin: str
    index: str
    interval: str
    responses: str


@cache
def _template_none() -> dict:
    """Plotly's "none" template as plotly.js wants it (a copy is made per figure by the caller's
    JSON encoding; the dict itself is never changed)."""
    return pio.templates["none"].to_plotly_json()


def base_layout(height: int, separators: str) -> dict:
    """What every dashboard figure's layout shares: no template styling, white paper, the page's
    font, no drag-to-zoom (it gets in the way of scrolling on a phone), a dark-on-white hover box."""
    return {
        "template": _template_none(), "height": height, "separators": separators,
        "font": {"family": FONT, "size": 13, "color": "#1b1f23"},
        "paper_bgcolor": "#fff", "plot_bgcolor": "#fff", "dragmode": False, "hovermode": "closest",
        # Plotly colours the hover box like its trace; dark text on white reads better.
        "hoverlabel": {"bgcolor": "#fff", "bordercolor": "#1b1f23", "align": "left",
                       "font": {"family": FONT, "size": 13, "color": "#1b1f23"}},
    }


def _plain(value: float) -> str:
    """A default number format with one decimal."""
    return f"{value:.1f}"


def _short(name: str) -> str:
    """`name` cut to at most LABEL_MAX characters with an ellipsis, at a word break if one is near."""
    if len(name) <= LABEL_MAX:
        return name
    cut = name[:LABEL_MAX - 1]
    space = cut.rfind(" ")
    if space > LABEL_MAX // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


# Height of one line of legend entries (13 px text), and of plotly's mode bar (the download button).
LEGEND_LINE = 22
MODE_BAR = 30


def row_bar_layout(keys: Sequence[str], labels: list[dict], *, legend: bool, separators: str,
                   xaxis: dict, legend_entries: int = 2, legend_columns: int = 2) -> dict:
    """The layout of a horizontal bar chart with one row per key, top to bottom, each bar's label
    (an annotation) above it; `xaxis` adds to the value axis. Shared by every row chart.

    The legend sits above the plot, `legend_columns` entries a line whatever the screen (one when
    an entry's words would not fit half a phone's width), with room for its `legend_entries`, so on
    a phone it never runs into the first bar's label.

    Without labels the layout has no annotations at all, as Plotly writes an empty figure.
    """
    # The download button (plotly's mode bar) takes the top right corner: the legend starts below it.
    top = MODE_BAR + (14 + LEGEND_LINE * -(-legend_entries // legend_columns) if legend else 0)
    layout = {
        **base_layout(top + 48 + ROW_HEIGHT * max(len(keys), 1), separators),
        "barmode": "overlay",
        # Room above the plot for the legend, which sits there so it never hides a bar.
        "margin": {"l": 8, "r": 16, "t": top, "b": 48, "pad": 0},
        "showlegend": legend,
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom",
                   "entrywidth": 1 / legend_columns, "entrywidthmode": "fraction"},
        "annotations": labels,
        "xaxis": {"fixedrange": True, "showgrid": True, "gridcolor": GRID, "zeroline": False, **xaxis},
        "yaxis": {"type": "category", "categoryorder": "array", "categoryarray": list(keys),
                  "showticklabels": False, "autorange": "reversed", "fixedrange": True},
    }
    if not labels:
        del layout["annotations"]
    else:
        # Each label on a white box, so the zero line and the grid never cut through its words.
        layout["annotations"] = [{"bgcolor": LABEL_BACKGROUND, **label} for label in labels]
    return layout


def agency_index_chart(indices: Sequence[AgencyIndex], *, locale: str, text: ChartText,
                       format_number: Callable[[float], str] = _plain,
                       format_count: Callable[[int], str] = str,
                       separators: str = ".,", ordered: bool = False) -> dict:
    """A horizontal bar chart of agency indices with their 95% intervals, highest on top (or, with
    `ordered`, in the order given: the overview lists each peer group in turn).

    Ranked agencies are drawn in the brand colour, thin samples in grey; hidden ones are left
    out (the table says why). Each bar's label and hover carry n. Agency names are data typed
    by people, and Plotly reads labels and hover text as a small HTML dialect, so names are
    escaped here; the numbers and our own words are not user input.
    """
    shown = [i for i in (indices if ordered else display_order(indices)) if i.status != HIDDEN]
    traces = []
    for status, name, bar, line in ((OK, text.ranked, RANKED_BAR, RANKED_LINE),
                                    (None, text.thin, THIN_BAR, THIN_LINE)):
        rows = [i for i in shown if (i.status == OK) == (status == OK)]
        if not rows:
            continue
        traces.append(dict(
            type="bar", orientation="h", name=name,
            y=[i.code for i in rows], x=[round(i.mean, 2) for i in rows],
            error_x={"type": "data", "symmetric": False, "color": line, "thickness": 1.5, "width": 4,
                     "array": [round(i.high - i.mean, 2) for i in rows],
                     "arrayminus": [round(i.mean - i.low, 2) for i in rows]},
            marker={"color": bar, "line": {"color": line, "width": 1}}, width=BAR_WIDTH,
            # Each bar sits in the lower half of its row (the axis runs downwards), under its
            # label, which takes the upper half.
            offset=0.04,
            # No <b>: plotly.js draws it with a style attribute, which the CSP refuses.
            hovertext=[
                f"{escape(i.name(locale))}<br>"
                f"{text.index}: {format_number(i.mean)}<br>"
                f"{text.interval}: {format_number(i.low)}–{format_number(i.high)}<br>"
                f"{text.responses}: {format_count(i.n)}"
                for i in rows
            ],
            hoverinfo="text",
        ))

    # Codes are unique where names need not be, so they key the rows. Names go above their bar
    # (not beside it as tick labels), so that on a phone the bars keep the whole width.
    codes = [i.code for i in shown]
    labels = [
        {"x": 0, "xref": "x", "y": i.code, "yref": "y", "xanchor": "left", "yanchor": "bottom",
         "showarrow": False, "align": "left",
         "text": f"{escape(_short(i.name(locale)))} (n = {format_count(i.n)})"}
        for i in shown
    ]
    xaxis = {"range": [0, 100], "title": {"text": text.axis_title}, "dtick": 20}
    # One legend entry a line: "Few responses, not ranked" does not fit half a phone's width.
    return {"data": traces, "layout": row_bar_layout(codes, labels, legend=len(traces) > 1,
                                                     separators=separators, xaxis=xaxis, legend_columns=1)}
