"""The question page: Likert bars, choice and NPS figures, CSV, small samples, scoping, escaping."""

import csv
import io
import json
import re

import pytest

from feedback.extensions import db

# Through test_answers, whose imports load the app's modules in an order free of import cycles.
from tests.dashboards.test_answers import deploy, make_full_version, parsed, submit_response

HOSTILE = '"><img src=x onerror=alert(1)><script>alert(1)</script>'


def _figure(html: str, name: str) -> dict:
    """The figure JSON embedded under id `name`."""
    match = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', html, re.S)
    assert match, name
    return json.loads(match.group(1))


def _submit(deployment, answers: dict) -> None:
    """One counted response now."""
    submit_response(deployment, parsed(answers), locale="vi", started_at=None, flags=0, client_hash=None)


@pytest.fixture
def answered(app, tree):
    """A1: 12 full responses; A2: 4 (too few alone); B: 11."""
    version = make_full_version()
    deployments = {d.agency_id: d for d in deploy(version, tree.province, subtree=True)}
    for i in range(12):
        _submit(deployments[tree.counter_a.id], {
            "access_wait": 1 + i % 5, "access_info": "na" if i < 2 else 4, "staff_courtesy": 5,
            "recommend": (10, 9, 8, 6, 0, 10)[i % 6], "returned": "yes" if i % 3 else "no",
            "how": "online", "needs": ["parking", "wifi"] if i % 2 else ["forms"]})
    for _ in range(4):
        _submit(deployments[tree.commune_a.id], {"access_wait": 2, "recommend": 0})
    for _ in range(11):
        _submit(deployments[tree.dept_b.id], {"access_wait": 5, "how": "phone"})
    db.session.commit()
    return version


def _html(client, url):
    """The page at `url`, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _csv(client, url):
    """The CSV at `url` as rows."""
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_likert_bars_diverge_around_zero(leader_a_client, answered):
    html = _html(leader_a_client, "/dashboard/questions?lang=en")
    figure = _figure(html, "likert-figure")
    by_name = {}
    for trace in figure["data"]:
        by_name.setdefault(trace["name"], []).append(trace)
    wait = 0  # access_wait is the first row: 16 valid answers, 1..5 cycling at A1 plus four 2s at A2
    assert all(x <= 0 for t in by_name["Very dissatisfied"] for x in t["x"])
    assert all(x >= 0 for t in by_name["Very satisfied"] for x in t["x"])
    neutral = [t["x"][wait] for t in by_name["Neutral"]]
    assert neutral[0] == -neutral[1]  # centred on zero
    assert figure["layout"]["barmode"] == "relative"
    # "not applicable" is counted apart: access_info has 10 valid answers and 2 n/a.
    rates = _csv(leader_a_client, "/dashboard/questions?lang=en&format=csv&chart=rates")
    info = next(r for r in rates if r[0] == "access_info")
    assert info[1:] == ["Information", "100.0", "72.2", "100.0", "10", "10", "2"]


def test_nps_and_choices(leader_a_client, answered):
    html = _html(leader_a_client, "/dashboard/questions?lang=en")
    assert _figure(html, "nps-figure")["data"]
    nps = _csv(leader_a_client, "/dashboard/questions?lang=en&format=csv&chart=nps")
    # A1: 10,9,8,6,0,10 twice → 6 promoters, 2 passives, 4 detractors at A1 + 4 zeros at A2.
    assert nps[1] == ["recommend", "Recommend", "-12.5", "6", "2", "8", "16"]
    needs = _csv(leader_a_client, "/dashboard/questions?lang=en&format=csv&chart=choice-needs")
    assert needs[1:] == [["parking (en)", "6", "50.0"], ["forms (en)", "6", "50.0"],
                         ["wifi (en)", "6", "50.0"]]
    returned = _csv(leader_a_client, "/dashboard/questions?lang=en&format=csv&chart=choice-returned")
    assert returned[1:] == [["Yes", "8", "66.7"], ["No", "4", "33.3"]]


def test_small_samples_show_not_enough_and_no_chart(leader_a_client, answered):
    html = _html(leader_a_client, "/dashboard/questions?lang=en&agency=A2")
    assert "Not enough responses" in html
    assert "likert-figure" not in html and "nps-figure" not in html and "plotly" not in html
    assert _csv(leader_a_client, "/dashboard/questions?format=csv&chart=rates&agency=A2")[1:] == []
    url = "/dashboard/questions?format=csv&chart=choice-how&agency=A2"
    assert leader_a_client.get(url).status_code == 404


def test_a_leader_of_another_subtree_sees_none_of_it(leader_b_client, answered):
    html = _html(leader_b_client, "/dashboard/questions?lang=en")
    assert "Recommend" not in html and "Needs" not in html  # only A answered those
    rates = _csv(leader_b_client, "/dashboard/questions?format=csv&chart=rates")
    assert [r[0] for r in rates[1:]] == ["access_wait"] and rates[1][-2] == "11"
    how = _csv(leader_b_client, "/dashboard/questions?lang=en&format=csv&chart=choice-how")
    assert [r[:2] for r in how[1:]] == [["counter (en)", "0"], ["online (en)", "0"], ["phone (en)", "11"]]
    assert leader_b_client.get("/dashboard/questions?format=csv&chart=choice-needs").status_code == 404
    html = _html(leader_b_client, "/dashboard/questions?lang=en&agency=A1")
    assert "Unknown agency" in html and "Recommend" not in html


def test_unknown_chart_is_a_localized_404(leader_a_client, answered):
    response = leader_a_client.get("/dashboard/questions?format=csv&chart=../etc")
    assert response.status_code == 404
    assert "Không có bảng này trên trang." in response.get_data(as_text=True) or \
        "There is no such table on this page." in response.get_data(as_text=True)


def test_hostile_question_text_is_escaped_in_table_and_hover(leader_a_client, answered):
    for question in answered.questions:
        if question.key in ("staff_courtesy", "how"):
            question.text_en = "=cmd|' /C calc'!A0" + HOSTILE
    db.session.commit()
    html = _html(leader_a_client, "/dashboard/questions?lang=en")
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    figure = _figure(html, "likert-figure")
    texts = [h for t in figure["data"] for h in t["hovertext"]]
    texts += [a["text"] for a in figure["layout"]["annotations"]]
    assert any("&lt;img" in t for t in texts) and not any("<img" in t or "<script" in t for t in texts)
    rates = _csv(leader_a_client, "/dashboard/questions?lang=en&format=csv&chart=rates")
    courtesy = next(r for r in rates if r[0] == "staff_courtesy")
    assert not courtesy[1].startswith("=") and HOSTILE in courtesy[1]
