"""The closing report: attendee default, commitments becoming petitions, refusals, read-only once sent."""

from datetime import timedelta

from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.dialogues.models import (
    Conference,
    ConferenceStatus,
    Petition,
    PetitionSource,
    PetitionStatus,
    RegistrationStatus,
)
from feedback.dialogues.petitions import services
from feedback.extensions import db
from tests.conftest import csrf_token
from tests.dialogues.helpers import make_conference
from tests.dialogues.petitions.conftest import registrant


def url(conference) -> str:
    """The report page of `conference`."""
    return f"/manage/dialogues/{conference.id}/report"


def report_form(**rows) -> dict:
    """A report form body: attendees, summary, and the given commitment fields."""
    return {"attendee_count": "41", "summary": "Hội nghị diễn ra nghiêm túc, 12 ý kiến.", **rows}


def test_form_defaults_to_check_ins_and_the_default_due_date(organizer_a_client, setting):
    registrant(setting.conference, 2)
    registrant(setting.conference, 3, status=RegistrationStatus.CONFIRMED)
    db.session.commit()
    html = organizer_a_client.get(url(setting.conference) + "?lang=en").get_data(as_text=True)
    # The fixture's asker and person 2 attended; person 3 did not come.
    assert 'name="attendee_count" required type="number" value="2"' in html
    assert "2 registrations were checked in." in html
    due = services.default_due_date(setting.conference).isoformat()
    assert html.count(f'value="{due}"') == 3


def test_sending_the_report_turns_commitments_into_petitions(organizer_a_client, tree, setting):
    due = services.local_today() + timedelta(days=30)
    token = csrf_token(organizer_a_client.get(url(setting.conference)).get_data(as_text=True))
    response = organizer_a_client.post(url(setting.conference), data=report_form(
        csrf_token=token,
        **{"commitments-0-text": "Sửa đường liên xã trước mùa mưa.", "commitments-0-agency": "A2",
           "commitments-0-due_date": due.isoformat(), "commitments-0-topic": "giao-thong",
           "commitments-1-text": "Rà soát hồ sơ đất đai tồn đọng.", "commitments-1-agency": "B",
           "commitments-1-due_date": "", "commitments-1-topic": "",
           "commitments-2-text": "", "commitments-2-agency": "", "commitments-2-due_date": due.isoformat(),
           "commitments-2-topic": ""}))
    assert response.status_code == 303
    db.session.expire_all()
    conference = db.session.get(Conference, setting.conference.id)
    assert conference.status == ConferenceStatus.REPORTED and conference.reported_at is not None
    assert conference.attendee_count == 41 and conference.report_summary.startswith("Hội nghị")
    commitments = db.session.scalars(select(Petition).where(Petition.source == PetitionSource.COMMITMENT)
                                     .order_by(Petition.id)).all()
    assert [(p.agency_id, p.due_date, p.status) for p in commitments] == [
        (tree.commune_a.id, due, PetitionStatus.ASSIGNED),
        (tree.dept_b.id, services.default_due_date(conference), PetitionStatus.ASSIGNED)]
    assert commitments[0].topic.code == "giao-thong"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conference.report"))
    assert audit.details["commitments"] == [p.tracking_code for p in commitments]

    # Read-only afterwards; the commitments are listed and followed in the queue.
    html = organizer_a_client.get(url(conference) + "?lang=en").get_data(as_text=True)
    assert "Report sent on" in html and "Sửa đường liên xã" in html and 'name="summary"' not in html
    queue = organizer_a_client.get(f"/manage/petitions/?conference={conference.id}&source=commitment")
    assert "Rà soát hồ sơ" in queue.get_data(as_text=True)
    again = organizer_a_client.post(url(conference), data=report_form(csrf_token=token))
    assert again.status_code == 409 and "already sent" in again.get_data(as_text=True)
    commitments = select(Petition).where(Petition.source == PetitionSource.COMMITMENT)
    assert len(db.session.scalars(commitments).all()) == 2


def test_half_filled_commitment_is_refused_with_the_text_kept(organizer_a_client, setting):
    token = csrf_token(organizer_a_client.get(url(setting.conference) + "?lang=en").get_data(as_text=True))
    response = organizer_a_client.post(url(setting.conference), data=report_form(
        csrf_token=token, attendee_count="-3",
        **{"commitments-0-text": "Lắp đèn chiếu sáng.", "commitments-0-agency": ""}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please choose the responsible agency." in html and "Lắp đèn chiếu sáng." in html
    assert "0 or more" in html
    assert db.session.get(Conference, setting.conference.id).status == ConferenceStatus.HELD


def test_add_a_row_keeps_what_was_typed(organizer_a_client, setting):
    token = csrf_token(organizer_a_client.get(url(setting.conference)).get_data(as_text=True))
    response = organizer_a_client.post(url(setting.conference), data=report_form(
        csrf_token=token, add_row="1", **{"commitments-0-text": "Một", "commitments-1-text": "",
                                         "commitments-2-text": ""}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="commitments-3-text"' in html and "Một</textarea>" in html
    assert db.session.get(Conference, setting.conference.id).status == ConferenceStatus.HELD


def test_not_held_is_refused(organizer_a_client, tree, setting):
    upcoming = make_conference(tree.dept_a)
    response = organizer_a_client.get(url(upcoming) + "?lang=en")
    assert response.status_code == 409 and "once the conference is held" in response.get_data(as_text=True)
    token = csrf_token(organizer_a_client.get("/manage/petitions/").get_data(as_text=True))
    assert organizer_a_client.post(url(upcoming), data=report_form(csrf_token=token)).status_code == 409
    assert db.session.get(Conference, upcoming.id).status == ConferenceStatus.PUBLISHED


def test_scope_leaders_read_and_other_subtrees_404(organizer_b_client, leader_a_client, setting):
    assert organizer_b_client.get(url(setting.conference)).status_code == 404
    html = leader_a_client.get(url(setting.conference) + "?lang=en").get_data(as_text=True)
    assert "not written yet" in html and 'name="summary"' not in html
    token = csrf_token(html)
    response = leader_a_client.post(url(setting.conference), data=report_form(csrf_token=token))
    assert response.status_code == 403


def test_a_late_report_offers_due_dates_from_today(organizer_a_client, tree):
    now = services.utcnow()
    late = make_conference(tree.dept_a, status=ConferenceStatus.HELD, starts_at=now - timedelta(days=12),
                           ends_at=now - timedelta(days=12) + timedelta(hours=3))
    assert services.default_due_date(late) < services.local_today()
    html = organizer_a_client.get(url(late)).get_data(as_text=True)
    offered = (services.local_today() + timedelta(days=7)).isoformat()
    assert html.count(f'value="{offered}"') == 3
