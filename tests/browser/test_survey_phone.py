"""The demo's default survey walked on a 375×740 phone, JavaScript on and off, in both languages:
at most 4 pages, none taller than 1,850 px, the first answer on the first screen, the title on
page 1 only, taps ≤ required answers + pages, scales that wrap and never clip, 0 axe violations;
and with JavaScript a send that fails on the network keeps the page, says so and retries."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback.demo.seed import _province_survey
from feedback.extensions import db
from feedback.surveys.answers import HEADINGS
from feedback.surveys.models import Response
from feedback.surveys.services import deploy
from tests.browser.checks import LANGUAGES, assert_clean, axe_check, horizontal_overflow, page_log
from tests.browser.test_survey import press

pytestmark = pytest.mark.browser

SCREEN_HEIGHT = 740
MAX_PAGES = 4
MAX_PAGE_HEIGHT = 1850
# Where the first answer of the page ends, and how tall the page is, in CSS px from its top.
MEASURE = """() => {
  const first = document.querySelector("main form fieldset input, main form textarea");
  return {height: document.documentElement.scrollHeight,
          first: first ? first.getBoundingClientRect().bottom + window.scrollY : null};
}"""
# Scale words cut off rather than wrapped (a cell whose content is wider than the cell).
CLIPPED = """() => [...document.querySelectorAll(".scale-option")]
  .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.textContent.trim())"""


@pytest.fixture
def demo_survey(app, tree):
    """The demo's default deployment: the province's copy of the SIPAS questionnaire (with a 0–10
    question and two choice questions of its own), live at department A."""
    version = _province_survey(tree.province)
    deploy(version, tree.dept_a)
    db.session.commit()
    required = sum(1 for q in version.questions if q.required and q.type not in HEADINGS)
    return tree.dept_a.code, version.title_vi, version.title_en, required


def answer_required(page) -> int:
    """Tap "satisfied" (4) in every required question of the page not answered yet; returns taps."""
    taps = 0
    for question in page.locator("main form fieldset.question").all():
        if question.locator(".required-mark").count() and not question.locator("input:checked").count():
            question.locator('input[value="4"]').click()
            taps += 1
    return taps


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_demo_survey_fits_a_thumb_on_a_phone(page, demo_survey, lang):
    code, title_vi, title_en, required = demo_survey
    title = title_en if lang == "en" else title_vi
    assert page.goto(f"/s/{code}{LANGUAGES[lang]}").status == 200
    heights, taps, pages = [], 0, 0
    while True:
        pages += 1
        assert pages <= MAX_PAGES, "the survey has more than 4 pages"
        expect(page.locator("main form[data-survey]")).to_have_count(1)
        measured = page.evaluate(MEASURE)
        heights.append(measured["height"])
        heading = page.locator("main h1")
        if pages == 1:
            expect(heading).to_have_text(title)
            assert measured["first"] is not None and measured["first"] <= SCREEN_HEIGHT, measured
            expect(page.locator("main .survey-promise")).to_contain_text(
                "About 3 minutes" if lang == "en" else "Khoảng 3 phút")
        else:  # one line: the agency and n/N, no title block
            expect(heading).to_have_class(re.compile("survey-line"))
            expect(heading).to_contain_text(f"{pages}/{MAX_PAGES}")
            expect(page.locator("main")).not_to_contain_text(title)
            if page_log(page).js:
                expect(heading).to_be_focused()
        assert page.evaluate(CLIPPED) == []
        assert horizontal_overflow(page, 375) is None
        axe_check(page)
        taps += answer_required(page)
        sent = press(page)
        taps += 1
        assert sent.status == 200
        if "/thanks" in page.url or page.locator("main form[data-survey]").count() == 0:
            break
    expect(page).to_have_url(re.compile(f"/s/{code}/thanks$"))
    assert max(heights) <= MAX_PAGE_HEIGHT, heights
    assert taps <= required + pages, (taps, required, pages)
    assert_clean(page)
    db.session.rollback()
    assert len(db.session.scalars(select(Response)).all()) == 1


def test_a_send_lost_on_the_network_keeps_the_page_and_retries(js_page, demo_survey):
    page = js_page
    code, _vi, _en, _required = demo_survey
    page.goto(f"/s/{code}?lang=en")
    answer_required(page)
    failing = {"left": 1}

    def drop_once(route):
        if route.request.method == "POST" and failing["left"]:
            failing["left"] -= 1
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(re.compile(f"/s/{code}"), drop_once)
    page.locator('main form button[name=nav][value="next"]').click()
    alert = page.locator("main .send-failed[role=alert]")
    expect(alert).to_contain_text("could not be sent")
    expect(page.locator("main form input[type=radio]:checked")).to_have_count(6)  # nothing lost
    expect(page).not_to_have_url(re.compile("p=2"))
    retry = alert.locator("button")
    expect(retry).to_be_focused()
    axe_check(page)
    retry.click()
    expect(page.locator("main h1.survey-line")).to_contain_text("2/4")
    expect(page).to_have_url(re.compile("p=2"))
    page.go_back()  # the browser's Back: page 1 again, with its answers
    expect(page.locator("main h1")).not_to_have_class(re.compile("survey-line"))
    expect(page.locator("main form input[type=radio]:checked")).to_have_count(6)
