"""The dimensions and question pages on a tablet: charts drawn, no console error, axe-core clean."""

import pytest
from playwright.sync_api import expect

from tests.browser.checks import assert_clean, axe_check, horizontal_overflow, sign_in, wait_until_ready
from tests.dashboards.test_question_page import answered  # noqa: F401

pytestmark = pytest.mark.browser

TABLET = {"width": 1024, "height": 768}


@pytest.mark.parametrize("path, charts", [
    ("/dashboard/dimensions", ["#dimension-chart"]),
    ("/dashboard/questions", ["#likert-chart", "#nps-chart", "#choice-1-chart"]),
])
def test_page_draws_its_charts_on_a_tablet(js_page, tree, answered, path, charts):  # noqa: F811
    page = js_page
    page.set_viewport_size(TABLET)
    sign_in(page, tree.leader_a.email)
    page.goto(path)
    wait_until_ready(page)
    for chart in charts:
        expect(page.locator(f"{chart}.js-plotly-plot .main-svg").first).to_be_visible()
    expect(page.locator(".chart-fallback")).to_have_count(0)
    expect(page.locator("table").first).to_be_visible()
    assert horizontal_overflow(page, TABLET["width"]) is None
    axe_check(page)
    assert_clean(page)  # a CSP violation or a script error would be a console error here
