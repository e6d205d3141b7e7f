"""One response in full, and the organizers' review: restore and exclude flagged responses."""

import pytest
from sqlalchemy import select

from feedback.accounts.authz import agency_filter
from feedback.accounts.models import Role
from feedback.audit.models import AuditEvent
from feedback.dashboards import metrics
from feedback.extensions import db
from feedback.surveys.answers import ParsedAnswer
from feedback.surveys.models import Response, ResponseFlag
from tests.conftest import csrf_token
from tests.surveys.helpers import likert_keys


def _url(response_id: int, action: str = "") -> str:
    """The page (or an action) of one response."""
    return f"/manage/responses/{response_id}" + (f"/{action}" if action else "")


def _events(action: str) -> list[AuditEvent]:
    """Audit events written for `action`."""
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                      .order_by(AuditEvent.id)))


def _post(client, response_id: int, action: str, **extra):
    """Post a review action with the CSRF token of the response's page."""
    token = csrf_token(client.get(_url(response_id) + "?lang=en").get_data(as_text=True))
    return client.post(_url(response_id, action), data={"csrf_token": token, **extra})


def _state(response_id: int) -> tuple[bool, int]:
    """(excluded, flags) of a response as stored."""
    db.session.expire_all()
    response = db.session.get(Response, response_id)
    return response.excluded, response.flags


@pytest.fixture
def flagged(sipas):
    """A honeypot-flagged response at counter A1, with a comment trying to inject HTML."""
    response = sipas.add("A1", flags=ResponseFlag.HONEYPOT | ResponseFlag.TOO_FAST,
                         comment="<script>alert(1)</script>\nsecond line")
    db.session.commit()
    return response.id


