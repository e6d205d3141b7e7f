"""Shared column helpers for the models of every feature."""

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, String
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (every stored timestamp is UTC)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Refuse naive datetimes; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        """SQLite hands back naive values; mark them UTC."""
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


# Byte-order collation on PostgreSQL so that range scans over materialized paths use the index
# whatever the database's locale; SQLite compares bytes already.
PathString = String(512).with_variant(String(512, collation="C"), "postgresql")


def string_enum(cls: type[enum.Enum], name: str, length: int = 16) -> Enum:
    """A portable enum column stored as its string values (a VARCHAR without CHECK)."""
    return Enum(cls, name=name, native_enum=False, create_constraint=False, length=length,
                values_callable=lambda e: [m.value for m in e])
