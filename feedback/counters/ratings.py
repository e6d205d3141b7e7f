"""Storing counter ratings: the one INSERT (a replayed client UUID changes nothing), reasons added
within a minute, the integrity flags, the confidential alert, and the event the summary follows.

The hot path: one INSERT … ON CONFLICT (client_uuid) DO NOTHING through Core, then the summary's
upserts through the `counter_rating_changed` event, in the caller's transaction.
"""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from feedback.accounts.models import Role, RoleGrant, User
from feedback.agencies.models import Agency
from feedback.agencies.procedures import procedures_for
from feedback.agencies.services import agency_networks, in_networks
from feedback.core.events import counter_rating_changed
from feedback.core.text import clean_text
from feedback.counters.models import (
    Channel,
    CounterRating,
    OfficerShift,
    RatingDossier,
    RatingFlag,
    RatingSet,
)
from feedback.counters.ratesets import reason_keys
from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.outbox import enqueue

MAX_COMMENT = 1000
ALERT_KIND = "counter_alert"


class RatingRefused(ValueError):
    """A rating that cannot be stored (unknown level, time out of bounds); the message says why."""


@dataclass(frozen=True)
class RatingFacts:
    """What the counter summary counts of one rating (and nothing that identifies anyone)."""

    agency_id: int
    officer_id: int | None
    given_at: datetime
    satisfied: bool
    reasons: tuple[str, ...] = field(default=())


@dataclass
class NewRating:
    """A rating about to be stored."""

    agency: Agency
    rating_set: RatingSet
    level: int
    channel: Channel
    client_uuid: str
    given_at: datetime
    officer_id: int | None = None
    device_id: int | None = None
    reasons: list[str] = field(default_factory=list)
    comment: str | None = None
    service_code: str | None = None
    address_hash: str | None = None
    flags: int = 0


def facts(row) -> RatingFacts | None:
    """The summary's view of a rating row (None when it is excluded: it counts nowhere)."""
    if row.excluded:
        return None
    return RatingFacts(
        row.agency_id, row.officer_id, row.given_at, bool(row.satisfied), tuple(row.reasons or ())
    )


def clean_uuid(value) -> str | None:
    """`value` as a canonical UUID string, or None when it is not one."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        return None


def bounded_time(given_at: datetime | None, now: datetime) -> datetime:
    """The time a rating is filed under: when it was given, if neither in the future (a minute of
    clock drift allowed, then now) nor older than COUNTER_MAX_AGE_HOURS (refused)."""
    if given_at is None or given_at > now:
        return now
    if given_at < now - timedelta(hours=current_app.config["COUNTER_MAX_AGE_HOURS"]):
        raise RatingRefused("too old")
    return given_at


def check_choice(rating_set: RatingSet, level, reasons) -> tuple[int, list[str]]:
    """(level, reasons) when they fit the set; RatingRefused otherwise."""
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= len(rating_set.levels):
        raise RatingRefused("level")
    reasons = list(dict.fromkeys(reasons or []))
    if not all(isinstance(r, str) for r in reasons) or not set(reasons) <= reason_keys(rating_set):
        raise RatingRefused("reasons")
    return level, reasons


def check_service(agency: Agency, code) -> str | None:
    """The procedure code a rating names, if it is one offered at `agency`
    (agencies.procedures.procedures_for); None when empty; RatingRefused("service") otherwise."""
    if code is None or (isinstance(code, str) and not code.strip()):
        return None
    if not isinstance(code, str) or code.strip() not in {p.code for p in procedures_for(agency)}:
        raise RatingRefused("service")
    return code.strip()


def rating_set_of(client_uuid: str) -> RatingSet | None:
    """The set a stored rating was given under (its own version, even after a newer one)."""
    return db.session.scalar(
        select(RatingSet)
        .join(CounterRating, CounterRating.rating_set_id == RatingSet.id)
        .where(CounterRating.client_uuid == client_uuid)
    )


def clean_comment(text) -> str | None:
    """A typed comment, NFC-normalized and cut to MAX_COMMENT; None when empty."""
    if not isinstance(text, str):
        return None
    return clean_text(text)[:MAX_COMMENT] or None


def shift_at(officer_id: int | None, agency_id: int, when: datetime) -> int | None:
    """The id of the officer's shift at the agency that `when` falls in, if one was logged."""
    if officer_id is None:
        return None
    return db.session.scalar(
        select(OfficerShift.id)
        .where(
            OfficerShift.officer_id == officer_id,
            OfficerShift.agency_id == agency_id,
            OfficerShift.started_at <= when,
            (OfficerShift.ended_at.is_(None)) | (OfficerShift.ended_at > when),
        )
        .order_by(OfficerShift.started_at.desc())
        .limit(1)
    )


