"""The agency index chart: which agencies it draws, how, and that names cannot inject HTML."""

import json

import pytest

from feedback.dashboards.charts import ChartText, agency_index_chart
from feedback.dashboards.metrics import AgencyIndex

TEXT = ChartText(axis_title="Satisfaction index (0–100)", ranked="Ranked", thin="Few responses",
                 index="Index", interval="95% interval", responses="Responses")


def _index(code, n, mean, low, high, status, rank=None, name=None):
    """An AgencyIndex with the given numbers (the chart needs no database)."""
    return AgencyIndex(agency_id=hash(code) % 1000, code=code, name_vi=name or f"Cơ quan {code}",
                       name_en=f"Agency {code}", path=f"/{code}/", depth=1, n=n, total=0.0,
                       total_sq=0.0, mean=mean, low=low, high=high, status=status, rank=rank)


INDICES = [
    _index("A", 40, 70.0, 62.5, 77.0, "ok", 2),
    _index("B", 12, 90.0, 70.0, 98.0, "thin"),
    _index("C", 5, None, None, None, "hidden"),
    _index("D", 300, 81.25, 79.0, 83.5, "ok", 1),
]


def _labels(figure) -> list[dict]:
    """The chart's agency labels (annotations above the bars), top to bottom."""
    return figure["layout"]["annotations"]


def test_ranked_and_thin_agencies_are_separate_traces_hidden_ones_left_out():
    figure = agency_index_chart(INDICES, locale="en", text=TEXT)
    ranked, thin = figure["data"]
    assert (ranked["name"], thin["name"]) == ("Ranked", "Few responses")
    assert ranked["y"] == ["D", "A"] and ranked["x"] == [81.25, 70.0]
    assert thin["y"] == ["B"]
    assert ranked["marker"]["color"] != thin["marker"]["color"]
    # Ranked ones highest first, then the unranked thin one below them, keyed by code; each name
    # with its n is written above its bar.
    yaxis = figure["layout"]["yaxis"]
    assert yaxis["categoryarray"] == ["D", "A", "B"] and yaxis["autorange"] == "reversed"
    assert [(a["y"], a["text"]) for a in _labels(figure)] == [
        ("D", "Agency D (n = 300)"), ("A", "Agency A (n = 40)"), ("B", "Agency B (n = 12)")]
    assert "C" not in json.dumps(figure["data"]) and "Agency C" not in json.dumps(figure)


def test_error_bars_are_the_asymmetric_interval_and_the_axis_spans_0_to_100():
    figure = agency_index_chart(INDICES, locale="en", text=TEXT)
    error = figure["data"][0]["error_x"]
    assert (error["symmetric"], error["array"], error["arrayminus"]) == (False, [2.25, 7.0], [2.25, 7.5])
    assert figure["layout"]["xaxis"]["range"] == [0, 100]
    assert figure["layout"]["xaxis"]["fixedrange"] is True


def test_hover_carries_index_interval_and_n_in_the_given_format():
    figure = agency_index_chart(INDICES, locale="vi", text=TEXT, separators=",.",
                                format_number=lambda v: f"{v:.1f}".replace(".", ","),
                                format_count=lambda n: f"{n:,}".replace(",", "."))
    hover = figure["data"][0]["hovertext"][0]
    assert hover == ("Cơ quan D<br>Index: 81,2<br>95% interval: 79,0–83,5<br>Responses: 300")
    assert figure["layout"]["separators"] == ",."


def test_names_are_escaped_in_hover_and_labels():
    evil = _index("X", 50, 50.0, 40.0, 60.0, "ok", 1, name='<img src=x> & "Sở"')
    figure = agency_index_chart([evil], locale="vi", text=TEXT)
    hover = figure["data"][0]["hovertext"][0]
    label = _labels(figure)[0]["text"]
    for text in (hover, label):
        assert "<img" not in text
        assert "&lt;img src=x&gt; &amp; &#34;Sở&#34;" in text
    assert figure["data"][0]["hoverinfo"] == "text"


def test_long_names_are_shortened_on_the_axis_only():
    long = _index("L", 50, 50.0, 40.0, 60.0, "ok", 1,
                  name="Bộ phận Một cửa Sở Nông nghiệp và Môi trường tỉnh")
    figure = agency_index_chart([long], locale="vi", text=TEXT)
    assert _labels(figure)[0]["text"] == "Bộ phận Một cửa Sở Nông nghiệp và Môi… (n = 50)"
    assert "Sở Nông nghiệp và Môi trường" in figure["data"][0]["hovertext"][0]


def test_height_grows_with_the_number_of_bars_and_one_trace_has_no_legend():
    few = agency_index_chart(INDICES[:1], locale="en", text=TEXT)
    many = agency_index_chart([_index(f"Q{i}", 40, 50.0, 45.0, 55.0, "ok", 1) for i in range(20)],
                              locale="en", text=TEXT)
    assert many["layout"]["height"] > few["layout"]["height"]
    assert few["layout"]["showlegend"] is False


