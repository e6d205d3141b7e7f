"""The comments page on a tablet and on a phone: chart drawn, hostile comments inert, axe-clean."""

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
from tests.dashboards.test_comments import IMG, SCRIPT, comment, survey  # noqa: F401

pytestmark = pytest.mark.browser

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def comments(survey, tree):  # noqa: F811
    """A few comments at A and under it, one of them hostile, one flagged."""
    comment(survey, tree.dept_a, "Thủ tục còn nhiều giấy tờ, đề nghị giảm bớt bản sao.", days_ago=3)
    comment(survey, tree.counter_a, "Cán bộ hướng dẫn tận tình.", days_ago=2, service="khai-sinh")
    comment(survey, tree.counter_a, SCRIPT + IMG, days_ago=1)
    comment(survey, tree.commune_a, "Gửi quá nhanh", days_ago=1, excluded=True)
    db.session.commit()


def test_comments_page_on_a_tablet_draws_its_chart_and_keeps_hostile_text_inert(js_page, tree, comments):
    page = js_page
    page.set_viewport_size(TABLET)
    sign_in(page, tree.leader_a.email)
    page.goto("/dashboard/comments?flagged=1")
    wait_until_ready(page)
    expect(page.locator("#comments-chart.js-plotly-plot .main-svg").first).to_be_visible()
    expect(page.locator(".chart-fallback")).to_have_count(0)
    expect(page.locator(".comment-flagged")).to_contain_text("Gửi quá nhanh")
    expect(page.locator(".comment-list")).to_contain_text(SCRIPT + IMG)
    assert page.locator(".comment-list img, .comment-list script, table img, table script").count() == 0
    # Hover the counter's bar (its newest comment is the hostile one): drawn as text, not markup.
    page.locator("#comments-chart").scroll_into_view_if_needed()
    bars = page.locator("#comments-chart .point")
    shown = []
    for i in range(bars.count()):
        box = bars.nth(i).bounding_box()
        page.mouse.move(1, 1)
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        hover = page.locator("#comments-chart .hovertext").first
        expect(hover).to_be_visible()
        shown.append(hover.text_content())
    assert any("<script>alert(1)</script>" in text for text in shown), shown
    assert page.locator("#comments-chart .hovertext img, #comments-chart .hovertext script").count() == 0
    assert horizontal_overflow(page, TABLET["width"]) is None
    axe_check(page)
    assert_clean(page)  # a CSP violation or a script error would be a console error here


def test_comments_page_on_a_phone(js_page, tree, comments):
    page = js_page
    page.set_viewport_size(PHONE)
    sign_in(page, tree.leader_a.email)
    page.goto("/dashboard/comments?q=thu+tuc")
    wait_until_ready(page)
    expect(page.locator("#comments-chart.js-plotly-plot .main-svg").first).to_be_visible()
    expect(page.locator(".comment-text")).to_have_count(1)
    expect(page.locator(".comment-text")).to_contain_text("Thủ tục còn nhiều giấy tờ")
    assert horizontal_overflow(page, PHONE["width"]) is None
    # plotly.js's own image-download button is the one small target, and it is not needed on a phone.
    assert [t for t in small_touch_targets(page) if "modebar-btn" not in t] == []
    axe_check(page)
    assert_clean(page)
