"""API keys (made, checked, revoked) and survey codes issued per dossier through the API."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from feedback.agencies.models import Agency
from feedback.api.models import ApiKey
from feedback.audit.services import record
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.codes import add_codes, add_officer_code, live_deployment_at
from feedback.surveys.models import SurveyCode

KEY_PREFIX = "ln_"
# Shown to admins to tell keys apart: "ln_" and 8 random characters, far too few to guess the rest.
DISPLAY_PREFIX_LENGTH = 11
# last_used_at is written at most this often per key, so busy keys do not queue on one row's lock.
TOUCH_INTERVAL = timedelta(minutes=1)
ISSUE_ATTEMPTS = 3


class NoLiveSurvey(Exception):
    """The agency has no deployment taking responses, so a code would open nothing."""


def hash_key(secret: str) -> str:
    """The stored form of a key: its SHA-256 in hex.

    A fast hash is enough here: the secret is 256 random bits, not a password a person chose,
    so there is no dictionary to try against a leaked hash.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """A fresh API key: "ln_" and 43 URL-safe characters (256 random bits)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_key(name: str, agency: Agency, *, actor=None) -> tuple[ApiKey, str]:
    """Add a key for `agency`'s subtree and flush; returns (key row, secret). The secret is never stored."""
    secret = new_secret()
    key = ApiKey(name=name.strip(), prefix=secret[:DISPLAY_PREFIX_LENGTH], key_hash=hash_key(secret),
                 agency_id=agency.id, created_by_id=getattr(actor, "id", None))
    db.session.add(key)
    db.session.flush()
    record("apikey.create", key, actor=actor, name=key.name, prefix=key.prefix, agency=agency.code)
    return key, secret


def revoke_key(key: ApiKey, *, actor=None) -> bool:
    """Revoke `key` now; False when it was already revoked (nothing changes then)."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    record("apikey.revoke", key, actor=actor, name=key.name, prefix=key.prefix)
    return True


def list_keys() -> list[ApiKey]:
    """Every key, live ones first, newest first."""
    return list(db.session.scalars(
        select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
    ))


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return token


def key_for_secret(secret: str | None) -> ApiKey | None:
    """The live (unrevoked) key whose secret this is, or None."""
    if not secret:
        return None
    return db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(secret),
                                                  ApiKey.revoked_at.is_(None)))


def touch_key(key: ApiKey, now: datetime | None = None) -> bool:
    """Record that `key` was used now (at most once per TOUCH_INTERVAL); the caller commits. False,
    with no statement sent, when the key as just loaded was used within the interval: a busy key's
    requests then skip the UPDATE and its commit (the conditional UPDATE stays for racing ones)."""
    now = now or utcnow()
    if key.last_used_at is not None and key.last_used_at >= now - TOUCH_INTERVAL:
        return False
    db.session.execute(
        update(ApiKey)
        .where(ApiKey.id == key.id,
               or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - TOUCH_INTERVAL))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return True


def in_scope(key: ApiKey, agency: Agency) -> bool:
    """Whether `agency` lies in the subtree of the agency `key` was made for."""
    return agency.path.startswith(key.agency.path)


def dossier_code(agency_id: int, dossier_id: str) -> SurveyCode | None:
    """The code already issued for this dossier at this agency, if any."""
    return db.session.scalar(select(SurveyCode).where(SurveyCode.agency_id == agency_id,
                                                      SurveyCode.dossier_id == dossier_id))


def issue_code(key: ApiKey, agency: Agency, dossier_id: str, *,
               expires_in_days: int | None = None, officer_id: int | None = None) -> tuple[SurveyCode, bool]:
    """The code for `dossier_id` at `agency`: (code, True) when new, (the earlier one, False) after.
    With `officer_id` a new code opens that officer's counter rating instead of the survey (and
    needs no live survey); for a dossier that has a code already, the first request decided.

    The same dossier always gets the same code, also when two requests for it race: the unique
    constraint on (agency, dossier) lets one insert win; the loser's insert fails, its transaction
    is rolled back (it holds nothing else: the key's use is committed beforehand) and it reads the
    winner's row. Raises NoLiveSurvey when a new code would open nothing. The caller commits.
    """
    key_id, agency_id = key.id, agency.id
    for _attempt in range(ISSUE_ATTEMPTS):
        existing = dossier_code(agency_id, dossier_id)
        if existing is not None:
            return existing, False
        deployment = live_deployment_at(agency) if officer_id is None else None
        if deployment is None and officer_id is None:
            raise NoLiveSurvey(agency.code)
        expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
        try:
            if officer_id is not None:
                code = add_officer_code(agency_id, officer_id, expires_at=expires_at, dossier_id=dossier_id,
                                        api_key_id=key_id)
            else:
                code = add_codes(deployment, 1, expires_at=expires_at, dossier_id=dossier_id,
                                 api_key_id=key_id)[0]
        except IntegrityError:
            # Another request issued this dossier (or, rarely, the same random code) first.
            db.session.rollback()
            agency = db.session.get(Agency, agency_id)
            continue
        return code, True
    existing = dossier_code(agency_id, dossier_id)
    if existing is None:
        raise RuntimeError(f"could not issue a code for dossier {dossier_id!r} at {agency_id}")
    return existing, False
