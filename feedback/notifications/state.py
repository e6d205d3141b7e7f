"""Reading the outbox's state for operators, and giving failed messages another chance."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func, select, update

from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.models import Notification


@dataclass(frozen=True)
class OutboxCounts:
    """Messages by state; the age of the oldest one still waiting (None when none waits)."""

    pending: int
    due: int
    retrying: int
    sent: int
    failed: int
    unknown: int  # text messages that may have left: not sent again by themselves
    oldest_pending_age: timedelta | None


def outbox_counts() -> OutboxCounts:
    """Count the outbox's messages: pending (of which due now, and after a failed attempt), sent, failed."""
    now = utcnow()
    pending = (Notification.sent_at.is_(None) & Notification.failed_at.is_(None)
               & Notification.unknown_at.is_(None))

    def count(condition):
        """Rows matching `condition`, as one aggregate column."""
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(select(
        count(pending),
        count(pending & (Notification.next_attempt_at <= now)),
        count(pending & (Notification.attempts > 0)),
        count(Notification.sent_at.is_not(None)),
        count(Notification.failed_at.is_not(None)),
        count(Notification.unknown_at.is_not(None)),
    )).one()
    oldest = db.session.scalar(select(func.min(Notification.created_at)).where(pending))
    return OutboxCounts(*(int(value) for value in row),
                        oldest_pending_age=None if oldest is None else max(now - oldest, timedelta(0)))


def retry_failed() -> int:
    """Make every given-up message due again with a fresh count of attempts; returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.failed_at.is_not(None), Notification.sent_at.is_(None))
        .values(failed_at=None, attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def unknown_messages() -> list[Notification]:
    """The text messages set aside as "unknown" (the gateway gave no answer), oldest first."""
    return list(db.session.scalars(
        select(Notification).where(Notification.unknown_at.is_not(None), Notification.sent_at.is_(None))
        .order_by(Notification.unknown_at, Notification.id)))


def settle_unknown(ids: list[int], *, delivered: bool) -> int:
    """Settle "unknown" messages after the operator read the gateway's log: `delivered` marks them
    sent (the gateway did send them); otherwise they are due again with fresh attempts. Other
    messages among `ids` are left alone. Returns how many were settled."""
    now = utcnow()
    values = ({"sent_at": now, "unknown_at": None} if delivered
              else {"unknown_at": None, "attempts": 0, "next_attempt_at": now, "last_error": ""})
    result = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.unknown_at.is_not(None), Notification.sent_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
