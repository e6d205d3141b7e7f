"""Staff accounts and their role grants, each scoped to an agency subtree."""

import enum
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

    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="RoleGrant.user_id",
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

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