def test_a_response_shows_every_question_in_order_with_its_answer(leader_a_client, sipas):
    keys = likert_keys(sipas.version)
    answers = {key: ParsedAnswer(key, number=5.0) for key in keys}
    answers[keys[0]] = ParsedAnswer(keys[0], number=2.0)
    answers["feedback_channels"] = ParsedAnswer("feedback_channels", not_applicable=True)
    del answers["staff_guidance"]
    answers["comment"] = ParsedAnswer("comment", text="Nhanh <b>gọn</b>")
    response = sipas.add("A", answers=answers)
    db.session.commit()

    page = leader_a_client.get(_url(response.id) + "?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    headings = [q.text("en") for q in sipas.version.questions if q.type == "section"]
    positions = [html.index(f"<h3>{heading}</h3>") for heading in headings]
    assert positions == sorted(positions)
    assert "2 – Dissatisfied" in html and "5 – Very satisfied" in html
    assert "Not applicable" in html and "Not answered" in html
    assert "Nhanh &lt;b&gt;gọn&lt;/b&gt;" in html
    assert "Counted in the indices" in html
    # The staff dimension: 2 valid answers, both 5 → 100%; access: 2, 5, 5 → 2 of 3.
    assert "2 of 3" in html and "67%" in html

    vi = leader_a_client.get(_url(response.id) + "?lang=vi").get_data(as_text=True)
    assert "Rất hài lòng" in vi and "Không áp dụng" in vi


def test_choice_answers_read_in_the_chosen_language(leader_a_client, sipas, typed):
    response = sipas.add(deployment=typed, answers={
        "visited": ParsedAnswer("visited", number=1.0, text="yes"),
        "rating": ParsedAnswer("rating", number=1.0),
        "what_went_wrong": ParsedAnswer("what_went_wrong", choices=["slow", "rude"]),
        "channel": ParsedAnswer("channel", text="online"),
        "recommend": ParsedAnswer("recommend", number=7.0),
        "visit_date": ParsedAnswer("visit_date", text="2024-05-31"),
    })
    db.session.commit()
    en = leader_a_client.get(_url(response.id) + "?lang=en").get_data(as_text=True)
    assert "Slow; Rude" in en and "Yes" in en and "7 out of 10" in en and "31 May 2024" in en
    # No English label: the Vietnamese one stands in.
    assert "Trực tuyến" in en
    # "why_not" only applies when the citizen had not visited.
    assert "Not asked (its condition was not met)" in en
    vi = leader_a_client.get(_url(response.id) + "?lang=vi").get_data(as_text=True)
    assert "Chậm; Thiếu lịch sự" in vi and "31/05/2024" in vi


def test_another_subtree_gets_404(leader_b_client, organizer_a_client, sipas, flagged):
    assert leader_b_client.get(_url(flagged)).status_code == 404
    assert leader_b_client.get(_url(999999)).status_code == 404
    b_response = sipas.add("B", flags=ResponseFlag.HONEYPOT).id
    db.session.commit()
    assert organizer_a_client.get(_url(b_response)).status_code == 404
    token = csrf_token(organizer_a_client.get(_url(flagged)).get_data(as_text=True))
    assert organizer_a_client.post(_url(b_response, "restore"),
                                   data={"csrf_token": token}).status_code == 404
    assert _state(b_response) == (True, int(ResponseFlag.HONEYPOT))


def test_an_organizer_restores_and_excludes_again(app, organizer_a_client, tree, sipas, flagged):
    scope = agency_filter(tree.admin, Role.LEADER)

    def n_at_counter() -> int:
        """Responses counted in counter A1's index."""
        return next(i.n for i in metrics.agency_indices(scope) if i.code == "A1")

    sipas.add("A1")
    db.session.commit()
    assert n_at_counter() == 1
    html = organizer_a_client.get(_url(flagged) + "?lang=en").get_data(as_text=True)
    assert "Honeypot filled" in html and "Filled too fast" in html and "Excluded from the indices" in html

    page = _post(organizer_a_client, flagged, "restore")
    assert page.status_code == 303 and page.headers["Location"].endswith(_url(flagged))
    flags = int(ResponseFlag.HONEYPOT | ResponseFlag.TOO_FAST)
    assert _state(flagged) == (False, flags)
    assert n_at_counter() == 2
    [event] = _events("response.restore")
    assert event.object_id == str(flagged) and event.actor_id == tree.organizer_a.id
    assert event.details["flags"] == ["honeypot", "too_fast"]
    shown = organizer_a_client.get(_url(flagged) + "?lang=en").get_data(as_text=True)
    assert "The response counts in the indices again." in shown and "Honeypot filled" in shown

    assert _post(organizer_a_client, flagged, "exclude").status_code == 303
    assert _state(flagged) == (True, flags)
    assert n_at_counter() == 1
    assert len(_events("response.exclude")) == 1


def test_restoring_keeps_the_list_filters_for_the_way_back(organizer_a_client, flagged):
    token = csrf_token(organizer_a_client.get(_url(flagged)).get_data(as_text=True))
    page = organizer_a_client.post(_url(flagged, "restore") + "?flagged=flagged&agency=A1",
                                   data={"csrf_token": token})
    assert "flagged=flagged" in page.headers["Location"] and "agency=A1" in page.headers["Location"]
    html = organizer_a_client.get(page.headers["Location"]).get_data(as_text=True)
    assert 'href="/manage/responses/?' in html and "agency=A1" in html


def test_leaders_see_but_cannot_change(leader_a_client, leader_b_client, flagged):
    html = leader_a_client.get(_url(flagged) + "?lang=en").get_data(as_text=True)
    assert "Only an organizer of this agency can restore or exclude it." in html
    assert "/restore" not in html
    for client in (leader_a_client, leader_b_client):
        token = csrf_token(client.get("/manage/responses/").get_data(as_text=True))
        for action in ("restore", "exclude"):
            assert client.post(_url(flagged, action), data={"csrf_token": token}).status_code == 403
    assert _state(flagged)[0] is True
    assert _events("response.restore") == []


def test_review_needs_the_csrf_token(organizer_a_client, flagged):
    page = organizer_a_client.post(_url(flagged, "restore"))
    assert page.status_code == 400
    assert _state(flagged)[0] is True


def test_review_is_post_only(organizer_a_client, flagged):
    assert organizer_a_client.get(_url(flagged, "restore")).status_code == 405
    assert _state(flagged)[0] is True


def test_an_unflagged_response_cannot_be_excluded(organizer_a_client, sipas):
    response = sipas.add("A").id
    db.session.commit()
    page = _post(organizer_a_client, response, "exclude")
    assert page.status_code == 303
    assert _state(response) == (False, 0)
    assert _events("response.exclude") == []
    html = organizer_a_client.get(page.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Only a flagged response can be excluded." in html


def test_restoring_twice_changes_nothing_the_second_time(organizer_a_client, flagged):
    _post(organizer_a_client, flagged, "restore")
    _post(organizer_a_client, flagged, "restore")
    assert len(_events("response.restore")) == 1


def test_admins_may_review(admin_client, flagged):
    assert _post(admin_client, flagged, "restore").status_code == 303
    assert _state(flagged)[0] is False
