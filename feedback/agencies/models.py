"""Agencies: the tree of province, departments, communes and counters."""

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, and_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.core.i18n import BilingualName
from feedback.extensions import db
from feedback.models import PathString

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
    kind: Mapped[str] = mapped_column(String(32), default="department")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The agency's own networks (its Wi-Fi, its counters' tablets), as CIDR strings: open-link
    # responses from them are exempt from the per-client and per-address daily limits. JSONB on
    # PostgreSQL: queries selecting DISTINCT agencies need a type with equality (json has none).
    networks: Mapped[list] = mapped_column(JSON().with_variant(JSONB(), "postgresql"), default=list)

    parent: Mapped["Agency | None"] = relationship(remote_side=[id])

    @classmethod
    def in_subtree(cls, path: str):
        """SQL condition: the agency lies in the subtree whose root has `path` (root included)."""
        low, high = subtree_range(path)
        return and_(cls.path >= low, cls.path < high)

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"
