"""The integrity checks on a citizen's response: why it is kept out of the indices (stored all the
same), and the burst check that holds an agency's open-link responses for an organizer's review.

docs/threat-model.md says what each check resists and what it cannot. Everything here runs once per
stored response, in its transaction: one read for the counts (three indexed counts in one
statement), the summary read only when an agency's hour is busy, and a write only for a burst.
"""

from datetime import UTC, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from feedback.agencies.services import agency_networks, in_networks
from feedback.core.dates import local_zone
from feedback.core.events import open_link_day_total, responses_excluded
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.frozen import DeploymentLike
from feedback.surveys.models import AccessMode, Response, ResponseFlag

# The window a burst is counted in.
BURST_WINDOW = timedelta(hours=1)


def _count(*conditions):
    """A scalar subquery: how many responses meet `conditions`."""
    return select(func.count()).select_from(Response).where(*conditions).scalar_subquery()


def recent_counts(agency_id: int, client: str, address: str, now: datetime) -> tuple[int, int, int]:
    """(responses from this client today, open-link responses from this address today, open-link
    responses at the agency in the last hour), at one agency, in one statement; each count reads
    its own index (client, address, agency and time)."""
    midnight = datetime.combine(now.date(), time.min, tzinfo=UTC)
    at_agency = Response.agency_id == agency_id
    open_link = Response.channel == AccessMode.OPEN
    row = db.session.execute(select(
        _count(Response.client_hash == client, at_agency, Response.submitted_at >= midnight),
        _count(Response.address_hash == address, at_agency, open_link, Response.submitted_at >= midnight),
        _count(at_agency, open_link, Response.submitted_at >= now - BURST_WINDOW),
    )).one()
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)


def hourly_baseline(agency_id: int, now: datetime) -> float:
    """The agency's recent hourly rate of counted open-link responses: the summary's day rows of
    the SURVEY_BURST_BASELINE_DAYS local days before today, over every hour of them (nights too)."""
    days = int(current_app.config["SURVEY_BURST_BASELINE_DAYS"])
    if days <= 0:
        return 0.0
    today = now.astimezone(local_zone()).date()
    total = sum(count for _, count in open_link_day_total.send(
        agency_id=agency_id, first=today - timedelta(days=days), after=today))
    return float(total) / (days * 24)


def is_burst(agency_id: int, in_last_hour: int, now: datetime) -> bool:
    """Whether `in_last_hour` open-link responses (this one included) are a burst at this agency:
    at least SURVEY_BURST_MIN, and at least SURVEY_BURST_FACTOR times its hourly baseline. The
    baseline is read only when the first test passes, so a quiet hour costs nothing more."""
    config = current_app.config
    minimum = int(config["SURVEY_BURST_MIN"])
    if minimum <= 0 or in_last_hour < minimum:
        return False
    return in_last_hour >= float(config["SURVEY_BURST_FACTOR"]) * hourly_baseline(agency_id, now)


def integrity_flags(deployment: DeploymentLike, *, honeypot: str, started_at: datetime, client: str,
                    address: str, ip: str, channel: AccessMode = AccessMode.OPEN,
                    replayed: bool = False, now: datetime | None = None) -> ResponseFlag:
    """Why this submission should be kept out of the indices (no flag: it counts).

    `client` and `address` are the day's hashes (services.client_hash, address_hash) of the
    caller, `ip` its address, `replayed` whether its form token was used before. The daily limits
    and the burst check apply to open links only: a one-time code is already proof of a real visit
    (several people of one household may share a phone). The agency's own networks are exempt from
    the daily limits (its Wi-Fi and counters send many), not from the burst check.
    """
    config = current_app.config
    now = now or utcnow()
    flags = ResponseFlag(0)
    if honeypot:
        flags |= ResponseFlag.HONEYPOT
    if (now - started_at).total_seconds() < config["SURVEY_MIN_SECONDS"]:
        flags |= ResponseFlag.TOO_FAST
    if replayed:
        flags |= ResponseFlag.REPLAY
    if channel != AccessMode.OPEN:
        return flags
    agency_id = deployment.agency_id
    by_client, by_address, in_hour = recent_counts(agency_id, client, address, now)
    over_client = by_client >= config["SURVEY_CLIENT_DAILY_LIMIT"]
    over_address = by_address >= config["SURVEY_ADDRESS_DAILY_LIMIT"]
    if (over_client or over_address) and not in_networks(ip, agency_networks(agency_id)):
        if over_client:
            flags |= ResponseFlag.RATE_LIMITED
        if over_address:
            flags |= ResponseFlag.ADDRESS_LIMITED
    if is_burst(agency_id, in_hour + 1, now):
        flags |= ResponseFlag.UNDER_REVIEW
    return flags


_HELD = ResponseFlag.UNDER_REVIEW.value


def hold_burst(agency_id: int, now: datetime | None = None) -> int:
    """Hold for review the agency's counted open-link responses of the last hour (a burst was
    just detected): flag them UNDER_REVIEW and take them out of the summary; returns how many.

    One conditional UPDATE: a response restored by an organizer (it keeps its UNDER_REVIEW flag) is
    not held again, and of two submissions detecting the same burst at once, the second finds the
    rows taken (PostgreSQL re-checks the condition after the first commits), so the summary is
    adjusted once per response. Code-verified responses are never touched. The caller commits.
    """
    since = (now or utcnow()) - BURST_WINDOW
    ids = db.session.scalars(
        update(Response)
        .where(Response.agency_id == agency_id, Response.channel == AccessMode.OPEN,
               Response.submitted_at >= since, Response.excluded.is_(False),
               Response.flags.op("&")(_HELD) == 0)
        .values(flags=Response.flags.op("|")(_HELD), excluded=True)
        .returning(Response.id).execution_options(synchronize_session=False)
    ).all()
    if ids:
        responses_excluded.send(responses=db.session.scalars(
            select(Response).where(Response.id.in_(ids))
            .options(selectinload(Response.answers), selectinload(Response.scores))).all())
    return len(ids)
