"""Conferences, their registrations and petitions, and the notification outbox."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from feedback.agencies.models import Agency
from feedback.core.i18n import BilingualName, bilingual
from feedback.core.text import fold_for_search
from feedback.extensions import db
from feedback.models import UTCDateTime, string_enum, utcnow


class ConferenceStatus(enum.StrEnum):
    """draft → published → held → reported, or cancelled."""

    DRAFT = "draft"
    PUBLISHED = "published"
    HELD = "held"
    REPORTED = "reported"
    CANCELLED = "cancelled"


class ConferenceMode(enum.StrEnum):
    """Where people take part."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class RegistrationStatus(enum.StrEnum):
    """A seat, a place on the waiting list, or neither any more."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"


class Representing(enum.StrEnum):
    """On whose behalf a registrant comes."""

    SELF = "self"
    HOUSEHOLD = "household"
    BUSINESS = "business"
    ORGANIZATION = "organization"


class PetitionStatus(enum.StrEnum):
    """received → assigned → answered → closed, or hidden / merged into another petition."""

    RECEIVED = "received"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    CLOSED = "closed"
    HIDDEN = "hidden"
    MERGED = "merged"


class PetitionSource(enum.StrEnum):
    """When the question was raised."""

    ADVANCE = "advance"        # sent with a registration, before the conference
    FLOOR = "floor"            # raised on the day, entered by an organizer
    COMMITMENT = "commitment"  # a commitment written into the closing report


class PetitionAction(enum.StrEnum):
    """One step on a petition's timeline."""

    RECEIVED = "received"
    QUESTION_PUBLISHED = "question_published"
    QUESTION_UNPUBLISHED = "question_unpublished"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    ANSWER_PUBLISHED = "answer_published"
    RATED = "rated"
    HIDDEN = "hidden"
    MERGED = "merged"
    CLOSED = "closed"


conference_topic = Table(
    "conference_topic", db.metadata,
    Column("conference_id", ForeignKey("conference.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)


class Topic(BilingualName, db.Model):
    """A managed subject of dialogue: đất đai, môi trường, giáo dục, y tế…"""

    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Conference(db.Model):
    """A dialogue conference (hội nghị đối thoại) hosted by an agency."""

    __tablename__ = "conference"
    __table_args__ = (Index("ix_conference_status_starts", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    description_vi: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    host_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    # Hosting leaders: [{"name": "...", "title": "..."}].
    leaders: Mapped[list] = mapped_column(JSON, default=list)
    # Agenda items: [{"time": "08:00", "item_vi": "...", "item_en": "..."}].
    agenda: Mapped[list] = mapped_column(JSON, default=list)
    mode: Mapped[ConferenceMode] = mapped_column(string_enum(ConferenceMode, "conference_mode", 20),
                                                 default=ConferenceMode.IN_PERSON)
    venue: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[ConferenceStatus] = mapped_column(string_enum(ConferenceStatus, "conference_status", 20),
                                                     default=ConferenceStatus.DRAFT)
    # Bumped first by every change to seats (sign-up, cancel, capacity): the row lock it takes
    # serializes those changes per conference, on PostgreSQL and SQLite alike, so seats are
    # given in arrival order and never overbooked.
    seat_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Closing report: attendee count (defaults to check-ins) and summary.
    attendee_count: Mapped[int | None] = mapped_column(Integer)
    report_summary: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    host_agency: Mapped[Agency] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary=conference_topic, order_by=Topic.code)

    title = bilingual("title")


class Registration(db.Model):
    """One person's sign-up for a conference; personal data purged after the retention period."""

    __tablename__ = "registration"
    __table_args__ = (
        # One live registration per phone and conference; cancelled and purged ones do not count.
        Index("uq_registration_phone_live", "conference_id", "phone", unique=True,
              sqlite_where=text("status != 'cancelled' AND phone IS NOT NULL"),
              postgresql_where=text("status != 'cancelled' AND phone IS NOT NULL")),
        Index("ix_registration_conference_status", "conference_id", "status", "waitlist_position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id", ondelete="CASCADE"))
    ticket_code: Mapped[str] = mapped_column(String(16), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    # E.164 (+84…), normalized with phonenumbers; None once purged.
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    # The text channels the person chose at sign-up for messages to their phone (consent named them).
    notify_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    notify_zalo: Mapped[bool] = mapped_column(Boolean, default=False)
    locality: Mapped[str | None] = mapped_column(String(200))
    representing: Mapped[Representing] = mapped_column(string_enum(Representing, "representing", 20),
                                                       default=Representing.SELF)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RegistrationStatus] = mapped_column(
        string_enum(RegistrationStatus, "registration_status", 20))
    # 1, 2, 3… in arrival order while waitlisted; None otherwise.
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # full_name folded (core.text.fold_for_search), so the organizers' search for "thuy" finds
    # "Thủy" with a plain LIKE on both backends; kept in step by `_fold_name`, None once purged.
    search_name: Mapped[str | None] = mapped_column(String(200))

    conference: Mapped[Conference] = relationship()

    @validates("full_name")
    def _fold_name(self, _key: str, value: str | None) -> str | None:
        """Keep `search_name` the folded `full_name` whenever the name is set."""
        self.search_name = fold_for_search(value)
        return value


class Petition(db.Model):
    """A question or proposal (kiến nghị) routed to an agency and answered by a due date."""

    __tablename__ = "petition"
    __table_args__ = (Index("ix_petition_agency_status_due", "agency_id", "status", "due_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    conference_id: Mapped[int | None] = mapped_column(ForeignKey("conference.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"))
    source: Mapped[PetitionSource] = mapped_column(string_enum(PetitionSource, "petition_source", 20))
    text: Mapped[str] = mapped_column(Text)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id"))
    consent_to_publish: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[PetitionStatus] = mapped_column(string_enum(PetitionStatus, "petition_status", 20),
                                                   default=PetitionStatus.RECEIVED)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("petition.id"))
    # The responsible agency, and the day the answer is due (7 days after the conference by default).
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    # Shown on the conference's public page (text and topic only) once a moderator publishes it,
    # and only if the asker allowed it.
    question_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_text: Mapped[str] = mapped_column(Text, default="")
    # Who answers in the agency's name (name and title, as published), and the staff member who
    # recorded it.
    answered_by: Mapped[str] = mapped_column(String(200), default="")
    answered_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The asker's rating of the answer.
    rating_satisfied: Mapped[bool | None] = mapped_column(Boolean)
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # `text` folded (core.text.fold_for_search) for the moderation queue's search; see `_fold_text`.
    search_text: Mapped[str] = mapped_column(Text, default="")

    conference: Mapped[Conference | None] = relationship()
    registration: Mapped[Registration | None] = relationship()
    topic: Mapped[Topic | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
    events: Mapped[list["PetitionEvent"]] = relationship(
        back_populates="petition", order_by="PetitionEvent.at", cascade="all, delete-orphan")

    @validates("text")
    def _fold_text(self, _key: str, value: str) -> str:
        """Keep `search_text` the folded `text` whenever the text is set."""
        self.search_text = fold_for_search(value) or ""
        return value


class PetitionEvent(db.Model):
    """One step of a petition's public timeline (received, assigned, answered…)."""

    __tablename__ = "petition_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petition.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What happened: received, question_published, assigned, answered, answer_published, rated,
    # hidden, merged, closed… (PetitionAction); `status` is the petition's status after it.
    action: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[PetitionStatus] = mapped_column(string_enum(PetitionStatus, "petition_event_status", 20))
    note: Mapped[str] = mapped_column(Text, default="")

    petition: Mapped[Petition] = relationship(back_populates="events")
