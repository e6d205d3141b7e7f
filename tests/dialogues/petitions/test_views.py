"""The moderation queue and a petition's page over HTTP: scope, every action, every refusal."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback.dialogues.models import ConferenceStatus, Petition, PetitionSource, PetitionStatus
from feedback.dialogues.petitions import services
from feedback.dialogues.petitions.services import create_petition
from feedback.extensions import db
from feedback.models import utcnow
from tests.conftest import csrf_token
from tests.dialogues.helpers import make_conference


def english(client):
    """Switch `client` to English (the choice sticks in a cookie) and return it."""
    client.get("/manage/petitions/?lang=en")
    return client


def post(client, petition: Petition, action: str, **data):
    """POST an action on `petition` with the CSRF token of its page."""
    token = csrf_token(client.get(f"/manage/petitions/{petition.id}").get_data(as_text=True))
    return client.post(f"/manage/petitions/{petition.id}/{action}", data={"csrf_token": token, **data})


def reload(petition: Petition) -> Petition:
    """`petition` as the database has it now."""
    db.session.expire_all()
    return db.session.get(Petition, petition.id)


def test_queue_shows_the_organizers_petitions_with_counts(organizer_a_client, setting):
    html = english(organizer_a_client).get("/manage/petitions/").get_data(as_text=True)
    assert setting.petition.text in html and setting.quiet.text in html
    assert setting.petition_b.text not in html
    assert "2 petitions" in html
    assert 'aria-current="page">All <span class="count">2</span>' in html


def test_queue_conference_filter_is_scoped(organizer_a_client, organizer_b_client, setting):
    english(organizer_a_client)
    response = organizer_a_client.get(f"/manage/petitions/?conference={setting.conference.id}")
    assert response.status_code == 200
    assert "Enter a question from the floor" in response.get_data(as_text=True)
    other = f"/manage/petitions/?conference={setting.conference_b.id}"
    assert organizer_a_client.get(other).status_code == 404
    assert organizer_a_client.get("/manage/petitions/?conference=99999").status_code == 404
    assert organizer_b_client.get(other).status_code == 200


def test_queue_bad_filters_say_so(organizer_a_client, setting):
    response = english(organizer_a_client).get(
        "/manage/petitions/?status=nonsense&source=x&topic=zz&agency=Q")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Unknown status", "Unknown source", "Unknown topic", "Unknown agency"):
        assert message in html
    assert setting.petition.text in html  # the list is still shown


def test_queue_marks_overdue_petitions(organizer_a_client, tree, setting):
    petition = setting.petition
    petition.agency_id, petition.status = tree.counter_a.id, PetitionStatus.ASSIGNED
    petition.due_date = services.local_today() - timedelta(days=4)
    db.session.commit()
    html = english(organizer_a_client).get("/manage/petitions/?overdue=1").get_data(as_text=True)
    assert "4 days overdue" in html and setting.quiet.text not in html
    assert f'id="petition-{petition.id}" class="is-overdue"' in html


def test_queue_search_by_tracking_code(organizer_a_client, setting):
    code = setting.quiet.tracking_code.lower()
    html = organizer_a_client.get(f"/manage/petitions/?q={code[:4]}-{code[4:]}").get_data(as_text=True)
    assert setting.quiet.text in html and setting.petition.text not in html


def test_other_subtrees_get_404_and_leaders_read_only(organizer_b_client, leader_a_client, leader_b_client,
                                                      setting):
    url = f"/manage/petitions/{setting.petition.id}"
    assert organizer_b_client.get(url).status_code == 404
    assert leader_b_client.get(url).status_code == 404
    assert organizer_b_client.post(f"{url}/close", data={
        "csrf_token": csrf_token(organizer_b_client.get("/manage/petitions/").get_data(as_text=True))
    }).status_code == 404
    html = leader_a_client.get(url).get_data(as_text=True)
    assert setting.petition.text in html and "/hide" not in html and "/assign" not in html
    token = csrf_token(html)
    response = leader_a_client.post(f"{url}/hide", data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 403
    assert reload(setting.petition).status == PetitionStatus.RECEIVED


def test_actions_need_the_csrf_token(organizer_a_client, setting):
    response = organizer_a_client.post(f"/manage/petitions/{setting.petition.id}/publish-question")
    assert response.status_code == 400
    assert reload(setting.petition).question_published_at is None


def test_publish_question_and_refusal_without_consent(organizer_a_client, setting):
    english(organizer_a_client)
    response = post(organizer_a_client, setting.petition, "publish-question")
    assert response.status_code == 303
    assert reload(setting.petition).question_published_at is not None
    response = post(organizer_a_client, setting.petition, "publish-question")
    assert response.status_code == 409 and "already published" in response.get_data(as_text=True)
    assert post(organizer_a_client, setting.petition, "unpublish-question").status_code == 303
    assert reload(setting.petition).question_published_at is None
    response = post(organizer_a_client, setting.quiet, "publish-question")
    assert response.status_code == 409
    assert "did not allow publishing" in response.get_data(as_text=True)


def test_hide_needs_a_reason_and_keeps_it_internal(organizer_a_client, client, setting):
    english(organizer_a_client)
    response = post(organizer_a_client, setting.petition, "hide", reason="  ")
    assert response.status_code == 422 and "Please give the reason" in response.get_data(as_text=True)
    assert post(organizer_a_client, setting.petition, "hide", reason="Xúc phạm cán bộ").status_code == 303
    petition = reload(setting.petition)
    assert petition.status == PetitionStatus.HIDDEN
    staff_page = organizer_a_client.get(f"/manage/petitions/{petition.id}").get_data(as_text=True)
    assert "Xúc phạm cán bộ" in staff_page
    public = client.get(f"/track/{petition.tracking_code}?lang=en").get_data(as_text=True)
    assert "will not be published" in public and "Xúc phạm" not in public
    response = post(organizer_a_client, petition, "hide", reason="again")
    assert response.status_code == 409 and "hidden" in response.get_data(as_text=True)


def test_merge_from_the_page(organizer_a_client, setting):
    english(organizer_a_client)
    response = post(organizer_a_client, setting.quiet, "merge", target=str(setting.petition_b.id))
    assert response.status_code == 422  # not offered: another conference
    response = post(organizer_a_client, setting.quiet, "merge", target=str(setting.petition.id))
    assert response.status_code == 303
    quiet = reload(setting.quiet)
    assert quiet.status == PetitionStatus.MERGED and quiet.merged_into_id == setting.petition.id


def test_assign_defaults_and_refusals(organizer_a_client, tree, setting):
    english(organizer_a_client)
    html = organizer_a_client.get(f"/manage/petitions/{setting.petition.id}").get_data(as_text=True)
    due = services.default_due_date(setting.conference)
    assert f'value="{due.isoformat()}"' in html
    yesterday = services.local_today() - timedelta(days=1)
    response = post(organizer_a_client, setting.petition, "assign", agency="B",
                    due_date=yesterday.isoformat())
    assert response.status_code == 422 and "cannot be in the past" in response.get_data(as_text=True)
    response = post(organizer_a_client, setting.petition, "assign", agency="NOPE", due_date=due.isoformat())
    assert response.status_code == 422
    # Any agency of the tree, also outside the organizer's own subtree.
    assert post(organizer_a_client, setting.petition, "assign", agency="B",
                due_date=due.isoformat()).status_code == 303
    petition = reload(setting.petition)
    assert (petition.status, petition.agency_id, petition.due_date) == (PetitionStatus.ASSIGNED,
                                                                        tree.dept_b.id, due)


def test_answer_publish_close_over_http(organizer_a_client, setting):
    english(organizer_a_client)
    response = post(organizer_a_client, setting.petition, "answer", answer_text="x", answered_by_name="A",
                    answered_at="2026-01-01T10:00")
    assert response.status_code == 409 and "Assign the petition" in response.get_data(as_text=True)
    due = services.default_due_date(setting.conference)
    post(organizer_a_client, setting.petition, "assign", agency="A1", due_date=due.isoformat())
    future = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = post(organizer_a_client, setting.petition, "answer", answer_text="Đã giải quyết.",
                    answered_by_name="Trần Minh Quang", answered_at=future)
    assert response.status_code == 422 and "future" in response.get_data(as_text=True)
    response = post(organizer_a_client, setting.petition, "answer", answer_text="Đã giải quyết.",
                    answered_by_name="Trần Minh Quang", answered_by_title="Phó Chủ tịch", answered_at="bad")
    assert response.status_code == 422 and "date and time" in response.get_data(as_text=True)
    assert "Đã giải quyết." in response.get_data(as_text=True)  # kept
    response = post(organizer_a_client, setting.petition, "answer", answer_text="Đã giải quyết.",
                    answered_by_name="Trần Minh Quang", answered_by_title="Phó Chủ tịch",
                    answered_at="2026-01-01T10:00")
    assert response.status_code == 303
    petition = reload(setting.petition)
    assert petition.answered_by == "Trần Minh Quang, Phó Chủ tịch"
    assert petition.answered_at.isoformat().startswith("2026-01-01T03:00")  # 10:00 local, stored in UTC
    assert post(organizer_a_client, petition, "publish-answer").status_code == 303
    assert reload(petition).status == PetitionStatus.ANSWERED
    assert post(organizer_a_client, petition, "close").status_code == 303
    assert reload(petition).status == PetitionStatus.CLOSED
    response = post(organizer_a_client, petition, "close")
    assert response.status_code == 409 and "is closed" in response.get_data(as_text=True)


def test_responsible_agency_answers_but_does_not_moderate(organizer_a_client, tree, setting):
    petition = setting.petition_b
    services.assign(petition, tree.counter_a, services.local_today() + timedelta(days=2), tree.admin)
    db.session.commit()
    english(organizer_a_client)
    html = organizer_a_client.get(f"/manage/petitions/{petition.id}").get_data(as_text=True)
    assert "/answer" in html and "/hide" not in html
    assert post(organizer_a_client, petition, "hide", reason="x").status_code == 403
    assert post(organizer_a_client, petition, "answer", answer_text="Trạm đã nhận thuốc.",
                answered_by_name="Bác sĩ Lan", answered_at="2026-01-01T10:00").status_code == 303
    assert post(organizer_a_client, petition, "publish-answer").status_code == 303
    assert reload(petition).status == PetitionStatus.ANSWERED


def test_floor_question_shows_the_tracking_code(organizer_a_client, setting):
    english(organizer_a_client)
    url = f"/manage/dialogues/{setting.conference.id}/petitions/new"
    html = organizer_a_client.get(url).get_data(as_text=True)
    token = csrf_token(html)
    response = organizer_a_client.post(url, data={"csrf_token": token, "text": "Đèn đường hỏng.",
                                                  "ticket": "ZZZZ-ZZZZ", "topic": "dat-dai"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "No registration of this conference" in body and "Đèn đường hỏng." in body
    response = organizer_a_client.post(url, data={
        "csrf_token": token, "text": "Đèn đường hỏng.", "topic": "dat-dai", "consent": "y",
        "ticket": setting.asker.ticket_code.lower()})
    assert response.status_code == 303
    petition = db.session.scalar(select(Petition).where(Petition.text == "Đèn đường hỏng."))
    assert petition.source == PetitionSource.FLOOR and petition.registration_id == setting.asker.id
    assert petition.consent_to_publish and petition.topic.code == "dat-dai"
    html = organizer_a_client.get(response.headers["Location"]).get_data(as_text=True)
    code = petition.tracking_code
    assert f'<p class="slip-code">{code[:4]}-{code[4:]}</p>' in html


def test_floor_questions_refused_for_a_draft_and_other_subtrees(organizer_a_client, organizer_b_client, tree,
                                                               setting):
    draft = make_conference(tree.dept_a, status=ConferenceStatus.DRAFT)
    assert organizer_a_client.get(f"/manage/dialogues/{draft.id}/petitions/new").status_code == 409
    response = organizer_b_client.get(f"/manage/dialogues/{setting.conference.id}/petitions/new")
    assert response.status_code == 404


@pytest.mark.parametrize("action", ["publish-answer", "close", "unpublish-question"])
def test_refused_steps_answer_409_and_change_nothing(organizer_a_client, setting, action):
    before = reload(setting.petition)
    status, events = before.status, len(before.events)
    assert post(organizer_a_client, setting.petition, action).status_code == 409
    after = reload(setting.petition)
    assert after.status == status and len(after.events) == events


def test_unknown_petition_is_404(organizer_a_client, setting):
    assert organizer_a_client.get("/manage/petitions/99999").status_code == 404
    petition = create_petition(text="x", source=PetitionSource.FLOOR)
    db.session.commit()
    assert organizer_a_client.get(f"/manage/petitions/{petition.id}").status_code == 404
