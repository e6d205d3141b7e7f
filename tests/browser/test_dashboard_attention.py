"""The attention page, the monthly report and the drill-down's peer standing on a phone (375 px)
and at 1280 px: nothing scrolls sideways, no accessibility violation, with JavaScript on and off."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from feedback.extensions import db
from feedback.models import utcnow
from tests.browser.checks import assert_clean, axe_check, horizontal_overflow, sign_in, wait_until_ready
from tests.dashboards.helpers import add_responses, make_version

pytestmark = pytest.mark.browser

SHOTS = None  # a folder path to save screenshots while looking at the pages by eye


@pytest.fixture
def fell(app, tree):
    """A fell from 100 to 50 between the last two months; A2 had most responses flagged."""
    version = make_version()
    now = utcnow()
    add_responses(version, tree.dept_a, 40, 1.0, submitted_at=now - timedelta(days=45))
    add_responses(version, tree.dept_a, 20, 1.0, submitted_at=now - timedelta(days=15))
    add_responses(version, tree.dept_a, 20, 0.0, submitted_at=now - timedelta(days=15))
    add_responses(version, tree.commune_a, 12, 0.5, submitted_at=now - timedelta(days=15))
    add_responses(version, tree.commune_a, 14, 0.0, submitted_at=now - timedelta(days=15), excluded=True)
    db.session.commit()


@pytest.mark.parametrize("url", ["/dashboard/attention?period=custom&from={from_}&to={to}",
                                 "/dashboard/report", "/dashboard/agencies/A2"])
@pytest.mark.parametrize("js", [True, False])
def test_pages_fit_a_phone_and_pass_axe(new_page, tree, fell, url, js):
    page = new_page(js=js)
    sign_in(page, tree.leader_a.email)
    today = utcnow().date()
    page.goto(url.format(from_=(today - timedelta(days=30)).isoformat(), to=today.isoformat()))
    wait_until_ready(page)
    expect(page.locator("h1")).to_be_visible()
    for width in (375, 1280):
        assert horizontal_overflow(page, width) is None, f"{url} scrolls sideways at {width} px"
    if SHOTS:
        page.set_viewport_size({"width": 375, "height": 740})
        name = url.split("?")[0].strip("/").replace("/", "-")
        page.screenshot(path=f"{SHOTS}/{name}-{'js' if js else 'nojs'}.png", full_page=True)
    axe_check(page)
    assert_clean(page)


def test_the_attention_list_says_why(js_page, tree, fell):
    page = js_page
    sign_in(page, tree.leader_a.email)
    today = utcnow().date()
    page.goto(f"/dashboard/attention?period=custom&from={(today - timedelta(days=30)).isoformat()}"
              f"&to={today.isoformat()}&lang=en")
    items = page.locator(".attention-list li")
    expect(items.first).to_contain_text("The index fell from 100.0 to 50.0")
    expect(page.locator(".attention-list")).to_contain_text("were flagged by the integrity checks")
