"""The signed form token that stands in for a session on the anonymous survey form."""

from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

TOKEN_SALT = "survey-form"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    """The signer of survey form tokens."""
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)


def make_form_token(secret_key: str, deployment_id: int, started_at: datetime) -> str:
    """A signed, timestamped token carrying the deployment and when the form was first shown."""
    return _serializer(secret_key).dumps([deployment_id, int(started_at.timestamp())])


@dataclass
class FormToken:
    """What a submitted token says: whether to accept the form, and its original start time."""

    valid: bool
    started_at: datetime | None = None


def read_form_token(secret_key: str, token: str, deployment_id: int, max_age: int) -> FormToken:
    """Check a submitted token: signed by us, for this deployment, not older than `max_age` seconds.

    An expired but genuine token still tells when the form was first shown, so that start time
    survives the re-render; a forged one tells nothing.
    """
    serializer = _serializer(secret_key)
    valid = True
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
    if (not isinstance(payload, list) or len(payload) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in payload)):
        return FormToken(False)
    try:
        started_at = datetime.fromtimestamp(payload[1], UTC)
    except (OverflowError, OSError, ValueError):
        return FormToken(False)
    return FormToken(valid and payload[0] == deployment_id, started_at)
