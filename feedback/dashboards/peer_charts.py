"""The peer groups' averages drawn on the agency index chart: one dashed line per group across
that group's rows, so each agency reads against its own peers, not against the whole list."""

from collections.abc import Sequence

AVERAGE_LINE = "#8a4b08"


def with_group_averages(figure: dict, spans: Sequence[tuple[float, Sequence[str]]]) -> dict:
    """`figure` (charts.agency_index_chart, rows in group order) with, for each (average, codes)
    of `spans`, a vertical dashed line at the average over the rows of those codes drawn in it."""
    keys = figure["layout"]["yaxis"]["categoryarray"]
    position = {key: i for i, key in enumerate(keys)}
    shapes = []
    for average, codes in spans:
        rows = [position[code] for code in codes if code in position]
        if average is None or not rows:
            continue
        # On a category axis a shape's y is the row's position; ±0.5 spans the whole rows.
        shapes.append({"type": "line", "xref": "x", "yref": "y", "x0": round(average, 2),
                       "x1": round(average, 2), "y0": min(rows) - 0.5, "y1": max(rows) + 0.5,
                       "line": {"color": AVERAGE_LINE, "width": 2, "dash": "dash"}, "layer": "above"})
    if shapes:
        figure["layout"]["shapes"] = shapes
    return figure
