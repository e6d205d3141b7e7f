"""The organizer's forms: a conference's details, a walk-in at the door, a topic."""

import re
from datetime import UTC
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from feedback.core.dates import local_zone
from feedback.core.forms import CleanForm, CleanSubform, OwnParseMessage
from feedback.core.i18n import gettext as _
from feedback.dialogues.forms import REPRESENTING_WORDS
from feedback.dialogues.models import ConferenceMode, Representing

# Rows offered without JavaScript (checkin.js / the form script add more, up to the maximum).
LEADER_ROWS = 4
AGENDA_ROWS = 4
MAX_LEADERS = 20
MAX_AGENDA = 40
MAX_CAPACITY = 100_000
AGENDA_TIME = re.compile(r"^([01]?\d|2[0-3])[:.hH]([0-5]\d)$")
REPRESENTING_LABELS = {choice: words[1] for choice, words in REPRESENTING_WORDS.items()}



def error_list(form) -> list[tuple[str, str]]:
    """(input id, message) for every error, row fields included, in the order of the form."""
    errors = []
    for field in form:
        if field.type == "CSRFTokenField":
            continue
        if field.type == "FieldList":
            for entry in field:
                errors += [(sub.id, str(message)) for sub in entry.form for message in sub.errors]
        else:
            errors += [(field.id, str(message)) for message in field.errors]
    return errors


class LocalTimeField(OwnParseMessage, DateTimeLocalField):
    """A local date and time (what <input type="datetime-local"> sends, or 30/06/2025 08:00 typed
    by hand where the browser has no picker), read in the app's zone and given back in UTC."""

    def __init__(self, *args, **kwargs):
        """The picker's format first (it is also how the value is shown), then hand-typed ones."""
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
                                     "%d/%m/%Y %H:%M"])
        super().__init__(*args, tz=local_zone, **kwargs)

    parse_message = _l("Please enter a date and time, for example 2025-06-30 08:00.")

    def process_formdata(self, valuelist):
        """Parse in local time (a malformed value gets our own message); the data is UTC."""
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = self.data.astimezone(UTC)


class WholeNumberField(OwnParseMessage, IntegerField):
    """A whole number with a localized message when it is not one ("abc" or "1.5")."""

    parse_message = _l("Please enter a whole number, for example 200.")


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LeaderRow(CleanSubform):
    """One hosting leader: name and position (both as they will be published)."""

    name = StringField(_l("Name"), validators=[Length(max=200)])
    title = StringField(_l("Position"), validators=[Length(max=200)])


class AgendaRow(CleanSubform):
    """One agenda item: when, and what (Vietnamese; English optional)."""

    time = StringField(_l("Time"))
    item_vi = StringField(_l("Item"), validators=[Length(max=300)])
    item_en = StringField(_l("Item in English (optional)"), validators=[Length(max=300)])


