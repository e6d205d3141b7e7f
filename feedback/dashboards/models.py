"""Summary tables the dashboards read: counts and sums of counted responses per agency and period.

One row per (period, first day, agency, survey version, channel, service): period "day" is one
local day (BABEL_DEFAULT_TIMEZONE), period "month" the local calendar month starting on `day`.
Both grains are written together, so a dashboard period reads whole months from the month rows
and only its ragged ends from the day rows. Only counted (not excluded) responses are in them;
`feedback.dashboards.summary` keeps them in step with the responses.
"""

import enum
from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback.extensions import db
from feedback.models import string_enum
from feedback.surveys.models import AccessMode


class Period(enum.StrEnum):
    """How long a summary row's period is."""

    DAY = "day"
    MONTH = "month"


# The key of a summary row, in index order: reads select a period's days first. Each table also
# has a (period, day) index carrying the columns the dashboards read (PostgreSQL INCLUDE), so a
# period is read by an index-only scan instead of a scan of every day row; and one by agency for
# the one-agency pages.
CELL = ("period", "day", "agency_id", "version_id", "channel", "service")


class SummaryCell:
    """The columns that place a summary row, shared by the three tables, in key order."""

    period: Mapped[Period] = mapped_column(string_enum(Period, "summary_period", length=8),
                                           primary_key=True, sort_order=-1)
    day: Mapped[date] = mapped_column(Date, primary_key=True, sort_order=-1)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True, sort_order=-1)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"), primary_key=True, sort_order=-1)
    channel: Mapped[AccessMode] = mapped_column(string_enum(AccessMode, "summary_channel"),
                                                primary_key=True, sort_order=-1)
    # The service (thủ tục) code the citizen picked, "" for none (a key column cannot be NULL).
    service: Mapped[str] = mapped_column(String(64), primary_key=True, sort_order=-1)


class ResponseSummary(SummaryCell, db.Model):
    """Counted responses of one cell, with the sums of their index values (weighted mean of their
    dimension scores, 0–1) for the mean and its interval."""

    __tablename__ = "response_summary"
    __table_args__ = (PrimaryKeyConstraint(*CELL),
                      Index("ix_response_summary_agency", "agency_id", "period", "day"),
                      Index("ix_response_summary_read", "period", "day",
                            postgresql_include=[
                                "agency_id", "channel",
                                "responses", "index_n", "index_sum", "index_sum_sq"]))

    responses: Mapped[int] = mapped_column(Integer, default=0)
    # Responses with an index value (at least one valid dimension score of non-zero weight).
    index_n: Mapped[int] = mapped_column(Integer, default=0)
    index_sum: Mapped[float] = mapped_column(Float, default=0.0)
    index_sum_sq: Mapped[float] = mapped_column(Float, default=0.0)


class DimensionSummary(SummaryCell, db.Model):
    """Dimension scores of one cell's counted responses: how many, their sum and sum of squares."""

    __tablename__ = "dimension_summary"
    __table_args__ = (PrimaryKeyConstraint(*CELL, "dimension"),
                      Index("ix_dimension_summary_agency", "agency_id", "period", "day"),
                      Index("ix_dimension_summary_read", "period", "day",
                            postgresql_include=[
                                "agency_id", "channel", "dimension", "n", "total", "total_sq"]))

    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)
    total_sq: Mapped[float] = mapped_column(Float, default=0.0)


class QuestionSummary(SummaryCell, db.Model):
    """Answers to one Likert question in one cell's counted responses.

    `answered` counts every stored answer, `valid` those with a 1–5 value, `positive` the 4–5
    ones, `not_applicable` the "not applicable" ones.
    """

    __tablename__ = "question_summary"
    __table_args__ = (PrimaryKeyConstraint(*CELL, "question_key"),
                      Index("ix_question_summary_agency", "agency_id", "period", "day"),
                      Index("ix_question_summary_read", "period", "day",
                            postgresql_include=[
                                "agency_id", "channel", "question_key",
                                "answered", "valid", "positive", "not_applicable"]))

    question_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[int] = mapped_column(Integer, default=0)
    positive: Mapped[int] = mapped_column(Integer, default=0)
    not_applicable: Mapped[int] = mapped_column(Integer, default=0)


# The value of an AnswerSummary row that counts a question's answers themselves (one per answering
# response, whatever its value): the denominator of a multiple-choice question's shares. A choice
# value is never empty (the designer refuses it), so it cannot collide.
ANSWERED = ""
NOT_APPLICABLE = "na"


class AnswerSummary(SummaryCell, db.Model):
    """How many of one cell's counted responses gave one value to one question.

    `value` is "1".."5" or "na" for a Likert question, "0".."10" for a 0–10 rating, "yes" / "no",
    a choice value for a single or multiple choice (a multiple-choice answer counts once for each
    value picked), and ANSWERED ("") for the number of answers to the question of any of these types.
    """

    __tablename__ = "answer_summary"
    __table_args__ = (PrimaryKeyConstraint(*CELL, "question_key", "value"),
                      Index("ix_answer_summary_agency", "agency_id", "period", "day"),
                      Index("ix_answer_summary_read", "period", "day",
                            postgresql_include=["agency_id", "version_id", "channel", "service",
                                                "question_key", "value", "count"]))

    question_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class CommentSummary(SummaryCell, db.Model):
    """How many comments (free-text answers with text, see Answer.search_text) one cell's counted
    responses gave to one question: the comments page's counts without reading the answers."""

    __tablename__ = "comment_summary"
    __table_args__ = (PrimaryKeyConstraint(*CELL, "question_key"),
                      Index("ix_comment_summary_agency", "agency_id", "period", "day"),
                      Index("ix_comment_summary_read", "period", "day",
                            postgresql_include=["agency_id", "version_id", "channel", "service",
                                                "question_key", "count"]))

    question_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
