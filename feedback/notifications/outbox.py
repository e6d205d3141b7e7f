"""Writing outbox messages in the caller's transaction; the worker (`flask notifications run`) sends them."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.models import Notification


def enqueue(kind: str, dedupe_key: str, *, to_email: str = "", locale: str = "vi",
            context: dict[str, Any] | None = None, channel: str = "email", to_phone: str | None = None,
            budget_keys: list[str] | None = None) -> None:
    """Add a message to the outbox in the current transaction, unless `dedupe_key` is there already.

    `kind` names the message template; `context` holds plain JSON values for it (ids, codes,
    titles). A text message (`channel` "sms" or "zalo") goes to `to_phone`, the number the person
    gave, and counts against its daily limit and the `budget_keys` (see worker). Writing the same
    `dedupe_key` twice, even from concurrent transactions, keeps one row:
    the insert does nothing on conflict, so the caller's transaction is never broken by it.
    """
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    statement = insert(Notification).values(
        kind=kind, dedupe_key=dedupe_key, channel=channel, to_email=to_email, to_phone=to_phone,
        budget_keys=budget_keys or [], locale=locale, context=context or {},
        created_at=now, next_attempt_at=now, attempts=0, last_error="",
    ).on_conflict_do_nothing(index_elements=["dedupe_key"])
    db.session.execute(statement)
