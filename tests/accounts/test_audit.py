"""The audit log: every event made in a request carries a salted hash of the address; a refused
sign-in never keeps what was typed as the email."""

from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.core.hashing import daily_hash
from feedback.extensions import db


def _events(action: str) -> list[AuditEvent]:
    """The audit events of `action`, oldest first."""
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def test_sign_ins_record_the_salted_address_hash(auth, tree):
    auth.login(tree.leader_a.email)
    event = _events("auth.login")[-1]
    assert event.ip_hash == daily_hash("127.0.0.1")
    assert "127.0.0.1" not in event.ip_hash


def test_a_failed_sign_in_keeps_no_typed_email(auth, tree):
    auth.login("Typo.Nobody@Example.vn", "wrong password!")
    auth.login(tree.leader_a.email, "wrong password!")
    unknown, known = _events("auth.login_failed")
    for event in (unknown, known):
        assert "typo.nobody" not in str(event.details).lower() and "@" not in str(event.details)
        assert event.ip_hash == daily_hash("127.0.0.1")
    assert unknown.details == {"email_hash": daily_hash("typo.nobody@example.vn")}
    assert (unknown.object_type, unknown.object_id) == (None, None)
    assert (known.object_type, known.object_id) == ("User", str(tree.leader_a.id))
    assert known.details == {}


def test_events_outside_a_request_have_no_address(app, runner, tree):
    runner.invoke(args=["users", "deactivate", tree.leader_b.email])
    assert _events("user.deactivate")[-1].ip_hash is None
