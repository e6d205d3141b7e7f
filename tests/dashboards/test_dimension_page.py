"""The dimensions page: heatmap rows and cells, small samples, CSV, scoping, escaping."""

import csv
import io
import json
import re

import pytest

from feedback.extensions import db
from tests.dashboards.helpers import add_response, make_version

FIGURE_RE = re.compile(r'<script type="application/json" id="dimension-figure">(.*?)</script>', re.S)
HOSTILE = '"><img src=x onerror=alert(1)><script>alert(1)</script>'


@pytest.fixture
def scored(app, tree):
    """A1: 12 responses, A2: 3 (too few), B: 15; each answering both dimensions."""
    version = make_version()
    for agency, count, wait in ((tree.counter_a, 12, 5), (tree.commune_a, 3, 2), (tree.dept_b, 15, 1)):
        for i in range(count):
            add_response(version, agency, scores={"access": 1.0 if wait >= 4 else 0.0, "staff": 0.5},
                         answers={"access_wait": wait, "staff_courtesy": 4 if i % 2 else 2, "overall": 4})
    db.session.commit()
    return version


def _get(client, url):
    """The response at `url`, which must be 200."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response


def _csv(client, url):
    """The CSV at `url` as rows (BOM removed)."""
    response = _get(client, url)
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _row_names(figure: dict) -> list[str]:
    """The heatmap's row labels as read: the names are wrapped onto short lines for a phone."""
    return [t.replace("<br>", " ") for t in figure["layout"]["yaxis"]["ticktext"]]


def test_heatmap_rows_are_the_subtree_with_its_children(leader_a_client, scored):
    html = _get(leader_a_client, "/dashboard/dimensions?lang=en").get_data(as_text=True)
    figure = json.loads(FIGURE_RE.search(html).group(1))
    assert _row_names(figure) == ["Department of Justice", "Justice one-stop counter", "An Binh Commune"]
    assert all(len(line) <= 18 for t in figure["layout"]["yaxis"]["ticktext"] for line in t.split("<br>"))
    shown = figure["data"][-1]
    # A's row is its whole subtree (15 responses); A1 has 12; A2's 3 are too few and drawn empty.
    assert sorted(shown["base"]) == [0, 0, 1, 1]
    assert any("Not enough responses" in h for h in figure["data"][0]["hovertext"])
    assert any("Responses: 12" in h and "95% interval" in h for h in shown["hovertext"])
    assert "Not enough responses" in html and "Department of Health" not in html


def test_choosing_an_agency_shows_it_and_its_children(admin_client, scored):
    html = _get(admin_client, "/dashboard/dimensions?lang=en&agency=A").get_data(as_text=True)
    figure = json.loads(FIGURE_RE.search(html).group(1))
    assert _row_names(figure)[0] == "Department of Justice"
    assert "Department of Health" not in _row_names(figure)
    html = _get(admin_client, "/dashboard/dimensions?lang=en").get_data(as_text=True)
    ticks = _row_names(json.loads(FIGURE_RE.search(html).group(1)))
    assert ticks == ["Test Province", "Department of Justice", "Department of Health"]


def test_heatmap_csv_has_the_table_numbers(leader_a_client, app, scored):
    rows = _csv(leader_a_client, "/dashboard/dimensions?lang=en&format=csv&chart=heatmap")
    assert rows[0][:2] == ["Agency code", "Agency"]
    body = {row[0]: row for row in rows[1:]}
    assert list(body) == ["A", "A1", "A2"]
    # Access: A1 all 1.0 → 100.0 with n = 12; A2 too few → empty rate, n = 3.
    access = rows[0].index("Access to the service: Rate")
    assert body["A1"][access] == "100.0" and body["A1"][access + 3] == "12"
    assert body["A2"][access] == "" and body["A2"][access + 3] == "3"


def test_weakest_questions_lowest_first_with_enough_answers(leader_a_client, app, scored):
    app.config["MIN_RESPONSES_RANKED"] = 12
    rows = _csv(leader_a_client, "/dashboard/dimensions?lang=en&format=csv&chart=weakest")
    assert [r[0] for r in rows[1:]] == ["Courtesy", "Waiting", "Overall"]
    assert rows[1][2] == "46.7" and rows[1][-1] == "15"  # 7 of 15 courtesy answers are 4
    html = _get(leader_a_client, "/dashboard/dimensions?lang=en").get_data(as_text=True)
    assert "Weakest questions" in html and "46.7%" in html


def test_a_leader_of_another_subtree_sees_none_of_it(leader_b_client, scored):
    html = _get(leader_b_client, "/dashboard/dimensions?lang=en").get_data(as_text=True)
    assert "Department of Justice" not in html and "An Binh" not in html
    rows = _csv(leader_b_client, "/dashboard/dimensions?format=csv&chart=heatmap")
    assert [r[0] for r in rows[1:]] == ["B"]
    # Asking for A's subtree is answered like an unknown agency: B's own numbers only.
    html = _get(leader_b_client, "/dashboard/dimensions?lang=en&agency=A").get_data(as_text=True)
    assert "Unknown agency" in html and "Justice" not in html
    rows = _csv(leader_b_client, "/dashboard/dimensions?format=csv&chart=heatmap&agency=A1")
    assert [r[0] for r in rows[1:]] == ["B"]


def test_unknown_chart_is_a_localized_404(leader_a_client, scored):
    response = leader_a_client.get("/dashboard/dimensions?lang=en&format=csv&chart=nope")
    assert response.status_code == 404
    assert "There is no such table on this page." in response.get_data(as_text=True)


def test_hostile_agency_and_question_text_is_escaped(leader_a_client, tree, scored):
    tree.counter_a.name_en = HOSTILE
    question = next(q for q in scored.questions if q.key == "staff_courtesy")
    question.text_en = "=HYPERLINK(\"x\")" + HOSTILE
    db.session.commit()
    html = _get(leader_a_client, "/dashboard/dimensions?lang=en").get_data(as_text=True)
    assert "<img src=x" not in html and "<script>alert" not in html
    figure = json.loads(FIGURE_RE.search(html).group(1))
    assert any("&lt;img src=x" in t for t in figure["layout"]["yaxis"]["ticktext"])
    assert all("<img" not in h for trace in figure["data"] for h in trace["hovertext"])
    rows = _csv(leader_a_client, "/dashboard/dimensions?lang=en&format=csv&chart=weakest")
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row[:2])
