"""Petition steps and their refusals, merges, due dates, overdue marking, notifications, codes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from feedback.audit.models import AuditEvent
from feedback.core.codes import ALPHABET, CODE_LENGTH
from feedback.dialogues.models import Petition, PetitionAction, PetitionSource, PetitionStatus
from feedback.dialogues.petitions import services
from feedback.dialogues.petitions.services import PetitionRefused, create_petition, default_due_date
from feedback.dialogues.petitions.tracking import followed
from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.models import Notification
from tests.dialogues.petitions.conftest import held_conference, registrant

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def actions(petition: Petition) -> list[str]:
    """The timeline's steps, in order."""
    db.session.refresh(petition)
    return [e.action for e in petition.events]


def refused(reason: str, step, *args, **kwargs) -> None:
    """`step` raises PetitionRefused(reason); the transaction is rolled back as the view does."""
    with pytest.raises(PetitionRefused) as info:
        step(*args, **kwargs)
    db.session.rollback()
    assert info.value.reason == reason


def assigned(setting, tree, petition=None) -> Petition:
    """`petition` (default: the asker's) assigned to counter A1, committed."""
    petition = petition or setting.petition
    services.assign(petition, tree.counter_a, services.local_today() + timedelta(days=3), tree.admin)
    db.session.commit()
    return petition


def answered(setting, tree, petition=None) -> Petition:
    """`petition` assigned, answered and published, committed."""
    petition = assigned(setting, tree, petition)
    services.record_answer(petition, text="Hồ sơ đã được giải quyết.",
                           answered_by="Trần Minh Quang, Phó Chủ tịch", answered_at=utcnow(),
                           actor=tree.admin)
    services.publish_answer(petition, tree.admin)
    db.session.commit()
    return petition


def test_due_date_defaults_to_the_local_end_day_plus_the_setting(app, tree):
    # 20:00 UTC on 1 March is 03:00 on 2 March in Việt Nam: the local day counts.
    ends = datetime(2030, 3, 1, 20, 0, tzinfo=ZoneInfo("UTC"))
    conference = held_conference(tree.dept_a, starts_at=ends - timedelta(hours=3), ends_at=ends)
    assert default_due_date(conference).isoformat() == "2030-03-09"
    app.config["PETITION_DUE_DAYS"] = 10
    assert default_due_date(conference).isoformat() == "2030-03-12"
    today = utcnow().astimezone(ZONE).date()
    assert default_due_date(None) == today + timedelta(days=10)


def test_tracking_codes_are_unique_and_from_the_unambiguous_alphabet(app, setting):
    petitions = [create_petition(text=f"Câu hỏi {n}", source=PetitionSource.FLOOR,
                                 conference=setting.conference) for n in range(300)]
    db.session.commit()
    codes = [p.tracking_code for p in petitions]
    assert len(set(codes)) == len(codes)
    assert all(len(code) == CODE_LENGTH and set(code) <= set(ALPHABET) for code in codes)
    assert not set("O0I1") & set(ALPHABET)
    # 8 symbols from a 21-plus-symbol alphabet drawn by `secrets`: no two share a long prefix by design.
    assert len({code[:4] for code in codes}) > 250


def test_publish_and_unpublish_question_with_consent_only(app, tree, setting):
    petition = setting.petition
    services.publish_question(petition, tree.organizer_a)
    db.session.commit()
    assert petition.question_published_at is not None
    refused("question_published", services.publish_question, petition, tree.organizer_a)
    services.unpublish_question(petition, tree.organizer_a)
    db.session.commit()
    assert petition.question_published_at is None
    refused("question_not_published", services.unpublish_question, petition, tree.organizer_a)
    refused("no_consent", services.publish_question, setting.quiet, tree.organizer_a)
    assert actions(petition) == ["received", "question_published", "question_unpublished"]
    audited = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "Petition", AuditEvent.object_id == str(petition.id))
        .order_by(AuditEvent.id)).all()
    assert audited == ["petition.publish_question", "petition.unpublish_question"]


