"""The burst check: when an agency suddenly receives far more open-link responses in an hour than
its recent hourly rate, that hour's open-link responses are held for review (never code-verified
ones); its organizers see a notice on the responses page and can count them again in one go."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback.audit.models import AuditEvent
from feedback.dashboards.models import Period, ResponseSummary
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.answers import ParsedAnswer
from feedback.surveys.models import AccessMode, Deployment, Response, ResponseFlag
from feedback.surveys.services import submit_response
from tests.surveys.helpers import deploy_one_page, form_token

HELD = "Responses held for review at"


@pytest.fixture
def one_page(app, tree):
    """A one-page survey live at department A, and a burst threshold of 5 an hour."""
    app.config.update(SURVEY_BURST_MIN=5, SURVEY_BURST_FACTOR=10, SURVEY_BURST_BASELINE_DAYS=14)
    deploy_one_page(tree.dept_a)
    return db.session.scalars(select(Deployment)).one()


def _send(app, n: int) -> None:
    """One citizen (address number `n`) opens /s/A and sends a rating of 1."""
    citizen = app.test_client()
    citizen.environ_base["REMOTE_ADDR"] = f"203.0.113.{n}"
    token = form_token(citizen.get("/s/A").get_data(as_text=True))
    sent = citizen.post("/s/A", data={"token": token, "page": "1", "q-overall": "1", "website": ""})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/s/A/thanks")


def _rows() -> list[Response]:
    """Every response, oldest first, as stored now."""
    db.session.expire_all()
    return list(db.session.scalars(select(Response).order_by(Response.id)))


def _summarized(agency_id: int) -> int:
    """How many responses of the agency the dashboards' summary counts (day rows)."""
    return db.session.scalar(select(func.coalesce(func.sum(ResponseSummary.responses), 0)).where(
        ResponseSummary.agency_id == agency_id, ResponseSummary.period == Period.DAY))


def test_a_burst_holds_the_hours_open_link_responses_but_never_code_verified_ones(app, tree, one_page):
    verified = submit_response(one_page, {"overall": ParsedAnswer("overall", number=5.0)}, locale="vi",
                               started_at=utcnow(), flags=0, client_hash=None, channel=AccessMode.CODE)
    db.session.commit()
    for n in range(4):
        _send(app, n)
    assert [r.flags for r in _rows()] == [0] * 5  # four in an hour: no burst yet
    _send(app, 4)  # the fifth open-link response of the hour
    rows = _rows()
    assert rows[0].id == verified.id and (rows[0].flags, rows[0].excluded) == (0, False)
    assert all(r.flags == ResponseFlag.UNDER_REVIEW and r.excluded for r in rows[1:])
    assert _summarized(tree.dept_a.id) == 1  # only the code-verified one still counts


def test_an_agency_used_to_many_responses_is_not_held(app, tree, one_page):
    yesterday = (utcnow() + timedelta(hours=7)).date() - timedelta(days=1)
    db.session.add(ResponseSummary(period=Period.DAY, day=yesterday, agency_id=tree.dept_a.id,
                                   version_id=one_page.version_id, channel=AccessMode.OPEN, service="",
                                   responses=1000, index_n=0, index_sum=0.0, index_sum_sq=0.0))
    db.session.commit()  # about 3 an hour over two weeks: 10 times that is 30
    for n in range(8):
        _send(app, n)
    assert [r.flags for r in _rows()] == [0] * 8


def test_organizers_see_the_held_burst_and_count_it_again_in_one_audited_post(
        app, tree, one_page, organizer_a_client, leader_a_client, leader_b_client):
    for n in range(5):
        _send(app, n)
    page = organizer_a_client.get("/manage/responses/?lang=en").get_data(as_text=True)
    assert HELD in page and "5 open-link responses" in page
    assert 'action="/manage/responses/held/A/restore"' in page
    assert HELD not in leader_a_client.get("/manage/responses/?lang=en").get_data(as_text=True)
    assert HELD not in leader_b_client.get("/manage/responses/?lang=en").get_data(as_text=True)
    # Without the CSRF token the POST is refused; a leader may not restore; another subtree: 404.
    assert organizer_a_client.post("/manage/responses/held/A/restore").status_code == 400
    assert all(r.excluded for r in _rows())

    def restore(client, code="A"):
        """POST the restore form of `code` with the page's CSRF token."""
        html = client.get("/manage/responses/?lang=en").get_data(as_text=True)
        token = html.split('name="csrf_token" value="')[1].split('"')[0]
        return client.post(f"/manage/responses/held/{code}/restore", data={"csrf_token": token})

    assert restore(leader_a_client).status_code == 403
    assert restore(organizer_a_client, "B").status_code == 404
    done = restore(organizer_a_client)
    assert done.status_code == 303
    rows = _rows()
    assert all(not r.excluded and r.flags == ResponseFlag.UNDER_REVIEW for r in rows)  # flag kept
    assert _summarized(tree.dept_a.id) == 5
    events = list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "responses.restore_burst")))
    assert len(events) == 1 and events[0].details["count"] == 5
    assert events[0].actor_id == tree.organizer_a.id
    page = organizer_a_client.get(done.headers["Location"]).get_data(as_text=True)
    assert HELD not in page and "5 held responses count in the indices again." in page
    # The burst goes on: the next one is held, the restored ones are not held again.
    _send(app, 5)
    rows = _rows()
    assert [r.excluded for r in rows] == [False] * 5 + [True]
    assert _summarized(tree.dept_a.id) == 5
