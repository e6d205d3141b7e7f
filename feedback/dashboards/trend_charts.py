"""The trend figure: one line per series with its 95% interval as a shaded band, as a plain dict.

A point with too few responses is not drawn: the line breaks there (a gap, never a line drawn
through a value nobody may see) and the band is cut into pieces around it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import escape

from feedback.dashboards.charts import GRID, LABEL_MAX, _plain, base_layout
from feedback.dashboards.trend import TrendSeries

# Okabe–Ito colours, distinguishable with the common colour-vision deficiencies; the pooled line
# (always first) is the darkest.
COLOURS = ("#1b1f23", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
BAND_OPACITY = 0.15
# Interval bands only for the first two lines (the pooled scope and the first agency): more bands
# overlap into a blur on a phone; the other lines' intervals are in the tables and the tap details.
MAX_BANDS = 2
MAX_TICKS = 6


@dataclass(frozen=True)
class TrendText:
    """The words the chart shows, already translated by the caller."""

    axis_title: str
    index: str
    interval: str
    responses: str


def _rgba(colour: str, alpha: float) -> str:
    """A #rrggbb colour as rgba() with `alpha`."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _short(name: str) -> str:
    """A legend entry cut to LABEL_MAX characters (the table gives the whole name)."""
    return name if len(name) <= LABEL_MAX else name[:LABEL_MAX - 1].rstrip() + "…"


def _runs(values: Sequence[bool]) -> list[list[int]]:
    """The runs of consecutive indices whose value is true."""
    runs: list[list[int]] = []
    for index, shown in enumerate(values):
        if not shown:
            continue
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def trend_chart(series: Sequence[TrendSeries], labels: Sequence[str], *, locale: str, text: TrendText,
                format_number: Callable[[float], str] = _plain,
                format_count: Callable[[int], str] = str, separators: str = ".,") -> dict:
    """Lines of the index per bucket (`labels`, one per bucket, in order), the first MAX_BANDS with
    interval bands.

    Names are data typed by people and Plotly reads trace names and hover text as a small HTML
    dialect, so they are escaped here; bucket labels and numbers are ours.
    """
    traces = []
    for number, line in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        name = str(escape(_short(line.name(locale))))
        group = f"series-{number}"
        shown = [p.estimate.mean is not None for p in line.points]
        for run in _runs(shown) if number < MAX_BANDS else []:
            xs = [labels[i] for i in run]
            highs = [round(line.points[i].estimate.high, 2) for i in run]
            lows = [round(line.points[i].estimate.low, 2) for i in run]
            traces.append({
                "type": "scatter", "mode": "lines", "x": xs + xs[::-1], "y": highs + lows[::-1],
                "fill": "toself", "fillcolor": _rgba(colour, BAND_OPACITY),
                # A thin edge keeps a band of one lone point visible (a vertical stroke).
                "line": {"color": _rgba(colour, 0.35), "width": 1},
                "hoverinfo": "skip", "showlegend": False, "legendgroup": group,
            })
        full_name = escape(line.name(locale))
        traces.append({
            "type": "scatter", "mode": "lines+markers", "name": name, "legendgroup": group,
            "x": list(labels),
            "y": [round(p.estimate.mean, 2) if p.estimate.mean is not None else None
                  for p in line.points],
            "connectgaps": False,
            "line": {"color": colour, "width": 3 if line.pooled else 2},
            "marker": {"color": colour, "size": 7},
            # No <b>: plotly.js draws it with a style attribute, which the CSP refuses.
            "hovertext": [
                f"{full_name}<br>{label}<br>"
                f"{text.index}: {format_number(p.estimate.mean)}<br>"
                f"{text.interval}: {format_number(p.estimate.low)}–{format_number(p.estimate.high)}<br>"
                f"{text.responses}: {format_count(p.estimate.n)}"
                if p.estimate.mean is not None else ""
                for label, p in zip(labels, line.points, strict=True)
            ],
            "hoverinfo": "text",
        })
    tick_step = -(-len(labels) // MAX_TICKS) or 1
    layout = {
        **base_layout(420, separators),
        "margin": {"l": 48, "r": 16, "t": 16, "b": 48, "pad": 0},
        "showlegend": True,
        # Below the plot, so a long list of names never covers a line.
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.15, "yanchor": "top"},
        # At most MAX_TICKS labels, level: on a phone more would be turned on end and run into the legend.
        "xaxis": {"type": "category", "categoryorder": "array", "categoryarray": list(labels),
                  "tickmode": "array", "tickvals": list(labels)[::tick_step], "tickangle": 0,
                  "fixedrange": True, "showgrid": False, "automargin": True},
        # No "0" at the foot of the axis: on a phone it runs into the first month's label.
        "yaxis": {"range": [0, 100], "tickvals": list(range(0, 101, 20)),
                  "ticktext": ["", *(str(v) for v in range(20, 101, 20))], "fixedrange": True,
                  "showgrid": True, "gridcolor": GRID, "zeroline": False, "title": {"text": text.axis_title}},
    }
    return {"data": traces, "layout": layout}
