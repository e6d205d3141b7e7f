"""Staff accounts: creating users, granting roles, checking passwords."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from feedback.accounts.models import Role, RoleGrant, User
from feedback.agencies.models import Agency
from feedback.audit.services import record
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

MIN_PASSWORD_LENGTH = 10


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
    """Create an active user; refuses a taken email or a short password."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"not a valid email address: {email!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(f"a user with email {email} already exists")
    user = User(email=email, name=name, password_hash=hash_password(password))
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
