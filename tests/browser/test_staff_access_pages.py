"""The pages issue 14 added for staff, in Chromium at phone size with JavaScript off: the admin's
user list and user page, a one-time reset link used once, an agency's own networks, the account
page's "sign out everywhere", and the notice of a burst held for review on the responses page.
Each passes axe-core, fits 375 px, and is collected for the Nu HTML checker."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.checks import assert_clean, axe_check, horizontal_overflow, sign_in, small_touch_targets
from tests.surveys.helpers import deploy_one_page, form_token

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a long new passphrase 2026"


def _fits(page) -> None:
    """No sideways scrolling at 375 px, big touch targets, no axe-core violation."""
    assert horizontal_overflow(page, 375) is None, "the page scrolls sideways at 375 px"
    assert small_touch_targets(page) == []
    axe_check(page)


def test_admin_hands_over_a_reset_link_then_deactivates_the_user(nojs_page, new_page, tree):
    page = nojs_page
    sign_in(page, tree.admin.email)
    page.goto("/admin/users/?lang=en")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main")).to_contain_text(tree.leader_b.email)
    _fits(page)

    page.locator("#q").fill(tree.leader_b.email)
    with page.expect_navigation():
        page.locator("main form[role=search] button").click()
    with page.expect_navigation():
        page.locator("main a", has_text=tree.leader_b.email).first.click()
    expect(page).to_have_url(re.compile(r"/admin/users/\d+"))
    _fits(page)

    with page.expect_navigation():
        page.locator("main form[action$='/reset-link'] button").click()
    link = page.locator("#reset-link").input_value()
    reset_path = re.search(r"/account/reset/\S+", link).group(0)
    _fits(page)
    with page.expect_navigation():
        page.locator(".back-link a").click()

    staff = new_page(js=False)  # the user, in their own browser
    staff.goto(reset_path + "?lang=en")
    expect(staff.locator("h1")).to_have_count(1)
    _fits(staff)
    staff.locator("input[type=password]").nth(0).fill(NEW_PASSWORD)
    staff.locator("input[type=password]").nth(1).fill(NEW_PASSWORD)
    with staff.expect_navigation():
        staff.locator("main form button[type=submit]").click()
    again = staff.goto(reset_path + "?lang=en")
    assert again.status == 410, "a reset link works once"
    _fits(staff)
    assert_clean(staff)

    with page.expect_navigation():
        page.locator("main form[action$='/deactivate'] button").click()
    expect(page.locator("main")).to_contain_text(re.compile("deactivated|inactive", re.I))
    _fits(page)
    assert_clean(page)


def test_agency_networks_and_sign_out_everywhere(nojs_page, tree):
    page = nojs_page
    sign_in(page, tree.admin.email)
    page.goto(f"/admin/agencies/{tree.dept_a.code}/networks?lang=en")
    expect(page.locator("h1")).to_have_count(1)
    _fits(page)
    page.locator("textarea").fill("10.0.0.0/33")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("textarea")).to_have_value("10.0.0.0/33")  # what was typed is kept
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    _fits(page)
    page.locator("textarea").fill("10.0.0.0/24\n192.168.1.7")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto(f"/admin/agencies/{tree.dept_a.code}/networks?lang=en")
    expect(page.locator("textarea")).to_have_value(re.compile(r"10\.0\.0\.0/24"))

    page.goto("/account?lang=en")
    _fits(page)
    with page.expect_navigation():
        page.locator("main form[action$='/sign-out-everywhere'] button").click()
    page.goto("/admin/users/?lang=en")
    expect(page).to_have_url(re.compile(r"/login"))
    assert_clean(page)


def test_the_burst_notice_on_the_responses_page(app, nojs_page, tree):
    app.config.update(SURVEY_BURST_MIN=3, SURVEY_BURST_FACTOR=10, SURVEY_BURST_BASELINE_DAYS=14)
    deploy_one_page(tree.dept_a)
    for n in range(3):
        citizen = app.test_client()
        citizen.environ_base["REMOTE_ADDR"] = f"203.0.113.{n}"
        token = form_token(citizen.get("/s/A").get_data(as_text=True))
        citizen.post("/s/A", data={"token": token, "page": "1", "q-overall": "1", "website": ""})
    page = nojs_page
    sign_in(page, tree.organizer_a.email)
    page.goto("/manage/responses/?lang=en")
    notice = page.locator(".held-burst")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("held for review")
    _fits(page)
    with page.expect_navigation():
        notice.locator("button[type=submit]").click()
    expect(page.locator(".held-burst")).to_have_count(0)
    _fits(page)
    assert_clean(page)
