"""One-time password-reset links: signed, short-lived, and spent by the change they allow.

The token names the user and a fingerprint of their password hash and session token. Setting the
password replaces both, so a link works once; deactivating the user (or any "end all sessions")
spends it too. Nothing is stored: the signature (SECRET_KEY) and the age (PASSWORD_RESET_MAX_AGE)
are checked when it is used.
"""

import hashlib

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from feedback.accounts.models import User
from feedback.audit.services import record
from feedback.core.public_urls import public_base_url
from feedback.extensions import db

_SALT = "password-reset"


def _serializer() -> URLSafeTimedSerializer:
    """Signs and checks reset tokens with the app's secret key."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User) -> str:
    """What changes when the link must stop working: the password and the session token."""
    return hashlib.sha256(f"{user.password_hash}\0{user.session_token}".encode()).hexdigest()[:32]


def reset_link(user: User, *, actor: User | None = None) -> str:
    """A one-time address where `user` chooses a new password (audited; shown to the admin once)."""
    token = _serializer().dumps([user.id, _fingerprint(user)])
    record("user.reset_link", user, actor=actor)
    return public_base_url() + url_for("accounts.reset_password", token=token)


def user_for_reset(token: str) -> User | None:
    """The active user `token` lets choose a password, or None when it is forged, expired or spent."""
    try:
        user_id, fingerprint = _serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or _fingerprint(user) != fingerprint:
        return None
    return user
