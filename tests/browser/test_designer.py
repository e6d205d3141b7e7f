"""The survey designer on a phone: template copy, a new question, preview, publish; axe-clean."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback.extensions import db
from feedback.surveys.models import Survey, VersionStatus
from tests.browser.checks import assert_clean, axe_check, horizontal_overflow, sign_in, small_touch_targets

pytestmark = pytest.mark.browser


def _submit(page, form_selector: str) -> None:
    """Press a form's submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").first.click()


def _fits_a_phone(page) -> None:
    """No sideways scrolling at 375 px, every tap target at least 44 px tall."""
    assert horizontal_overflow(page, 375) is None, f"{page.url} scrolls sideways at 375 px"
    assert small_touch_targets(page) == [], page.url


def test_organizer_builds_previews_and_publishes_on_a_phone(nojs_page, tree):
    page = nojs_page  # every step works with JavaScript off
    sign_in(page, tree.organizer_a.email)
    page.goto("/manage/surveys/?lang=en")
    with page.expect_navigation():
        page.get_by_role("link", name="New survey").click()
    page.locator("#owner").select_option(str(tree.dept_a.id))
    page.locator("#start_from").select_option("template")
    _submit(page, "main form.card")
    expect(page.locator("h1")).to_contain_text("satisfaction")
    _fits_a_phone(page)
    axe_check(page)  # the designer's edit page

    with page.expect_navigation():
        page.get_by_role("link", name="Add a question").click()
    page.locator("#key").fill("came_by")
    page.locator("#type").select_option("single")
    page.locator("#text_vi").fill("Ông/Bà đến bằng phương tiện gì?")
    page.locator("#choices").fill("walk | Đi bộ | On foot\nbike | Xe máy | Motorbike")
    page.locator("#required").check()
    _submit(page, "main form:not(.designer-danger)")
    expect(page.locator("#item-came_by")).to_contain_text("Ông/Bà đến bằng phương tiện gì?")

    with page.expect_navigation():
        page.get_by_role("link", name="Preview at phone size").click()
    frame = page.locator(".phone-frame")
    expect(frame.get_by_role("radio", name="Motorbike")).to_be_visible()
    assert frame.bounding_box()["width"] <= 400
    assert page.locator("iframe").count() == 0
    _fits_a_phone(page)
    axe_check(page)  # the preview

    page.go_back()
    _submit(page, "form[action$='/publish']")
    expect(page.locator(".notice-success")).to_contain_text("published")
    survey = db.session.scalar(select(Survey).where(Survey.owner_agency_id == tree.dept_a.id))
    db.session.refresh(survey)
    assert survey.versions[0].status == VersionStatus.PUBLISHED
    assert survey.versions[0].questions[-1].key == "came_by"
    axe_check(page)  # the survey's page, after publishing
    assert_clean(page)
