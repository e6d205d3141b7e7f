"""Staff accounts and their role grants, each scoped to an agency subtree."""

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.agencies.models import Agency
from feedback.extensions import db
from feedback.models import UTCDateTime, utcnow


class Role(enum.StrEnum):
    """What a grant allows. Admin is global; organizer and leader cover an agency subtree."""

    ADMIN = "admin"
    ORGANIZER = "organizer"
    LEADER = "leader"


def new_session_token() -> str:
    """A fresh random session token (URL-safe, no dots: it is the first half of a session id)."""
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A staff member who signs in: organizer, leader or admin. Citizens have no account."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Flask-Login's alternative id: replacing it ends every session and remember cookie at once.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)

    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="RoleGrant.user_id",
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    # The secret of the sign-in (one browser) this object was loaded through or signed in with.
    sign_in_secret = None  # not a column: set per request by accounts.sessions

    def get_id(self) -> str:
        """What the session and the remember cookie carry: the user's session token and the secret
        of this browser's sign-in (accounts.sessions checks both on every request)."""
        return f"{self.session_token}.{self.sign_in_secret or ''}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class RoleGrant(db.Model):
    """One role for one user over one agency and everything below it (no agency for admins)."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("user_id", "role", "agency_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="role", native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    agency: Mapped[Agency | None] = relationship(lazy="joined")


class SignIn(db.Model):
    """One browser signed in as a user: signing out deletes it, so a copied session or remember
    cookie stops working; ending all of a user's sessions deletes them all."""

    __tablename__ = "sign_in"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the secret in the browser's cookies: the database alone cannot forge a session.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
