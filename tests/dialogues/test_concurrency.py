"""200 people signing up at once for 50 seats: never overbooked, seats and places in arrival order.

Runs on SQLite and on PostgreSQL. Every sign-up runs in its own thread with its own app context,
so each has its own database session, connection and transaction, as under gunicorn; a barrier
releases them all together.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from feedback.dialogues.models import Conference, Registration, RegistrationStatus
from feedback.dialogues.registrations import cancel, register, seats_left, waitlist_length
from feedback.extensions import db
from tests.dialogues.helpers import make_conference, phone

PEOPLE = 200
SEATS = 50


def _sign_up_all(app, conference_id: int) -> None:
    """PEOPLE sign-ups for distinct phones from PEOPLE threads released together."""
    start = threading.Barrier(PEOPLE)

    def one(n):
        """Wait for everyone, then sign person `n` up in a context (and transaction) of its own."""
        start.wait(timeout=30)
        with app.app_context():
            conference = db.session.get(Conference, conference_id)
            registration, created = register(conference, full_name=f"Người {n}", phone=phone(n))
            db.session.commit()
            return registration.status, created

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        # list() re-raises the first exception a thread hit.
        results = list(pool.map(one, range(PEOPLE)))
    assert all(created for _status, created in results)


def test_concurrent_sign_ups_never_overbook_and_cancelling_promotes_number_one(app, tree):
    conference = make_conference(tree.dept_a, capacity=SEATS)
    _sign_up_all(app, conference.id)

    db.session.expire_all()
    regs = db.session.scalars(select(Registration).where(Registration.conference_id == conference.id)
                              .order_by(Registration.id)).all()
    confirmed = [r for r in regs if r.status == RegistrationStatus.CONFIRMED]
    waitlisted = [r for r in regs if r.status == RegistrationStatus.WAITLISTED]
    assert len(confirmed) == SEATS
    assert len(waitlisted) == PEOPLE - SEATS
    assert sorted(r.waitlist_position for r in waitlisted) == list(range(1, PEOPLE - SEATS + 1))
    # Arrival order, as the database saw it: ids are given under the conference lock, so every
    # seat went to an earlier arrival than every waitlisted place, and positions follow ids.
    assert max(r.id for r in confirmed) < min(r.id for r in waitlisted)
    assert [r.waitlist_position for r in waitlisted] == list(range(1, PEOPLE - SEATS + 1))
    assert len({r.ticket_code for r in regs}) == PEOPLE
    assert conference.seat_version == PEOPLE
    assert seats_left(conference) == 0 and waitlist_length(conference) == PEOPLE - SEATS

    first_waiting = waitlisted[0]
    promoted = cancel(confirmed[0])
    db.session.commit()
    assert promoted.id == first_waiting.id
    db.session.expire_all()
    assert db.session.get(Registration, first_waiting.id).status == RegistrationStatus.CONFIRMED
    positions = db.session.scalars(
        select(Registration.waitlist_position)
        .where(Registration.conference_id == conference.id,
               Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.waitlist_position)).all()
    assert positions == list(range(1, PEOPLE - SEATS))
    assert seats_left(conference) == 0
