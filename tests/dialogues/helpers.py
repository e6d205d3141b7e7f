"""Builders for dialogue test data: conferences written directly as ORM rows."""

from datetime import timedelta

from feedback.agencies.models import Agency
from feedback.dialogues.models import Conference, ConferenceStatus
from feedback.extensions import db
from feedback.models import utcnow


def make_conference(agency: Agency, *, capacity: int = 50,
                    status: ConferenceStatus = ConferenceStatus.PUBLISHED, **fields) -> Conference:
    """A committed conference hosted by `agency`, starting in ten days, open for sign-up now."""
    now = utcnow()
    values = {
        "title_vi": "Đối thoại với Nhân dân", "title_en": "Dialogue with citizens",
        "host_agency_id": agency.id, "capacity": capacity, "status": status,
        "starts_at": now + timedelta(days=10), "ends_at": now + timedelta(days=10, hours=3),
        "registration_opens_at": now - timedelta(days=1),
        "registration_closes_at": now + timedelta(days=9),
        "published_at": now if status == ConferenceStatus.PUBLISHED else None,
    }
    values.update(fields)
    conference = Conference(**values)
    db.session.add(conference)
    db.session.commit()
    return conference


def phone(n: int) -> str:
    """A distinct valid Vietnamese mobile number, written the way people type it."""
    return f"0912 {n // 1000:03d} {n % 1000:03d}"
