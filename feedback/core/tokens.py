"""Signed form tokens: what stands in for a session (and its CSRF token) on the forms citizens
fill in without signing in.

A token is a payload signed with the app's secret key and a salt naming its kind of form, and
timestamped; each feature decides its own payload and what an old token still tells.
"""

from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


@dataclass(frozen=True)
class SignedToken:
    """A genuine token's payload, and whether it is younger than the age asked for."""

    payload: Any
    fresh: bool


def sign_token(secret_key: str, salt: str, payload) -> str:
    """`payload` (anything JSON holds) signed and timestamped for the forms named by `salt`."""
    return URLSafeTimedSerializer(secret_key, salt=salt).dumps(payload)


def read_token(secret_key: str, salt: str, token, max_age: int) -> SignedToken | None:
    """What a submitted token says, if we signed it for the forms named by `salt`; None for a
    forged, malformed or missing one. A genuine token older than `max_age` seconds is not fresh
    but still tells its payload."""
    if not isinstance(token, str) or not token:
        return None
    serializer = URLSafeTimedSerializer(secret_key, salt=salt)
    try:
        return SignedToken(serializer.loads(token, max_age=max_age), fresh=True)
    except SignatureExpired as expired:
        try:
            return SignedToken(serializer.load_payload(expired.payload), fresh=False)
        except BadSignature:
            return None
    except BadSignature:
        return None