class ConferenceForm(CleanForm):
    """Everything about a conference an organizer sets; every mistake gets its own message.

    The host agency and topic choices are set by the view from what the organizer may use, so a
    tampered value is refused with a message, not a 500.
    """

    version = HiddenField()
    title_vi = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Please enter the title.")), Length(max=300)])
    title_en = StringField(_l("Title in English (optional)"), validators=[Length(max=300)])
    description_vi = TextAreaField(_l("Description"), validators=[Length(max=10_000)])
    description_en = TextAreaField(_l("Description in English (optional)"), validators=[Length(max=10_000)])
    host_agency = SelectField(_l("Host agency"), validate_choice=False)
    leaders = FieldList(FormField(LeaderRow), min_entries=LEADER_ROWS, max_entries=MAX_LEADERS)
    topics = CheckboxesField(_l("Topics"), coerce=int, validate_choice=False)
    mode = RadioField(_l("How people take part"), default=ConferenceMode.IN_PERSON.value,
                      validate_choice=False,
                      choices=[SelectChoice(ConferenceMode.IN_PERSON.value, _l("In person")),
                               SelectChoice(ConferenceMode.ONLINE.value, _l("Online")),
                               SelectChoice(ConferenceMode.HYBRID.value, _l("In person and online"))])
    venue = StringField(_l("Venue"), validators=[Length(max=300)])
    online_url = StringField(_l("Online link"), validators=[Length(max=500)])
    starts_at = LocalTimeField(_l("Starts at"), validators=[
        InputRequired(message=_l("Please enter when the conference starts."))])
    ends_at = LocalTimeField(_l("Ends at"), validators=[
        InputRequired(message=_l("Please enter when the conference ends."))])
    capacity = WholeNumberField(_l("Seats (capacity)"), validators=[
        InputRequired(message=_l("Please enter the number of seats."))])
    registration_opens_at = LocalTimeField(_l("Registration opens (optional)"), validators=[Optional()])
    registration_closes_at = LocalTimeField(_l("Registration closes (optional)"), validators=[Optional()])
    agenda = FieldList(FormField(AgendaRow), min_entries=AGENDA_ROWS, max_entries=MAX_AGENDA)

    def validate_host_agency(self, field):
        """One of the organizer's active agencies offered."""
        if field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError(_("Please choose the host agency from the list."))

    def validate_topics(self, field):
        """Only topics from the managed list."""
        offered = {choice.value for choice in field.choices}
        if any(value not in offered for value in field.data or []):
            raise ValidationError(_("Please choose topics from the list."))

    def validate_mode(self, field):
        """In person, online or both."""
        if field.data not in {mode.value for mode in ConferenceMode}:
            raise ValidationError(_("Please choose how people take part."))

    def validate_venue(self, field):
        """People coming in person need to know where."""
        if self.mode.data in (ConferenceMode.IN_PERSON.value, ConferenceMode.HYBRID.value) \
                and not (field.data or "").strip():
            raise ValidationError(_("Please enter the venue: people take part in person."))

    def validate_online_url(self, field):
        """People joining online need a link, and only a secure web address will do."""
        value = (field.data or "").strip()
        field.data = value
        if not value:
            if self.mode.data in (ConferenceMode.ONLINE.value, ConferenceMode.HYBRID.value):
                raise ValidationError(_("Please enter the online link: people take part online."))
            return
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname or any(ch.isspace() for ch in value):
            raise ValidationError(_("Please enter a full web address starting with https://, "
                                    "for example https://meet.example.vn/doi-thoai."))

    def validate_ends_at(self, field):
        """A conference ends after it starts."""
        if field.data is not None and self.starts_at.data is not None and field.data <= self.starts_at.data:
            raise ValidationError(_("The end must be after the start."))

    def validate_capacity(self, field):
        """At least one seat, and a number a room can hold."""
        if field.data is not None and not 1 <= field.data <= MAX_CAPACITY:
            raise ValidationError(_("The capacity must be between 1 and %(max)s.", max=MAX_CAPACITY))

    def validate_registration_opens_at(self, field):
        """Registration opens before it closes, and before the conference starts."""
        if field.data is None:
            return
        closes = self.registration_closes_at.data
        if closes is not None and field.data >= closes:
            raise ValidationError(_("Registration must open before it closes."))
        if self.starts_at.data is not None and field.data >= self.starts_at.data:
            raise ValidationError(_("Registration must open before the conference starts."))

    def validate_registration_closes_at(self, field):
        """Registration closes at the start at the latest (walk-ins are registered at the door)."""
        if field.data is not None and self.starts_at.data is not None and field.data > self.starts_at.data:
            raise ValidationError(_("Registration must close at the start of the conference or before."))

    def validate(self, extra_validators=None) -> bool:
        """The field checks, then each leader and agenda row, each error beside its own input."""
        valid = super().validate(extra_validators)
        for number, row in enumerate(self.leaders, start=1):
            name, title = (row.form.name.data or "").strip(), (row.form.title.data or "").strip()
            if title and not name:
                row.form.name.errors = [*row.form.name.errors,
                                        _("Leader %(n)s: please enter the name.", n=number)]
                valid = False
        for number, row in enumerate(self.agenda, start=1):
            time, item = (row.form.time.data or "").strip(), (row.form.item_vi.data or "").strip()
            english = (row.form.item_en.data or "").strip()
            if not (time or item or english):
                continue
            if not AGENDA_TIME.match(time):
                row.form.time.errors = [*row.form.time.errors, _(
                    "Agenda item %(n)s: please enter the time as hours:minutes, for example 08:30.",
                    n=number)]
                valid = False
            if not item:
                row.form.item_vi.errors = [*row.form.item_vi.errors,
                                           _("Agenda item %(n)s: please describe the item.", n=number)]
                valid = False
        return valid

    def leader_list(self) -> list[dict]:
        """The filled leader rows, as stored."""
        leaders = []
        for row in self.leaders:
            name, title = (row.form.name.data or "").strip(), (row.form.title.data or "").strip()
            if name:
                leaders.append({"name": name, "title": title})
        return leaders

    def agenda_list(self) -> list[dict]:
        """The filled agenda rows as stored ("08:30"), in time order."""
        items = []
        for row in self.agenda:
            time = (row.form.time.data or "").strip()
            item_vi = (row.form.item_vi.data or "").strip()
            if not item_vi:
                continue
            match = AGENDA_TIME.match(time)
            time = f"{int(match.group(1)):02d}:{match.group(2)}" if match else time
            items.append({"time": time, "item_vi": item_vi, "item_en": (row.form.item_en.data or "").strip()})
        return sorted(items, key=lambda item: item["time"])

    def pad_rows(self) -> None:
        """Offer empty rows beyond the filled ones, so a leader or item can be added without JS."""
        while len(self.leaders) < max(LEADER_ROWS, len(self.leader_list()) + 1) \
                and len(self.leaders) < MAX_LEADERS:
            self.leaders.append_entry()
        while len(self.agenda) < max(AGENDA_ROWS, len(self.agenda_list()) + 2) \
                and len(self.agenda) < MAX_AGENDA:
            self.agenda.append_entry()


class WalkInForm(CleanForm):
    """Someone who arrives without a registration: registered at the door and checked in."""

    full_name = StringField(_l("Full name"), validators=[
        DataRequired(message=_l("Please enter the person's full name.")), Length(max=200)])
    phone = StringField(_l("Phone number"), validators=[
        DataRequired(message=_l("Please enter the person's phone number.")), Length(max=40)])
    locality = StringField(_l("Where they live (optional)"), validators=[Length(max=200)])
    representing = SelectField(_l("Coming on behalf of"), default=Representing.SELF.value,
                               validate_choice=False,
                               choices=[SelectChoice(r.value, REPRESENTING_LABELS[r]) for r in Representing])
    consent = BooleanField(_l("The person agrees that their name and phone number are used for this "
                              "conference only, and deleted after the retention period."),
                           validators=[DataRequired(message=_l("Please ask for and record the person's "
                                                                "consent."))])

    def validate_representing(self, field):
        """One of the four choices."""
        if field.data not in {r.value for r in Representing}:
            raise ValidationError(_("Please choose on whose behalf the person comes."))


class TopicForm(CleanForm):
    """A new topic for the managed list."""

    code = StringField(_l("Code"))
    name_vi = StringField(_l("Name in Vietnamese"))
    name_en = StringField(_l("Name in English (optional)"))