def _insert(dialect: str):
    """INSERT … ON CONFLICT (client_uuid) DO NOTHING RETURNING id for the session's database."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(CounterRating.__table__)
        .on_conflict_do_nothing(index_elements=["client_uuid"])
        .returning(CounterRating.__table__.c.id)
    )


def store_rating(new: NewRating) -> tuple[int | None, bool]:
    """Insert `new`; returns (its id, True), or (None, False) when its client UUID was stored
    before (a replay: nothing changes). Flagged ratings are stored excluded. The caller commits."""
    rating_set = new.rating_set
    level, reasons = check_choice(rating_set, new.level, new.reasons)
    if not rating_set.frozen:
        rating_set.frozen = True
        db.session.flush()
    connection = db.session.connection()
    values = {
        "client_uuid": new.client_uuid,
        "agency_id": new.agency.id,
        "officer_id": new.officer_id,
        "shift_id": shift_at(new.officer_id, new.agency.id, new.given_at),
        "device_id": new.device_id,
        "rating_set_id": rating_set.id,
        "level": level,
        "satisfied": level in rating_set.satisfied,
        "reasons": reasons,
        "comment": clean_comment(new.comment),
        "service_code": check_service(new.agency, new.service_code),
        "channel": new.channel.value,
        "given_at": new.given_at,
        "received_at": utcnow(),
        "flags": int(new.flags),
        "excluded": int(new.flags) != 0,
        "address_hash": new.address_hash,
    }
    rating_id = connection.execute(_insert(connection.dialect.name), values).scalar()
    if rating_id is None:
        return None, False
    row = RatingFactsRow(**values)
    counter_rating_changed.send(before=None, after=facts(row))
    if reasons:
        raise_alert_if_asked(new.agency, rating_set, reasons, rating_id)
    return rating_id, True


@dataclass
class RatingFactsRow:
    """The inserted values, read like a row by `facts`."""

    agency_id: int
    officer_id: int | None
    given_at: datetime
    satisfied: bool
    reasons: list
    excluded: bool

    def __init__(self, **values):
        for name in ("agency_id", "officer_id", "given_at", "satisfied", "reasons", "excluded"):
            setattr(self, name, values[name])


def add_details(
    client_uuid: str,
    reasons,
    comment,
    *,
    service_code=None,
    now: datetime | None = None,
    device_id: int | None = None,
) -> bool:
    """Add the reasons, comment and service (a procedure code of the agency) to a stored rating,
    within COUNTER_UPDATE_SECONDS of receiving it (and, for a kiosk, only a rating of that device);
    False when there is no such rating any more."""
    now = now or utcnow()
    rating = db.session.scalar(
        select(CounterRating).where(CounterRating.client_uuid == client_uuid).with_for_update()
    )
    window = timedelta(seconds=current_app.config["COUNTER_UPDATE_SECONDS"])
    if rating is None or rating.received_at < now - window or (device_id and rating.device_id != device_id):
        return False
    _level, reasons = check_choice(rating.rating_set, rating.level, reasons)
    agency = db.session.get(Agency, rating.agency_id)
    service = check_service(agency, service_code)
    before = facts(rating)
    newly = [r for r in reasons if r not in (rating.reasons or [])]
    rating.reasons = reasons
    rating.comment = clean_comment(comment) or rating.comment
    rating.service_code = service or rating.service_code
    db.session.flush()
    counter_rating_changed.send(before=before, after=facts(rating))
    if newly:
        raise_alert_if_asked(agency, rating.rating_set, newly, rating.id)
    return True


def raise_alert_if_asked(agency: Agency, rating_set: RatingSet, reasons: list[str], rating_id: int) -> None:
    """When a ticked reason is an alert reason ("asked for extra papers or money"), write a
    confidential message to each leader of the agency's parent (the agency itself at the top)
    through the outbox. It names the agency, the reason and the day, never the officer's
    rating row nor anything about the citizen."""
    alerts = [r for r in rating_set.reasons if r.get("alert") and r["key"] in reasons]
    if not alerts:
        return
    over = agency.parent or agency
    leaders = db.session.scalars(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.LEADER, RoleGrant.agency_id == over.id, User.active.is_(True))
        .distinct()
    ).all()
    for user in leaders:
        enqueue(
            ALERT_KIND,
            f"{ALERT_KIND}:{rating_id}:{user.id}",
            to_email=user.email,
            locale=user.locale or "vi",
            context={
                "agency_vi": agency.name_vi,
                "agency_en": agency.name_en or agency.name_vi,
                "agency_code": agency.code,
                "day": utcnow().date().isoformat(),
            },
        )


def dossier_seen(key_id: int, dossier_id: str) -> bool:
    """Record that a queue system rated dossier `dossier_id`; True when it was recorded before.
    Only a hash of (key, dossier) is kept, with no link to the rating and no time."""
    digest = hashlib.sha256(f"{key_id}\0{dossier_id}".encode()).hexdigest()
    connection = db.session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    inserted = connection.execute(
        insert(RatingDossier.__table__)
        .values(dossier_hash=digest)
        .on_conflict_do_nothing(index_elements=["dossier_hash"])
        .returning(RatingDossier.__table__.c.dossier_hash)
    ).scalar()
    return inserted is None


def address_and_burst_flags(agency_id: int, address: str, ip: str, now: datetime) -> int:
    """The open link's rules for a desk-plate rating: over the per-address daily limit (the agency's
    own networks exempt), or part of an hourly burst at the agency (SURVEY_BURST_MIN and
    SURVEY_BURST_FACTOR times its hourly rate of the baseline days). Same settings as the survey's."""
    config = current_app.config
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    days = int(config["SURVEY_BURST_BASELINE_DAYS"])

    def count(*conditions):
        return (
            select(func.count())
            .select_from(CounterRating)
            .where(CounterRating.agency_id == agency_id, *conditions)
            .scalar_subquery()
        )

    by_address, in_hour, baseline = db.session.execute(
        select(
            count(CounterRating.address_hash == address, CounterRating.given_at >= midnight),
            count(
                CounterRating.channel == Channel.PLATE.value,
                CounterRating.given_at >= now - timedelta(hours=1),
            ),
            count(
                CounterRating.excluded.is_(False),
                CounterRating.given_at >= midnight - timedelta(days=days),
                CounterRating.given_at < midnight,
            ),
        )
    ).one()
    flags = RatingFlag(0)
    if by_address >= config["SURVEY_ADDRESS_DAILY_LIMIT"] and not in_networks(ip, agency_networks(agency_id)):
        flags |= RatingFlag.ADDRESS_LIMITED
    minimum = int(config["SURVEY_BURST_MIN"])
    hourly = (baseline or 0) / (days * 24) if days > 0 else 0.0
    if (
        minimum > 0
        and in_hour + 1 >= minimum
        and in_hour + 1 >= float(config["SURVEY_BURST_FACTOR"]) * hourly
    ):
        flags |= RatingFlag.UNDER_REVIEW
    return int(flags)


