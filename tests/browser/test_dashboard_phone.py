"""Every dashboard page on a leader's phone (375×740) and on a desktop (1280×800), with JavaScript on
and off, as a province leader and as a commune leader: the page never scrolls sideways, its first
figure (a chart, the headline figures or the first table) starts on the first screen, no two text
boxes of a chart overlap, and axe-core finds nothing."""

import pytest
from playwright.sync_api import expect

from feedback.accounts.models import Role
from feedback.extensions import db
from feedback.surveys.models import Question
from tests.browser.checks import axe_check, horizontal_overflow, sign_in, wait_until_ready
from tests.dashboards.test_accountability import built, topics  # noqa: F401
from tests.dashboards.test_question_page import answered  # noqa: F401
from tests.factories import make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
PAGES = ["/dashboard/", "/dashboard/trend", "/dashboard/dimensions", "/dashboard/questions",
         "/dashboard/comments", "/dashboard/accountability/", "/dashboard/officers", "agency"]
# The top of the first thing a page answers with: a chart or the server-drawn list, the headline
# figures, a count, or (a page without a chart) its first table or what its first section says when
# it has nothing to show; only what is shown at this width counts.
FIRST_FIGURE_TOP = """() => {
  const shown = [...document.querySelectorAll(
      "main figure, main .tiles, main table, main .summary-line, main section > h2 + p")]
    .filter(el => el.offsetParent !== null && el.getBoundingClientRect().height > 0);
  return shown.length ? shown[0].getBoundingClientRect().top + window.scrollY : null;
}"""
# Pairs of text boxes that overlap inside one chart: Plotly's labels, ticks and legend entries,
# and the rows of the phone's dimension list. Boxes touching by a pixel are not counted.
OVERLAPPING_TEXT = """() => {
  const groups = [...document.querySelectorAll(".js-plotly-plot, .dimension-agency")]
    .filter(el => el.offsetParent !== null);
  const found = [];
  for (const group of groups) {
    const boxes = [...group.querySelectorAll(
        ".annotation-text, .xtick text, .ytick text, .legendtext, .g-xtitle text, .g-ytitle text, "
        + ".dimension-row dt, .dimension-value, .dimension-agency-name")]
      .map(el => [el, el.getBoundingClientRect()])
      .filter(([el, r]) => r.width > 0 && r.height > 0 && el.textContent.trim());
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, ra] = boxes[i], [b, rb] = boxes[j];
        if (a.contains(b) || b.contains(a)) continue;
        const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (x > 1 && y > 1) found.push(`"${a.textContent.trim()}" × "${b.textContent.trim()}"`);
      }
    }
  }
  return found;
}"""


@pytest.fixture
def everything(app, tree, answered, built):  # noqa: F811
    """Answers, petitions and conferences under A and B; a short label on one question; a leader
    of the province and one of commune A2."""
    for question in db.session.query(Question).filter_by(key="access_wait"):
        question.short_vi, question.short_en = "Thời gian chờ", "Waiting time"
    leaders = {"province": make_user("leader.p@example.vn", Role.LEADER, tree.province),
               "commune": make_user("leader.a2@example.vn", Role.LEADER, tree.commune_a)}
    db.session.commit()
    return leaders


def _check_at(page, size: dict) -> None:
    """At `size`: no sideways scroll, the first figure on the first screen, no overlapping text."""
    page.set_viewport_size(size)
    wait_until_ready(page)
    assert horizontal_overflow(page, size["width"]) is None, f"scrolls sideways at {size['width']} px"
    top = page.evaluate(FIRST_FIGURE_TOP)
    assert top is not None and top < size["height"], f"the first figure starts at y = {top}"
    assert page.evaluate(OVERLAPPING_TEXT) == []


def _check_page(page, path: str) -> None:
    """One dashboard page, opened on a phone: its checks there, axe-core, then at desktop size."""
    page.set_viewport_size(PHONE)
    response = page.goto(path)
    assert response.status == 200, f"status {response.status}"
    _check_at(page, PHONE)
    # The header in one line, the tabs in one row, the filters folded into one line.
    title = page.locator("h1.dashboard-title")
    assert title.bounding_box()["height"] < 40, "the title takes more than one line"
    tabs = page.locator(".dashboard-nav li").all()
    assert len({round(tab.bounding_box()["y"]) for tab in tabs}) == 1, "the tabs wrap"
    expect(page.locator(".filter-fold form")).to_be_hidden()
    axe_check(page)
    _check_at(page, DESKTOP)


@pytest.mark.parametrize("who", ["province", "commune"])
def test_every_dashboard_page_answers_on_the_first_screen(page, tree, everything, who):
    """Each page in turn, in one signed-in session (the leader's phone going from tab to tab);
    every page is checked and all the pages that fail are reported together."""
    sign_in(page, everything[who].email)
    own = tree.province if who == "province" else tree.commune_a
    failures = {}
    for path in PAGES:
        url = f"/dashboard/agencies/{own.code}" if path == "agency" else path
        try:
            _check_page(page, url)
        except (AssertionError, pytest.fail.Exception) as error:
            failures[url] = str(error)[:600]
    assert not failures, "\n".join(f"{url}: {why}" for url, why in failures.items())


def test_overview_opens_with_index_change_on_time_and_overdue(page, tree, everything):
    sign_in(page, everything["province"].email)
    page.goto("/dashboard/?lang=en")
    wait_until_ready(page)
    tiles = page.locator(".headline-tiles .tile")
    expect(tiles.nth(0)).to_contain_text("Satisfaction index")
    expect(tiles.nth(0)).to_contain_text("responses")
    expect(tiles.nth(1)).to_contain_text("Petitions answered on time")
    expect(tiles.nth(2)).to_contain_text("Overdue petitions")
    for tile in tiles.all():
        assert tile.bounding_box()["y"] + tile.bounding_box()["height"] < PHONE["height"]


def test_folded_filters_open_and_apply_from_their_summary(page, tree, everything):
    sign_in(page, everything["province"].email)
    page.goto("/dashboard/dimensions?lang=en")
    summary = page.locator(".filter-fold > summary")
    expect(summary).to_contain_text("Last 12 months · All")
    summary.click()
    page.locator("#filter-agency").select_option("A")
    with page.expect_navigation():
        page.locator("form.dashboard-filters button[type=submit]").click()
    expect(page.locator(".filter-fold > summary")).to_contain_text("Last 12 months · Department of Justice")


def test_questions_are_named_by_their_short_label_with_the_full_text_on_tap(page, tree, everything):
    sign_in(page, everything["province"].email)
    page.goto("/dashboard/questions?lang=en")
    wait_until_ready(page)
    row = page.locator("table.likert-table details.question-full").first
    expect(row.locator("summary")).to_have_text("Waiting time")
    row.locator("summary").click()
    expect(row).to_contain_text(db.session.query(Question).filter_by(key="access_wait").first().text_en)
    if page.evaluate("!!window.Plotly"):
        expect(page.locator("#likert-chart .annotation-text").first).to_contain_text("Waiting time")
