"""`flask purge-personal-data`: registrants past the retention period are anonymized, once, audited."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.dialogues.manage.exports import csv_bytes
from feedback.dialogues.messages import Kind
from feedback.dialogues.models import (
    ConferenceStatus,
    Petition,
    PetitionSource,
    Registration,
    RegistrationStatus,
)
from feedback.dialogues.notices import notify_petition_answered, notify_registration
from feedback.dialogues.petitions.services import create_petition
from feedback.dialogues.registrations import cancel, register
from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.models import Notification, TextBudget
from tests.dialogues.helpers import make_conference, phone

NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")


def _ended(tree, days_ago: int, **fields):
    """A conference that ended `days_ago` days ago."""
    ends = utcnow() - timedelta(days=days_ago)
    return make_conference(tree.dept_a, starts_at=ends - timedelta(hours=3), ends_at=ends, **fields)


@pytest.fixture
def people(app, tree):
    """Registrants of a held conference past retention (one attended with a petition, one cancelled),
    of a cancelled one past retention, and of a recent one; with outbox messages to them."""
    held = _ended(tree, 91)
    attended, _ = register(held, full_name=NAMES[0], phone=phone(1), email="an@example.vn",
                           locality="Phường Hòa Bình")
    withdrawn, _ = register(held, full_name=NAMES[1], phone=phone(2), email="binh@example.vn")
    cancel(withdrawn)
    attended.status, attended.checked_in_at = RegistrationStatus.ATTENDED, utcnow() - timedelta(days=91)
    held.status = ConferenceStatus.HELD
    petition = create_petition(text="Đường ngõ 12 bị ngập khi mưa.", source=PetitionSource.ADVANCE,
                               conference=held, registration=attended)
    called_off = _ended(tree, 95)
    cancelled_seat, _ = register(called_off, full_name=NAMES[2], phone=phone(3), email="cuong@example.vn")
    called_off.status = ConferenceStatus.CANCELLED
    # The same person signed up again recently: that registration and its messages stay.
    recent = _ended(tree, 10)
    kept, _ = register(recent, full_name=NAMES[0], phone=phone(1), email="an@example.vn")

    notify_registration(attended, Kind.REGISTRATION_CONFIRMED)
    notify_registration(attended, Kind.REGISTRATION_CONFIRMED, again="resend-1")
    notify_petition_answered(petition)
    notify_registration(withdrawn, Kind.REGISTRATION_CANCELLED)
    notify_registration(kept, Kind.REGISTRATION_CONFIRMED)
    db.session.flush()
    sent_key = f"{Kind.REGISTRATION_CONFIRMED}:{attended.id}"
    failed_key = f"{Kind.REGISTRATION_CANCELLED}:{withdrawn.id}"
    for notification in db.session.scalars(select(Notification)):
        if notification.dedupe_key == sent_key:
            notification.sent_at = utcnow() - timedelta(days=120)
        elif notification.dedupe_key == failed_key:
            notification.failed_at, notification.last_error = utcnow(), "550 b***@example.vn refused"
    db.session.commit()
    return {"attended": attended.id, "withdrawn": withdrawn.id, "cancelled_seat": cancelled_seat.id,
            "kept": kept.id, "petition": petition.id, "held": held.id, "called_off": called_off.id,
            "sent_key": sent_key}


def _registration(registration_id: int) -> Registration:
    """A registration as stored now."""
    db.session.expire_all()
    return db.session.get(Registration, registration_id)


def _purge_events() -> list[AuditEvent]:
    """Audit events of purges."""
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.purged")
                                      .order_by(AuditEvent.id)))


def test_dry_run_counts_and_changes_nothing(people, runner):
    result = runner.invoke(args=["purge-personal-data", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert ("Would anonymize 3 registrations of 2 conferences that ended more than 90 days ago"
            in result.output)
    assert "4 outbox messages would be cleared" in result.output
    assert _registration(people["attended"]).full_name == NAMES[0]
    assert db.session.scalar(select(Notification).where(Notification.to_email == "an@example.vn")) is not None
    assert _purge_events() == []


def test_purge_anonymizes_past_retention_only_keeps_counts_and_petitions_and_is_audited(people, runner):
    result = runner.invoke(args=["purge-personal-data"])
    assert result.exit_code == 0, result.output
    assert "Anonymized 3 registrations of 2 conferences" in result.output
    assert "4 outbox messages cleared" in result.output

    for key in ("attended", "withdrawn", "cancelled_seat"):
        registration = _registration(people[key])
        assert (registration.full_name, registration.phone, registration.email, registration.locality) == (
            None, None, None, None)
        assert registration.anonymized_at is not None
    attended = _registration(people["attended"])
    assert attended.status == RegistrationStatus.ATTENDED and attended.checked_in_at is not None
    assert _registration(people["withdrawn"]).status == RegistrationStatus.CANCELLED
    kept = _registration(people["kept"])
    assert (kept.full_name, kept.email, kept.anonymized_at) == (NAMES[0], "an@example.vn", None)

    petition = db.session.get(Petition, people["petition"])
    assert petition.text == "Đường ngõ 12 bị ngập khi mưa." and petition.registration_id == people["attended"]

    # The outbox keeps no address of theirs: unsent messages are gone, the sent one is blank.
    messages = {n.dedupe_key: n for n in db.session.scalars(select(Notification))}
    assert set(messages) == {people["sent_key"], f"{Kind.REGISTRATION_CONFIRMED}:{people['kept']}"}
    assert messages[people["sent_key"]].to_email == "" and messages[people["sent_key"]].sent_at is not None
    assert messages[f"{Kind.REGISTRATION_CONFIRMED}:{people['kept']}"].to_email == "an@example.vn"

    # The registrant list export of the old conference names no one.
    rows = list(db.session.scalars(select(Registration).where(Registration.conference_id == people["held"])))
    export = csv_bytes(rows, ZoneInfo("Asia/Ho_Chi_Minh")).decode("utf-8-sig")
    assert len(export.strip().splitlines()) == 3  # header and two rows: the counts stay
    for personal in (*NAMES, "an@example.vn", "binh@example.vn", "0912", "+84", "Hòa Bình"):
        assert personal not in export

    [event] = _purge_events()
    assert event.actor_id is None
    assert event.details["conferences"] == 2 and event.details["registrations"] == 3
    assert sorted(event.details["conference_ids"]) == sorted([people["held"], people["called_off"]])
    assert not any(name in str(event.details) for name in NAMES)


def test_purge_is_idempotent(people, runner):
    runner.invoke(args=["purge-personal-data"])
    first = _registration(people["attended"]).anonymized_at
    again = runner.invoke(args=["purge-personal-data"])
    assert again.exit_code == 0
    assert "Anonymized 0 registrations of 0 conferences" in again.output
    assert "0 outbox messages cleared" in again.output
    assert _registration(people["attended"]).anonymized_at == first
    assert len(_purge_events()) == 1


def test_the_retention_period_is_a_setting(people, app, runner):
    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 5
    result = runner.invoke(args=["purge-personal-data"])
    assert "Anonymized 4 registrations of 3 conferences that ended more than 5 days ago" in result.output
    assert _registration(people["kept"]).full_name is None
    assert db.session.scalar(select(Notification).where(Notification.to_email != "")) is None


def test_purge_forgets_numbers_in_text_messages_and_their_daily_counters(app, tree, runner):
    held = _ended(tree, 91)
    texted, _ = register(held, full_name=NAMES[0], phone=phone(7), notify_sms=True)
    notify_registration(texted, Kind.REGISTRATION_CONFIRMED)
    notify_registration(texted, Kind.REGISTRATION_PROMOTED)
    sent = db.session.scalar(select(Notification).where(Notification.kind == Kind.REGISTRATION_CONFIRMED))
    sent.sent_at = utcnow() - timedelta(days=100)
    number = texted.phone
    db.session.add(TextBudget(day=utcnow().date(), key=f"phone:{number}", used=1))
    db.session.commit()
    assert runner.invoke(args=["purge-personal-data"]).exit_code == 0
    db.session.expire_all()
    rows = list(db.session.scalars(select(Notification)))
    assert [(n.kind, n.to_phone) for n in rows] == [(Kind.REGISTRATION_CONFIRMED, None)]  # unsent one gone
    assert db.session.scalar(select(TextBudget)) is None
