"""Agencies: the tree of province, departments, communes and counters."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, and_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.core.i18n import BilingualName
from feedback.extensions import db
from feedback.models import PathString, UTCDateTime, utcnow

PATH_SEPARATOR = "/"


def subtree_range(path: str) -> tuple[str, str]:
    """Bounds [low, high) of every materialized path in the subtree rooted at `path`.

    Paths look like "/1/5/23/". Every descendant path starts with the root's path, and in byte
    order those are exactly the strings from the path up to the path with its last "/" bumped to
    the next character ("0"), so one index range scan answers a subtree query at any depth.
    """
    return path, path[:-1] + chr(ord(PATH_SEPARATOR) + 1)


class Agency(BilingualName, db.Model):
    """A public body at any level; its materialized path makes subtree lookups one indexed query."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    path: Mapped[str] = mapped_column(PathString, index=True, default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    # A kind code (AgencyKind.code); a plain string so `agency.kind == "counter"` reads as before.
    kind: Mapped[str] = mapped_column(String(32), default="department")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The days the agency exists, [valid_from, valid_to): from its creation (None: before records
    # began) to the effective date of the reorganization that ended it (None: it exists today).
    # Nothing is deleted.
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # The agency of today's tree that carries this one's history: itself while it lives, its
    # history successor after a merge or split (followed to the end of the chain, so the dashboards
    # roll history up with one join). Set on creation; None only before the first flush.
    heir_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    # The agency's own networks (its Wi-Fi, its counters' tablets), as CIDR strings: open-link
    # responses from them are exempt from the per-client and per-address daily limits. JSONB on
    # PostgreSQL: queries selecting DISTINCT agencies need a type with equality (json has none).
    networks: Mapped[list] = mapped_column(JSON().with_variant(JSONB(), "postgresql"), default=list)

    parent: Mapped["Agency | None"] = relationship(remote_side=[id], foreign_keys=[parent_id])

    @classmethod
    def in_subtree(cls, path: str):
        """SQL condition: the agency lies in the subtree whose root has `path` (root included)."""
        low, high = subtree_range(path)
        return and_(cls.path >= low, cls.path < high)

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class AgencyKind(db.Model):
    """A kind of agency (data, not code): its labels and the peer group the dashboards compare it
    within. `historic` kinds (district) are kept for old records and offered for no new agency."""

    __tablename__ = "agency_kind"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    peer_group: Mapped[str] = mapped_column(String(32), default="other")
    position: Mapped[int] = mapped_column(Integer, default=100)
    historic: Mapped[bool] = mapped_column(Boolean, default=False)


class Succession(db.Model):
    """One edge of a reorganization: `predecessor` ended on `effective_on` and `successor` took
    over (merge, split, dissolution with a successor). `carries_history`: the successor's dashboards
    count the predecessor's history (one successor per predecessor at most)."""

    __tablename__ = "agency_succession"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    change: Mapped[str] = mapped_column(String(16))  # merge, split, dissolve
    effective_on: Mapped[date] = mapped_column(Date)
    carries_history: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    predecessor: Mapped[Agency] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Agency] = relationship(foreign_keys=[successor_id])
