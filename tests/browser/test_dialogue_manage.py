"""The organizer's dialogue pages on a phone (375×740), with JavaScript on and off: checking people in
at the door (typed codes, refusals, a walk-in, the live count) and scheduling a conference with the
form (mistakes shown and kept, leader rows added by script or offered without it). Each page passes
axe-core and fits the screen."""

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback.dialogues.manage.checkin import check_in
from feedback.dialogues.models import Conference, ConferenceStatus, Registration, RegistrationStatus, Topic
from feedback.dialogues.registrations import register
from feedback.extensions import db
from feedback.models import utcnow
from tests.browser.checks import (
    assert_clean,
    axe_check,
    horizontal_overflow,
    page_log,
    sign_in,
    small_touch_targets,
)
from tests.dialogues.helpers import make_conference, phone

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"
SCREENSHOTS.mkdir(parents=True, exist_ok=True)
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _fits(page) -> None:
    """No sideways scrolling on a phone, and every target big enough for a thumb."""
    assert horizontal_overflow(page, 375) is None
    assert small_touch_targets(page) == []


def _submit(page, selector: str):
    """Click a submit button and wait for the page it leads to; returns the response."""
    with page.expect_navigation() as navigation:
        page.locator(selector).click()
    return navigation.value


def test_check_in_at_the_door(app, tree, page):
    conference = make_conference(tree.dept_a, capacity=2, title_vi="Đối thoại về đất đai")
    guest, _ = register(conference, full_name="Nguyễn Văn An", phone=phone(1))
    other, _ = register(conference, full_name="Trần Thị Bình", phone=phone(2))
    waiting, _ = register(conference, full_name="Lê Văn Cường", phone=phone(3))
    db.session.commit()
    code, other_code, waiting_code = guest.ticket_code, other.ticket_code, waiting.ticket_code
    js = page_log(page).js

    sign_in(page, tree.organizer_a.email)
    page.goto(f"/manage/dialogues/{conference.id}/check-in")
    expect(page.locator('[data-count="attended"]').first).to_have_text("0")
    # No camera in headless Chromium: the scan button stays hidden, typing works.
    expect(page.locator("[data-scan]")).to_be_hidden()
    axe_check(page)
    _fits(page)

    page.locator("#code").fill(f"{code[:4].lower()}-{code[4:].lower()}")
    response = _submit(page, "#ticket-form button[type=submit]")
    assert response.status == 200
    result = page.locator("#result")
    expect(result).to_contain_text("Checked in")
    expect(result).to_contain_text("Nguyễn Văn An")
    expect(page.locator('[data-count="attended"]').first).to_have_text("1")
    # The code field is above the result and has the focus again: a scanner or a thumb goes on.
    expect(page.locator("#code")).to_be_focused()
    assert page.locator("#code").bounding_box()["y"] < result.bounding_box()["y"]
    axe_check(page)
    _fits(page)
    assert_clean(page)
    page.screenshot(path=str(SCREENSHOTS / f"checkin-result-{'js' if js else 'nojs'}.png"))

    # Undo asks first: the summary only opens the question.
    page.locator("details.dm-undo summary").click()
    expect(page.locator("details.dm-undo")).to_contain_text("Undo the check-in of Nguyễn Văn An?")
    axe_check(page)
    _fits(page)
    assert _submit(page, "details.dm-undo button[type=submit]").status == 200
    expect(page.locator(".notice")).to_contain_text("is undone")
    expect(page.locator("#code")).to_be_focused()
    page.locator("#code").fill(code)
    assert _submit(page, "#ticket-form button[type=submit]").status == 200
    expect(page.locator("#result")).to_contain_text("Checked in")

    page.locator("#code").fill(code)
    assert _submit(page, "#ticket-form button[type=submit]").status == 409
    expect(page.locator("#result")).to_contain_text("Already checked in")

    page.locator("#code").fill(waiting_code)
    assert _submit(page, "#ticket-form button[type=submit]").status == 409
    expect(page.locator("#result")).to_contain_text("On the waiting list, number 1")
    axe_check(page)

    page.locator("#code").fill("ACEF-3479")
    assert _submit(page, "#ticket-form button[type=submit]").status == 404
    expect(page.locator("#result")).to_contain_text("Unknown ticket")

    if js:
        # Someone at another door checks a person in: the count follows without a reload.
        check_in(db.session.get(Conference, conference.id), other_code)
        db.session.commit()
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        expect(page.locator('[data-count="attended"]').first).to_have_text("2")

    # A walk-in: the form opens, a mistake keeps what was typed, then the person is registered.
    page.locator("details.dm-walk-in summary").click()
    page.locator("#full_name").fill("Vãng Lai")
    page.locator("#phone").fill("12345")
    page.locator("#locality").fill("Xã An Bình")
    page.locator("#consent").check()
    assert _submit(page, "details.dm-walk-in button[type=submit]").status == 422
    expect(page.locator("#error-summary")).to_contain_text("Vietnamese phone number")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#full_name")).to_have_value("Vãng Lai")
    expect(page.locator("#locality")).to_have_value("Xã An Bình")
    axe_check(page)
    _fits(page)
    page.locator("#phone").fill("0987 654 321")
    page.locator("#consent").check()
    # The refusals above were answered 4xx on purpose (Chromium logs each); judge what follows.
    page_log(page).clear()
    assert _submit(page, "details.dm-walk-in button[type=submit]").status == 200
    expect(page.locator("#result")).to_contain_text("on the waiting list")
    # After a walk-in too, the code field has the focus for the next person in the queue.
    expect(page.locator("#code")).to_be_focused()
    assert_clean(page)

    db.session.expire_all()
    walk_in = db.session.scalar(select(Registration).where(Registration.walk_in.is_(True)))
    # Two seats, both taken by then (one checked in with JS, one confirmed): the walk-in waits.
    assert walk_in.status == RegistrationStatus.WAITLISTED and walk_in.full_name == "Vãng Lai"


