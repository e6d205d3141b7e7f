"""The page a poster of a merged commune leads to, on a phone: names the successor, offers its
survey, fits 375 px, big touch targets, axe-core clean."""

import re
from datetime import date

from playwright.sync_api import expect

from feedback.agencies import reorganize
from feedback.agencies.services import add_agency
from feedback.extensions import db
from feedback.surveys.services import deploy, load_default_survey
from tests.browser.checks import assert_clean, axe_check, horizontal_overflow, small_touch_targets


def test_a_merged_communes_poster_leads_to_the_successor_on_a_phone(page, tree, tmp_path):
    version = load_default_survey()
    old = add_agency("XCU", "UBND xã Tân Lập Cũ", kind="commune", parent=tree.province)
    other = add_agency("XKHAC", "UBND xã Đông Sơn", kind="commune", parent=tree.province)
    deploy(version, old)
    new = reorganize.merge([old, other], date(2025, 7, 1),
                           new=reorganize.NewAgency("XMOI", "UBND xã Tân Sơn", "Tan Son Commune"))
    deploy(version, new)
    db.session.commit()
    response = page.goto("/s/XCU")
    assert response.status == 410
    expect(page.locator("h1")).to_have_count(1)
    link = page.get_by_role("link", name=re.compile("Đánh giá dịch vụ của .UBND xã Tân Sơn"))
    expect(link).to_be_visible()
    for width in (375, 320):
        assert horizontal_overflow(page, width) is None
    assert small_touch_targets(page) == []
    axe_check(page)
    page.set_viewport_size({"width": 375, "height": 740})
    page.screenshot(path=str(tmp_path / "succeeded.png"), full_page=True)
    page.screenshot(path="/tmp/i18_succeeded.png", full_page=True)
    link.click()
    expect(page).to_have_url(re.compile(r"/s/XMOI$"))
    assert_clean(page)


def test_admin_merges_two_communes_on_a_phone_without_javascript(nojs_page, tree):
    from tests.browser.checks import sign_in

    add_agency("X1", "UBND xã Một", kind="commune", parent=tree.province)
    add_agency("X2", "UBND xã Hai", kind="commune", parent=tree.province)
    db.session.commit()
    page = nojs_page
    sign_in(page, tree.admin.email)
    page.goto("/admin/agencies/merge?lang=en&agency=X1")
    page.set_viewport_size({"width": 375, "height": 740})
    page.locator("#agencies").fill("X1 X2")
    page.locator("#into").fill("X12")
    page.locator("#name_vi").fill("UBND xã Một Hai")
    page.locator("#on").fill("2025-07-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", name="Please confirm")).to_be_visible()
    assert horizontal_overflow(page, 375) is None
    assert small_touch_targets(page) == []
    axe_check(page)
    page.screenshot(path="/tmp/i18_merge.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm and record").click()
    expect(page.locator("main")).to_contain_text("The change is recorded.")
    expect(page.locator("main")).to_contain_text("Ended on")
