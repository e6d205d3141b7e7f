"""Check-in at the door: every way a ticket is read, every refusal, walk-ins, the live count, and two
staff checking in the same ticket at the same moment."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.dialogues.manage.checkin import Outcome, check_in, read_ticket
from feedback.dialogues.models import Conference, ConferenceStatus, Registration, RegistrationStatus
from feedback.dialogues.registrations import cancel, register
from feedback.extensions import db
from feedback.models import utcnow
from tests.conftest import AuthActions
from tests.dialogues.helpers import make_conference, phone
from tests.dialogues.manage.conftest import token


@pytest.fixture
def door(app, tree):
    """A conference with two seats: one confirmed, one checked in; one waitlisted, one cancelled."""
    conference = make_conference(tree.dept_a, capacity=2)
    confirmed, _ = register(conference, full_name="Nguyễn Văn An", phone=phone(1), locality="Phường 1")
    attended, _ = register(conference, full_name="Trần Thị Bình", phone=phone(2))
    waitlisted, _ = register(conference, full_name="Lê Văn Cường", phone=phone(3))
    leaving, _ = register(conference, full_name="Phạm Dung", phone=phone(4))
    db.session.commit()
    check_in(conference, attended.ticket_code)
    db.session.commit()
    cancel(leaving)
    db.session.commit()
    return conference, confirmed, attended, waitlisted, leaving


def _post_code(client, conference, code):
    """Submit a ticket code on the check-in page."""
    return client.post(f"/manage/dialogues/{conference.id}/check-in",
                       data={"csrf_token": token(client), "code": code})


def _reg(registration) -> Registration:
    """The registration as stored now."""
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{dash}", " {dash_lower} ",
                                   "https://langnghe.vn/tickets/{code}", "http://x/tickets/{code}?lang=vi"])
def test_read_ticket(app, typed):
    code = "ACEF3479"
    text = typed.format(code=code, lower=code.lower(), dash="ACEF-3479", dash_lower="acef-3479")
    assert read_ticket(text) == code


@pytest.mark.parametrize("typed", ["", "ABC", "ACEF34790", "OOOO0000", "https://x/tickets/", "x" * 600])
def test_read_ticket_refuses_what_cannot_be_a_code(app, typed):
    assert read_ticket(typed) is None


def test_check_in_shows_the_person_and_counts(app, tree, organizer_a_client, door):
    conference, confirmed, *_ = door
    page = organizer_a_client.get(f"/manage/dialogues/{conference.id}/check-in")
    assert page.status_code == 200
    assert 'data-count="attended">1<' in page.get_data(as_text=True)

    code = confirmed.ticket_code
    response = _post_code(organizer_a_client, conference, f"{code[:4].lower()}-{code[4:].lower()}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Checked in" in html and "Nguyễn Văn An" in html and "Phường 1" in html
    assert "Themselves" in html                                   # on whose behalf
    assert 'data-count="attended">2<' in html
    stored = _reg(confirmed)
    assert stored.status == RegistrationStatus.ATTENDED and stored.checked_in_at is not None

    count = organizer_a_client.get(f"/manage/dialogues/{conference.id}/check-in/count.json")
    assert count.get_json() == {"attended": 2, "seated": 2, "capacity": 2, "waitlisted": 1}
    assert count.headers["Cache-Control"] == "no-store"


def test_a_pasted_ticket_url_works(app, tree, organizer_a_client, door):
    conference, confirmed, *_ = door
    response = _post_code(organizer_a_client, conference, f"http://127.0.0.1/tickets/{confirmed.ticket_code}")
    assert response.status_code == 200 and _reg(confirmed).status == RegistrationStatus.ATTENDED


def test_already_checked_in_says_when(app, tree, organizer_a_client, door):
    conference, _confirmed, attended, *_ = door
    response = _post_code(organizer_a_client, conference, attended.ticket_code)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Already checked in" in html and "Checked in at" in html and "Trần Thị Bình" in html


def test_refusals(app, tree, organizer_a_client, door):
    conference, _confirmed, _attended, waitlisted, leaving = door
    response = _post_code(organizer_a_client, conference, leaving.ticket_code)
    assert response.status_code == 409
    assert "Cancelled registration" in response.get_data(as_text=True)
    assert _reg(leaving).status == RegistrationStatus.CANCELLED

    response = _post_code(organizer_a_client, conference, waitlisted.ticket_code)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "On the waiting list, number 1" in html and "Every seat is taken" in html
    assert _reg(waitlisted).status == RegistrationStatus.WAITLISTED

    response = _post_code(organizer_a_client, conference, "ACEF-3479")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Unknown ticket" in html and "ACEF-3479" in html

    response = _post_code(organizer_a_client, conference, "hello")
    assert response.status_code == 422
    assert "Not a ticket code" in response.get_data(as_text=True)


def test_a_ticket_of_another_conference_names_it_only_when_managed(app, tree, organizer_a_client, door):
    conference = door[0]
    mine = make_conference(tree.commune_a, title_vi="Đối thoại xã An Bình", title_en="An Binh dialogue")
    theirs = make_conference(tree.dept_b, title_vi="Đối thoại ngành Y tế", title_en="Health dialogue")
    in_mine, _ = register(mine, full_name="Ở xã", phone=phone(20))
    in_theirs, _ = register(theirs, full_name="Ở Sở Y tế", phone=phone(21))
    db.session.commit()

    html = _post_code(organizer_a_client, conference, in_mine.ticket_code).get_data(as_text=True)
    assert "Ticket for another conference" in html and "An Binh dialogue" in html
    assert f"/manage/dialogues/{mine.id}/check-in" in html
    response = _post_code(organizer_a_client, conference, in_theirs.ticket_code)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "not one you manage" in html
    assert "Health dialogue" not in html and "Ở Sở Y tế" not in html
    assert _reg(in_mine).status == RegistrationStatus.CONFIRMED
    assert _reg(in_theirs).status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize("status", [ConferenceStatus.DRAFT, ConferenceStatus.CANCELLED,
                                    ConferenceStatus.REPORTED])
def test_no_check_in_outside_published_or_held(app, tree, organizer_a_client, status):
    conference = make_conference(tree.dept_a, status=status)
    page = organizer_a_client.get(f"/manage/dialogues/{conference.id}/check-in")
    assert page.status_code == 409
    assert "Check-in is open only" in page.get_data(as_text=True)
    assert _post_code(organizer_a_client, conference, "ACEF3479").status_code == 409


def test_check_in_continues_once_held(app, tree, organizer_a_client):
    conference = make_conference(tree.dept_a, starts_at=utcnow() - timedelta(hours=1),
                                 registration_closes_at=None)
    late, _ = register(conference, full_name="Đến muộn", phone=phone(7))
    conference.status = ConferenceStatus.HELD
    db.session.commit()
    assert _post_code(organizer_a_client, conference, late.ticket_code).status_code == 200


def test_undo_check_in(app, tree, organizer_a_client, door):
    conference, confirmed, *_ = door
    _post_code(organizer_a_client, conference, confirmed.ticket_code)
    url = f"/manage/dialogues/{conference.id}/check-in/{confirmed.id}/undo"
    response = organizer_a_client.post(url, data={"csrf_token": token(organizer_a_client)})
    assert response.status_code == 200 and "is undone" in response.get_data(as_text=True)
    stored = _reg(confirmed)
    assert stored.status == RegistrationStatus.CONFIRMED and stored.checked_in_at is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "registration.check_in_undone"))
    assert organizer_a_client.post(url, data={"csrf_token": token(organizer_a_client)}).status_code == 409


def _walk_in(client, conference, **fields):
    """Post the walk-in form."""
    data = {"csrf_token": token(client), "full_name": "Vãng Lai", "phone": "0987 654 321",
            "locality": "Xã An Bình", "representing": "household", "consent": "y"}
    data.update(fields)
    return client.post(f"/manage/dialogues/{conference.id}/check-in/walk-in", data=data)


def test_walk_in_is_registered_and_checked_in(app, tree, organizer_a_client):
    conference = make_conference(tree.dept_a, capacity=5)
    response = _walk_in(organizer_a_client, conference)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Registered at the door and checked in" in html and "Their household" in html
    person = db.session.scalar(select(Registration))
    assert person.walk_in and person.status == RegistrationStatus.ATTENDED
    assert person.phone == "+84987654321" and person.locality == "Xã An Bình"
    assert person.consent_at is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "registration.walk_in"))

    # The same phone again: the existing registration, already checked in.
    again = _walk_in(organizer_a_client, conference, full_name="Vãng Lai lần hai")
    assert again.status_code == 409 and "Already checked in" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(Registration)).all()) == 1


def test_walk_in_with_a_registration_already_is_checked_in(app, tree, organizer_a_client):
    conference = make_conference(tree.dept_a, capacity=5)
    registered, _ = register(conference, full_name="Đã đăng ký", phone=phone(30))
    db.session.commit()
    response = _walk_in(organizer_a_client, conference, phone=phone(30))
    assert response.status_code == 200
    assert "already registered; that registration is checked in" in response.get_data(as_text=True)
    assert _reg(registered).status == RegistrationStatus.ATTENDED


def test_walk_in_when_full_goes_on_the_waiting_list(app, tree, organizer_a_client):
    conference = make_conference(tree.dept_a, capacity=1)
    register(conference, full_name="Có chỗ", phone=phone(1))
    db.session.commit()
    response = _walk_in(organizer_a_client, conference)
    assert response.status_code == 200
    assert "every seat is taken: the person is on the waiting list" in response.get_data(as_text=True)
    walk_in = db.session.scalar(select(Registration).where(Registration.walk_in.is_(True)))
    assert walk_in.status == RegistrationStatus.WAITLISTED and walk_in.waitlist_position == 1


@pytest.mark.parametrize(("fields", "field_id", "words"), [
    ({"phone": "12345"}, "phone", "Vietnamese phone number"),
    ({"phone": ""}, "phone", "phone number"),
    ({"full_name": ""}, "full_name", "full name"),
    ({"consent": ""}, "consent", "consent"),
    ({"representing": "army"}, "representing", "on whose behalf"),
])
def test_walk_in_mistakes_keep_what_was_typed(app, tree, organizer_a_client, fields, field_id, words):
    conference = make_conference(tree.dept_a)
    response = _walk_in(organizer_a_client, conference, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'href="#{field_id}"' in html and words.lower() in html.lower()
    assert "Xã An Bình" in html and '<details class="card dm-walk-in" open id="result">' in html
    assert db.session.scalar(select(Registration)) is None


def _sign_in(app, email):
    """A fresh signed-in client."""
    client = app.test_client()
    assert AuthActions(client).login(email).status_code == 302
    return client


def test_a_second_check_in_waiting_on_the_first_is_told_already(app, tree):
    """Staff A's check-in is written but not yet committed when staff B scans the same ticket: B
    waits on the row (PostgreSQL) or the write lock (SQLite), then finds it no longer confirmed."""
    conference = make_conference(tree.dept_a)
    person, _ = register(conference, full_name="Hai người quét", phone=phone(1))
    db.session.commit()
    conference_id, code = conference.id, person.ticket_code
    a_wrote, a_may_commit = threading.Event(), threading.Event()

    def staff_a():
        with app.app_context():
            result = check_in(db.session.get(Conference, conference_id), code)
            a_wrote.set()
            a_may_commit.wait(timeout=10)
            db.session.commit()
            return result.outcome

    def staff_b():
        a_wrote.wait(timeout=10)
        with app.app_context():
            result = check_in(db.session.get(Conference, conference_id), code)
            db.session.commit()
            return result.outcome, result.registration.checked_in_at is not None

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(staff_a)
        second = pool.submit(staff_b)
        a_wrote.wait(timeout=10)
        # B is now blocked on A's uncommitted write; it must not finish before A commits.
        time.sleep(0.3)
        assert not second.done()
        a_may_commit.set()
        assert first.result(timeout=10) == Outcome.CHECKED_IN
        assert second.result(timeout=10) == (Outcome.ALREADY, True)


def test_concurrent_requests_check_a_ticket_in_once(app, tree):
    """Several staff phones submit the same ticket at the same moment: one success, the rest told."""
    conference = make_conference(tree.dept_a)
    person, _ = register(conference, full_name="Nhiều người quét", phone=phone(1))
    db.session.commit()
    url, code = f"/manage/dialogues/{conference.id}/check-in", person.ticket_code
    staff = 6
    clients = [_sign_in(app, tree.organizer_a.email) for _ in range(staff)]
    tokens = [token(c) for c in clients]
    start = threading.Barrier(staff)

    def scan(n):
        start.wait(timeout=10)
        response = clients[n].post(url, data={"csrf_token": tokens[n], "code": code})
        return response.status_code, "Already checked in" in response.get_data(as_text=True)

    with ThreadPoolExecutor(max_workers=staff) as pool:
        results = list(pool.map(scan, range(staff)))
    assert sorted(code for code, _ in results) == [200] + [409] * (staff - 1)
    assert sum(already for _, already in results) == staff - 1
    stored = _reg(person)
    assert stored.status == RegistrationStatus.ATTENDED