def test_hide_keeps_the_reason_internal_and_unpublishes(app, tree, setting):
    petition = setting.petition
    services.publish_question(petition, tree.organizer_a)
    services.hide(petition, "Lời lẽ xúc phạm", tree.organizer_a)
    db.session.commit()
    assert petition.status == PetitionStatus.HIDDEN
    assert petition.question_published_at is None
    assert petition.events[-1].note == "Lời lẽ xúc phạm"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "petition.hide"))
    assert audit.details["reason"] == "Lời lẽ xúc phạm"
    for step, args in ((services.hide, ("again",)), (services.publish_question, ()),
                       (services.assign, (tree.counter_a, services.local_today())),
                       (services.publish_answer, ()), (services.close, ())):
        refused("hidden", step, petition, *args, tree.organizer_a)


def test_assign_and_reassign_with_due_dates(app, tree, setting):
    petition = setting.petition
    due = default_due_date(setting.conference)
    services.assign(petition, tree.counter_a, due, tree.organizer_a)
    db.session.commit()
    assert (petition.status, petition.agency_id, petition.due_date) == (PetitionStatus.ASSIGNED,
                                                                        tree.counter_a.id, due)
    services.assign(petition, tree.dept_b, due + timedelta(days=2), tree.organizer_a)
    db.session.commit()
    assert petition.agency_id == tree.dept_b.id and petition.due_date == due + timedelta(days=2)
    refused("past_due_date", services.assign, petition, tree.dept_b,
            services.local_today() - timedelta(days=1), tree.organizer_a)
    tree.commune_a.active = False
    db.session.commit()
    refused("inactive_agency", services.assign, petition, tree.commune_a, due, tree.organizer_a)
    assert actions(petition) == ["received", "assigned", "assigned"]


def test_answer_is_recorded_then_published_then_closed(app, tree, setting):
    petition = setting.petition
    refused("not_assigned", services.record_answer, petition, text="x", answered_by="y",
            answered_at=utcnow(), actor=tree.organizer_a)
    assigned(setting, tree)
    refused("no_answer", services.publish_answer, petition, tree.organizer_a)
    refused("not_answered", services.close, petition, tree.organizer_a)
    services.record_answer(petition, text="Bản nháp", answered_by="A", answered_at=utcnow(),
                           actor=tree.organizer_a)
    services.record_answer(petition, text="Đã cấp sổ ngày 5/11.", answered_by="Trần Minh Quang, Phó Chủ tịch",
                           answered_at=utcnow(), actor=tree.organizer_a)
    db.session.commit()
    assert petition.status == PetitionStatus.ASSIGNED and petition.answer_published_at is None
    assert petition.answer_text == "Đã cấp sổ ngày 5/11."
    assert petition.answered_by_user_id == tree.organizer_a.id
    services.publish_answer(petition, tree.organizer_a)
    db.session.commit()
    assert petition.status == PetitionStatus.ANSWERED and petition.answer_published_at is not None
    refused("answer_published", services.record_answer, petition, text="x", answered_by="y",
            answered_at=utcnow(), actor=tree.organizer_a)
    refused("answer_published", services.publish_answer, petition, tree.organizer_a)
    refused("not_open", services.hide, petition, "x", tree.organizer_a)
    services.close(petition, tree.organizer_a)
    db.session.commit()
    assert petition.status == PetitionStatus.CLOSED
    refused("closed", services.close, petition, tree.organizer_a)
    assert actions(petition) == ["received", "assigned", "answered", "answered", "answer_published", "closed"]


