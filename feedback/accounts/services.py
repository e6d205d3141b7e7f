"""Staff accounts: creating users, granting roles, setting and checking passwords."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from feedback.accounts.models import Role, RoleGrant, User
from feedback.accounts.passwords import password_problem
from feedback.accounts.sessions import end_all_sessions
from feedback.agencies.models import Agency
from feedback.audit.services import record
from feedback.core.hashing import daily_hash
from feedback.core.text import clean_text, fold_for_search
from feedback.extensions import db
from feedback.models import utcnow


@cache
def _hasher_for(time_cost: int, memory_cost: int) -> tuple[PasswordHasher, str]:
    """An argon2id hasher with these costs, and a dummy hash verified when the email is unknown
    (so a wrong email costs as much time as a wrong password)."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
    return hasher, hasher.hash("not-a-real-password")


def _hasher() -> PasswordHasher:
    """The hasher configured for this app (ARGON2_TIME_COST, ARGON2_MEMORY_COST)."""
    return _hasher_for(current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_COST"])[0]


class AccountError(ValueError):
    """A user or grant could not be created; the message says why."""


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher().hash(password)


def find_user(email: str) -> User | None:
    """The user with this email, if any."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(email: str, password: str, *, name: str = "", actor: User | None = None) -> User:
    """Create an active user; refuses a taken email or a password the rules refuse."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"not a valid email address: {email!r}")
    if problem := password_problem(password, email):
        raise AccountError(problem)
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(f"a user with email {email} already exists")
    user = User(email=email, name=clean_text(name), password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    record("user.create", user, actor=actor, email=email)
    return user


def grant_role(user: User, role: Role, agency: Agency | None, *, actor: User | None = None) -> RoleGrant:
    """Give `user` the `role` over `agency`'s subtree (admins: no agency). Idempotent."""
    if role == Role.ADMIN:
        agency = None
    elif agency is None:
        raise AccountError(f"the {role.value} role needs an agency")
    for grant in user.grants:
        if grant.role == role and grant.agency_id == (agency.id if agency else None):
            return grant
    grant = RoleGrant(user=user, role=role, agency=agency, granted_by_id=getattr(actor, "id", None))
    db.session.add(grant)
    db.session.flush()
    record("role.grant", user, actor=actor, role=role.value, agency=agency.code if agency else None)
    return grant


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    """Give `user` a new password the rules accept, and end all their sessions (a password change
    is what someone does after a device was lost or the old password leaked)."""
    if problem := password_problem(password, user.email):
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    record("user.password_set", user, actor=actor)


def search_users(term: str = "") -> list[User]:
    """Users whose email or name contains `term`, accents and case ignored, ordered by email.

    Folded in Python, not SQL: a province has hundreds of staff accounts, not millions, and this
    needs no stored copy of every name to keep in step."""
    users = db.session.scalars(select(User).order_by(User.email)).all()
    folded = fold_for_search(term) or ""
    if not folded:
        return list(users)
    return [u for u in users if folded in fold_for_search(f"{u.email} {u.name}")]


def record_failed_sign_in(email: str) -> None:
    """Audit a refused sign-in without storing what was typed as the email: the account when it
    names one, otherwise a salted hash (so repeated attempts on one made-up name still show)."""
    user = find_user(email)
    if user is not None:
        record("auth.login_failed", user)
    else:
        record("auth.login_failed", email_hash=daily_hash(normalize_email(email)[:254]))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; rehashes outdated hashes."""
    user = find_user(email)
    if user is None or not user.active:
        _burn(password)
        return None
    try:
        _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def _burn(password: str) -> None:
    """Spend the time of one verification so unknown emails are not told apart by timing."""
    hasher, dummy = _hasher_for(current_app.config["ARGON2_TIME_COST"],
                                current_app.config["ARGON2_MEMORY_COST"])
    try:
        hasher.verify(dummy, password)
    except VerificationError:
        pass
