"""Signed-in sessions that can be taken back: one row per signed-in browser, one token per user.

Flask-Login keeps `User.get_id()` in the session and in the remember cookie: "<session token>.<sign-in
secret>". A request is signed in only while the user is active, still has that session token and
that sign-in row has neither been deleted (sign-out) nor expired. Replacing the session token and
deleting the rows (deactivation, password change, role revocation, "sign out everywhere") ends
every session and remember cookie of the user at once, on every worker, with no cache to clear.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from feedback.accounts.models import SignIn, User, new_session_token
from feedback.extensions import db
from feedback.models import utcnow


def _digest(secret: str) -> str:
    """What the database keeps of a sign-in secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def start_sign_in(user: User) -> None:
    """Record a new sign-in of `user` (a new secret, hence a new remember cookie, every time) and
    forget the user's expired ones. Call just before `login_user`."""
    now = utcnow()
    db.session.execute(delete(SignIn).where(SignIn.user_id == user.id, SignIn.expires_at <= now))
    secret = secrets.token_urlsafe(24)
    lifetime = timedelta(days=current_app.config["REMEMBER_COOKIE_DAYS"])
    db.session.add(SignIn(user_id=user.id, secret_hash=_digest(secret), created_at=now,
                          expires_at=now + lifetime))
    db.session.flush()
    user.sign_in_secret = secret


def load_signed_in(session_id: str) -> User | None:
    """The active user whose session token and live sign-in `session_id` names, else None."""
    token, _, secret = session_id.partition(".")
    if not token or not secret:
        return None
    user = db.session.scalar(
        select(User).join(SignIn, SignIn.user_id == User.id).where(
            User.session_token == token, User.active.is_(True),
            SignIn.secret_hash == _digest(secret), SignIn.expires_at > utcnow()))
    if user is not None:
        user.sign_in_secret = secret
    return user


def end_sign_in(user: User) -> None:
    """Sign this browser out for good: its session and remember cookie, even copied, stop working."""
    if user.sign_in_secret:
        db.session.execute(delete(SignIn).where(SignIn.secret_hash == _digest(user.sign_in_secret)))


def end_all_sessions(user: User) -> None:
    """End every session and remember cookie of `user`, in every browser, at once."""
    user.session_token = new_session_token()
    db.session.execute(delete(SignIn).where(SignIn.user_id == user.id))
    db.session.flush()
