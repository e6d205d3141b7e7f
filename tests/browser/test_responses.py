"""The staff responses pages in Chromium at phone size with JavaScript off: list, filters, one
response and its review, with axe-core and no sideways scrolling outside the table."""

import pytest
from playwright.sync_api import expect

from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.answers import ParsedAnswer
from feedback.surveys.models import Deployment, Response, ResponseFlag
from feedback.surveys.services import submit_response
from tests.browser.checks import assert_clean, axe_check, horizontal_overflow, sign_in, small_touch_targets
from tests.surveys.helpers import deploy_default, likert_keys

pytestmark = pytest.mark.browser


@pytest.fixture
def responses(app, tree):
    """Responses at A and A1, one flagged, one with a long unbroken comment; returns the flagged id."""
    version = deploy_default(tree.dept_a, subtree=True)
    deployments = {d.agency.code: d for d in db.session.query(Deployment).all()}
    flagged = None
    for n in range(6):
        answers = {key: ParsedAnswer(key, number=float(1 + n % 5)) for key in likert_keys(version)}
        answers["feedback_reply"] = ParsedAnswer("feedback_reply", not_applicable=True)
        answers["comment"] = ParsedAnswer("comment", text="=HYPERLINK(x) " + "rất" * 60 + "\nhai dòng")
        response = submit_response(deployments["A1" if n % 2 else "A"], answers, locale="vi",
                                   started_at=utcnow(), client_hash=None,
                                   flags=ResponseFlag.HONEYPOT | ResponseFlag.RATE_LIMITED if n == 0 else 0)
        flagged = flagged or response.id
    db.session.commit()
    return flagged


def _fits(page) -> None:
    """No sideways scrolling of the page at 375 px (the table scrolls inside its own region)."""
    assert horizontal_overflow(page, 375) is None, "the page scrolls sideways at 375 px"
    assert small_touch_targets(page) == []


def test_list_filters_and_review_without_javascript(nojs_page, tree, responses):
    page = nojs_page
    sign_in(page, tree.organizer_a.email)
    page.goto("/manage/responses/?lang=en")
    expect(page.locator("h1")).to_have_text("Survey responses")
    expect(page.locator("table.responses-table tbody tr")).to_have_count(6)
    expect(page.locator("table.responses-table")).to_contain_text("Honeypot filled")
    _fits(page)
    axe_check(page)

    page.locator("#filter-flagged").select_option("flagged")
    with page.expect_navigation():
        page.locator("form.response-filters button[type=submit]").click()
    assert "flagged=flagged" in page.url
    expect(page.locator("table.responses-table tbody tr")).to_have_count(1)

    with page.expect_navigation():
        page.locator("table.responses-table tbody a").first.click()
    expect(page.locator("h1")).to_have_text(f"Response {responses}")
    expect(page.locator("main")).to_contain_text("Excluded from the indices")
    expect(page.locator("main")).to_contain_text("Not applicable")
    _fits(page)
    axe_check(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Restore: count it in the indices").click()
    expect(page.locator(".notice-success")).to_contain_text("The response counts in the indices again.")
    expect(page.locator("main")).to_contain_text("Counted in the indices")
    db.session.expire_all()
    assert db.session.get(Response, responses).excluded is False
    with page.expect_navigation():
        page.locator(".back-link a").click()
    assert "flagged=flagged" in page.url
    axe_check(page)
    assert_clean(page)


def test_a_leader_reads_a_response_in_vietnamese(nojs_page, tree, responses):
    page = nojs_page
    sign_in(page, tree.leader_a.email)
    page.goto(f"/manage/responses/{responses}?lang=vi")
    expect(page.locator("main")).to_contain_text("Không áp dụng")
    expect(page.locator("main form")).to_have_count(0)
    _fits(page)
    axe_check(page)
    assert_clean(page)
