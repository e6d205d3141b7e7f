"""Status changes: publish a complete draft, mark held once started, cancel with notices; every refusal."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.dialogues.models import Conference, ConferenceStatus, Registration, RegistrationStatus, Topic
from feedback.dialogues.registrations import register
from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.models import Notification
from tests.dialogues.helpers import make_conference, phone
from tests.dialogues.manage.conftest import token


@pytest.fixture
def complete_draft(app, tree):
    """A draft with everything publishing needs."""
    topic = Topic(code="dat-dai", name_vi="Đất đai", name_en="Land")
    db.session.add(topic)
    conference = make_conference(tree.dept_a, status=ConferenceStatus.DRAFT, description_vi="Mô tả",
                                 venue="Hội trường", leaders=[{"name": "Nguyễn Văn An", "title": "Chủ tịch"}])
    conference.topics = [topic]
    db.session.commit()
    return conference


def _post(client, conference, action, **data):
    """Post a status change for `conference`."""
    return client.post(f"/manage/dialogues/{conference.id}/{action}",
                       data={"csrf_token": token(client), **data})


def _status(conference) -> ConferenceStatus:
    """The conference's status as stored now."""
    db.session.expire_all()
    return db.session.get(Conference, conference.id).status


def _audited(action: str) -> list[AuditEvent]:
    """The audit events of `action`."""
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_publish_a_complete_draft(app, tree, organizer_a_client, complete_draft):
    response = _post(organizer_a_client, complete_draft, "publish")
    assert response.status_code == 303
    assert _status(complete_draft) == ConferenceStatus.PUBLISHED
    assert db.session.get(Conference, complete_draft.id).published_at is not None
    [event] = _audited("conference.published")
    assert event.actor_id == tree.organizer_a.id and event.details["status_to"] == "published"
    page = organizer_a_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "citizens can now see it" in page


def test_publishing_an_incomplete_draft_lists_what_is_missing(app, tree, organizer_a_client):
    draft = make_conference(tree.dept_a, status=ConferenceStatus.DRAFT, mode="hybrid",
                            starts_at=utcnow() - timedelta(hours=1), ends_at=utcnow() + timedelta(hours=1),
                            registration_closes_at=None, registration_opens_at=None)
    response = _post(organizer_a_client, draft, "publish")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "cannot be published yet" in html
    edit = f"/manage/dialogues/{draft.id}/edit#"
    for field in ("description_vi", "leaders-0-name", "topics", "venue", "online_url", "starts_at"):
        assert f'href="{edit}{field}"' in html, field
    assert _status(draft) == ConferenceStatus.DRAFT
    assert not _audited("conference.published")


@pytest.mark.parametrize("status", [ConferenceStatus.PUBLISHED, ConferenceStatus.HELD,
                                    ConferenceStatus.CANCELLED, ConferenceStatus.REPORTED])
def test_only_a_draft_is_published(app, tree, organizer_a_client, status):
    conference = make_conference(tree.dept_a, status=status)
    response = _post(organizer_a_client, conference, "publish")
    assert response.status_code == 409
    assert "Only a draft can be published" in response.get_data(as_text=True)
    assert _status(conference) == status


def test_held_only_once_started(app, tree, organizer_a_client):
    future = make_conference(tree.dept_a)
    response = _post(organizer_a_client, future, "held")
    assert response.status_code == 409
    assert "once it has started" in response.get_data(as_text=True)
    assert _status(future) == ConferenceStatus.PUBLISHED
    # No "mark as held" button before the start.
    assert f"/manage/dialogues/{future.id}/held" not in organizer_a_client.get(
        f"/manage/dialogues/{future.id}").get_data(as_text=True)

    started = make_conference(tree.dept_a, starts_at=utcnow() - timedelta(minutes=5),
                              ends_at=utcnow() + timedelta(hours=2), registration_closes_at=None)
    page = organizer_a_client.get(f"/manage/dialogues/{started.id}").get_data(as_text=True)
    assert f"/manage/dialogues/{started.id}/held" in page
    assert _post(organizer_a_client, started, "held").status_code == 303
    assert _status(started) == ConferenceStatus.HELD
    [event] = _audited("conference.held")
    assert event.details == {"status_from": "published", "status_to": "held"}


