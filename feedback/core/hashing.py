"""Salted hashes of who sent a request: comparable within one UTC day, never reversible."""

import hashlib
import hmac
from datetime import date

from flask import current_app

from feedback.models import utcnow


def daily_hash(*parts: str, day: date | None = None) -> str:
    """A SHA-256 of `parts` salted with SECRET_KEY and the UTC day; the raw values are never stored.

    The salt is derived from SECRET_KEY and the date, so yesterday's hashes cannot be linked to
    today's and nobody without the key can test a guessed address (or email) against a stored hash.
    """
    day = day or utcnow().date()
    secret = current_app.config["SECRET_KEY"].encode()
    salt = hmac.new(secret, day.isoformat().encode(), hashlib.sha256).digest()
    return hashlib.sha256(salt + b"".join(b"\0" + part.encode() for part in parts)).hexdigest()
