"""One-time survey codes: making them, finding out what state one is in, redeeming it exactly once."""

import enum
import secrets
from datetime import datetime

from sqlalchemy import or_, select, update

from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.models import Deployment, SurveyCode

# No look-alikes: no 0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, U/V. 21 symbols, 8 of them: 21**8 ≈ 3.8e10
# codes, so guessing one of even a million live codes takes ~38,000 tries on average (and the
# code page is rate limited).
ALPHABET = "34679ACEFGHJKMNPRTWXY"
CODE_LENGTH = 8


class CodeState(enum.StrEnum):
    """What a citizen's code can turn out to be."""

    USABLE = "usable"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    CLOSED = "closed"  # its deployment no longer takes responses


def new_code() -> str:
    """A random code of CODE_LENGTH characters from ALPHABET."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(text: str) -> str:
    """What the citizen typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


def find_code(text: str) -> SurveyCode | None:
    """The code row for what a citizen typed, if any."""
    code = normalize(text)
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return db.session.scalar(select(SurveyCode).where(SurveyCode.code == code))


def code_state(code: SurveyCode | None, *, live: bool, now: datetime | None = None) -> CodeState:
    """Whether `code` may open a survey now; `live` says whether its deployment takes responses."""
    now = now or utcnow()
    if code is None:
        return CodeState.UNKNOWN
    if code.redeemed_at is not None:
        return CodeState.USED
    if code.expires_at is not None and code.expires_at <= now:
        return CodeState.EXPIRED
    if not live:
        return CodeState.CLOSED
    return CodeState.USABLE


def redeem(code: SurveyCode, response_id: int) -> bool:
    """Mark `code` used by `response_id`, in the caller's transaction; False if it was not usable.

    One conditional UPDATE: of two transactions redeeming the same code at once, the database lets
    exactly one match the row (the other waits on its lock, then finds it redeemed). The caller
    rolls back its response when this returns False.
    """
    now = utcnow()
    result = db.session.execute(
        update(SurveyCode)
        .where(SurveyCode.id == code.id, SurveyCode.redeemed_at.is_(None),
               or_(SurveyCode.expires_at.is_(None), SurveyCode.expires_at > now))
        .values(redeemed_at=now, response_id=response_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def add_codes(deployment: Deployment, count: int, *, expires_at: datetime | None = None,
              batch: str | None = None, dossier_id: str | None = None, created_by_id: int | None = None,
              api_key_id: int | None = None) -> list[SurveyCode]:
    """Add `count` fresh codes for `deployment` and flush; the caller commits.

    A clash with an existing code (astronomically rare) fails the flush on the unique constraint,
    and the caller may simply try again.
    """
    codes = [SurveyCode(code=new_code(), deployment_id=deployment.id, agency_id=deployment.agency_id,
                        expires_at=expires_at, batch=batch, dossier_id=dossier_id,
                        created_by_id=created_by_id, api_key_id=api_key_id)
             for _ in range(count)]
    db.session.add_all(codes)
    db.session.flush()
    return codes
