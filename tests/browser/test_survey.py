"""The citizen survey on a phone, with JavaScript on and off: errors keep answers, a response lands.

Written against the survey contract: `/s/<agency code>` shows each Likert question as a
<fieldset class="question"> with a <legend> and radios "1".."5" (and "na"), one optional <textarea>,
one submit button; an invalid send answers 422 with #error-summary linking to the fields and the
choices kept; a valid one redirects to a thank-you page.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.surveys.models import QuestionType, Response, ResponseScore, SurveyVersion
from feedback.surveys.services import deploy, load_default_survey
from tests.browser.checks import (
    LANGUAGES,
    assert_clean,
    axe_check,
    horizontal_overflow,
    page_log,
    small_touch_targets,
)

pytestmark = pytest.mark.browser

COMMENT = "Cán bộ hướng dẫn tận tình, nhưng phải chờ lâu."
# The survey page may load its HTML, the stylesheet and the icon, and nothing else.
SURVEY_ASSETS = {"/static/css/site.css", "/static/favicon.svg"}


@dataclass
class DeployedSurvey:
    """The default questionnaire, live at one agency."""

    code: str
    agency_id: int
    version: SurveyVersion


@pytest.fixture
def survey(app, tree) -> DeployedSurvey:
    """The default questionnaire deployed at the counter A1."""
    version = load_default_survey()
    deploy(version, tree.counter_a)
    db.session.commit()
    return DeployedSurvey(tree.counter_a.code, tree.counter_a.id, version)


def submit(page):
    """Press the form's only submit button and wait for the page it leads to; returns its response."""
    button = page.locator("main form button[type=submit], main form input[type=submit]")
    expect(button).to_have_count(1)
    with page.expect_navigation() as navigation:
        button.click()
    return navigation.value


def likert_fieldsets(page):
    """The questions answered with radios 1–5."""
    return page.locator("fieldset.question").filter(
        has=page.locator('input[type=radio][value="5"]'))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_survey_keeps_answers_on_error_then_stores_one_response(page, survey, lang):
    """Leave one required question out: 422, an error summary linking to it, every other answer
    (and the comment) still there. Answer it: thank-you page, and one scored response stored."""
    code, version = survey.code, survey.version
    required = [q for q in version.questions if q.type == QuestionType.LIKERT5 and q.required]
    assert required, "the default survey has no required Likert question"
    skipped_text = required[len(required) // 2].text(lang)

    response = page.goto(f"/s/{code}{LANGUAGES[lang]}")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", lang)
    questions = likert_fieldsets(page)
    count = questions.count()
    assert count >= 5, f"only {count} Likert questions on the page"
    legends = [questions.nth(i).locator("legend").inner_text() for i in range(count)]
    matches = [i for i, legend in enumerate(legends) if skipped_text in legend]
    assert len(matches) == 1, f"no single question reads {skipped_text!r}: {legends}"
    skipped_index = matches[0]
    skipped = questions.nth(skipped_index)
    for i in range(count):
        if i != skipped_index:
            questions.nth(i).locator('input[type=radio][value="5"]').check()
    textarea = page.locator("main form textarea")
    expect(textarea).to_have_count(1)
    textarea.fill(COMMENT)

    response = submit(page)
    assert response.status == 422
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    links = summary.locator('a[href^="#"]')
    expect(links).to_have_count(1)
    target = links.first.get_attribute("href")[1:]
    expect(skipped.locator(f'[id="{target}"]')).to_have_count(1)
    for i in range(count):
        if i != skipped_index:
            expect(questions.nth(i).locator('input[type=radio][value="5"]')).to_be_checked()
    expect(skipped.locator("input[type=radio]:checked")).to_have_count(0)
    expect(textarea).to_have_value(COMMENT)
    axe_check(page)

    links.first.click()  # the summary's link takes the citizen to the question
    expect(page.locator(f'[id="{target}"]')).to_be_focused()
    skipped.locator('input[type=radio][value="5"]').check()
    response = submit(page)
    assert response.status == 200
    assert response.request.redirected_from is not None, "a stored response should redirect"
    assert response.request.redirected_from.method == "POST"
    assert urlsplit(page.url).path != f"/s/{code}"
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    axe_check(page)
    assert horizontal_overflow(page, 320) is None
    assert_clean(page)

    db.session.rollback()  # see what the server's threads committed
    stored = db.session.scalars(select(Response)).all()
    assert len(stored) == 1
    assert (stored[0].agency_id, stored[0].version_id) == (survey.agency_id, version.id)
    assert stored[0].locale == lang
    assert stored[0].flags == 0
    scores = db.session.scalars(select(ResponseScore).where(
        ResponseScore.response_id == stored[0].id)).all()
    dimensions = {q.dimension for q in version.questions if q.type == QuestionType.LIKERT5 and q.dimension}
    assert {s.dimension for s in scores} == dimensions
    assert all(s.score == 1.0 for s in scores), "every answer was 5, so every score is 100%"
    assert db.session.scalar(select(func.count()).select_from(ResponseScore)) == len(scores)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_survey_page_is_light_accessible_and_fits(page, survey, lang):
    """Only its HTML, site.css and the icon load, no script at all; axe finds nothing; it fits
    320 px; every choice and button is big enough for a thumb."""
    code = survey.code
    response = page.goto(f"/s/{code}{LANGUAGES[lang]}")
    assert response.status == 200
    expect(page.locator("script")).to_have_count(0)
    axe_check(page)
    for width in (375, 320):
        assert horizontal_overflow(page, width) is None, f"the survey scrolls sideways at {width} px"
    assert small_touch_targets(page) == []
    log = page_log(page)
    others = {urlsplit(url).path for _type, url in log.requests} - {f"/s/{code}"} - SURVEY_ASSETS
    assert others == set(), f"the survey page loads more than its HTML and CSS: {log.requests}"
    assert [url for kind, url in log.requests if kind == "script"] == []
    assert_clean(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_survey_error_summary_links_are_big_enough(page, survey, lang):
    """After sending the survey empty, every link of the error summary is a full thumb's height."""
    page.goto(f"/s/{survey.code}{LANGUAGES[lang]}")
    assert submit(page).status == 422
    expect(page.locator("#error-summary")).to_be_visible()
    assert small_touch_targets(page) == []


def test_home_leads_to_the_survey(page, survey):
    """With a survey live, the home page lists the agency (big link, axe-clean) and the code box
    takes a code typed in lower case to the same survey."""
    page.goto("/")
    link = page.locator(f'main a[href="/s/{survey.code}"]')
    expect(link).to_have_count(1)
    if not link.is_visible():  # the list may sit in a closed <details>; its summary opens it
        page.locator("main details > summary").click()
    expect(link).to_be_visible()
    assert small_touch_targets(page) == []
    axe_check(page)
    with page.expect_navigation() as navigation:
        link.click()
    assert navigation.value.status == 200
    expect(likert_fieldsets(page).first).to_be_visible()

    page.goto("/")
    page.locator("main form input[type=text]").fill(survey.code.lower())
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 200
    assert urlsplit(page.url).path == f"/s/{survey.code}"
    expect(likert_fieldsets(page).first).to_be_visible()
    assert_clean(page)