def device_window_flag(device_id: int, given_at: datetime) -> int:
    """DEVICE_WINDOW when the device already sent COUNTER_DEVICE_WINDOW_MAX ratings or more in the
    window before `given_at` (a seventh tap within a minute on one tablet is not a queue of people)."""
    config = current_app.config
    window = timedelta(seconds=config["COUNTER_DEVICE_WINDOW_SECONDS"])
    recent = db.session.scalar(
        select(func.count())
        .select_from(CounterRating)
        .where(
            CounterRating.device_id == device_id,
            CounterRating.given_at > given_at - window,
            CounterRating.given_at <= given_at,
        )
    )
    return int(RatingFlag.DEVICE_WINDOW) if recent >= config["COUNTER_DEVICE_WINDOW_MAX"] else 0


def exclude_rating(rating: CounterRating) -> None:
    """Take a rating out of the indices (it stays stored); the caller commits."""
    if rating.excluded:
        return
    before = facts(rating)
    rating.excluded = True
    db.session.flush()
    counter_rating_changed.send(before=before, after=None)


def purge_officer_detail(before: datetime) -> int:
    """End per-officer detail older than `before`: ratings lose their officer, shift and comment
    (the agency, level and reasons stay, so agency totals are unchanged); returns how many."""
    result = db.session.execute(
        update(CounterRating)
        .where(
            CounterRating.given_at < before,
            (CounterRating.officer_id.is_not(None)) | (CounterRating.comment.is_not(None)),
        )
        .values(officer_id=None, shift_id=None, comment=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
