"""Surveys, their frozen versions and questions, deployments at agencies, and the responses."""

import copy
import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.agencies.models import Agency
from feedback.core.i18n import bilingual, short_text
from feedback.extensions import db
from feedback.models import UTCDateTime, string_enum, utcnow


class QuestionType(enum.StrEnum):
    """What kind of answer a question takes; SECTION and NOTE are headings, not questions."""

    LIKERT5 = "likert5"
    SINGLE = "single"
    MULTIPLE = "multiple"
    RATING10 = "rating10"
    YESNO = "yesno"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    SECTION = "section"
    NOTE = "note"


class VersionStatus(enum.StrEnum):
    """A version is edited as a draft and frozen once published."""

    DRAFT = "draft"
    PUBLISHED = "published"


class AccessMode(enum.StrEnum):
    """How citizens reach a deployment: a public link / QR code, or one-time codes only."""

    OPEN = "open"
    CODE = "code"


class DeploymentStatus(enum.StrEnum):
    """Whether a deployment currently takes responses."""

    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class ResponseFlag(enum.IntFlag):
    """Why a response is kept out of the indices (it is stored all the same)."""

    HONEYPOT = 1
    TOO_FAST = 2
    RATE_LIMITED = 4
    # The form token was already used for a response: a replay, or a page sent again after its
    # draft was stored.
    REPLAY = 8
    # Over the daily number of open-link responses from one address at one agency.
    ADDRESS_LIMITED = 16
    # Part of a burst of open-link responses at one agency, held until an organizer restores it.
    UNDER_REVIEW = 32


class Survey(db.Model):
    """A questionnaire over time; its content lives in numbered versions."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    owner_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list["SurveyVersion"]] = relationship(
        back_populates="survey", order_by="SurveyVersion.number", cascade="all, delete-orphan"
    )
    owner_agency: Mapped[Agency | None] = relationship()


class VersionTexts:
    """What a version says in each language; shared by the model and its frozen copy (frozen.py)."""

    title_vi: str
    title_en: str
    intro_vi: str
    intro_en: str
    dimension_weights: dict

    title = bilingual("title")
    intro = bilingual("intro")

    def weight(self, dimension: str) -> float:
        """The weight of `dimension` in this version's index."""
        return float(self.dimension_weights.get(dimension, 1.0))


# The longest short label of a question: a few words, on one line of a phone's chart.
SHORT_LABEL_MAX = 60
# The fields that only name a question in dashboards: editable after publishing, as citizens never
# see them, and left out when deciding whether a questionnaire changed (services.load_default_survey).
SHORT_LABEL_FIELDS = ("short_vi", "short_en")


class QuestionTexts:
    """What a question says in each language; shared by the model and its frozen copy (frozen.py)."""

    text_vi: str
    text_en: str
    help_vi: str
    help_en: str
    short_vi: str | None
    short_en: str | None

    text = bilingual("text")
    help = bilingual("help")

    def short_label(self, locale: str) -> str:
        """The words dashboards show for the question (its short label, else its text)."""
        return short_text(self.short_vi, self.short_en, self.text_vi, self.text_en, locale)