def test_answered_notification_only_on_publication_and_only_with_an_email(app, tree, setting):
    def outbox():
        return db.session.scalars(select(Notification)).all()

    assigned(setting, tree)
    services.record_answer(setting.petition, text="Trả lời", answered_by="A", answered_at=utcnow(),
                           actor=tree.admin)
    db.session.commit()
    assert outbox() == []
    services.publish_answer(setting.petition, tree.admin)
    db.session.commit()
    [message] = outbox()
    assert message.kind == "petition_answered" and message.to_email == "binh@example.vn"
    assert message.context["tracking_code"] == setting.petition.tracking_code
    # No registration, or a registration without an email: no message.
    answered(setting, tree, setting.quiet)
    no_email = create_petition(text="Câu hỏi", source=PetitionSource.ADVANCE, conference=setting.conference,
                               registration=registrant(setting.conference, 2))
    answered(setting, tree, no_email)
    assert len(outbox()) == 1


def test_merge_points_the_duplicate_at_its_target(app, tree, setting):
    petition, duplicate = setting.petition, setting.quiet
    services.merge(duplicate, petition, tree.organizer_a)
    db.session.commit()
    assert duplicate.status == PetitionStatus.MERGED and duplicate.merged_into_id == petition.id
    assert followed(duplicate).id == petition.id
    assert actions(duplicate)[-1] == PetitionAction.MERGED
    refused("merged", services.assign, duplicate, tree.counter_a, services.local_today(), tree.admin)
    refused("target_gone", services.merge, petition, duplicate, tree.organizer_a)
    refused("same_petition", services.merge, petition, petition, tree.organizer_a)
    refused("other_conference", services.merge, petition, setting.petition_b, tree.admin)


def test_merging_the_target_again_repoints_earlier_duplicates(app, tree, setting):
    third = create_petition(text="Cùng câu hỏi", source=PetitionSource.FLOOR, conference=setting.conference)
    db.session.commit()
    services.merge(setting.quiet, setting.petition, tree.admin)
    services.merge(setting.petition, third, tree.admin)
    db.session.commit()
    db.session.refresh(setting.quiet)
    assert setting.quiet.merged_into_id == third.id
    assert followed(setting.quiet).id == third.id


def test_publishing_an_answer_tells_the_askers_of_merged_duplicates(app, tree, setting):
    duplicate = create_petition(text="Trùng", source=PetitionSource.ADVANCE, conference=setting.conference,
                                registration=registrant(setting.conference, 3, email="an@example.vn"))
    db.session.commit()
    services.merge(duplicate, setting.quiet, tree.admin)
    db.session.commit()
    answered(setting, tree, setting.quiet)
    assert db.session.scalars(select(Notification.to_email)).all() == ["an@example.vn"]


def test_merged_answered_target_is_allowed_but_not_from_answered(app, tree, setting):
    answered(setting, tree)
    services.merge(setting.quiet, setting.petition, tree.admin)
    db.session.commit()
    assert setting.quiet.merged_into_id == setting.petition.id
    other = create_petition(text="Khác", source=PetitionSource.FLOOR, conference=setting.conference)
    db.session.commit()
    refused("not_open", services.merge, setting.petition, other, tree.admin)


def test_overdue_when_past_due_without_a_published_answer(app, tree, setting):
    today = services.local_today()
    petition = assigned(setting, tree)
    filters = services.QueueFilters(overdue=True)
    assert services.days_overdue(petition, today) == 0
    # The due date is today: not overdue yet. Yesterday: one day overdue.
    petition.due_date = today
    db.session.commit()
    assert services.queue_page(tree.admin, filters)[1] == 0
    petition.due_date = today - timedelta(days=3)
    db.session.commit()
    assert services.days_overdue(petition, today) == 3
    assert [p.id for p in services.queue_page(tree.admin, filters)[0]] == [petition.id]
    assert services.overdue_count(tree.admin, services.QueueFilters()) == 1
    services.record_answer(petition, text="Trả lời", answered_by="A", answered_at=utcnow(), actor=tree.admin)
    db.session.commit()
    assert services.days_overdue(petition, today) == 3  # recorded, not published: still overdue
    services.publish_answer(petition, tree.admin)
    db.session.commit()
    assert services.days_overdue(petition, today) == 0
    assert services.queue_page(tree.admin, filters)[1] == 0


