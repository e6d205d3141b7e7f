"""Counter ratings in Chromium at 375×740: the desk plate's page with JavaScript on and off, the
kiosk tablet paired and used, and offline: three taps with the network down, a reload, the network
back: exactly three ratings stored, each with its own time. axe-core on every screen."""

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback.counters.kiosks import new_pairing
from feedback.counters.models import CounterRating
from feedback.extensions import db
from tests.browser.checks import assert_clean, axe_check, horizontal_overflow, sign_in, small_touch_targets
from tests.counters.helpers import make_officer

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    """No sideways scrolling at 375 px, and thumb-sized targets."""
    assert horizontal_overflow(page, 375) is None, "the page scrolls sideways at 375 px"
    assert small_touch_targets(page) == []


def _ratings() -> list:
    """The stored ratings, read in a transaction ended at once: on SQLite an open read would hold
    off the live server's writes while the test polls."""
    rating = CounterRating.__table__.c
    try:
        return db.session.execute(
            select(
                rating.given_at, rating.client_uuid, rating.level, rating.channel, rating.reasons
            ).order_by(rating.given_at)
        ).all()
    finally:
        db.session.rollback()


def test_the_desk_plate_page_takes_a_low_rating_and_its_reasons(page, app, tree):
    make_officer(tree.counter_a)
    response = page.goto("/o/CB01?lang=en")
    assert response.status == 200
    expect(page.locator("legend").first).to_contain_text("How satisfied")
    axe_check(page)
    _fits(page)
    page.get_by_role("button", name="Not satisfied").click()
    expect(page.locator("h1")).to_have_text("Thank you")
    assert len(_ratings()) == 1
    axe_check(page)
    _fits(page)
    page.get_by_label("Waited too long").check()
    page.get_by_label("Comment (optional)").fill("Chờ hơn một tiếng")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".notice-success")).to_be_visible()
    assert _ratings()[0].reasons == ["waited"]
    assert_clean(page)


def _pair(page, agency):
    """Pair the page's browser as a kiosk of `agency` through the pairing form."""
    _device, code = new_pairing(agency, "Quầy 1")
    db.session.commit()
    page.goto("/kiosk?lang=en")
    axe_check(page)
    page.get_by_label("Pairing code").fill(code)
    page.get_by_role("button", name="Pair").click()
    expect(page.locator(".kiosk-counter")).to_be_visible()


def test_the_kiosk_without_javascript_rates_and_asks_why(nojs_page, app, tree):
    _pair(nojs_page, tree.counter_a)
    axe_check(nojs_page)
    _fits(nojs_page)
    nojs_page.get_by_role("button", name="Not satisfied").click()
    expect(nojs_page.locator("#reasons-heading")).to_be_visible()
    axe_check(nojs_page)
    nojs_page.get_by_label("Unclear guidance").check()
    nojs_page.get_by_role("button", name="Send").click()
    expect(nojs_page.locator("#thanks-heading")).to_be_visible()
    assert [r.reasons for r in _ratings()] == [["unclear"]]


def _wait_for(page, condition, seconds=40.0):
    """Poll `condition` until it is true (the queue flushes on its own), waiting with
    `page.wait_for_timeout`, never `time.sleep`: the sync Playwright client handles the page's
    events (and any route, such as a test's dropped request) only inside a Playwright call, so a
    test thread asleep in `time.sleep` could leave the kiosk's queued POSTs waiting on it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        page.wait_for_timeout(200)
    raise AssertionError("timed out")


def test_offline_three_taps_survive_a_reload_and_are_stored_once_with_their_times(js_page, app, tree):
    page = js_page
    _pair(page, tree.counter_a)
    axe_check(page)
    # The page, its assets and the service worker are in place before the network goes.
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function("caches.open('kiosk-v1').then(c => c.keys()).then(k => k.length >= 3)")
    page.context.set_offline(True)
    for _ in range(3):
        page.get_by_role("button", name="Satisfied", exact=True).click()
        expect(page.locator("#thanks-heading")).to_be_visible()
        axe_check(page)
        page.get_by_role("link", name="Next citizen").click()
        expect(page.locator("#screen-rate")).to_be_visible()
        page.wait_for_timeout(50)
    page.reload()
    expect(page.locator(".kiosk-counter")).to_be_visible()
    assert _ratings() == []
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _wait_for(page, lambda: len(_ratings()) >= 3)
    page.wait_for_timeout(1000)  # a fourth (duplicate) store would have time to show
    ratings = _ratings()
    assert len(ratings) == 3
    assert len({r.given_at for r in ratings}) == 3 and len({r.client_uuid for r in ratings}) == 3
    assert all(r.level == 3 and r.channel == "kiosk" for r in ratings)


def test_an_organizer_edits_a_rating_set_on_a_phone(page, app, tree):
    make_officer(tree.counter_a)
    sign_in(page, tree.organizer_a.email)
    page.goto("/manage/rating-sets/?lang=en")
    axe_check(page)
    _fits(page)
    page.get_by_role("link", name=tree.counter_a.name_en or tree.counter_a.name_vi).click()
    page.get_by_label("Number of answers").select_option("5")
    page.get_by_role("button", name="Show these answers").click()
    expect(page.get_by_text("Answer 5 (worst)")).to_be_visible()
    page.locator("#level-1-vi").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter the Vietnamese label of answer 1.")
    page.screenshot(path="/tmp/h15/rating_set_error.png", full_page=False)
    axe_check(page)
    _fits(page)
    page.locator("#level-1-vi").fill("Tuyệt vời")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".notice-success")).to_contain_text("is saved")
    page.goto("/o/CB01?lang=vi")
    expect(page.locator("button[name=level]")).to_have_count(5)
    expect(page.get_by_role("button", name="Tuyệt vời")).to_be_visible()
