"""Every notification reads right in Vietnamese and in English, from the context the event wrote."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from feedback.dialogues.messages import Kind
from feedback.dialogues.models import ConferenceMode, PetitionSource
from feedback.dialogues.notices import (
    notify_conference_cancelled,
    notify_petition_answered,
    notify_registration,
)
from feedback.dialogues.petitions.services import create_petition
from feedback.dialogues.registrations import register
from feedback.extensions import db
from feedback.notifications.messages import render
from feedback.notifications.models import Notification
from tests.dialogues.helpers import make_conference, phone

# Saturday 16 March 2030, 08:00–11:00 in Hà Nội.
STARTS = datetime(2030, 3, 16, 1, 0, tzinfo=UTC)
ENDS = datetime(2030, 3, 16, 4, 0, tzinfo=UTC)


@pytest.fixture
def conference(app, tree):
    """A hybrid conference with a venue and an online link, and one seat."""
    return make_conference(tree.dept_a, capacity=1, starts_at=STARTS, ends_at=ENDS,
                           mode=ConferenceMode.HYBRID, venue="Hội trường Sở Tư pháp",
                           online_url="https://meet.example.vn/doi-thoai",
                           title_vi="Đối thoại về đất đai", title_en="Dialogue on land")


def _written(kind: str, locale: str):
    """The outbox row of `kind` to the registrant of `locale`, rendered."""
    notification = db.session.scalars(select(Notification).where(
        Notification.kind == kind, Notification.locale == locale)).one()
    return notification, render(notification.kind, notification.locale, notification.context)


def _registrants(conference):
    """A confirmed Vietnamese reader (seat) and a waitlisted English one, with their messages."""
    seated, _ = register(conference, full_name="Nguyễn Văn An", phone=phone(1), email="an@example.vn")
    waiting, _ = register(conference, full_name="Jane Doe", phone=phone(2), email="jane@example.com",
                          locale="en")
    for registration in (seated, waiting):
        for kind in (Kind.REGISTRATION_CONFIRMED, Kind.REGISTRATION_WAITLISTED, Kind.REGISTRATION_PROMOTED,
                     Kind.REGISTRATION_CANCELLED, Kind.CONFERENCE_REMINDER):
            notify_registration(registration, kind)
    db.session.commit()
    return seated, waiting


def test_registration_messages_in_vietnamese(conference):
    seated, _waiting = _registrants(conference)

    _row, confirmed = _written(Kind.REGISTRATION_CONFIRMED, "vi")
    assert confirmed.subject == "Xác nhận đăng ký tham dự: Đối thoại về đất đai"
    body = confirmed.body
    assert body.startswith("Kính gửi Ông/Bà,\n")
    assert "Thời gian: Thứ Bảy, 16/03/2030, từ 08:00 đến 11:00" in body  # local time, not UTC 01:00
    assert "Địa điểm: Hội trường Sở Tư pháp" in body
    assert "https://meet.example.vn/doi-thoai" in body
    code = seated.ticket_code
    assert f"Mã vé: {code[:4]}-{code[4:]}" in body
    assert f"/tickets/{code}" in body
    assert "Trân trọng," in body and "Nguyễn Văn An" not in body

    _row, waitlisted = _written(Kind.REGISTRATION_WAITLISTED, "vi")
    assert waitlisted.subject.startswith("Danh sách chờ")
    _row, promoted = _written(Kind.REGISTRATION_PROMOTED, "vi")
    assert promoted.subject == "Ông/Bà đã có chỗ tham dự: Đối thoại về đất đai"
    _row, cancelled = _written(Kind.REGISTRATION_CANCELLED, "vi")
    assert cancelled.subject == "Đã hủy đăng ký tham dự: Đối thoại về đất đai"
    assert "Địa điểm" not in cancelled.body  # where to go no longer matters
    _row, reminder = _written(Kind.CONFERENCE_REMINDER, "vi")
    assert reminder.subject == "Nhắc lịch hội nghị Thứ Bảy, 16/03/2030: Đối thoại về đất đai"
    assert "sẽ diễn ra vào Thứ Bảy, 16/03/2030" in reminder.body


def test_registration_messages_in_english(conference):
    _seated, waiting = _registrants(conference)

    _row, waitlisted = _written(Kind.REGISTRATION_WAITLISTED, "en")
    assert waitlisted.subject == "Waiting list, number 1: Dialogue on land"
    assert "You are number 1 on the waiting list." in waitlisted.body
    assert waitlisted.body.startswith("Dear Sir or Madam,\n")
    assert "When: Saturday 16 March 2030, from 08:00 to 11:00" in waitlisted.body
    assert f"/tickets/{waiting.ticket_code}" in waitlisted.body

    expected = {
        Kind.REGISTRATION_CONFIRMED: "Registration confirmed: Dialogue on land",
        Kind.REGISTRATION_PROMOTED: "A seat is now reserved for you: Dialogue on land",
        Kind.REGISTRATION_CANCELLED: "Registration cancelled: Dialogue on land",
        Kind.CONFERENCE_REMINDER: "Reminder, Saturday 16 March 2030: Dialogue on land",
    }
    for kind, subject in expected.items():
        _row, message = _written(kind, "en")
        assert message.subject == subject
        assert "Dialogue on land" in message.body and "Kính gửi" not in message.body


def test_conference_cancelled_in_both_languages(conference):
    _registrants(conference)
    notify_conference_cancelled(conference)
    db.session.commit()

    _row, vi = _written(Kind.CONFERENCE_CANCELLED, "vi")
    assert vi.subject == "Thông báo hủy hội nghị: Đối thoại về đất đai"
    assert "đã bị hủy" in vi.body and "Thành thật xin lỗi Ông/Bà" in vi.body
    _row, en = _written(Kind.CONFERENCE_CANCELLED, "en")
    assert en.subject == "Conference cancelled: Dialogue on land"
    assert "has been cancelled" in en.body


def test_petition_answered_carries_the_tracking_link(conference):
    seated, waiting = _registrants(conference)
    for registration in (seated, waiting):
        petition = create_petition(text="Khi nào cấp sổ đỏ cho khu tái định cư?\nXin cảm ơn.",
                                   source=PetitionSource.ADVANCE, conference=conference,
                                   registration=registration)
        notify_petition_answered(petition)
    db.session.commit()

    row, vi = _written(Kind.PETITION_ANSWERED, "vi")
    code = row.context["tracking_code"]
    assert vi.subject == f"Kiến nghị của Ông/Bà đã được trả lời (mã {code[:4]}-{code[4:]})"
    assert f"/track/{code}" in vi.body
    assert "> Khi nào cấp sổ đỏ cho khu tái định cư?\n> Xin cảm ơn." in vi.body
    assert "“Đối thoại về đất đai”" in vi.body
    row, en = _written(Kind.PETITION_ANSWERED, "en")
    assert en.subject.startswith("Your question has been answered")
    assert f"/track/{row.context['tracking_code']}" in en.body
    assert "“Dialogue on land”" in en.body


def test_a_conference_over_two_days_shows_both_days(app):
    context = {"title": "Đối thoại", "mode": "online", "venue": "", "online_url": "https://meet.example.vn/x",
               "starts_at": "2030-03-16T01:00:00+00:00", "ends_at": "2030-03-17T10:00:00+00:00",
               "ticket_code": "ABCDEFGH", "ticket_url": "https://x/tickets/ABCDEFGH"}
    message = render(Kind.REGISTRATION_CONFIRMED, "en", context)
    assert "When: 08:00, Saturday 16 March 2030 to 17:00, Sunday 17 March 2030" in message.body
    assert "Online link: https://meet.example.vn/x" in message.body and "Where:" not in message.body


def test_an_unknown_language_falls_back_to_vietnamese_and_an_unknown_kind_is_refused(conference):
    _registrants(conference)
    row, vi = _written(Kind.REGISTRATION_CONFIRMED, "vi")
    assert render(row.kind, "fr", row.context) == vi
    with pytest.raises(ValueError):
        render("birthday_wishes", "vi", row.context)
