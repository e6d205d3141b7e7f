"""The attention list: a fall beyond chance (Welch, Benjamini–Hochberg), overdue petitions, a burst
of flagged responses and the lowest upper bound of a peer group, each saying why, within the
viewer's subtree; the overview shows the first three."""

from datetime import UTC, datetime

import pytest

from feedback.extensions import db
from tests.dashboards.helpers import add_responses, make_version
from tests.dashboards.test_accountability import held, petition

NOVEMBER = "period=month&month=2026-11"
IN_NOVEMBER = datetime(2026, 11, 15, 5, tzinfo=UTC)
IN_OCTOBER = datetime(2026, 10, 15, 5, tzinfo=UTC)


@pytest.fixture
def world(app, tree):
    """A fell from 100 to 50 between October and November (40 responses each month); B stayed at
    75; A2 had 12 of its 32 November responses flagged; A1 has a petition 9 days overdue."""
    version = make_version()
    add_responses(version, tree.dept_a, 40, 1.0, submitted_at=IN_OCTOBER)
    add_responses(version, tree.dept_a, 20, 1.0, submitted_at=IN_NOVEMBER)
    add_responses(version, tree.dept_a, 20, 0.0, submitted_at=IN_NOVEMBER)
    for when in (IN_OCTOBER, IN_NOVEMBER):
        add_responses(version, tree.dept_b, 20, 1.0, submitted_at=when)
        add_responses(version, tree.dept_b, 20, 0.5, submitted_at=when)
    add_responses(version, tree.commune_a, 20, 1.0, submitted_at=IN_NOVEMBER)
    add_responses(version, tree.commune_a, 12, 0.0, submitted_at=IN_NOVEMBER, excluded=True)
    conference = held(tree.dept_a, capacity=5, seated=1, attended=1)
    petition(conference, agency=tree.counter_a, days_ago=20, due_in=-9)
    db.session.commit()
    return version


def _html(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _section(html: str) -> str:
    return html.split('id="attention-heading"', 1)[1].split("</section>", 1)[0]


def test_the_attention_page_lists_each_agency_with_its_reason(admin_client, world):
    items = _section(_html(admin_client, f"/dashboard/attention?lang=en&{NOVEMBER}"))
    assert "Department of Justice" in items
    assert "The index fell from 100.0 to 50.0 (down 50.0 points" in items
    assert "1 petition is past its due date without an answer (the oldest by 9 days)." in items
    assert "12 of its 32 responses in the period (37.5%) were flagged" in items
    # B did not change: not listed for a fall (and too few departments for a lowest-in-group).
    assert "Department of Health" not in items
    assert "How agencies get on this list" in _html(admin_client, "/dashboard/attention?lang=en")


def test_the_overview_shows_the_first_three_with_a_link_to_the_rest(admin_client, world):
    html = _html(admin_client, f"/dashboard/?lang=en&{NOVEMBER}")
    items = _section(html)
    assert items.count("<li>") == 3
    assert items.index("Department of Justice") < items.index("Justice one-stop counter")
    assert 'href="/dashboard/attention?' in items
    assert 'href="/dashboard/attention?' in html.split('class="dashboard-nav', 1)[1]


def test_the_list_keeps_to_the_viewers_subtree(leader_b_client, world):
    items = _section(_html(leader_b_client, f"/dashboard/attention?lang=en&{NOVEMBER}"))
    assert "Justice" not in items and "An Binh" not in items
    assert "Nothing stands out in this period" in items


def test_a_fall_needs_enough_responses_on_both_sides(app, admin_client, world):
    app.config["MIN_RESPONSES_RANKED"] = 50
    items = _section(_html(admin_client, f"/dashboard/attention?lang=en&{NOVEMBER}"))
    assert "The index fell" not in items


def test_reasons_are_written_in_vietnamese_too(admin_client, world):
    items = _section(_html(admin_client, f"/dashboard/attention?lang=vi&{NOVEMBER}"))
    assert "100,0" in items and "50,0" in items


def test_the_lowest_upper_bound_of_a_large_enough_peer_group(app, admin_client, tree):
    from feedback.agencies.services import add_agency

    app.config.update(MIN_RESPONSES_SHOWN=3, MIN_RESPONSES_RANKED=5, MIN_PEER_GROUP=5)
    version = make_version()
    for i, score in enumerate((1.0, 0.9, 0.8, 0.7, 0.2)):
        commune = add_agency(f"X{i}", f"Xã Thử {i}", name_en=f"Test Commune {i}", kind="commune",
                             parent=tree.province)
        add_responses(version, commune, 3, score)
        add_responses(version, commune, 3, score - 0.1 if score > 0.1 else score + 0.1)
    db.session.commit()
    items = _section(_html(admin_client, "/dashboard/attention?lang=en"))
    assert "Test Commune 4" in items and "Of the 5 ranked agencies of its peer group" in items
    assert "Test Commune 0" not in items
