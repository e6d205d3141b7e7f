"""Writing audit events; the caller's transaction commits them with the action they describe."""

from flask import has_request_context
from flask_login import current_user

from feedback.audit.models import AuditEvent
from feedback.core.hashing import daily_hash
from feedback.extensions import client_address, db


def record(action: str, obj=None, *, actor=None, **details) -> AuditEvent:
    """Add an audit event for `action` on `obj` by `actor` (default: the signed-in user), with the
    salted hash of the caller's address when it happens in a request (the address itself is never
    stored; the hash links one day's events from one address, e.g. failed sign-ins)."""
    in_request = has_request_context()
    if actor is None and in_request and current_user.is_authenticated:
        actor = current_user
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None and getattr(obj, "id", None) is not None else None,
        details=details,
        ip_hash=daily_hash(client_address()) if in_request else None,
    )
    db.session.add(event)
    return event