class SurveyVersion(VersionTexts, db.Model):
    """The questions of a survey at one point in time; frozen once published."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[VersionStatus] = mapped_column(string_enum(VersionStatus, "version_status"),
                                                  default=VersionStatus.DRAFT)
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    intro_vi: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    # Weight of each dimension in the agency index; a dimension not listed weighs 1.
    dimension_weights: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    survey: Mapped[Survey] = relationship(back_populates="versions")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(QuestionTexts, db.Model):
    """One item of a version; its key stays the same across versions so results compare."""

    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    key: Mapped[str] = mapped_column(String(64))
    type: Mapped[QuestionType] = mapped_column(string_enum(QuestionType, "question_type"))
    text_vi: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")
    help_vi: Mapped[str] = mapped_column(Text, default="")
    help_en: Mapped[str] = mapped_column(Text, default="")
    # A few words that tell the question apart in dashboards' charts and tables (the full text stays
    # in their tap details and exports). Citizens never see them, so they may change after publishing.
    short_vi: Mapped[str | None] = mapped_column(String(SHORT_LABEL_MAX))
    short_en: Mapped[str | None] = mapped_column(String(SHORT_LABEL_MAX))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    dimension: Mapped[str | None] = mapped_column(String(32))
    allow_na: Mapped[bool] = mapped_column(Boolean, default=False)
    # Type-specific settings: choices [{value, label_vi, label_en}], max_choices, min, max, max_length.
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    # {"question": key, "op": "equals" | "in" | "answered", "value": ...}; None = always shown.
    show_if: Mapped[dict | None] = mapped_column(JSON)
    # The designer's page break: this item starts a new page of the citizen form. A version
    # with none is cut at its sections instead (drafts.split_pages).
    page_break: Mapped[bool] = mapped_column(Boolean, default=False)

    version: Mapped[SurveyVersion] = relationship(back_populates="questions")


# A question's own fields: every column but its identity and its place in the version. The built-in
# questionnaire's file, the designer's JSON and the frozen copy (frozen.py) all follow this tuple,
# so a new attribute is one column above.
QUESTION_FIELDS = tuple(c.key for c in Question.__table__.columns
                        if c.key not in ("id", "version_id", "position"))


def plain_value(column: Column, value):
    """A column's value as plain data: its default for None, an enum member for an enum column,
    true or false for a flag, and JSON copied so that nothing is shared with a session's row."""
    default = column.default
    if value is None and default is not None:
        value = default.arg(None) if default.is_callable else default.arg
    if isinstance(column.type, Enum) and column.type.enum_class is not None and value is not None:
        return column.type.enum_class(value)
    if isinstance(column.type, Boolean):
        return bool(value)
    if isinstance(column.type, JSON):
        return copy.deepcopy(value)
    return value


def question_values(question, names=QUESTION_FIELDS) -> dict:
    """The fields `names` of a question row, as plain data (plain_value)."""
    columns = Question.__table__.columns
    return {name: plain_value(columns[name], getattr(question, name)) for name in names}


