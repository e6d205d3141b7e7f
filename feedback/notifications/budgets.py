"""Daily limits on text messages: per phone number, per conference and per agency (abuse and cost).

Text messages cost money and reach a person's phone, so each local day a number receives at most
TEXT_MESSAGES_PER_PHONE_DAY of them, and a conference or an agency spends at most its budget. The
worker takes one unit of each of a message's keys before it sends, with a conditional UPDATE
(`used < limit`), in one transaction: either every unit is taken or none is, and concurrent
workers never go over a limit. A send that fails for sure gives its units back.
"""

from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from feedback.core.dates import local_zone
from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.models import TextBudget

# The setting that limits each kind of key.
LIMIT_SETTINGS = {
    "phone": "TEXT_MESSAGES_PER_PHONE_DAY",
    "conference": "TEXT_MESSAGES_PER_CONFERENCE_DAY",
    "agency": "TEXT_MESSAGES_PER_AGENCY_DAY",
}


def local_today(now: datetime | None = None) -> date:
    """Today in the platform's time zone: budgets are per local day."""
    return (now or utcnow()).astimezone(local_zone()).date()


def next_local_midnight(now: datetime | None = None) -> datetime:
    """When the next local day starts (when a held message may go)."""
    tomorrow = local_today(now) + timedelta(days=1)
    return datetime.combine(tomorrow, time(), tzinfo=local_zone())


def limit_of(key: str) -> int:
    """The daily limit of `key` ("phone:…", "conference:12", "agency:3")."""
    return current_app.config[LIMIT_SETTINGS[key.partition(":")[0]]]


def message_keys(phone: str, budget_keys: list[str]) -> list[str]:
    """Every key a text message to `phone` counts against."""
    return [f"phone:{phone}", *(key for key in budget_keys if key.partition(":")[0] in LIMIT_SETTINGS)]


def take(keys: list[str], day: date) -> str | None:
    """Take one unit of each key for `day` and commit; the first key already at its limit (nothing
    taken, rolled back) or None."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for key in keys:
        db.session.execute(insert(TextBudget).values(day=day, key=key, used=0)
                           .on_conflict_do_nothing(index_elements=["day", "key"]))
        taken = db.session.execute(
            update(TextBudget)
            .where(TextBudget.day == day, TextBudget.key == key, TextBudget.used < limit_of(key))
            .values(used=TextBudget.used + 1)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            db.session.rollback()
            return key
    db.session.commit()
    return None


def give_back(keys: list[str], day: date) -> None:
    """Return the units a message took (its send failed for sure); commit."""
    db.session.execute(
        update(TextBudget).where(TextBudget.day == day, TextBudget.key.in_(keys), TextBudget.used > 0)
        .values(used=TextBudget.used - 1).execution_options(synchronize_session=False))
    db.session.commit()


def used_up(key: str, day: date | None = None) -> bool:
    """Whether `key`'s budget for `day` (default today) is spent: organizers' pages say so."""
    used = db.session.scalar(select(TextBudget.used).where(
        TextBudget.day == (day or local_today()), TextBudget.key == key))
    return used is not None and used >= limit_of(key)
