"""The signed form token that stands in for a session on the anonymous survey form.

Each token carries a nonce: minted when a survey is first shown, kept by the draft the first page
starts, carried by every later page's token and used up when the response is stored, so one form
gives one counted response however often it is sent (drafts.claim_nonce).
"""

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from feedback.core.tokens import read_token, sign_token

TOKEN_SALT = "survey-form"
DRAFT_ID_MAX_LENGTH = 64
# What secrets.token_urlsafe(32) gives: a nonce as minted, and what a draft id looks like.
_NONCE = re.compile(r"[A-Za-z0-9_-]{20,43}")


def new_nonce() -> str:
    """A fresh, unguessable nonce for a form shown for the first time."""
    return secrets.token_urlsafe(32)


def make_form_token(secret_key: str, deployment_id: int, started_at: datetime,
                    draft_id: str | None = None, nonce: str | None = None) -> str:
    """A signed, timestamped token: the deployment, when the survey was first shown, the
    server-side draft holding the answers of earlier pages (None before the first page is sent)
    and the form's nonce (the draft's; a fresh one when there is no draft yet)."""
    return sign_token(secret_key, TOKEN_SALT, [deployment_id, int(started_at.timestamp()), draft_id or "",
                                               nonce or new_nonce()])


@dataclass
class FormToken:
    """What a submitted token says: whether to accept the form, its start time and its draft."""

    valid: bool
    started_at: datetime | None = None
    draft_id: str | None = None
    nonce: str | None = None


def _payload_ok(payload) -> bool:
    """Whether a decoded payload has our shape: [deployment id, start timestamp(, draft id(,
    nonce))]; the shorter ones are tokens signed before nonces existed."""
    if not isinstance(payload, list) or len(payload) not in (2, 3, 4):
        return False
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in payload[:2]):
        return False
    if len(payload) >= 3 and not (isinstance(payload[2], str) and len(payload[2]) <= DRAFT_ID_MAX_LENGTH):
        return False
    return len(payload) < 4 or (isinstance(payload[3], str) and _NONCE.fullmatch(payload[3]) is not None)


def read_form_token(secret_key: str, token: str, deployment_id: int, max_age: int) -> FormToken:
    """Check a submitted token: signed by us, for this deployment, not older than `max_age` seconds.

    An expired but genuine token still tells when the form was first shown and which draft it
    belongs to, so neither is lost on the re-render; a forged one tells nothing. A token without a
    nonce (signed before nonces existed) is treated as expired: it could be replayed at will.
    """
    signed = read_token(secret_key, TOKEN_SALT, token, max_age)
    if signed is None or not _payload_ok(signed.payload):
        return FormToken(False)
    payload = signed.payload
    try:
        started_at = datetime.fromtimestamp(payload[1], UTC)
    except (OverflowError, OSError, ValueError):
        return FormToken(False)
    draft_id = payload[2] if len(payload) >= 3 and payload[2] else None
    nonce = payload[3] if len(payload) == 4 else None
    return FormToken(signed.fresh and nonce is not None and payload[0] == deployment_id, started_at, draft_id,
                     nonce)
