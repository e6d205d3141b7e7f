"""The code sheet on a phone and on paper: accessible, no sideways scroll, 21 slips per A4 page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback.extensions import db
from feedback.surveys.models import AccessMode, SurveyCode
from tests.browser.checks import assert_clean, axe_check, horizontal_overflow, sign_in, small_touch_targets
from tests.surveys.helpers import deploy_default

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"
SCREENSHOTS.mkdir(parents=True, exist_ok=True)

CODES = 42
SLIPS_PER_PAGE = 21
# Every slip's content must fit its box: printed slips clip what overflows.
OVERFLOWING_SLIPS = """() => [...document.querySelectorAll('.code-slip')]
  .filter(el => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
  .map(el => el.querySelector('.slip-code').textContent)"""


A4_CONTENT_PX = 718
COLUMNS = "getComputedStyle(document.querySelector('.code-sheet')).gridTemplateColumns.split(' ').length"


def _generate(page) -> None:
    """Generate a batch for counter A1 through the form; lands on its sheet."""
    page.goto("/manage/codes/new")
    page.locator("#agency").select_option("A1")
    page.locator("#count").fill(str(CODES))
    page.locator("#expires_on").fill("2099-12-31")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def test_the_code_sheet_on_a_phone_and_printed(app, page, tree):
    app.config["PUBLIC_BASE_URL"] = "https://langnghe.binhan.gov.vn"
    deploy_default(tree.counter_a, access_mode=AccessMode.CODE)
    sign_in(page, tree.organizer_a.email)
    _generate(page)
    assert "/manage/codes/batches/" in page.url
    expect(page.locator(".code-slip")).to_have_count(CODES)
    code = db.session.scalar(select(SurveyCode.code).order_by(SurveyCode.id))
    expect(page.locator(".code-sheet")).to_contain_text(f"https://langnghe.binhan.gov.vn/r/{code}")
    expect(page.locator(".code-sheet")).to_contain_text(f"{code[:4]}-{code[4:]}")
    # Each slip carries a QR of its own address beside the code.
    expect(page.locator(".code-slip .slip-qr svg")).to_have_count(CODES)
    page.locator(".code-slip").first.screenshot(path=str(SCREENSHOTS / "code-slip.png"))
    for width in (375, 320):
        assert horizontal_overflow(page, width) is None, f"the sheet scrolls sideways at {width} px"
    assert small_touch_targets(page) == []
    assert page.evaluate(OVERFLOWING_SLIPS) == []
    axe_check(page)

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".sheet-intro")).to_be_hidden()
    # As previewed on the phone, and on A4 paper (190 mm between the margins: 718 CSS px).
    assert horizontal_overflow(page, 375) is None, "the printed sheet is wider than the phone"
    assert page.evaluate(OVERFLOWING_SLIPS) == [], "a slip's text does not fit it in print preview"
    page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1000})
    assert page.evaluate(COLUMNS) == 3
    assert horizontal_overflow(page, A4_CONTENT_PX) is None
    assert page.evaluate(OVERFLOWING_SLIPS) == [], "a slip's text does not fit it on A4"
    pdf = page.pdf(format="A4", print_background=False)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == CODES // SLIPS_PER_PAGE, f"{CODES} slips took {pages} A4 pages"
    page.emulate_media(media="screen")

    assert_clean(page)


def test_the_batch_list_on_a_phone(app, page, tree):
    deploy_default(tree.counter_a)
    sign_in(page, tree.organizer_a.email)
    _generate(page)
    page.goto("/manage/codes/")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    for width in (375, 320):
        assert horizontal_overflow(page, width) is None
    axe_check(page)
    page.goto("/manage/codes/new?lang=vi")
    axe_check(page)
    assert small_touch_targets(page) == []
    assert_clean(page)


def test_the_api_keys_pages_on_a_phone(page, tree):
    sign_in(page, tree.admin.email)
    page.goto("/admin/api-keys/")
    page.locator("#name").fill("Phần mềm một cửa")
    page.locator("#agency").select_option("A")
    with page.expect_navigation():
        page.locator("main form.card button[type=submit]").click()
    secret = page.locator("#secret").input_value()
    assert secret.startswith("ln_")
    expect(page.locator("main")).to_contain_text("Authorization: Bearer <key>")
    axe_check(page)
    page.goto("/admin/api-keys/")
    expect(page.locator("tbody tr")).to_have_count(1)
    for width in (375, 320):
        assert horizontal_overflow(page, width) is None
    assert small_touch_targets(page) == []
    axe_check(page)
    assert_clean(page)
