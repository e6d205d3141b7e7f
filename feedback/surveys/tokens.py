"""The signed form token that stands in for a session on the anonymous survey form."""

from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

TOKEN_SALT = "survey-form"
DRAFT_ID_MAX_LENGTH = 64


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    """The signer of survey form tokens."""
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)


def make_form_token(secret_key: str, deployment_id: int, started_at: datetime,
                    draft_id: str | None = None) -> str:
    """A signed, timestamped token: the deployment, when the survey was first shown, and the
    server-side draft holding the answers of earlier pages (None before the first page is sent)."""
    return _serializer(secret_key).dumps([deployment_id, int(started_at.timestamp()), draft_id or ""])


@dataclass
class FormToken:
    """What a submitted token says: whether to accept the form, its start time and its draft."""

    valid: bool
    started_at: datetime | None = None
    draft_id: str | None = None


def _payload_ok(payload) -> bool:
    """Whether a decoded payload has our shape: [deployment id, start timestamp(, draft id)]."""
    if not isinstance(payload, list) or len(payload) not in (2, 3):
        return False
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in payload[:2]):
        return False
    return len(payload) == 2 or (isinstance(payload[2], str) and len(payload[2]) <= DRAFT_ID_MAX_LENGTH)


def read_form_token(secret_key: str, token: str, deployment_id: int, max_age: int) -> FormToken:
    """Check a submitted token: signed by us, for this deployment, not older than `max_age` seconds.

    An expired but genuine token still tells when the form was first shown and which draft it
    belongs to, so neither is lost on the re-render; a forged one tells nothing.
    """
    serializer = _serializer(secret_key)
    valid = True
    if not isinstance(token, str):
        return FormToken(False)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired as expired:
        valid = False
        try:
            payload = serializer.load_payload(expired.payload)
        except BadSignature:
            return FormToken(False)
    except BadSignature:
        return FormToken(False)
    if not _payload_ok(payload):
        return FormToken(False)
    try:
        started_at = datetime.fromtimestamp(payload[1], UTC)
    except (OverflowError, OSError, ValueError):
        return FormToken(False)
    draft_id = payload[2] if len(payload) == 3 and payload[2] else None
    return FormToken(valid and payload[0] == deployment_id, started_at, draft_id)
