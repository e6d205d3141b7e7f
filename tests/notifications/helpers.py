"""Builders for outbox tests: messages written through `enqueue`, a backend that records deliveries."""

import threading
import time
from email.message import EmailMessage

from feedback.dialogues.messages import Kind
from feedback.extensions import db
from feedback.notifications.models import Notification
from feedback.notifications.outbox import enqueue

# What notices.py writes for a registration, for a conference on Saturday 16 March 2030,
# 08:00–11:00 in Hà Nội (01:00–04:00 UTC).
CONTEXT = {
    "conference_id": 1, "title": "Đối thoại về đất đai", "mode": "in_person",
    "starts_at": "2030-03-16T01:00:00+00:00", "ends_at": "2030-03-16T04:00:00+00:00",
    "venue": "Hội trường UBND phường", "online_url": "",
    "ticket_code": "ABCDEFGH", "ticket_url": "https://langnghe.example.vn/tickets/ABCDEFGH",
    "waitlist_position": None,
}


def add_messages(count: int, *, kind: str = Kind.REGISTRATION_CONFIRMED, prefix: str = "test") -> list[int]:
    """`count` committed outbox messages to person{n}@example.vn; returns their ids in order."""
    for n in range(count):
        enqueue(kind, f"{prefix}:{n}", to_email=f"person{n}@example.vn", locale="vi", context=CONTEXT)
    db.session.commit()
    return list(db.session.scalars(
        db.select(Notification.id).where(Notification.dedupe_key.like(f"{prefix}:%")).order_by(Notification.id)))


class RecordingBackend:
    """Delivers into a list (thread-safe), optionally taking `delay` seconds per message."""

    def __init__(self, delay: float = 0.0):
        """Record every message, `delay` seconds each."""
        self.delay = delay
        self.lock = threading.Lock()
        self.delivered: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        """Record `message` after the delay."""
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.delivered.append(message)

    def recipients(self) -> list[str]:
        """The To address of every delivery, in order (repeats included)."""
        with self.lock:
            return [str(message["To"]) for message in self.delivered]
