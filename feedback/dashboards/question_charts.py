"""Plotly figures of the dimensions and question pages: numbers in, JSON-ready figure dicts out.

Every user text (agency names, question texts, choice labels) is escaped with markupsafe, as
plotly.js reads labels and hover text as a small HTML dialect; our own words come translated
from the caller. No <b> or other markup: the CSP refuses the style attributes it would need.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import escape

from feedback.dashboards.charts import GRID, _short, base_layout, row_bar_layout

# Likert levels 1 to 5: two reds, a neutral grey, two blues (distinct for colour-blind readers).
LIKERT_COLOURS = ("#b2182b", "#ef8a62", "#c9ccd1", "#67a9cf", "#2166ac")
NPS_COLOURS = ("#b2182b", "#c9ccd1", "#2166ac")  # detractors, passives, promoters
TALL_ROW = 72
CHOICE_BAR = "#5b9aa0"
CHOICE_LINE = "#1b1f23"
# Low rates dark red through yellow to dark blue; every stop keeps its text legible.
HEATMAP_SCALE = [[0.0, "#b2182b"], [0.5, "#fddbc7"], [0.75, "#d1e5f0"], [1.0, "#2166ac"]]


@dataclass(frozen=True)
class HeatmapText:
    """The heatmap's words, translated by the caller."""

    rate: str
    interval: str
    responses: str
    not_enough: str


def _wrapped(label: str, width: int = 16) -> str:
    """`label` escaped and broken into lines of about `width` characters at spaces (<br>), so
    several column headings fit side by side on a tablet."""
    lines: list[str] = []
    for word in _short(label).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(str(escape(line)) for line in lines)


def _two_lines(label: str, suffix: str, width: int = 36) -> str:
    """`label` escaped on at most two lines of about `width` characters (<br>), `suffix` included
    in the second, cut with an ellipsis when longer: short enough for a phone's width, and a
    question's words matter beyond its first forty."""
    lines: list[str] = []
    cut = False
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        elif len(lines) < 2:
            lines.append(word[:width])
        else:
            cut = True
            break
    while lines and len(lines) == 2 and (len(lines[-1]) + len(suffix) + cut > width):
        words = lines[-1].split(" ")
        if len(words) == 1:
            break
        lines[-1] = " ".join(words[:-1])
        cut = True
    if cut:
        lines[-1] = lines[-1].rstrip(" ,.;:…") + "…"
    return "<br>".join(str(escape(line)) for line in lines) + suffix


def _tall_rows(layout: dict, rows: int) -> dict:
    """`layout` with rows tall enough for a two-line label above each bar."""
    layout["height"] = layout["margin"]["t"] + 48 + TALL_ROW * max(rows, 1)
    return layout


def _on_colour(value: float) -> str:
    """Text colour legible on the heatmap's colour for `value` (white on the dark ends)."""
    return "#fff" if value < 20 or value > 88 else "#1b1f23"


def scale_colour(value: float) -> str:
    """The colour of `value` (0–100) on HEATMAP_SCALE, interpolated between its stops, as #rrggbb.

    Worked out here rather than handing plotly.js the numbers with a colour scale: on a bar
    trace it also reads marker.color as colours for the text and hover, and warns (console.trace,
    "Invalid color specifier") once or twice for every cell."""
    share = min(max(value / 100, 0.0), 1.0)
    for (low, low_colour), (high, high_colour) in zip(HEATMAP_SCALE, HEATMAP_SCALE[1:], strict=False):
        if share <= high:
            t = (share - low) / (high - low)
            ends = [(int(low_colour[i:i + 2], 16), int(high_colour[i:i + 2], 16)) for i in (1, 3, 5)]
            return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in ends)
    return HEATMAP_SCALE[-1][1]


