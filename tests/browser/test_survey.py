"""The citizen survey on a phone, page by page, with JavaScript on and off: progress, errors that
keep answers, Back (the page's and the browser's) and reload keeping answers, a conditional question
shown live by survey.js, the one-time code pages, and what each page loads.

Written against the survey contract: `/s/<agency code>` shows one page of questions at a time, each
Likert question a <fieldset class="question"> with a <legend> and radios "1".."5" (and "na"), a
<progress> with the page number, a "next" submit button first and a "back" one after it from page 2
on; an invalid page answers 422 with #error-summary linking to its fields and the choices kept; the
last page's "next" stores the response and redirects to a thank-you page.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys import codes
from feedback.surveys.models import (
    AccessMode,
    Deployment,
    Question,
    QuestionType,
    Response,
    ResponseScore,
    Survey,
    SurveyVersion,
    VersionStatus,
)
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
# A survey page may load its HTML, the stylesheet and the icon, and survey.js when it has a
# question shown on a condition; nothing else.
SURVEY_ASSETS = {"/static/css/site.css", "/static/favicon.svg"}
SCRIPT = "/static/js/survey.js"


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


@pytest.fixture
def conditional(app, tree) -> str:
    """A two-page survey at department B whose first page asks "why not?" only after a "no"."""
    no = {"question": "visited", "op": "equals", "value": "no"}
    items = [
        Question(key="s1", type=QuestionType.SECTION, text_vi="Lần đến", text_en="Your visit"),
        Question(key="visited", type=QuestionType.YESNO, required=True,
                 text_vi="Ông/Bà đã được giải quyết xong?", text_en="Was your matter settled?"),
        Question(key="why_not", type=QuestionType.SHORT_TEXT, required=True, show_if=no,
                 text_vi="Vì sao chưa?", text_en="Why not?"),
        Question(key="s2", type=QuestionType.SECTION, text_vi="Đánh giá", text_en="Rating"),
        Question(key="overall", type=QuestionType.LIKERT5, required=True,
                 text_vi="Ông/Bà hài lòng không?", text_en="How satisfied are you?"),
    ]
    version = SurveyVersion(survey=Survey(key="visit"), number=1, status=VersionStatus.PUBLISHED,
                            published_at=utcnow(), title_vi="Khảo sát lần đến", title_en="Your visit")
    for position, item in enumerate(items):
        item.position = position
        item.options, item.allow_na = {}, False
        version.questions.append(item)
    db.session.add(version)
    deploy(version, tree.dept_b)
    db.session.commit()
    return tree.dept_b.code


def press(page, nav: str = "next"):
    """Press the form's Next (or Back) button and wait for the page it leads to; returns its response.
    With JavaScript, survey.js posts the page with fetch and puts the page sent back in place of
    the current one: no navigation, so this waits for the POST and for the old page to go."""
    button = page.locator(f'main form button[type=submit][name=nav][value="{nav}"]')
    expect(button).to_have_count(1)
    if page_log(page).js:
        old = page.locator("#survey-page").element_handle()
        with page.expect_response(lambda r: r.request.method == "POST") as sent:
            button.click()
        page.wait_for_function("(old) => !old.isConnected", arg=old)
        return sent.value
    with page.expect_navigation() as navigation:
        button.click()
    return navigation.value


def likert_fieldsets(page):
    """The questions answered with radios 1–5."""
    return page.locator("fieldset.question").filter(has=page.locator('input[type=radio][value="5"]'))


def answer_all(page, value: str = "5", skip: int | None = None) -> int:
    """Check `value` in every Likert question on the page (but the `skip`-th); returns how many."""
    questions = likert_fieldsets(page)
    for i in range(questions.count()):
        if i != skip:
            questions.nth(i).locator(f'input[type=radio][value="{value}"]').check()
    return questions.count()


def expect_page(page, n: int, total: int = 4):
    """The progress says page n of total (the <progress> counts the pages done before it)."""
    bar = page.locator("main progress")
    expect(bar).to_have_attribute("value", str(n - 1))
    expect(bar).to_have_attribute("max", str(total))
    if "lang=en" in page.url or page.locator("html").get_attribute("lang") == "en":
        expect(bar).to_have_attribute("aria-label", f"Page {n} of {total}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_paged_survey_keeps_every_answer_back_and_forth_then_stores_one_response(page, survey, lang):
    """Page 1 with a question left out: 422 and an error summary linking to it, the other answers
    kept. Then on through the pages; the page's Back, the browser's Back and a reload all keep the
    answers; the last page sends, and one scored response is stored."""
    code, version = survey.code, survey.version
    response = page.goto(f"/s/{code}{LANGUAGES[lang]}")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect_page(page, 1)
    count = answer_all(page, skip=1)
    assert count == 6
    skipped = likert_fieldsets(page).nth(1)

    response = press(page)
    assert response.status == 422
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    links = summary.locator('a[href^="#"]')
    expect(links).to_have_count(1)
    target = links.first.get_attribute("href")[1:]
    expect(skipped.locator(f'[id="{target}"]')).to_have_count(1)
    expect(page.locator("input[type=radio]:checked")).to_have_count(5)
    expect_page(page, 1)
    axe_check(page)
    assert small_touch_targets(page) == []
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if r.method == "GET" and "/s/" in r.url else None)
    links.first.click()  # the summary's link takes the citizen to the question
    expect(page.locator(f'[id="{target}"]')).to_be_focused()
    page.wait_for_timeout(300)
    assert fetched == [], "following a link to a question must not load the page again over the answers"
    skipped.locator('input[type=radio][value="5"]').check()

    assert press(page).status == 200
    expect_page(page, 2)
    answer_all(page, "4")
    assert press(page).status == 200
    expect_page(page, 3)
    answer_all(page, "5")
    assert press(page, "back").status == 200  # the page's Back: no validation, answers kept
    expect_page(page, 2)
    expect(page.locator('input[type=radio][value="4"]:checked')).to_have_count(6)
    assert press(page).status == 200
    expect(page.locator('input[type=radio][value="5"]:checked')).to_have_count(4)
    page.go_back()  # the browser's Back
    expect_page(page, 2)
    expect(page.locator('input[type=radio][value="4"]:checked')).to_have_count(6)
    page.reload()
    expect(page.locator('input[type=radio][value="4"]:checked')).to_have_count(6)
    assert press(page).status == 200
    expect_page(page, 3)
    axe_check(page)
    assert press(page).status == 200
    expect_page(page, 4)
    textarea = page.locator("main form textarea")
    expect(textarea).to_have_count(1)
    textarea.fill(COMMENT)
    axe_check(page)

    response = press(page)
    assert response.status == 200
    if page_log(page).js:  # the thanks comes back at once, and the address follows
        assert response.request.redirected_from is None and response.request.method == "POST"
        expect(page.locator("main h1")).to_be_focused()
    else:
        assert response.request.redirected_from is not None, "a stored response should redirect"
        assert response.request.redirected_from.method == "POST"
    expect(page).to_have_url(re.compile(f"/s/{code}/thanks$"))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    axe_check(page)
    assert horizontal_overflow(page, 320) is None
    assert_clean(page)

    db.session.rollback()  # see what the server's threads committed
    stored = db.session.scalars(select(Response)).all()
    assert len(stored) == 1
    assert (stored[0].agency_id, stored[0].version_id, stored[0].locale) == (survey.agency_id, version.id,
                                                                              lang)
    answers = {a.question_key: a for a in stored[0].answers}
    assert answers["staff_courtesy"].number == 4 and answers["comment"].text == COMMENT
    scores = db.session.scalars(select(ResponseScore).where(ResponseScore.response_id == stored[0].id)).all()
    dimensions = {q.dimension for q in version.questions if q.type == QuestionType.LIKERT5 and q.dimension}
    assert {s.dimension for s in scores} == dimensions
    assert {s.dimension: s.score for s in scores}["procedure"] == 1.0  # every answer was 4 or 5
    assert db.session.scalar(select(func.count()).select_from(ResponseScore)) == len(scores)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_survey_page_is_light_accessible_and_fits(page, survey, lang):
    """Only its HTML, site.css, survey.js and the icon load; axe finds nothing; it fits 320 px;
    every target is big enough."""
    code = survey.code
    response = page.goto(f"/s/{code}{LANGUAGES[lang]}")
    assert response.status == 200
    axe_check(page)
    for width in (375, 320):
        assert horizontal_overflow(page, width) is None, f"the survey scrolls sideways at {width} px"
    assert small_touch_targets(page) == []
    log = page_log(page)
    others = {urlsplit(url).path for _type, url in log.requests} - {f"/s/{code}"} - SURVEY_ASSETS - {SCRIPT}
    assert others == set(), f"the survey page loads more than its HTML, CSS and script: {log.requests}"
    assert_clean(page)


def test_a_conditional_question_follows_the_answer_live_with_javascript(js_page, conditional):
    """With JavaScript, "Why not?" appears only after "No"; survey.js is the only script loaded."""
    page = js_page
    page.goto(f"/s/{conditional}?lang=en")
    why = page.locator("div.question").filter(has=page.locator("#q-why_not"))
    expect(why).to_be_hidden()
    page.locator("#q-visited-no").check()
    expect(why).to_be_visible()
    axe_check(page)
    page.locator("#q-visited-yes").check()
    expect(why).to_be_hidden()
    page.locator("#q-visited-no").check()
    response = press(page)  # "No" but no reason: the shown question is required
    assert response.status == 422
    expect(why).to_be_visible()
    expect(page.locator("#error-summary a")).to_have_count(1)
    page.locator("#q-why_not").fill("Thiếu giấy tờ")
    assert press(page).status == 200
    expect_page(page, 2, 2)
    scripts = [url for kind, url in page_log(page).requests if kind == "script"]
    assert {urlsplit(url).path for url in scripts} == {SCRIPT}
    others = {urlsplit(url).path for _type, url in page_log(page).requests} - SURVEY_ASSETS - {SCRIPT}
    assert all(path.startswith(f"/s/{conditional}") for path in others), others
    assert_clean(page)


def test_a_conditional_question_without_javascript_says_when_it_applies(nojs_page, conditional):
    """Without JavaScript, "Why not?" is always on screen with a note saying when to answer it; an
    answer given to it after "Yes" is not stored."""
    page = nojs_page
    page.goto(f"/s/{conditional}?lang=en")
    expect(page.locator("#q-why_not")).to_be_visible()
    expect(page.locator("#q-why_not-cond")).to_contain_text("only if your answer to question 1")
    axe_check(page)
    page.locator("#q-visited-yes").check()
    page.locator("#q-why_not").fill("không liên quan")
    assert press(page).status == 200
    expect_page(page, 2, 2)
    likert_fieldsets(page).first.locator('input[value="4"]').check()
    assert press(page).status == 200
    db.session.rollback()
    response = db.session.scalars(select(Response)).one()
    assert {a.question_key for a in response.answers} == {"visited", "overall"}
    assert_clean(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_survey_error_summary_links_are_big_enough(page, survey, lang):
    """After sending page 1 empty, every link of the error summary is a full thumb's height."""
    page.goto(f"/s/{survey.code}{LANGUAGES[lang]}")
    assert press(page).status == 422
    expect(page.locator("#error-summary")).to_be_visible()
    assert small_touch_targets(page) == []