class Deployment(db.Model):
    """A published version offered at one agency for a period."""

    __tablename__ = "deployment"
    __table_args__ = (
        Index("ix_deployment_agency_status", "agency_id", "status"),
        # One active deployment per agency, kept by the database whatever the code does.
        Index("uq_deployment_one_active", "agency_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    access_mode: Mapped[AccessMode] = mapped_column(string_enum(AccessMode, "access_mode"),
                                                    default=AccessMode.OPEN)
    status: Mapped[DeploymentStatus] = mapped_column(string_enum(DeploymentStatus, "deployment_status"),
                                                     default=DeploymentStatus.ACTIVE)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Services (thủ tục) the citizen may pick from: [{"code", "name_vi", "name_en"}].
    services: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    version: Mapped[SurveyVersion] = relationship()
    agency: Mapped[Agency] = relationship()


class Response(db.Model):
    """One citizen's submitted questionnaire; anonymous by construction."""

    __tablename__ = "response"
    __table_args__ = (
        Index("ix_response_agency_submitted", "agency_id", "submitted_at"),
        Index("ix_response_client", "client_hash", "agency_id", "submitted_at"),
        Index("ix_response_address", "address_hash", "agency_id", "submitted_at"),
        # The excluded (flagged) responses alone: the dashboards count them next to every index
        # and the responses page looks for held bursts on every visit, without reading the rest.
        Index("ix_response_excluded", "agency_id", "submitted_at",
              postgresql_where=text("excluded"), sqlite_where=text("excluded")),
        # The newest responses first across agencies (the comments page's list).
        Index("ix_response_submitted_at", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"), index=True)
    deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployment.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    service: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[AccessMode] = mapped_column(string_enum(AccessMode, "response_channel"),
                                                default=AccessMode.OPEN)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Why the response tripped an integrity check (ResponseFlag bits); kept for review forever.
    flags: Mapped[int] = mapped_column(Integer, default=0)
    # Left out of every index; set when flagged, cleared when an organizer restores it.
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    # Salted, daily-rotating hash of IP and user agent: rate limiting and duplicates only.
    client_hash: Mapped[str | None] = mapped_column(String(64))
    # The same for the address alone (same daily salt): a limit per address, browsers aside.
    address_hash: Mapped[str | None] = mapped_column(String(64))

    answers: Mapped[list["Answer"]] = relationship(back_populates="response",
                                                   cascade="all, delete-orphan")
    scores: Mapped[list["ResponseScore"]] = relationship(back_populates="response",
                                                         cascade="all, delete-orphan")
    agency: Mapped[Agency] = relationship()
    version: Mapped[SurveyVersion] = relationship()


class Answer(db.Model):
    """One answer of a response, by question key."""

    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    choices: Mapped[list | None] = mapped_column(JSON)
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    # A free-text answer folded for search (core.text.fold_for_search); None for any other answer.
    search_text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")


class ResponseScore(db.Model):
    """A response's score in one dimension: the share of its valid Likert answers that are 4–5."""

    __tablename__ = "response_score"

    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"),
                                             primary_key=True)
    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    # The dimension's weight in the response's version, copied so that SQL alone weights the index.
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    valid_answers: Mapped[int] = mapped_column(Integer)

    response: Mapped[Response] = relationship(back_populates="scores")


class SurveyCode(db.Model):
    """A one-time code printed on a receipt: opens one deployment's survey once, then never again.

    Redemption is a single conditional UPDATE (see surveys.codes.redeem), so two citizens sending
    the same code at the same moment cannot both be counted. A code keeps only the day it was used,
    never which response used it: it may carry a dossier number, and responses are anonymous
    (docs/security.md, "Anonymity of code-verified responses").
    """

    __tablename__ = "survey_code"
    __table_args__ = (UniqueConstraint("agency_id", "dossier_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    # None for a code naming an officer (`officer_id`): it opens that officer's counter rating, no survey.
    deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployment.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    # The officer a code issued by the API names (counters.public.code_rate); forgotten once used,
    # so a used code never points at an officer's rating.
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id", ondelete="SET NULL"))
    # The one-stop-shop system's dossier number, when the code was issued for one (idempotent).
    dossier_id: Mapped[str | None] = mapped_column(String(64))
    batch: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The local day (BABEL_DEFAULT_TIMEZONE) the code was used; no finer, so no time joins it to a response.
    redeemed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id", ondelete="SET NULL"))

    deployment: Mapped[Deployment | None] = relationship()
    agency: Mapped[Agency] = relationship()


class SurveyDraft(db.Model):
    """Answers of a survey still being filled in, page by page; holds no personal data.

    Keyed by a random token that travels in the citizen's form, so going back, reloading or an
    expired page never loses what was typed. Deleted when the response is stored; old ones are
    purged.
    """

    __tablename__ = "survey_draft"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"),
                                               index=True)
    code_id: Mapped[int | None] = mapped_column(ForeignKey("survey_code.id", ondelete="CASCADE"))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    page: Mapped[int] = mapped_column(Integer, default=1)
    # When the server first stored this draft: the "too fast" check measures from here.
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The nonce of the form token that began the draft; every later page's token carries it, and
    # it is used up when the response is stored (UsedFormToken), so one form makes one response.
    nonce: Mapped[str | None] = mapped_column(String(43), index=True)


class UsedFormToken(db.Model):
    """The nonce of a survey form token that has already given a response (kept as long as a
    token carrying it may still be sent; `flask surveys purge-drafts` deletes older ones).

    Its primary key makes "use it once" the database's job: of two requests sending the same
    token at once, only one insert succeeds."""

    __tablename__ = "used_form_token"

    nonce: Mapped[str] = mapped_column(String(43), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
