"""Seats taken in a conference: the one rule for what holds a seat, counted for one conference or
for many at once.

A registration holds a seat while confirmed or attended (a check-in turns a confirmed seat into an
attended one); a waiting-list place, a cancelled or a purged registration holds none.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from feedback.dialogues.models import Conference, Registration, RegistrationStatus
from feedback.extensions import db

# Registrations holding a seat.
SEATED = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)


def seated_of(by_status: Mapping[RegistrationStatus, int]) -> int:
    """Seats taken, from counts of registrations by status."""
    return sum(by_status.get(status, 0) for status in SEATED)


def free_seats(capacity: int, seated: int) -> int:
    """Seats still free (never negative)."""
    return max(0, capacity - seated)


@dataclass
class Seats:
    """A conference's seats: its capacity, the seats taken and the waiting list."""

    capacity: int
    seated: int
    waitlisted: int

    @property
    def free(self) -> int:
        """Seats still free (never negative)."""
        return free_seats(self.capacity, self.seated)

    @property
    def full(self) -> bool:
        """No seat left: a new sign-up goes on the waiting list."""
        return self.free == 0


def seated_count(conference_id: int) -> int:
    """Seats taken in the conference, in one query."""
    return db.session.scalar(
        select(func.count(Registration.id))
        .where(Registration.conference_id == conference_id, Registration.status.in_(SEATED))
    ) or 0


def status_counts(conference_id: int) -> dict[RegistrationStatus, int]:
    """The conference's registrations counted by status, in one query."""
    return dict(db.session.execute(
        select(Registration.status, func.count(Registration.id))
        .where(Registration.conference_id == conference_id).group_by(Registration.status)
    ).all())


def seat_counts(conference_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{conference id: (seats taken, waiting list length)} in one grouped query."""
    if not conference_ids:
        return {}
    rows = db.session.execute(
        select(Registration.conference_id, Registration.status, func.count(Registration.id))
        .where(Registration.conference_id.in_(conference_ids),
               Registration.status.in_((*SEATED, RegistrationStatus.WAITLISTED)))
        .group_by(Registration.conference_id, Registration.status)
    )
    counts = {cid: [0, 0] for cid in conference_ids}
    for conference_id, status, count in rows:
        counts[conference_id][0 if status in SEATED else 1] += count
    return {cid: (seated, waiting) for cid, (seated, waiting) in counts.items()}


def count_of(*statuses: RegistrationStatus):
    """A correlated count of a listed conference's registrations in `statuses` (a scalar subquery
    for a SELECT over Conference)."""
    return (select(func.count(Registration.id))
            .where(Registration.conference_id == Conference.id, Registration.status.in_(statuses))
            .correlate(Conference).scalar_subquery())
