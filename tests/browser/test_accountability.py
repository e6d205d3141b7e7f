"""The accountability page on a tablet with its charts drawn, and the public page on a phone without JS."""

import pytest
from playwright.sync_api import expect

from feedback.extensions import db
from tests.browser.checks import (
    assert_clean,
    axe_check,
    horizontal_overflow,
    page_log,
    sign_in,
    small_touch_targets,
    wait_until_ready,
)
from tests.dashboards.helpers import add_responses, make_version
from tests.dashboards.test_accountability import HOSTILE_AGENCY, HOSTILE_TOPIC, built, topics  # noqa: F401

pytestmark = pytest.mark.browser

TABLET = {"width": 768, "height": 1024}


def test_accountability_page_draws_its_charts_on_a_tablet(js_page, tree, built):  # noqa: F811
    page = js_page
    page.set_viewport_size(TABLET)
    sign_in(page, tree.leader_a.email)
    page.goto("/dashboard/accountability/")
    wait_until_ready(page)  # let the charts finish before checking
    expect(page.locator("#on-time-chart.js-plotly-plot .main-svg").first).to_be_visible()
    expect(page.locator("#topic-chart.js-plotly-plot .main-svg").first).to_be_visible()
    expect(page.locator(".chart-fallback")).to_have_count(0)
    # Hostile names are drawn as text: no element was made from them.
    labels = page.locator("#topic-chart .annotation-text").all_text_contents()
    assert f"{HOSTILE_TOPIC} (n = 1)" in labels
    assert page.locator("#topic-chart script, #on-time-chart img").count() == 0
    expect(page.locator("table").first).to_contain_text(HOSTILE_AGENCY)
    # Hovering the hostile topic's bar draws its name as text, and breaks no CSP rule.
    shown = []
    bars = page.locator("#topic-chart .point")
    page.locator("#topic-chart").scroll_into_view_if_needed()
    for i in range(bars.count()):
        box = bars.nth(i).bounding_box()
        page.mouse.move(1, 1)  # off the chart, so each bar's hover box is drawn afresh
        expect(page.locator("#topic-chart .hovertext")).to_have_count(0)
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        hover = page.locator("#topic-chart .hovertext").first
        expect(hover).to_be_visible()
        shown.append(hover.text_content())
    assert any(text.startswith(HOSTILE_TOPIC) for text in shown), shown
    assert page.locator("#topic-chart .hovertext img, #topic-chart .hovertext script").count() == 0
    assert horizontal_overflow(page, TABLET["width"]) is None
    axe_check(page)
    assert_clean(page)  # a CSP violation or a script error would be a console error here


def test_accountability_filters_work_without_javascript(nojs_page, tree, built):  # noqa: F811
    page = nojs_page
    sign_in(page, tree.leader_a.email)
    page.goto("/dashboard/accountability/")
    expect(page.locator(".chart-fallback").first).to_be_visible()
    page.locator(".filter-fold > summary").click()  # the filters open from their summary line
    page.locator("#filter-agency").select_option("A2")
    with page.expect_navigation():
        page.locator("form.dashboard-filters button[type=submit]").click()
    assert "agency=A2" in page.url
    expect(page.locator("main")).not_to_contain_text("Hội nghị Sở Tư pháp")
    expect(page.locator("main")).to_contain_text("Hội nghị xã An Bình")
    assert small_touch_targets(page) == []
    axe_check(page)
    assert_clean(page)


def test_public_page_on_a_phone_with_and_without_javascript(app, page, tree):
    app.config["PUBLIC_TRANSPARENCY"] = True
    version = make_version()
    add_responses(version, tree.dept_a, 30, 0.8)
    add_responses(version, tree.dept_b, 35, 0.4)
    db.session.commit()
    page.goto("/public/")
    expect(page.locator(".public-list > li")).to_have_count(2)
    expect(page.locator(".public-list")).to_contain_text("Sở Tư pháp")
    # Neither has petitions due: said once below the list, not in every card.
    expect(page.locator(".public-few")).to_contain_text("Sở Y tế")
    page.screenshot(path=f"instance/screenshots/transparency-{'js' if page_log(page).js else 'nojs'}.png",
                    full_page=True)
    assert horizontal_overflow(page, 375) is None
    assert small_touch_targets(page) == []
    axe_check(page)
    assert_clean(page)