def test_queue_filters_search_and_counts(app, tree, setting):
    assigned(setting, tree)
    admin = tree.admin
    rows, total = services.queue_page(admin, services.QueueFilters(conference_id=setting.conference.id))
    assert total == 2 and {p.id for p in rows} == {setting.petition.id, setting.quiet.id}
    assert services.queue_page(admin, services.QueueFilters(status=PetitionStatus.ASSIGNED))[1] == 1
    assert services.queue_page(admin, services.QueueFilters(source=PetitionSource.FLOOR))[1] == 2
    assert services.queue_page(admin, services.QueueFilters(topic_id=setting.topic.id))[1] == 1
    assert services.queue_page(admin, services.QueueFilters(agency_id=tree.counter_a.id))[1] == 1
    assert services.queue_page(admin, services.QueueFilters(search="sổ đỏ"))[1] == 1
    assert services.queue_page(admin, services.QueueFilters(search="100%"))[1] == 0
    code = setting.petition_b.tracking_code
    found = services.queue_page(admin, services.QueueFilters(search=f"{code[:4].lower()}-{code[4:]}"))[0]
    assert [p.id for p in found] == [setting.petition_b.id]
    counts = services.status_counts(admin, services.QueueFilters())
    assert counts[PetitionStatus.RECEIVED] == 2 and counts[PetitionStatus.ASSIGNED] == 1
    assert sum(counts.values()) == 3


def test_queue_pages(app, tree, setting):
    for n in range(services.PAGE_SIZE + 5):
        create_petition(text=f"Câu hỏi {n}", source=PetitionSource.FLOOR, conference=setting.conference)
    db.session.commit()
    first, total = services.queue_page(tree.admin, services.QueueFilters(), 1)
    second, _ = services.queue_page(tree.admin, services.QueueFilters(), 2)
    assert total == services.PAGE_SIZE + 8
    assert len(first) == services.PAGE_SIZE and len(second) == 8
    assert not {p.id for p in first} & {p.id for p in second}


def test_scope_host_and_responsible_agency(app, tree, setting):
    # Organizer A sees the petitions of A's conference, not B's…
    visible = {p.id for p in services.queue_page(tree.organizer_a, services.QueueFilters())[0]}
    assert visible == {setting.petition.id, setting.quiet.id}
    # …until one of B's is assigned to an agency under A.
    services.assign(setting.petition_b, tree.counter_a, services.local_today(), tree.admin)
    db.session.commit()
    visible = {p.id for p in services.queue_page(tree.organizer_a, services.QueueFilters())[0]}
    assert setting.petition_b.id in visible
    powers = services.powers(tree.organizer_a, setting.petition_b)
    assert powers.answer and not powers.moderate
    assert services.powers(tree.organizer_a, setting.petition) == services.Powers(True, True)
    # Leaders read the same scope and act on nothing.
    assert services.get_visible_petition(setting.petition.id, tree.leader_a) is not None
    assert services.powers(tree.leader_a, setting.petition) == services.Powers(False, False)
    assert services.get_visible_petition(setting.petition.id, tree.leader_b) is None
    assert services.get_visible_petition(setting.petition_b.id, tree.leader_b) is not None


def test_floor_petition_links_a_ticket_of_the_same_conference_only(app, tree, setting):
    other = registrant(setting.conference_b, 9)
    typed = setting.asker.ticket_code.lower()
    found = services.registration_by_ticket(setting.conference, f"{typed[:4]}-{typed[4:]}")
    assert found.id == setting.asker.id
    assert services.registration_by_ticket(setting.conference, other.ticket_code) is None
    petition = services.create_floor_petition(setting.conference, text="Hỏi tại hội nghị", topic=None,
                                              registration=setting.asker, consent_to_publish=False,
                                              actor=tree.organizer_a)
    db.session.commit()
    assert petition.source == PetitionSource.FLOOR and petition.status == PetitionStatus.RECEIVED
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "petition.create_floor")) == 1