def _local(dt) -> str:
    """A datetime-local value in Việt Nam time."""
    return dt.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def test_schedule_a_conference_with_the_form(app, tree, page):
    db.session.add(Topic(code="dat-dai", name_vi="Đất đai", name_en="Land"))
    db.session.commit()
    js = page_log(page).js
    start = (utcnow() + timedelta(days=30)).replace(second=0, microsecond=0)

    sign_in(page, tree.organizer_a.email)
    page.goto("/manage/dialogues/new")
    add_leader = page.locator('[data-rows="leaders"] [data-add-row]')
    if js:
        expect(add_leader).to_be_visible()
    else:
        expect(add_leader).to_be_hidden()
    expect(page.locator('[data-rows="leaders"] [data-row]')).to_have_count(4)
    axe_check(page)
    _fits(page)

    page.locator("#title_vi").fill("Đối thoại về đất đai")
    page.locator("#description_vi").fill("Người đứng đầu trả lời kiến nghị.")
    page.locator("#host_agency").select_option("A")
    page.locator("#leaders-0-name").fill("Nguyễn Văn An")
    page.locator("#leaders-0-title").fill("Chủ tịch")
    if js:
        for _ in range(2):
            add_leader.click()
        expect(page.locator('[data-rows="leaders"] [data-row]')).to_have_count(6)
        page.locator("#leaders-5-name").fill("Lê Thị Sáu")
    else:
        page.locator("#leaders-3-name").fill("Lê Thị Sáu")
    page.get_by_label("Land").check()
    page.locator("#starts_at").fill(_local(start))
    page.locator("#ends_at").fill(_local(start - timedelta(hours=1)))   # a mistake
    page.locator("#capacity").fill("120")
    # The venue is left out too.
    response = _submit(page, "form.dm-form button[type=submit]")
    assert response.status == 422
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("venue")
    expect(summary).to_contain_text("after the start")
    page_log(page).clear()
    expect(page.locator("#title_vi")).to_have_value("Đối thoại về đất đai")
    expect(page.locator("#leaders-0-name")).to_have_value("Nguyễn Văn An")
    expect(page.locator("#leaders-5-name" if js else "#leaders-3-name")).to_have_value("Lê Thị Sáu")
    expect(page.get_by_label("Land")).to_be_checked()
    expect(page.locator("#capacity")).to_have_value("120")
    axe_check(page)
    _fits(page)

    # The link in the summary leads to the field.
    page.locator('#error-summary a[href="#venue"]').click()
    page.locator("#venue").fill("Hội trường UBND tỉnh")
    page.locator("#ends_at").fill(_local(start + timedelta(hours=3)))
    response = _submit(page, "form.dm-form button[type=submit]")
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Đối thoại về đất đai")
    axe_check(page)
    _fits(page)

    conference = db.session.scalar(select(Conference))
    assert conference.status == ConferenceStatus.DRAFT
    assert [leader["name"] for leader in conference.leaders] == ["Nguyễn Văn An", "Lê Thị Sáu"]
    assert _local(conference.starts_at) == _local(start)

    # Publish it from its page.
    assert _submit(page, "form[action$='/publish'] button[type=submit]").status == 200
    expect(page.locator("main")).to_contain_text("citizens can now see it")
    assert_clean(page)
    db.session.expire_all()
    assert db.session.get(Conference, conference.id).status == ConferenceStatus.PUBLISHED
