"""Test data for counter ratings, written through the services."""

from feedback.counters.models import Officer
from feedback.counters.officers import set_pin
from feedback.extensions import db


def make_officer(agency, code="CB01", name="Nguyễn Thị Lan", pin="1234") -> Officer:
    """A committed active officer at `agency` with a kiosk PIN."""
    officer = Officer(code=code, full_name=name, title="Chuyên viên", agency_id=agency.id, active=True)
    db.session.add(officer)
    set_pin(officer, pin)
    db.session.commit()
    return officer
