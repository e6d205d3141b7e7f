"""The QR poster in Chromium: clean at phone size under the strict CSP, one A4 page when printed."""

import re

import pytest
from playwright.sync_api import expect

from feedback.extensions import db
from feedback.surveys.services import deploy, load_default_survey
from tests.browser.checks import assert_clean, axe_check, horizontal_overflow, sign_in, small_touch_targets

pytestmark = pytest.mark.browser

POSTER = "/manage/deployments/agencies/A1/poster"
# A4 in CSS pixels (96 per inch) and PDF points (72 per inch).
A4_WIDTH_PX = round(210 / 25.4 * 96)
A4_HEIGHT_PX = round(297 / 25.4 * 96)
A4_POINTS = (595.28, 841.89)
MM = 96 / 25.4


@pytest.fixture
def live_at_counter(app, tree):
    """An open survey running at the counter A1, whose poster the tests print."""
    deploy(load_default_survey(), tree.counter_a)
    db.session.commit()


def test_the_poster_at_phone_size_is_clean_and_accessible(page, tree, live_at_counter):
    sign_in(page, tree.organizer_a.email)
    page.goto(POSTER)
    poster = page.locator("article.poster")
    expect(poster.locator("h1")).to_have_text("Bộ phận Một cửa Sở Tư pháp")
    expect(poster).to_have_attribute("lang", "vi")
    qr = poster.locator(".poster-qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 250 and abs(box["width"] - box["height"]) < 1  # large and square
    expect(poster.locator(".poster-url")).to_have_text(re.compile(r"127\.0\.0\.1:\d+/s/A1$"))
    expect(page.locator(".poster-tools a[download]")).to_have_count(2)
    for width in (375, 320):
        assert horizontal_overflow(page, width) is None, f"the page scrolls sideways at {width} px"
    assert small_touch_targets(page) == []
    axe_check(page)
    assert_clean(page)  # a CSP violation (an inline style, a script) would be a console error


def test_printed_the_poster_fills_one_a4_page_with_a_large_qr(js_page, tree, live_at_counter):
    page = js_page
    sign_in(page, tree.organizer_a.email)
    page.goto(POSTER + "?lang=en")
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": A4_HEIGHT_PX})
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".poster-tools")).to_be_hidden()
    qr = page.locator(".poster-qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert abs(box["width"] - 120 * MM) < 2, box  # 12 cm across, as the stylesheet asks
    poster = page.locator("article.poster").bounding_box()
    assert poster["height"] <= 267 * MM  # within the page's printable height
    expect(page.locator(".poster-url")).to_be_visible()
    # The browser's own print: the @page rule makes it exactly one A4 page.
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert len(pages) == 1, f"the poster prints on {len(pages)} pages"
    media_box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    size = tuple(float(v) for v in media_box.groups())
    assert all(abs(got - want) < 1 for got, want in zip(size, A4_POINTS, strict=True)), size
    assert_clean(page)


def test_the_deployment_list_and_form_work_at_phone_size(nojs_page, tree, live_at_counter):
    page = nojs_page
    sign_in(page, tree.organizer_a.email)
    page.goto("/manage/deployments/?lang=en")
    expect(page.locator("table.deployments tbody tr")).to_have_count(1)
    assert small_touch_targets(page) == []
    axe_check(page)
    page.locator("table.deployments a", has_text="Poster").click()
    expect(page.locator("article.poster h1")).to_have_text("Bộ phận Một cửa Sở Tư pháp")
    page.goto("/manage/deployments/new?lang=en")
    page.locator("#services").fill("no separator")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_contain_text("Please choose a published survey version")
    expect(page.locator("#services")).to_have_value("no separator")  # what was typed is kept
    assert horizontal_overflow(page, 375) is None
    axe_check(page)
    assert_clean(page)
