"""The survey designer on a phone: template copy, a new question, preview, publish; axe-clean."""

from pathlib import Path

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
    # The type comes first, on its own page: the form after it shows only that type's settings.
    page.get_by_role("radio", name="Single choice").check()
    _fits_a_phone(page)
    axe_check(page)  # the type chooser
    _submit(page, "main form.card")
    assert page.locator("#max_choices, #min_value, #allow_na, #dimension").count() == 0
    page.locator("#text_vi").fill("Ông/Bà đến bằng phương tiện gì?")
    page.locator("#choices").fill("Đi bộ\nXe máy")
    page.locator("#choices_en").fill("On foot\nMotorbike")
    page.locator("#required").check()
    _fits_a_phone(page)
    axe_check(page)  # the form of one type, the key folded under "Advanced"
    _submit(page, "main form:not(.designer-danger)")
    expect(page.locator("#item-ong_ba_den_bang_phuong_tien_gi")).to_contain_text(
        "Ông/Bà đến bằng phương tiện gì?")
    assert "section_access" not in page.locator("main").inner_text()

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
    question = survey.versions[0].questions[-1]
    assert question.key == "ong_ba_den_bang_phuong_tien_gi"
    assert [c["value"] for c in question.options["choices"]] == ["di_bo", "xe_may"]
    axe_check(page)  # the survey's page, after publishing
    assert_clean(page)


SHOTS = Path("/tmp/i19_shots")


@pytest.mark.parametrize("width", [375, 1280])
def test_designer_question_form_at_phone_and_desktop_with_and_without_javascript(page, tree, width):
    page.set_viewport_size({"width": width, "height": 740})
    sign_in(page, tree.organizer_a.email)
    version = copy_template(tree)
    base = f"/manage/surveys/{version.survey_id}/v/{version.number}"
    page.goto(f"{base}?lang=vi")
    assert horizontal_overflow(page, width) is None
    assert "tiêu chí: access" not in page.locator("main").inner_text()
    axe_check(page)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"designer-version-{width}.png", full_page=False)
    page.goto(f"{base}/questions/new?lang=vi")
    page.screenshot(path=SHOTS / f"designer-type-{width}.png", full_page=True)
    page.get_by_role("radio", name="Chọn nhiều").check()
    _submit(page, "main form.card")
    page.locator(".designer-advanced summary").click()
    expect(page.locator("#key")).to_be_visible()
    assert horizontal_overflow(page, width) is None
    axe_check(page)
    page.screenshot(path=SHOTS / f"designer-question-{width}.png", full_page=True)
    assert_clean(page)


def copy_template(tree):
    """A draft copy of the SIPAS template owned by department A; its first version."""
    from feedback.surveys.manage import operations

    survey = operations.copy_survey(operations.template_version(), tree.dept_a)
    db.session.commit()
    return survey.versions[0]


def test_the_phone_preview_shows_each_pages_height(js_page, tree):
    """The SIPAS template's preview, cut where its page breaks say, gives every page's height."""
    page = js_page
    sign_in(page, tree.organizer_a.email)
    page.goto("/manage/surveys/new?lang=en")
    page.locator("#owner").select_option(str(tree.dept_a.id))
    page.locator("#start_from").select_option("template")
    _submit(page, "main form.card")
    with page.expect_navigation():
        page.get_by_role("link", name="Preview at phone size").click()
    heights = page.locator(".phone-frame [data-page-height]")
    expect(heights).to_have_count(4)
    for n in range(4):
        expect(heights.nth(n)).to_contain_text("px tall on a phone")
        px = int(heights.nth(n).text_content().split("about ")[1].split(" px")[0])
        assert 500 < px <= 1850, px
    axe_check(page)
    assert_clean(page)


def test_short_labels_of_a_published_version_on_a_phone(app, nojs_page, tree):
    from feedback.surveys.manage import operations, validation
    from tests.surveys.manage.helpers import rich_definition

    with app.test_request_context():  # the audit log records the request's address
        clean, _problems = validation.clean_definition(rich_definition())
        survey = operations.create_survey(tree.dept_a, clean)
        operations.publish(survey.versions[0])
        db.session.commit()
        survey_id = survey.id
    page = nojs_page
    sign_in(page, tree.organizer_a.email)
    page.goto(f"/manage/surveys/{survey_id}/v/1?lang=en")
    with page.expect_navigation():
        page.get_by_role("link", name="Short labels for the dashboards").click()
    page.locator("#rows-0-short_vi").fill("Nơi ngồi chờ")
    page.locator("#rows-0-short_en").fill("Waiting area")
    _fits_a_phone(page)
    axe_check(page)
    _submit(page, "main form")
    expect(page.locator("body")).to_contain_text("Short labels saved.")
    assert_clean(page)
