"""One-time survey codes: making them (one by one or in printed batches), their state, redeeming once."""

import enum
import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import bindparam, case, func, or_, select, text, update

from feedback.agencies.models import Agency
from feedback.core.codes import clean_code, new_code
from feedback.core.dates import local_zone
from feedback.core.public_urls import public_base_url
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.models import Deployment, DeploymentStatus, SurveyCode


class CodeState(enum.StrEnum):
    """What a citizen's code can turn out to be."""

    USABLE = "usable"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    CLOSED = "closed"  # its deployment no longer takes responses


def find_code(text: str) -> SurveyCode | None:
    """The code row for what a citizen typed, if any."""
    code = clean_code(text)
    if code is None:
        return None
    return db.session.scalar(select(SurveyCode).where(SurveyCode.code == code))


def code_state(code: SurveyCode | None, *, live: bool, now: datetime | None = None) -> CodeState:
    """Whether `code` may open a survey now; `live` says whether its deployment takes responses."""
    now = now or utcnow()
    if code is None:
        return CodeState.UNKNOWN
    if code.redeemed_on is not None:
        return CodeState.USED
    if code.expires_at is not None and code.expires_at <= now:
        return CodeState.EXPIRED
    if not live:
        return CodeState.CLOSED
    return CodeState.USABLE


def local_day(moment: datetime) -> date:
    """The day `moment` falls on in the app's time zone: all a used code keeps of when it was used."""
    return moment.astimezone(local_zone()).date()


def day_start(moment: datetime) -> datetime:
    """The start (local midnight, as a UTC instant) of the local day of `moment`.

    What a code-verified response keeps as its submission time: the code keeps the same day, so
    neither side has a time finer than the other's to join on, and the response stays in the same
    local day and month of every dashboard.
    """
    zone = local_zone()
    return datetime.combine(moment.astimezone(zone).date(), time(), zone).astimezone(UTC)


# pg_advisory_xact_lock's first key: one namespace for "redemptions at one agency".
_REDEEM_LOCK_SPACE = 0x4C4E  # "LN"


