"""The organizer's form for generating a batch of one-time survey codes."""

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from feedback.core.forms import CleanForm

MAX_BATCH = 5000


class GenerateCodesForm(CleanForm):
    """How many codes, for which agency, valid until when."""

    # Choices are the agencies with a live survey; a code outside the caller's subtree is a 404,
    # which the view decides before validating, so WTForms' own choice check is off.
    agency = SelectField(_l("Agency"), validate_choice=False,
                         validators=[InputRequired(_l("Choose the agency the codes are for."))])
    count = IntegerField(
        _l("Number of codes"),
        validators=[InputRequired(_l("Enter how many codes to make, from 1 to %(max)s.", max=MAX_BATCH)),
                    NumberRange(1, MAX_BATCH, _l("Enter a number from 1 to %(max)s.", max=MAX_BATCH))],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_BATCH},
    )
    expires_on = DateField(_l("Valid until (optional)"), validators=[Optional()],
                           render_kw={"type": "date"})

    def __init__(self, *args, today: date, **kwargs):
        """`today` is the date in the app's time zone, against which the expiry is checked."""
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_count(self, field) -> None:
        """A clear message for a number WTForms could not read (it says "Not a valid integer value")."""
        if field.data is None and field.raw_data and field.raw_data[0].strip():
            field.errors[:] = []
            raise ValidationError(_l("Enter a whole number from 1 to %(max)s.", max=MAX_BATCH))

    def validate_expires_on(self, field) -> None:
        """A readable date, today or later: a code must stay valid at least until tonight."""
        if field.data is None and field.raw_data and field.raw_data[0].strip():
            field.errors[:] = []
            raise ValidationError(_l("Enter a date as year-month-day, for example 2026-12-31."))
        if field.data is not None and field.data < self.today:
            raise ValidationError(_l("Choose today or a later date."))
