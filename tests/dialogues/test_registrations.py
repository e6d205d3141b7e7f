"""Signing up, the waiting list, cancelling and capacity changes, one transaction at a time."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback.core.codes import ALPHABET, CODE_LENGTH
from feedback.dialogues.models import ConferenceStatus, Registration, RegistrationStatus, Representing
from feedback.dialogues.registrations import (
    RegistrationRefused,
    cancel,
    change_capacity,
    normalize_phone,
    register,
    seats_left,
    waitlist_length,
)
from feedback.extensions import db
from feedback.models import utcnow
from tests.dialogues.helpers import make_conference, phone


@pytest.mark.parametrize(("raw", "expected"), [
    ("0912 345 678", "+84912345678"),
    ("0912345678", "+84912345678"),
    ("+84 912345678", "+84912345678"),
    ("84912345678", "+84912345678"),
    ("(+84) 912-345-678", "+84912345678"),
    ("024 3912 3456", "+842439123456"),    # a Hà Nội fixed line
    ("not a phone", None),
    ("", None),
    ("091234", None),                      # too short
    ("0912 345 678 999", None),            # too long
    ("1900 1234", None),                   # shared-cost service number, nobody's phone
    ("+1 202 555 0143", None),             # valid, but not Vietnamese
    ("0" * 300, None),
])
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


def _sign_up(conference, n, **kwargs):
    """Register person `n` and commit; returns (registration, created)."""
    result = register(conference, full_name=f"Người {n}", phone=phone(n), **kwargs)
    db.session.commit()
    return result


def _waitlist(conference) -> list[tuple[int, int]]:
    """(registration id, position) of the waiting list, in position order."""
    return [tuple(row) for row in db.session.execute(
        select(Registration.id, Registration.waitlist_position)
        .where(Registration.conference_id == conference.id,
               Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.waitlist_position))]


def test_seats_in_arrival_order_then_waitlist_positions(app, tree):
    conference = make_conference(tree.dept_a, capacity=2)
    regs = [_sign_up(conference, n)[0] for n in range(5)]
    assert [r.status for r in regs] == ([RegistrationStatus.CONFIRMED] * 2
                                        + [RegistrationStatus.WAITLISTED] * 3)
    assert [r.waitlist_position for r in regs] == [None, None, 1, 2, 3]
    assert seats_left(conference) == 0
    assert waitlist_length(conference) == 3


def test_registration_fields(app, tree):
    conference = make_conference(tree.dept_a, capacity=5)
    now = utcnow()
    reg, created = register(conference, full_name="Nguyễn Văn A", phone="+84 912 345 678",
                            email="a@example.vn", locality="Phường 1",
                            representing=Representing.BUSINESS, locale="en", now=now)
    db.session.commit()
    assert created
    assert reg.phone == "+84912345678"
    assert reg.consent_at == now
    assert reg.representing == Representing.BUSINESS and reg.locale == "en"
    assert len(reg.ticket_code) == CODE_LENGTH and set(reg.ticket_code) <= set(ALPHABET)
    assert seats_left(conference) == 4 and waitlist_length(conference) == 0


def test_ticket_codes_are_distinct(app, tree):
    conference = make_conference(tree.dept_a, capacity=30)
    codes = {_sign_up(conference, n)[0].ticket_code for n in range(30)}
    assert len(codes) == 30


def test_same_phone_twice_returns_the_existing_registration(app, tree):
    conference = make_conference(tree.dept_a, capacity=1)
    first, created = register(conference, full_name="A", phone="0912345678")
    db.session.commit()
    again, created_again = register(conference, full_name="A again", phone="+84912345678")
    db.session.commit()
    assert created and not created_again
    assert again.id == first.id and again.full_name == "A"
    assert db.session.scalar(select(db.func.count(Registration.id))) == 1


def test_the_same_phone_may_sign_up_again_after_cancelling(app, tree):
    conference = make_conference(tree.dept_a, capacity=1)
    first, _ = _sign_up(conference, 1)
    cancel(first)
    db.session.commit()
    second, created = _sign_up(conference, 1)
    assert created and second.id != first.id
    assert second.status == RegistrationStatus.CONFIRMED


def test_the_same_phone_may_sign_up_for_another_conference(app, tree):
    one = make_conference(tree.dept_a)
    other = make_conference(tree.dept_a)
    assert _sign_up(one, 1)[1] and _sign_up(other, 1)[1]


@pytest.mark.parametrize("status", [ConferenceStatus.DRAFT, ConferenceStatus.HELD,
                                    ConferenceStatus.REPORTED, ConferenceStatus.CANCELLED])
def test_refused_unless_published(app, tree, status):
    conference = make_conference(tree.dept_a, status=status)
    for walk_in in (False, True):
        with pytest.raises(RegistrationRefused) as refused:
            register(conference, full_name="A", phone=phone(1), walk_in=walk_in)
        assert refused.value.reason == "not_published"


def test_refused_outside_the_window(app, tree):
    now = utcnow()
    early = make_conference(tree.dept_a, registration_opens_at=now + timedelta(hours=1))
    late = make_conference(tree.dept_a, registration_closes_at=now - timedelta(minutes=1))
    for conference, reason in ((early, "not_open"), (late, "closed")):
        with pytest.raises(RegistrationRefused) as refused:
            register(conference, full_name="A", phone=phone(1))
        assert refused.value.reason == reason
        db.session.rollback()
    assert db.session.scalar(select(db.func.count(Registration.id))) == 0


def test_window_bounds(app, tree):
    now = utcnow()
    conference = make_conference(tree.dept_a, registration_opens_at=now,
                                 registration_closes_at=now + timedelta(hours=1))
    assert register(conference, full_name="A", phone=phone(1), now=now)[1]
    with pytest.raises(RegistrationRefused):
        register(conference, full_name="B", phone=phone(2), now=now + timedelta(hours=1))


def test_no_window_means_no_bound(app, tree):
    conference = make_conference(tree.dept_a, registration_opens_at=None, registration_closes_at=None)
    assert _sign_up(conference, 1)[1]


def test_invalid_phone_refused(app, tree):
    conference = make_conference(tree.dept_a)
    with pytest.raises(RegistrationRefused) as refused:
        register(conference, full_name="A", phone="12345")
    assert refused.value.reason == "invalid_phone"


def test_walk_in_ignores_the_window(app, tree):
    conference = make_conference(tree.dept_a, capacity=1,
                                 registration_closes_at=utcnow() - timedelta(days=1))
    reg, created = _sign_up(conference, 1, walk_in=True)
    assert created and reg.walk_in and reg.status == RegistrationStatus.CONFIRMED
    # Walk-ins still respect capacity.
    assert _sign_up(conference, 2, walk_in=True)[0].status == RegistrationStatus.WAITLISTED


def test_cancelling_a_seat_promotes_number_one_and_renumbers(app, tree):
    conference = make_conference(tree.dept_a, capacity=2)
    regs = [_sign_up(conference, n)[0] for n in range(5)]
    promoted = cancel(regs[0])
    db.session.commit()
    assert promoted.id == regs[2].id
    assert promoted.status == RegistrationStatus.CONFIRMED and promoted.promoted_at is not None
    assert promoted.waitlist_position is None
    assert regs[0].status == RegistrationStatus.CANCELLED and regs[0].cancelled_at is not None
    assert _waitlist(conference) == [(regs[3].id, 1), (regs[4].id, 2)]
    # The loaded objects were kept in step with the bulk renumbering.
    assert (regs[3].waitlist_position, regs[4].waitlist_position) == (1, 2)
    assert seats_left(conference) == 0


def test_cancelling_a_seat_without_a_waitlist_frees_it(app, tree):
    conference = make_conference(tree.dept_a, capacity=2)
    reg, _ = _sign_up(conference, 1)
    assert cancel(reg) is None
    db.session.commit()
    assert seats_left(conference) == 2


def test_cancelling_a_waitlisted_place_closes_the_gap(app, tree):
    conference = make_conference(tree.dept_a, capacity=1)
    regs = [_sign_up(conference, n)[0] for n in range(5)]
    assert cancel(regs[2]) is None
    db.session.commit()
    assert regs[2].status == RegistrationStatus.CANCELLED and regs[2].waitlist_position is None
    assert _waitlist(conference) == [(regs[1].id, 1), (regs[3].id, 2), (regs[4].id, 3)]
    assert regs[0].status == RegistrationStatus.CONFIRMED


def test_cancel_refuses_attended_and_cancelled(app, tree):
    conference = make_conference(tree.dept_a, capacity=3)
    attended, _ = _sign_up(conference, 1)
    attended.status = RegistrationStatus.ATTENDED
    attended.checked_in_at = utcnow()
    gone, _ = _sign_up(conference, 2)
    cancel(gone)
    db.session.commit()
    for registration, reason in ((attended, "attended"), (gone, "already_cancelled")):
        with pytest.raises(RegistrationRefused) as refused:
            cancel(registration)
        assert refused.value.reason == reason
        db.session.rollback()


def test_raising_capacity_promotes_in_position_order(app, tree):
    conference = make_conference(tree.dept_a, capacity=1)
    regs = [_sign_up(conference, n)[0] for n in range(5)]
    promoted = change_capacity(conference, 3)
    db.session.commit()
    assert [r.id for r in promoted] == [regs[1].id, regs[2].id]
    assert all(r.status == RegistrationStatus.CONFIRMED and r.promoted_at for r in promoted)
    assert _waitlist(conference) == [(regs[3].id, 1), (regs[4].id, 2)]
    assert conference.capacity == 3 and seats_left(conference) == 0

    promoted = change_capacity(conference, 10)
    db.session.commit()
    assert [r.id for r in promoted] == [regs[3].id, regs[4].id]
    assert _waitlist(conference) == [] and seats_left(conference) == 5


def test_lowering_capacity_below_the_seats_taken_is_refused(app, tree):
    conference = make_conference(tree.dept_a, capacity=4)
    regs = [_sign_up(conference, n)[0] for n in range(3)]
    regs[0].status = RegistrationStatus.ATTENDED  # attended seats count as taken
    db.session.commit()
    with pytest.raises(RegistrationRefused) as refused:
        change_capacity(conference, 2)
    assert refused.value.reason == "below_confirmed"
    db.session.rollback()
    assert conference.capacity == 4
    with pytest.raises(RegistrationRefused) as refused:
        change_capacity(conference, -1)
    assert refused.value.reason == "invalid_capacity"
    db.session.rollback()
    assert change_capacity(conference, 3) == []
    db.session.commit()
    assert conference.capacity == 3 and seats_left(conference) == 0
    assert _sign_up(conference, 9)[0].status == RegistrationStatus.WAITLISTED
