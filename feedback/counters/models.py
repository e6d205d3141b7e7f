"""Officers and their shifts, rating sets, kiosk tablets and the counter ratings themselves."""

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.agencies.models import Agency
from feedback.core.i18n import bilingual
from feedback.extensions import db
from feedback.models import UTCDateTime, string_enum, utcnow
from feedback.surveys.models import ResponseFlag


class Channel(enum.StrEnum):
    """How a counter rating reached us."""

    KIOSK = "kiosk"
    PLATE = "plate"
    API = "api"


class RatingFlag(enum.IntFlag):
    """Why a counter rating is kept out of the indices (stored all the same). The checks it shares
    with survey responses take their bits from surveys.models.ResponseFlag, so a bit means the same
    thing in both tables."""

    TOO_FAST = ResponseFlag.TOO_FAST.value
    ADDRESS_LIMITED = ResponseFlag.ADDRESS_LIMITED.value
    UNDER_REVIEW = ResponseFlag.UNDER_REVIEW.value
    # More than COUNTER_DEVICE_WINDOW_MAX ratings from one kiosk within COUNTER_DEVICE_WINDOW_SECONDS.
    DEVICE_WINDOW = 64


class Officer(db.Model):
    """A civil servant who receives citizens at a counter (not a user: sees nothing)."""

    __tablename__ = "officer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The kiosk PIN (4 digits) as an argon2 hash; None: the officer cannot pick themselves.
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()


class OfficerShift(db.Model):
    """An officer on duty at a counter from `started_at` until `ended_at` (None: still on duty)."""

    __tablename__ = "officer_shift"
    __table_args__ = (Index("ix_officer_shift_officer_started", "officer_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_device.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    officer: Mapped[Officer] = relationship()


class RatingSet(db.Model):
    """The question asked at an agency's counters, versioned: frozen once a rating used it, so an
    index never mixes two scales. `agency_id` None: the platform's default set."""

    __tablename__ = "rating_set"
    __table_args__ = (UniqueConstraint("agency_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    question_vi: Mapped[str] = mapped_column(String(300))
    question_en: Mapped[str] = mapped_column(String(300), default="")
    # Level labels from best to worst: [{"vi": …, "en": …}, …] (3, 4 or 5 of them). Level numbers
    # count from the worst (1) up to the best (len(levels)).
    levels: Mapped[list] = mapped_column(JSON, default=list)
    # The level numbers that count as "satisfied" in the index.
    satisfied: Mapped[list] = mapped_column(JSON, default=list)
    # The level numbers after which the reasons are asked.
    low_levels: Mapped[list] = mapped_column(JSON, default=list)
    # [{"key": …, "vi": …, "en": …, "alert": bool}, …]
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question = bilingual("question")

    def level_label(self, level: int, locale: str) -> str:
        """The label of level number `level` in `locale`."""
        label = self.levels[len(self.levels) - level]
        return label.get(locale) or label["vi"]


class KioskDevice(db.Model):
    """A tablet paired with one counter; its long-lived token is stored hashed and can be revoked."""

    __tablename__ = "kiosk_device"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    pairing_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id", ondelete="SET NULL"))
    # The open shift of the officer on duty here. No foreign key: shifts name their device, and two
    # tables referring to each other could not be created (or emptied) one after the other.
    shift_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()
    officer: Mapped[Officer | None] = relationship()


class CounterRating(db.Model):
    """One citizen's rating of the service at a counter: its own kind of response, never mixed into
    the survey's question rates. `client_uuid` is unique, so an offline queue replays safely."""

    __tablename__ = "counter_rating"
    __table_args__ = (
        Index("ix_counter_rating_agency_given", "agency_id", "given_at"),
        Index("ix_counter_rating_officer_given", "officer_id", "given_at"),
        Index("ix_counter_rating_device_given", "device_id", "given_at"),
        Index("ix_counter_rating_address", "address_hash", "agency_id", "given_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id", ondelete="SET NULL"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("officer_shift.id", ondelete="SET NULL"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_device.id", ondelete="SET NULL"))
    rating_set_id: Mapped[int] = mapped_column(ForeignKey("rating_set.id"))
    level: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(Text)
    service_code: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(string_enum(Channel, "counter_channel"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    flags: Mapped[int] = mapped_column(Integer, default=0)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    address_hash: Mapped[str | None] = mapped_column(String(64))

    officer: Mapped[Officer | None] = relationship()
    rating_set: Mapped[RatingSet] = relationship()


class RatingDossier(db.Model):
    """A dossier id a queue system already rated with (hashed): idempotency only. Deliberately no
    link to the rating and no time, so no dossier can be joined to a rating afterwards."""

    __tablename__ = "rating_dossier"

    dossier_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