@pytest.mark.parametrize("status", [ConferenceStatus.DRAFT, ConferenceStatus.HELD,
                                    ConferenceStatus.CANCELLED, ConferenceStatus.REPORTED])
def test_only_a_published_conference_is_marked_held(app, tree, organizer_a_client, status):
    conference = make_conference(tree.dept_a, status=status, starts_at=utcnow() - timedelta(hours=1))
    response = _post(organizer_a_client, conference, "held")
    assert response.status_code == 409
    assert "Only a published conference can be marked as held" in response.get_data(as_text=True)
    assert _status(conference) == status


def test_cancel_asks_first_then_notifies_and_cancels_every_live_registration(app, tree, organizer_a_client):
    conference = make_conference(tree.dept_a, capacity=2)
    people = [register(conference, full_name=f"Người {n}", phone=phone(n),
                       email=f"p{n}@example.vn" if n != 1 else None)[0] for n in range(4)]
    db.session.commit()
    from feedback.dialogues.registrations import cancel
    cancel(people[3])
    db.session.commit()

    confirm = organizer_a_client.get(f"/manage/dialogues/{conference.id}/cancel")
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    assert "3 people hold a seat or a place on the waiting list" in html
    assert "2 of them will be told at once (by email, SMS or Zalo" in html
    assert _status(conference) == ConferenceStatus.PUBLISHED  # asking changed nothing

    # Without the confirmation field nothing happens.
    assert _post(organizer_a_client, conference, "cancel").status_code == 400
    assert _status(conference) == ConferenceStatus.PUBLISHED

    assert _post(organizer_a_client, conference, "cancel", confirm="yes").status_code == 303
    assert _status(conference) == ConferenceStatus.CANCELLED
    sent = db.session.scalars(select(Notification).where(Notification.kind == "conference_cancelled")
                              .order_by(Notification.to_email)).all()
    assert [n.to_email for n in sent] == ["p0@example.vn", "p2@example.vn"]
    regs = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    assert {r.status for r in regs} == {RegistrationStatus.CANCELLED}
    assert all(r.waitlist_position is None for r in regs)
    # No second "your registration is cancelled" message on top of the conference's.
    assert not db.session.scalar(select(Notification).where(Notification.kind == "registration_cancelled"))
    [event] = _audited("conference.cancelled")
    assert event.details["registrations_cancelled"] == 3 and event.details["notified"] == 2
    assert event.details["status_from"] == "published"


def test_a_draft_can_be_cancelled(app, tree, organizer_a_client):
    draft = make_conference(tree.dept_a, status=ConferenceStatus.DRAFT)
    assert _post(organizer_a_client, draft, "cancel", confirm="yes").status_code == 303
    assert _status(draft) == ConferenceStatus.CANCELLED


@pytest.mark.parametrize("status", [ConferenceStatus.HELD, ConferenceStatus.CANCELLED,
                                    ConferenceStatus.REPORTED])
def test_cancel_refused_after_the_fact(app, tree, organizer_a_client, status):
    conference = make_conference(tree.dept_a, status=status)
    assert organizer_a_client.get(f"/manage/dialogues/{conference.id}/cancel").status_code == 409
    response = _post(organizer_a_client, conference, "cancel", confirm="yes")
    assert response.status_code == 409
    assert "Only a draft or published conference can be cancelled" in response.get_data(as_text=True)
    assert _status(conference) == status


def test_sign_up_refused_once_cancelled(app, tree, organizer_a_client):
    from feedback.dialogues.registrations import RegistrationRefused
    conference = make_conference(tree.dept_a)
    _post(organizer_a_client, conference, "cancel", confirm="yes")
    db.session.expire_all()
    with pytest.raises(RegistrationRefused):
        register(db.session.get(Conference, conference.id), full_name="Muộn", phone=phone(9))


def test_links_to_the_report_and_petitions_only_when_those_pages_exist(app, tree, organizer_a_client):
    conference = make_conference(tree.dept_a, status=ConferenceStatus.HELD)
    html = organizer_a_client.get(f"/manage/dialogues/{conference.id}").get_data(as_text=True)
    has_report = "petitions.report" in app.view_functions
    assert (f"/manage/dialogues/{conference.id}/report" in html) == has_report
    assert ("Questions and petitions of this conference" in html) == ("petitions.index" in app.view_functions)
