"""The dashboard in Chromium: the chart draws under the strict CSP, and the page works without JS."""

import pytest
from playwright.sync_api import expect

from feedback.extensions import db
from tests.browser.checks import (
    assert_clean,
    axe_check,
    horizontal_overflow,
    sign_in,
    small_touch_targets,
    wait_until_ready,
)
from tests.dashboards.helpers import add_response, add_responses, make_version

pytestmark = pytest.mark.browser


@pytest.fixture
def scored(app, tree):
    """Responses for A (ranked), A2 (thin) and A1 (shown); A1's name tries to inject HTML."""
    tree.counter_a.name_en = "<b>B</b> & <img src=x>"
    version = make_version()
    for i in range(30):
        add_response(version, tree.dept_a, scores={"access": (i % 4) / 3, "staff": 1.0})
    add_responses(version, tree.commune_a, 12, 0.5)
    add_responses(version, tree.counter_a, 12, 0.75)
    db.session.commit()


def test_chart_draws_under_the_csp_with_no_inline_style(js_page, tree, scored):
    page = js_page
    sign_in(page, tree.leader_a.email)
    wait_until_ready(page)  # let the chart finish before checking
    expect(page.locator("#agency-chart .main-svg").first).to_be_visible()
    expect(page.locator(".chart-fallback")).to_have_count(0)
    # plotly.js took its styles from our stylesheet: no injected <style> (the CSP blocks those).
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    # (the second layer: the first flows on purpose, so the chart keeps its height on a resize)
    assert page.evaluate(
        "getComputedStyle(document.querySelectorAll('#agency-chart .main-svg')[1]).position") == "absolute"
    labels = page.locator("#agency-chart .annotation-text").all_text_contents()
    assert "<b>B</b> & <img src=x> (n = 12)" in labels  # shown as text, not markup
    assert page.locator("#agency-chart img, #agency-chart b").count() == 0
    for width in (375, 320):
        assert horizontal_overflow(page, width) is None, f"the page scrolls sideways at {width} px"
    axe_check(page)
    assert_clean(page)  # a CSP violation would be a console error here


def test_without_javascript_the_table_carries_the_numbers(nojs_page, tree, scored):
    page = nojs_page
    sign_in(page, tree.leader_a.email)
    wait_until_ready(page)  # let the chart finish before checking
    expect(page.locator(".chart-fallback")).to_be_visible()
    expect(page.locator("table.dashboard-table").first).to_contain_text("Few responses, not ranked")
    page.locator(".filter-fold > summary").click()  # the filters open from their summary line
    page.locator("#filter-channel").select_option("code")
    with page.expect_navigation():
        page.locator("form.dashboard-filters button[type=submit]").click()
    assert "channel=code" in page.url
    assert small_touch_targets(page) == []
    expect(page.locator("main")).to_contain_text("Only responses sent with a one-time code.")
    axe_check(page)
    assert_clean(page)


@pytest.fixture
def monthly(app, tree):
    """Twelve responses a month for A and A2 over the last three months, so that every page of the
    overview, trend and drill-down has a chart to draw."""
    from datetime import timedelta

    from feedback.models import utcnow

    version = make_version()
    for months_ago in range(3):
        when = utcnow() - timedelta(days=30 * months_ago + 1)
        for i in range(12):
            add_response(version, tree.dept_a, scores={"access": (i % 4) / 3}, submitted_at=when)
        add_responses(version, tree.commune_a, 12, 0.5, submitted_at=when)
    db.session.commit()


@pytest.mark.parametrize(("url", "chart"), [
    ("/dashboard/", "#agency-chart"),
    ("/dashboard/trend", "#trend-chart"),
    ("/dashboard/agencies/A", "#agency-chart"),
])
def test_overview_trend_and_drill_down_draw_at_tablet_size(js_page, tree, monthly, url, chart):
    page = js_page
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, tree.leader_a.email)
    page.goto(url)
    wait_until_ready(page)
    expect(page.locator(f"{chart} .main-svg").first).to_be_visible()
    assert page.locator(f"{chart} .main-svg").first.bounding_box()["height"] > 100
    expect(page.locator(".tiles, .trend-table").first).to_be_visible()
    assert horizontal_overflow(page, 1024) is None
    axe_check(page)
    assert_clean(page)