@pytest.mark.parametrize("indices", [[], INDICES[2:3]])
def test_nothing_to_draw_gives_an_empty_figure(indices):
    figure = agency_index_chart(indices, locale="en", text=TEXT)
    assert figure["data"] == []


def test_the_dimension_heatmap_gives_plotly_colours_not_numbers():
    """plotly.js warned "Invalid color specifier" for every cell when given numbers and a scale;
    the colours are worked out beforehand, from the scale's ends through its stops."""
    import re
    from types import SimpleNamespace

    from feedback.dashboards.question_charts import HeatmapText, dimension_heatmap

    cell = lambda mean: SimpleNamespace(mean=mean, low=mean - 5, high=mean + 5, n=30)  # noqa: E731
    rows = [("A", "Sở Tư pháp", [cell(0.0), cell(50.0), None]),
            ("B", "UBND xã", [cell(100.0), cell(75.0), cell(62.5)])]
    figure = dimension_heatmap(rows, ["Access", "Staff", "Result"],
                               text=HeatmapText(rate="Rate", interval="95% interval", responses="Responses",
                                                not_enough="Not enough"),
                               format_number=lambda x: f"{x:.1f}", format_count=str)
    colours = [c for trace in figure["data"] for c in
               (trace["marker"]["color"] if isinstance(trace["marker"]["color"], list)
                else [trace["marker"]["color"]])]
    assert colours and all(isinstance(c, str) and re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)
    shown = figure["data"][-1]["marker"]
    assert shown["color"] == ["#b2182b", "#fddbc7", "#2166ac", "#d1e5f0", "#e7e0dc"]
    assert "colorscale" not in shown


def _likert_figure():
    """A Likert chart of two questions, the first with a short label."""
    from types import SimpleNamespace

    from feedback.dashboards.question_charts import LikertText, likert_chart

    split = SimpleNamespace(n=40, counts=(4, 4, 8, 12, 12), shares=(10.0, 10.0, 20.0, 30.0, 30.0))
    long_text = "Ông/Bà hài lòng như thế nào về nơi ngồi chờ tại Bộ phận tiếp nhận và trả kết quả?"
    return likert_chart([("wait", long_text, split), ("staff", "Công chức", split)],
                        text=LikertText(levels=("1", "2", "3", "4", "5"), axis_title="%", answers="answers",
                                        share="Share"),
                        format_number=lambda x: f"{x:.1f}", format_count=str,
                        short={"wait": "Nơi ngồi chờ"}), long_text


def test_likert_bars_are_named_by_short_label_with_the_full_text_on_tap():
    figure, long_text = _likert_figure()
    labels = [a["text"] for a in figure["layout"]["annotations"]]
    assert labels == ["Nơi ngồi chờ (n = 40)", "Công chức (n = 40)"]
    assert all(h.startswith(long_text) for h in figure["data"][0]["hovertext"][:1])


def test_likert_zero_line_runs_beside_each_bar_never_through_its_label():
    """The axis's own zero line crossed the labels above the bars; each row now has its own
    segment, from the row's centre (the labels' baseline) down through its bar."""
    figure, _text = _likert_figure()
    layout = figure["layout"]
    assert layout["xaxis"]["zeroline"] is False and layout["xaxis"]["showgrid"] is False
    segments = [(s["x0"], s["x1"], s["y0"], s["y1"]) for s in layout["shapes"]]
    assert segments == [(0, 0, 0, 0.5), (0, 0, 1, 1.5)]
    # The labels sit above their row's centre (yanchor bottom at the row), the segments below it.
    assert all(a["yanchor"] == "bottom" for a in layout["annotations"])


def test_the_trend_draws_at_most_two_interval_bands():
    from datetime import date

    from feedback.dashboards.metrics import Estimate
    from feedback.dashboards.trend import Bucket, TrendPoint, TrendSeries
    from feedback.dashboards.trend_charts import TrendText, trend_chart

    bucket = Bucket(first=date(2026, 1, 1), date_from=date(2026, 1, 1), date_to=date(2026, 1, 31),
                    grain="month")
    estimate = Estimate(n=40, mean=80.0, low=75.0, high=85.0, status="ok")
    lines = [TrendSeries(code, code, code, [TrendPoint(bucket, estimate)]) for code in ("", "A", "B", "C")]
    figure = trend_chart(lines, ["01/2026"], locale="vi",
                         text=TrendText(axis_title="Index", index="Index", interval="95%", responses="n"))
    bands = [t for t in figure["data"] if t.get("fill") == "toself"]
    assert [b["legendgroup"] for b in bands] == ["series-0", "series-1"]
    assert len([t for t in figure["data"] if t.get("mode") == "lines+markers"]) == 4