def test_code_pages_say_what_happened_and_are_accessible(page, app, tree):
    """The code box, a usable code's survey, and the used, expired and unknown pages: each in the
    citizen's language, axe-clean, fitting the phone."""
    version = load_default_survey()
    deploy(version, tree.dept_a, access_mode=AccessMode.CODE)
    deployment = db.session.scalars(select(Deployment)).one()
    fresh, used, expired = codes.add_codes(deployment, 3)
    used.redeemed_on = utcnow().date()
    expired.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    fresh_code, used_code, expired_code = fresh.code, used.code, expired.code

    assert page.goto("/r/").status == 200
    axe_check(page)
    page.locator("#code").fill(f"{fresh_code[:4].lower()}-{fresh_code[4:]}")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert urlsplit(page.url).path == f"/r/{fresh_code}"
    expect_page(page, 1)
    expect(likert_fieldsets(page)).to_have_count(6)
    axe_check(page)
    for code, status in ((used_code, 410), (expired_code, 410), ("3469ACEF", 404)):
        for lang in LANGUAGES:  # asked explicitly: the choice sticks in a cookie
            assert page.goto(f"/r/{code}?lang={lang}").status == status
            expect(page.locator("html")).to_have_attribute("lang", lang)
            expect(page.locator("main h1")).to_have_count(1)
            expect(page.locator('main a[href="/r/"]')).to_be_visible()
            axe_check(page)
            assert horizontal_overflow(page, 320) is None
            assert small_touch_targets(page) == []
    assert_clean(page)


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
    page.locator("main form input[type=text]").first.fill(survey.code.lower())
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").first.click()
    assert navigation.value.status == 200
    assert urlsplit(page.url).path == f"/s/{survey.code}"
    expect(likert_fieldsets(page).first).to_be_visible()
    assert_clean(page)
