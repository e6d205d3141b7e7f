"""Next to every index the dashboards say how many responses were flagged and left out of it, so
a flag (a burst held for review, a replay, a limit) never silently lowers an agency's numbers."""

import re

import pytest

from feedback.extensions import db
from feedback.surveys.models import AccessMode
from tests.dashboards.helpers import add_response, add_responses, make_version


@pytest.fixture
def flagged(app, tree):
    """A: 12 counted and 3 flagged; commune A2 (under A): 10 counted and 2 flagged (one of them
    code-verified); B: 10 counted and 7 flagged."""
    version = make_version()
    add_responses(version, tree.dept_a, 12, 1.0)
    add_responses(version, tree.dept_a, 3, 0.0, excluded=True)
    add_responses(version, tree.commune_a, 10, 0.5)
    add_response(version, tree.commune_a, scores={"access": 0.0}, excluded=True)
    add_response(version, tree.commune_a, scores={"access": 0.0}, excluded=True, channel=AccessMode.CODE)
    add_responses(version, tree.dept_b, 10, 1.0)
    add_responses(version, tree.dept_b, 7, 0.0, excluded=True)
    db.session.commit()
    return version


def _row(html: str, name: str) -> list[str]:
    """The cells of the table row headed by the agency called `name`."""
    row = re.search(r"<tr[^>]*>((?:(?!</tr>).)*?>" + re.escape(name) + r"</a></th>(?:(?!</tr>).)*)</tr>",
                    html, re.S)
    assert row, name
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1),
                                                                        re.S)]


def test_the_overview_tiles_and_table_count_the_flagged_responses_left_out(admin_client, flagged):
    html = admin_client.get("/dashboard/?lang=en").get_data(as_text=True)
    assert "12 flagged responses left out" in html  # 3 + 2 + 7 across the whole tree
    assert "<th scope=\"col\" class=\"num\">Flagged, left out</th>" in html
    assert _row(html, "Department of Justice")[-2] == "3"
    assert _row(html, "An Binh Commune")[-2] == "2"
    assert _row(html, "Department of Health")[-2] == "7"


def test_the_drill_down_counts_them_for_the_agency_and_each_childs_subtree(leader_a_client, flagged):
    own = leader_a_client.get("/dashboard/agencies/A?lang=en").get_data(as_text=True)
    assert "3 flagged responses left out" in own
    assert _row(own, "An Binh Commune")[-2] == "2"
    with_sub = leader_a_client.get("/dashboard/agencies/A?sub=1&lang=en").get_data(as_text=True)
    assert "5 flagged responses left out" in with_sub
    # Department B is not the leader's: its flagged responses are counted nowhere on their pages.
    assert "7 flagged" not in leader_a_client.get("/dashboard/?lang=en").get_data(as_text=True)


def test_the_code_verified_filter_counts_only_flagged_code_verified_responses(leader_a_client, flagged):
    html = leader_a_client.get("/dashboard/?channel=code&lang=en").get_data(as_text=True)
    assert "1 flagged response left out" in html


def test_the_trend_tables_count_them_per_month(leader_a_client, flagged):
    html = leader_a_client.get("/dashboard/trend?lang=en").get_data(as_text=True)
    assert "Flagged, left out" in html
    tables = re.findall(r'<table class="dashboard-table trend-table">(.*?)</table>', html, re.S)
    pooled = tables[0]
    rows = re.findall(r"<tr.*?</tr>", pooled, re.S)
    cells = [re.findall(r'<td class="num">([^<]*)</td>', row) for row in rows]
    assert sum(int(c[-1]) for c in cells if c) == 5  # A's 3 and A2's 2, in this month
