"""The outbox table: a message written in the transaction of the event that causes it."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from feedback.extensions import db
from feedback.models import UTCDateTime, utcnow


class Notification(db.Model):
    """An outbox message, written in the transaction of the event that causes it.

    A worker delivers it; `dedupe_key` makes writing the same message twice impossible, and a
    worker claims a row (FOR UPDATE SKIP LOCKED on PostgreSQL) before sending, so two workers
    never send one message twice.
    """

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    # "email" (to_email), or a text channel, "sms" or "zalo" (to_phone, E.164).
    channel: Mapped[str] = mapped_column(String(10), default="email")
    to_email: Mapped[str] = mapped_column(String(254))
    to_phone: Mapped[str | None] = mapped_column(String(20))
    # Daily budgets a text message counts against besides its number: ["conference:12", "agency:3"].
    budget_keys: Mapped[list] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A text message whose gateway gave no answer and takes no idempotency key: it may have been
    # delivered, so it is set aside instead of being sent again.
    unknown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")


class TextBudget(db.Model):
    """Text messages sent on one local day under one key ("phone:+84…", "conference:12", "agency:3").

    The worker takes a unit with a conditional UPDATE (`used < limit`) before each send, so
    concurrent workers never go over a limit.
    """

    __tablename__ = "text_budget"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)
