"""Following a petition on a phone, with JavaScript on and off: the lookup form, the timeline, the
answer and the rating form, with axe-core and no sideways scrolling; and the staff queue at desktop
size with axe-core."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from feedback.dialogues.models import PetitionSource
from feedback.dialogues.petitions import services
from feedback.dialogues.petitions.services import create_petition
from feedback.extensions import db
from feedback.models import utcnow
from tests.browser.checks import assert_clean, axe_check, horizontal_overflow, sign_in, small_touch_targets
from tests.dialogues.petitions.conftest import held_conference, registrant

pytestmark = pytest.mark.browser

LONG_WORD = "kiến-nghị-" * 30


@pytest.fixture
def answered(app, tree):
    """A petition at department A's held conference, assigned, overdue for a while, then answered."""
    from feedback.dialogues.topics import load_default_topics

    load_default_topics()
    conference = held_conference(tree.dept_a)
    asker = registrant(conference, 1, email="binh@example.vn")
    question = "Đề nghị cho biết tiến độ cấp giấy chứng nhận quyền sử dụng đất. " + LONG_WORD
    petition = create_petition(text=question,
                               source=PetitionSource.ADVANCE, conference=conference, registration=asker,
                               consent_to_publish=True)
    services.assign(petition, tree.counter_a, services.local_today() + timedelta(days=2), tree.admin)
    services.record_answer(petition, text="Hồ sơ của Ông/Bà đã được giải quyết ngày 5/11.",
                           answered_by="Trần Minh Quang, Phó Chủ tịch UBND tỉnh", answered_at=utcnow(),
                           actor=tree.admin)
    services.publish_answer(petition, tree.admin)
    waiting = create_petition(text="Đường làng xuống cấp.", source=PetitionSource.FLOOR,
                              conference=conference)
    services.assign(waiting, tree.commune_a, services.local_today() + timedelta(days=1), tree.admin)
    waiting.due_date = services.local_today() - timedelta(days=3)
    db.session.commit()
    return petition, waiting


def _fits(page) -> None:
    """No sideways scrolling at 375 px, and thumb-sized targets."""
    assert horizontal_overflow(page, 375) is None, "the page scrolls sideways at 375 px"
    assert small_touch_targets(page) == []


def test_lookup_timeline_and_rating_on_a_phone(page, answered):
    petition, waiting = answered
    code = petition.tracking_code
    page.goto("/track/?lang=en")
    expect(page.locator("h1")).to_have_text("Follow your question")
    axe_check(page)
    _fits(page)

    # A mistyped code: the message is shown by the field, with the form to retry.
    page.locator("#code").fill("abc")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("#code-error")).to_be_visible()
    axe_check(page)

    # The code as a citizen types it: small letters with a dash.
    page.locator("#code").fill(f"{code[:4].lower()}-{code[4:].lower()}")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(f"/track/{code}")
    expect(page.locator(".track-code strong")).to_have_text(f"{code[:4]}-{code[4:]}")
    expect(page.locator(".timeline")).to_contain_text("Sent to the responsible agency")
    expect(page.locator(".timeline")).to_contain_text("Answer published")
    expect(page.locator(".track-answer")).to_contain_text("đã được giải quyết")
    assert "Nguyễn Văn Bình" not in page.content() and "+84912" not in page.content()
    axe_check(page)
    _fits(page)

    page.get_by_label("Not satisfied").check()
    page.locator("#comment").fill("Chưa rõ thời hạn trả kết quả.")
    with page.expect_navigation():
        page.locator("#rating button[type=submit]").click()
    expect(page.locator(".track-rated")).to_contain_text("You are not satisfied with the answer.")
    expect(page.locator("main")).to_contain_text("Your rating is saved")
    axe_check(page)
    _fits(page)
    assert_clean(page)

    page.goto(f"/track/{waiting.tracking_code}")
    expect(page.locator(".track-overdue")).to_be_visible()
    axe_check(page)
    _fits(page)
    assert_clean(page)


def test_moderation_queue_at_desktop_size(js_page, tree, answered):
    page = js_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, tree.organizer_a.email)
    page.goto("/manage/petitions/")
    expect(page.locator("h1")).to_have_text("Petitions")
    expect(page.locator("table.petitions tbody tr")).to_have_count(2)
    expect(page.locator(".badge-overdue")).to_have_text("3 days overdue")
    axe_check(page)
    with page.expect_navigation():
        page.locator("table.petitions tbody a").first.click()
    expect(page.locator(".staff-timeline")).to_be_visible()
    axe_check(page)
    assert_clean(page)
