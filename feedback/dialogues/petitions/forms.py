"""Staff forms for petitions and closing reports, each mistake with its own clear message."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from feedback.core.dates import local_zone
from feedback.core.forms import CleanForm, CleanSubform, DayField, OwnParseMessage
from feedback.core.i18n import gettext as _
from feedback.dialogues.petitions.services import local_today
from feedback.models import utcnow

TEXT_MAX = 4000
REASON_MAX = 1000
NAME_MAX = 120
SUMMARY_MAX = 20000
# Rows of the report form for commitments; "Add a row" adds more, up to the maximum.
COMMITMENT_ROWS = 3
# What <input type="datetime-local"> sends (with seconds when a step asks for them); the first is shown.
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
COMMITMENT_ROWS_MAX = 50


class MomentField(OwnParseMessage, DateTimeLocalField):
    """A local date and time (what <input type="datetime-local"> sends), with a localized message."""

    parse_message = _l("Please enter the date and time, for example 2025-06-30 14:30.")


class CountField(OwnParseMessage, IntegerField):
    """A whole number, with a localized message when it is not one."""

    parse_message = _l("Please enter a whole number, 0 or more.")


def _must_choose(field, message: str) -> None:
    """A select whose value is not one of its offered choices (tampered, or the placeholder)."""
    if field.data not in {str(choice.value) for choice in field.choices if choice.value}:
        raise ValidationError(message)


class FloorPetitionForm(CleanForm):
    """A question raised on the day, typed in by an organizer."""

    text = TextAreaField(_l("Question or proposal"), validators=[
        DataRequired(message=_l("Please write the question.")),
        Length(max=TEXT_MAX, message=_l("Please keep it under %(max)s characters.", max=TEXT_MAX))])
    topic = SelectField(_l("Topic"), validate_choice=False)
    ticket = StringField(_l("Ticket code of the asker (optional)"), validators=[Optional(), Length(max=32)])
    consent = BooleanField(_l("The asker allows publishing the question (text and topic only)"))

    def validate_topic(self, field):
        """A topic from the list, or none."""
        if field.data:
            _must_choose(field, _("Please choose a topic from the list."))


class HideForm(CleanForm):
    """Why a petition is hidden; the reason stays with the staff."""

    reason = TextAreaField(_l("Reason (for the staff only; the citizen is not shown it)"), validators=[
        DataRequired(message=_l("Please give the reason for hiding it.")),
        Length(max=REASON_MAX, message=_l("Please keep it under %(max)s characters.", max=REASON_MAX))])


class MergeForm(CleanForm):
    """Which petition of the same conference a duplicate goes into."""

    target = SelectField(_l("Merge into"), validate_choice=False)

    def validate_target(self, field):
        """One of the petitions offered."""
        _must_choose(field, _("Please choose the petition to merge into."))


class AssignForm(CleanForm):
    """The responsible agency and the due date."""

    agency = SelectField(_l("Responsible agency"), validate_choice=False)
    due_date = DayField(_l("Answer due by"), validators=[
        InputRequired(message=_l("Please enter the due date."))])

    def validate_agency(self, field):
        """One of the active agencies offered."""
        _must_choose(field, _("Please choose an agency from the list."))

    def validate_due_date(self, field):
        """A due date in the past would make the petition overdue at once."""
        if field.data is not None and field.data < local_today():
            raise ValidationError(_("The due date cannot be in the past."))


class AnswerForm(CleanForm):
    """The agency's answer: what it says, who gives it (name and title), and when."""

    answer_text = TextAreaField(_l("Answer"), validators=[
        DataRequired(message=_l("Please write the answer.")),
        Length(max=TEXT_MAX * 2, message=_l("Please keep it under %(max)s characters.", max=TEXT_MAX * 2))])
    answered_by_name = StringField(_l("Answered by (name)"), validators=[
        DataRequired(message=_l("Please enter who gives the answer.")),
        Length(max=NAME_MAX, message=_l("Please keep it under %(max)s characters.", max=NAME_MAX))])
    answered_by_title = StringField(_l("Title (optional)"), validators=[
        Optional(), Length(max=NAME_MAX, message=_l("Please keep it under %(max)s characters.",
                                                    max=NAME_MAX))])
    answered_at = MomentField(_l("Answered on"), format=MOMENT_FORMATS, validators=[
        InputRequired(message=_l("Please enter when the answer was given."))])

    def validate_answered_at(self, field):
        """A time typed in local time, not in the future."""
        if field.data is None:
            return
        if self.local_answered_at() > utcnow() + timedelta(minutes=5):
            raise ValidationError(_("The answer cannot be dated in the future."))

    def local_answered_at(self) -> datetime:
        """The typed time as an aware datetime in the platform's time zone."""
        return self.answered_at.data.replace(tzinfo=local_zone())

    @property
    def answered_by(self) -> str:
        """Name and title as published: "Trần Minh Quang, Phó Chủ tịch UBND tỉnh"."""
        name = self.answered_by_name.data.strip()
        title = (self.answered_by_title.data or "").strip()
        return f"{name}, {title}" if title else name


class CommitmentRow(CleanSubform):
    """One commitment of the closing report; a row left entirely blank is skipped."""

    text = TextAreaField(_l("Commitment"), validators=[
        Optional(), Length(max=TEXT_MAX, message=_l("Please keep it under %(max)s characters.",
                                                    max=TEXT_MAX))])
    agency = SelectField(_l("Responsible agency"), validate_choice=False)
    due_date = DayField(_l("Due by"), validators=[Optional()])
    topic = SelectField(_l("Topic"), validate_choice=False)

    def is_blank(self) -> bool:
        """Nothing written in the row (the preset due date does not count)."""
        return not (self.text.data or "").strip() and not self.agency.data and not self.topic.data

    def validate_agency(self, field):
        """A commitment needs the agency that will keep it."""
        if self.is_blank():
            return
        if not field.data:
            raise ValidationError(_("Please choose the responsible agency."))
        _must_choose(field, _("Please choose an agency from the list."))

    def validate_text(self, field):
        """A row with an agency or topic but no text is a mistake, not a blank row."""
        if not self.is_blank() and not (field.data or "").strip():
            raise ValidationError(_("Please write the commitment."))

    def validate_topic(self, field):
        """A topic from the list, or none."""
        if field.data:
            _must_choose(field, _("Please choose a topic from the list."))

    def validate_due_date(self, field):
        """A commitment cannot be due in the past."""
        if not self.is_blank() and field.data is not None and field.data < local_today():
            raise ValidationError(_("The due date cannot be in the past."))


class ReportForm(CleanForm):
    """The closing report: attendees, summary, commitments."""

    attendee_count = CountField(_l("Number of attendees"), validators=[
        InputRequired(message=_l("Please enter the number of attendees.")),
        NumberRange(min=0, max=1_000_000, message=_l("Please enter a whole number, 0 or more."))])
    summary = TextAreaField(_l("Summary of the conference"), validators=[
        DataRequired(message=_l("Please write a summary.")),
        Length(max=SUMMARY_MAX, message=_l("Please keep it under %(max)s characters.", max=SUMMARY_MAX))])
    commitments = FieldList(FormField(CommitmentRow), min_entries=COMMITMENT_ROWS,
                            max_entries=COMMITMENT_ROWS_MAX)
