"""The citizens' dialogue pages on a phone (375×740), JavaScript on and off: list → conference →
sign-up (a mistake first, then corrected) → ticket → cancel, checked on every page for axe-core
violations, sideways scrolling, small touch targets and browser errors."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback.dialogues.models import ConferenceStatus, Petition, Registration, RegistrationStatus
from feedback.dialogues.topics import load_default_topics
from feedback.extensions import db
from feedback.models import utcnow
from tests.browser.checks import assert_clean, axe_check, horizontal_overflow, page_log, small_touch_targets
from tests.dialogues.helpers import make_conference

pytestmark = pytest.mark.browser

PHONE_WIDTH = 375
TITLE = "Đối thoại với Nhân dân xã An Bình"


def _check(page) -> None:
    """What every public dialogue page must pass on a phone."""
    axe_check(page)
    assert horizontal_overflow(page, PHONE_WIDTH) is None, f"{page.url} scrolls sideways"
    assert small_touch_targets(page) == []
    assert_clean(page)


@pytest.fixture
def conference(app, tree):
    """An open conference with one seat left, so the second sign-up is waitlisted."""
    load_default_topics()
    db.session.commit()
    return make_conference(tree.commune_a, capacity=1, title_vi=TITLE, title_en=TITLE,
                           venue="Hội trường UBND xã An Bình",
                           leaders=[{"name": "Lê Văn Hùng", "title": "Chủ tịch UBND xã"}],
                           agenda=[{"time": "08:00", "item_vi": "Khai mạc", "item_en": "Opening"}])


def test_sign_up_ticket_and_cancel(page, conference):
    page.goto("/")
    _check(page)
    page.goto("/dialogues/")
    assert page.get_by_role("link", name=TITLE).is_visible()
    _check(page)
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).click()
    _check(page)
    assert "Lê Văn Hùng" in page.content()
    with page.expect_navigation():
        page.locator("a.button[href$='/register']").click()
    _check(page)

    js = page_log(page).js
    blocks = page.locator("[data-question-block]:visible")
    # One question block with JavaScript (more on demand), three without.
    assert blocks.count() == (1 if js else 3)
    add = page.locator("[data-add-question]")
    if js:
        add.click()
        assert blocks.count() == 2
        assert page.get_attribute("#q1-topic", "aria-required") == "false"
    else:
        assert not add.is_visible()
    # "Khác" (other) is the last topic offered.
    assert page.locator("#q1-topic option").last.get_attribute("value") == "khac"
    mode = "js" if js else "nojs"
    page.screenshot(path=f"instance/screenshots/signup-{mode}.png")
    page.locator("#question-1").screenshot(path=f"instance/screenshots/signup-question-{mode}.png")

    # A mistake: no consent, a bad phone. Everything typed comes back.
    page.fill("#full_name", "Phạm Minh Tuấn")
    page.fill("#phone", "0912 34")
    page.fill("#locality", "Ấp 3, xã An Bình")
    page.fill("#q1-text", "Đề nghị làm đèn đường ở ấp 3.")
    if js:
        assert page.get_attribute("#q1-topic", "aria-required") == "true"
    page.check("#notify_sms")
    page.select_option("#q1-topic", "giao-thong")
    page.check("#q1-publish")
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()
    _check(page)
    assert page.input_value("#locality") == "Ấp 3, xã An Bình"
    assert page.input_value("#q1-text") == "Đề nghị làm đèn đường ở ấp 3."
    assert page.is_checked("#q1-publish")
    assert page.is_checked("#notify_sms")
    page.locator("#error-summary a[href='#phone']").click()
    assert page.url.endswith("#phone")
    page.fill("#phone", "0912 345 678")
    page.check("#consent")
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").click()

    assert "/tickets/" in page.url
    _check(page)
    registration = db.session.scalar(select(Registration))
    assert registration.status == RegistrationStatus.CONFIRMED and registration.notify_sms
    code = registration.ticket_code
    assert f"{code[:4]}-{code[4:]}" in page.locator(".ticket-code").inner_text()
    assert page.locator(".qr svg").is_visible()
    petition = db.session.scalar(select(Petition))
    assert f"{petition.tracking_code[:4]}-{petition.tracking_code[4:]}" in page.content()

    # A wrong guess first, then the right last four digits.
    page.fill("#phone_last4", "1111")
    with page.expect_navigation():
        page.locator("form[action$='/cancel'] button[type=submit]").click()
    assert page.locator(".field-error").is_visible()
    _check(page)
    page.fill("#phone_last4", "5678")
    with page.expect_navigation():
        page.locator("form[action$='/cancel'] button[type=submit]").click()
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.CANCELLED
    assert page.locator(".status-cancelled").is_visible()
    _check(page)


def test_waitlisted_ticket_missing_ticket_and_duplicate_phone(page, conference, client):
    from tests.dialogues.public.util import sign_up

    sign_up(client, conference.id, 1)
    page.goto(f"/dialogues/{conference.id}/register")
    page.fill("#full_name", "Võ Thị Hoa")
    page.fill("#phone", "0912 000 002")
    page.fill("#locality", "Xã An Bình")
    page.check("#consent")
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").click()
    assert "/tickets/" in page.url
    assert page.locator(".status-big").inner_text().rstrip().endswith(" 1")  # waitlisted #1
    _check(page)

    page.goto(f"/dialogues/{conference.id}/register")
    page.fill("#full_name", "Võ Thị Hoa")
    page.fill("#phone", "0912000002")
    page.fill("#locality", "Xã An Bình")
    page.check("#consent")
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").click()
    content = page.content()
    assert "V. T. H." in content and "Võ Thị Hoa" not in content and "0912000002" not in content
    _check(page)

    page.goto("/tickets/ACEFGHJK")
    assert page.locator("#code").is_visible()
    _check(page)


def test_the_archive_and_a_lost_ticket(page, conference, tree):
    start = utcnow() - timedelta(days=40)
    make_conference(tree.dept_a, title_vi="Đối thoại đã diễn ra", title_en="",
                    status=ConferenceStatus.REPORTED, starts_at=start, ends_at=start + timedelta(hours=3),
                    registration_opens_at=None, registration_closes_at=None)
    page.goto("/dialogues/")
    with page.expect_navigation():
        page.locator(".tabs a[href='/dialogues/past']").click()
    assert page.locator(".tabs a[aria-current=page]").get_attribute("href") == "/dialogues/past"
    assert "Đối thoại đã diễn ra" in page.content() and TITLE not in page.content()
    _check(page)
    js = page_log(page).js
    page.screenshot(path=f"instance/screenshots/archive-{'js' if js else 'nojs'}.png", full_page=True)
    page.select_option("#filter-year", str(start.year))
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    assert f"year={start.year}" in page.url and "Đối thoại đã diễn ra" in page.content()
    _check(page)

    page.goto("/tickets/lost")
    _check(page)
    page.fill("#phone", "0912 000 999")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".notice-success").is_visible()
    _check(page)