def redeem(code: SurveyCode) -> bool:
    """Mark `code` used today, in the caller's transaction; False if it was not usable.

    One conditional UPDATE: of two transactions redeeming the same code at once, the database lets
    exactly one match the row (the other waits on its lock, then finds it redeemed). The caller
    rolls back its response when this returns False. The code keeps only the local day: never the
    response, never a time (docs/security.md).
    """
    now = utcnow()
    day = local_day(now)
    result = db.session.execute(
        update(SurveyCode)
        .where(SurveyCode.id == code.id, SurveyCode.redeemed_on.is_(None),
               or_(SurveyCode.expires_at.is_(None), SurveyCode.expires_at > now))
        .values(redeemed_on=day)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    _restamp_day(code.agency_id, day)
    return True


def _restamp_day(agency_id: int, day: date) -> None:
    """Rewrite every code used at `agency_id` on `day` in this transaction, in random order.

    PostgreSQL stamps a written row with its transaction (the `xmin` system column, which any
    reader can select) and places it physically (`ctid`) in the order of writing: the code updated
    by redemption alone would share its transaction with the response stored beside it, and its
    position would tell the order of redemptions. Rewritten together, the day's codes share one
    transaction and lie in random order. Redemptions at one agency take turns (an advisory lock),
    so each rewrite sees every earlier one of the day. SQLite has no such columns.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(text("SELECT pg_advisory_xact_lock(CAST(:space AS integer), "
                            "CAST(:agency AS integer))"),
                       {"space": _REDEEM_LOCK_SPACE, "agency": agency_id})
    ids = list(db.session.scalars(select(SurveyCode.id).where(SurveyCode.agency_id == agency_id,
                                                             SurveyCode.redeemed_on == day)))
    random.SystemRandom().shuffle(ids)
    # Core executemany, one statement per row in the shuffled order (psycopg sends them pipelined).
    db.session.connection().execute(
        update(SurveyCode.__table__).where(SurveyCode.__table__.c.id == bindparam("code_id"))
        .values(redeemed_on=SurveyCode.__table__.c.redeemed_on),
        [{"code_id": i} for i in ids])


def add_codes(deployment: Deployment, count: int, *, expires_at: datetime | None = None,
              batch: str | None = None, dossier_id: str | None = None, created_by_id: int | None = None,
              api_key_id: int | None = None) -> list[SurveyCode]:
    """Add `count` fresh codes for `deployment` and flush; the caller commits.

    The codes are checked against those already stored, so only a code made by another transaction
    in the same instant can still clash; that fails the flush on the unique constraint, and the
    caller may simply try again.
    """
    codes = [SurveyCode(code=text, deployment_id=deployment.id, agency_id=deployment.agency_id,
                        expires_at=expires_at, batch=batch, dossier_id=dossier_id,
                        created_by_id=created_by_id, api_key_id=api_key_id)
             for text in fresh_codes(count)]
    db.session.add_all(codes)
    db.session.flush()
    return codes


def add_officer_code(agency_id: int, officer_id: int, *, expires_at: datetime | None = None,
                     dossier_id: str | None = None, api_key_id: int | None = None) -> SurveyCode:
    """Add a fresh code naming an officer and flush: it opens that officer's counter rating once
    (counters.public), not a survey, so it has no deployment. The caller commits."""
    code = SurveyCode(code=fresh_codes(1)[0], deployment_id=None, agency_id=agency_id, officer_id=officer_id,
                      expires_at=expires_at, dossier_id=dossier_id, api_key_id=api_key_id)
    db.session.add(code)
    db.session.flush()
    return code


# Rows per IN (...) list: well under SQLite's limit on bound parameters.
LOOKUP_CHUNK = 500


def fresh_codes(count: int) -> list[str]:
    """`count` distinct new codes, none of them already stored.

    Checked rather than left to the unique constraint, because clashes stop being rare once a
    database holds millions of codes: with 10⁶ stored, one batch of 5,000 would hit one about
    one time in eight, and the whole batch would have to be made again.
    """
    wanted: set[str] = set()
    while len(wanted) < count:
        candidates = {new_code() for _ in range(count - len(wanted))} - wanted
        taken = _stored(candidates)
        wanted |= candidates - taken
    return list(wanted)


def _stored(codes: Iterable[str]) -> set[str]:
    """Which of `codes` are already in the database."""
    codes = list(codes)
    taken: set[str] = set()
    for start in range(0, len(codes), LOOKUP_CHUNK):
        chunk = codes[start:start + LOOKUP_CHUNK]
        taken.update(db.session.scalars(select(SurveyCode.code).where(SurveyCode.code.in_(chunk))))
    return taken


def live_deployments():
    """A Select of deployments taking responses right now."""
    now = utcnow()
    return select(Deployment).where(
        Deployment.status == DeploymentStatus.ACTIVE,
        Deployment.starts_at <= now,
        or_(Deployment.ends_at.is_(None), Deployment.ends_at > now),
    )


def live_deployment_at(agency: Agency) -> Deployment | None:
    """The deployment taking responses at `agency` now, in any access mode (None if inactive)."""
    if not agency.active:
        return None
    return db.session.scalar(
        live_deployments().where(Deployment.agency_id == agency.id)
        .order_by(Deployment.starts_at.desc(), Deployment.id.desc()).limit(1)
    )


def agencies_with_live_survey(agency_condition) -> list[tuple[Agency, Deployment]]:
    """(agency, its live deployment) for the active agencies matching `agency_condition`, in tree order."""
    live = live_deployments().subquery()
    return [tuple(row) for row in db.session.execute(
        select(Agency, Deployment).join(live, live.c.agency_id == Agency.id)
        .join(Deployment, Deployment.id == live.c.id)
        .where(Agency.active.is_(True), agency_condition)
        .order_by(Agency.path, Deployment.id.desc())
    )]


def code_url(code: str, base: str | None = None) -> str:
    """The short address a citizen types or follows for `code`."""
    return f"{base if base is not None else public_base_url()}/r/{code}"


def new_batch_id() -> str:
    """An id for a batch of codes: its UTC date, for people, and a random part, for uniqueness."""
    return f"{utcnow():%Y%m%d}-{secrets.token_hex(4)}"


def generate_batch(deployment: Deployment, count: int, *, expires_at: datetime | None = None,
                   created_by_id: int | None = None) -> tuple[str, list[SurveyCode]]:
    """A new batch of `count` codes for `deployment`, flushed; returns (batch id, codes)."""
    batch = new_batch_id()
    return batch, add_codes(deployment, count, expires_at=expires_at, batch=batch,
                            created_by_id=created_by_id)


def batch_codes(batch: str) -> list[SurveyCode]:
    """The codes of one batch, in the order they will be printed."""
    return list(db.session.scalars(
        select(SurveyCode).where(SurveyCode.batch == batch).order_by(SurveyCode.id)
    ))


@dataclass
class BatchSummary:
    """One batch of codes as listed for organizers."""

    batch: str
    agency: Agency
    total: int
    used: int
    expired: int
    created_at: datetime
    expires_at: datetime | None

    @property
    def unused(self) -> int:
        """Codes neither used nor expired: those still worth handing out."""
        return self.total - self.used - self.expired


def batch_summaries(agency_condition, *, limit: int, offset: int = 0,
                    now: datetime | None = None) -> list[BatchSummary]:
    """Batches at the agencies matching `agency_condition`, newest first, counted in one query."""
    now = now or utcnow()
    expired = case((SurveyCode.redeemed_on.is_(None) & SurveyCode.expires_at.is_not(None)
                    & (SurveyCode.expires_at <= now), 1), else_=0)
    created = func.min(SurveyCode.created_at)
    rows = db.session.execute(
        select(SurveyCode.batch, Agency, func.count(SurveyCode.id), func.count(SurveyCode.redeemed_on),
               func.sum(expired), created, func.max(SurveyCode.expires_at))
        .join(Agency, Agency.id == SurveyCode.agency_id)
        .where(SurveyCode.batch.is_not(None), agency_condition)
        .group_by(SurveyCode.batch, Agency.id)
        .order_by(created.desc(), SurveyCode.batch.desc())
        .limit(limit).offset(offset)
    ).all()
    return [BatchSummary(batch=batch, agency=agency, total=total, used=used, expired=int(gone or 0),
                         created_at=_aware(first), expires_at=_aware(last))
            for batch, agency, total, used, gone, first, last in rows]


def _aware(value: datetime | None) -> datetime | None:
    """An aggregate over a UTC column, which SQLite hands back naive (or as text), made aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