def dimension_heatmap(rows: Sequence[tuple[str, str, list]], columns: Sequence[str], *,
                      text: HeatmapText, format_number: Callable[[float], str],
                      format_count: Callable[[int], str], separators: str = ".,") -> dict:
    """A heatmap of agencies (rows: (code, name, [Estimate per column])) × dimensions (`columns`:
    their headings). Cells below the display threshold are left empty (light grey); their hover
    says why.

    Drawn as one-unit bars, not a Plotly heatmap trace: that one probes the browser with an
    inline style attribute, which the CSP refuses (a console error on every page load).
    """
    headings = [_wrapped(c) for c in columns]
    shown: dict = {"x": [], "base": [], "color": [], "label": [], "font": [], "hover": []}
    empty: dict = {"x": [], "base": [], "hover": []}
    for index, (_code, name, estimates) in enumerate(rows):
        for heading, full, est in zip(headings, columns, estimates, strict=True):
            where = f"{escape(name)}<br>{escape(full)}<br>"
            if est is None or est.mean is None:
                n = est.n if est is not None else 0
                empty["x"].append(heading)
                empty["base"].append(index)
                empty["hover"].append(f"{where}{text.not_enough} ({text.responses}: {format_count(n)})")
                continue
            shown["x"].append(heading)
            shown["base"].append(index)
            shown["color"].append(scale_colour(est.mean))
            shown["label"].append(format_number(est.mean))
            shown["font"].append(_on_colour(est.mean))
            shown["hover"].append(f"{where}{text.rate}: {format_number(est.mean)}<br>"
                                  f"{text.interval}: {format_number(est.low)}–{format_number(est.high)}<br>"
                                  f"{text.responses}: {format_count(est.n)}")
    cell = {"type": "bar", "orientation": "v", "width": 0.96, "hoverinfo": "text", "showlegend": False,
            "textposition": "inside", "insidetextanchor": "middle", "textangle": 0}
    traces = []
    if empty["x"]:
        traces.append({**cell, "x": empty["x"], "base": empty["base"], "y": [0.96] * len(empty["x"]),
                       "marker": {"color": "#f1f3f5", "line": {"color": "#c9ccd1", "width": 1}},
                       "hovertext": empty["hover"], "text": ["–"] * len(empty["x"]),
                       "textfont": {"color": "#4a5560"}})
    traces.append({**cell, "x": shown["x"], "base": shown["base"], "y": [0.96] * len(shown["x"]),
                   # Colours worked out here, so no Plotly colour bar either: it paints its gradient
                   # through a style attribute, which the CSP refuses; the page draws the key in HTML.
                   "marker": {"color": shown["color"], "line": {"width": 0}},
                   "hovertext": shown["hover"], "text": shown["label"],
                   "textfont": {"color": shown["font"], "size": 13}})
    layout = base_layout(90 + 44 * max(len(rows), 1), separators)
    layout.update({
        "barmode": "overlay", "bargap": 0,
        # The dimensions head their columns, so they are read before the first row, not after the last.
        "margin": {"l": 8, "r": 8, "t": 80, "b": 8},
        "xaxis": {"type": "category", "categoryorder": "array", "categoryarray": headings, "side": "top",
                  "fixedrange": True, "tickangle": 0, "automargin": True, "showgrid": False},
        "yaxis": {"range": [len(rows), 0], "fixedrange": True, "automargin": True, "showgrid": False,
                  "zeroline": False, "tickvals": [i + 0.48 for i in range(len(rows))],
                  # Names on two short lines, so the cells keep most of a phone's width.
                  "ticktext": [_wrapped(name, 18) for _c, name, _e in rows]},
    })
    return {"data": traces, "layout": layout}


@dataclass(frozen=True)
class LikertText:
    """The Likert chart's words: the five levels' names, the axis title, "answers"."""

    levels: tuple[str, str, str, str, str]
    axis_title: str
    answers: str
    share: str


def likert_chart(rows: Sequence[tuple[str, str, object]], *, text: LikertText,
                 format_number: Callable[[float], str], format_count: Callable[[int], str],
                 separators: str = ".,", short: Mapping[str, str] | None = None) -> dict:
    """Diverging stacked bars, one per question (rows: (key, text, answers.LikertSplit)):
    1–2 to the left of zero, 3 centred on it, 4–5 to the right, as shares of valid answers.
    Each bar is labelled with its question's short label (`short`, by key) when it has one; the
    tap details keep the full text."""
    keys = [key for key, _t, _s in rows]
    traces = []
    # In a relative bar stack each side fills outwards in trace order: the neutral halves first.
    order = [(2, -1, True), (1, -1, False), (0, -1, False), (2, 1, False), (3, 1, False), (4, 1, False)]
    for level, side, hidden_legend in order:
        traces.append({
            "type": "bar", "orientation": "h", "name": text.levels[level],
            "legendgroup": str(level + 1), "showlegend": not hidden_legend,
            "y": keys,
            "x": [round(side * split.shares[level] / (2 if level == 2 else 1), 3) for _k, _t, split in rows],
            "marker": {"color": LIKERT_COLOURS[level], "line": {"color": "#fff", "width": 1}},
            "width": 0.4, "offset": 0.04,
            "hovertext": [f"{escape(question)}<br>{text.levels[level]}: {format_count(split.counts[level])} "
                          f"{text.answers} ({format_number(split.shares[level])}%)"
                          for _k, question, split in rows],
            "hoverinfo": "text",
        })
    # The legend in reading order 1 → 5.
    traces.sort(key=lambda t: (t["legendgroup"], t["showlegend"]))
    labels = [{"x": -100, "xref": "x", "y": key, "yref": "y", "xanchor": "left", "yanchor": "bottom",
               "showarrow": False, "align": "left",
               "text": _two_lines((short or {}).get(key) or question, f" (n = {format_count(split.n)})")}
              for key, question, split in rows]
    ticks = [-100, -50, 0, 50, 100]
    # The zero line is drawn row by row, beside each bar only: an axis line would cut through the
    # labels above the bars, and so would the grid.
    xaxis = {"range": [-100, 100], "title": {"text": text.axis_title}, "tickvals": ticks,
             "ticktext": [f"{abs(t)}%" for t in ticks], "zeroline": False, "showgrid": False}
    layout = _tall_rows(row_bar_layout(keys, labels, legend=True, separators=separators, xaxis=xaxis,
                                       legend_entries=len(text.levels)), len(keys))
    layout["barmode"] = "relative"
    layout["legend"]["traceorder"] = "normal"
    # On the category axis row i is centred on i; its bar fills i + 0.04 to i + 0.44 (offset, width).
    layout["shapes"] = [{"type": "line", "xref": "x", "yref": "y", "x0": 0, "x1": 0, "y0": row,
                         "y1": row + 0.5, "line": {"color": "#4a5560", "width": 2}, "layer": "above"}
                        for row in range(len(keys))]
    return {"data": traces, "layout": layout}


@dataclass(frozen=True)
class CountText:
    """The words of a choice chart: axis title and "answers"."""

    axis_title: str
    answers: str


def choice_chart(rows: Sequence[tuple[str, str, int, float | None]], *, text: CountText,
                 format_number: Callable[[float], str], format_count: Callable[[int], str],
                 separators: str = ".,") -> dict:
    """Horizontal bars of a choice question's counts (rows: (value, label, count, share)), each
    labelled with its count and share."""
    values = [f"v{i}" for i in range(len(rows))]  # choice values are text; keys stay plain
    share_text = [f"{format_count(count)} ({format_number(share)}%)" if share is not None
                  else format_count(count) for _v, _l, count, share in rows]
    trace = {
        "type": "bar", "orientation": "h", "y": values, "x": [count for _v, _l, count, _s in rows],
        "marker": {"color": CHOICE_BAR, "line": {"color": CHOICE_LINE, "width": 1}},
        "width": 0.4, "offset": 0.04, "showlegend": False,
        "hovertext": [f"{escape(label)}<br>{text.answers}: {shown}"
                      for (_v, label, _c, _s), shown in zip(rows, share_text, strict=True)],
        "hoverinfo": "text",
    }
    labels = [{"x": 0, "xref": "x", "y": key, "yref": "y", "xanchor": "left", "yanchor": "bottom",
               "showarrow": False, "align": "left", "text": f"{escape(_short(label))}: {shown}"}
              for key, (_v, label, _c, _s), shown in zip(values, rows, share_text, strict=True)]
    top = max([count for _v, _l, count, _s in rows] + [1])
    xaxis = {"range": [0, top * 1.05], "title": {"text": text.axis_title}, "rangemode": "tozero"}
    return {"data": [trace], "layout": row_bar_layout(values, labels, legend=False,
                                                      separators=separators, xaxis=xaxis)}


@dataclass(frozen=True)
class NpsText:
    """The NPS chart's words."""

    groups: tuple[str, str, str]  # detractors, passives, promoters
    axis_title: str
    answers: str


def nps_chart(rows: Sequence[tuple[str, str, object]], *, text: NpsText,
              format_number: Callable[[float], str], format_count: Callable[[int], str],
              separators: str = ".,", short: Mapping[str, str] | None = None) -> dict:
    """One stacked bar per 0–10 question (rows: (key, text, answers.Nps)): shares of detractors
    (0–6), passives (7–8) and promoters (9–10); each label gives the NPS and n, and the question's
    short label (`short`, by key) when it has one."""
    keys = [key for key, _t, _n in rows]
    traces = []
    for group, (name, colour) in enumerate(zip(text.groups, NPS_COLOURS, strict=True)):
        counts = [(nps.detractors, nps.passives, nps.promoters)[group] for _k, _t, nps in rows]
        shares = [100 * c / nps.n for c, (_k, _t, nps) in zip(counts, rows, strict=True)]
        traces.append({
            "type": "bar", "orientation": "h", "name": name, "y": keys,
            "x": [round(s, 3) for s in shares],
            "marker": {"color": colour, "line": {"color": "#fff", "width": 1}},
            "width": 0.4, "offset": 0.04,
            "hovertext": [f"{escape(question)}<br>{name}: {format_count(c)} {text.answers} "
                          f"({format_number(s)}%)"
                          for (_k, question, _n), c, s in zip(rows, counts, shares, strict=True)],
            "hoverinfo": "text",
        })
    labels = [{"x": 0, "xref": "x", "y": key, "yref": "y", "xanchor": "left", "yanchor": "bottom",
               "showarrow": False, "align": "left",
               "text": _two_lines((short or {}).get(key) or question,
                                  f": NPS {nps.score:+.0f} (n = {format_count(nps.n)})")}
              for key, question, nps in rows]
    xaxis = {"range": [0, 100], "title": {"text": text.axis_title}, "dtick": 20, "gridcolor": GRID}
    layout = _tall_rows(row_bar_layout(keys, labels, legend=True, separators=separators, xaxis=xaxis,
                                       legend_entries=len(text.groups)), len(keys))
    layout["barmode"] = "stack"
    return {"data": traces, "layout": layout}
