"""The admin's form for creating an API key."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from feedback.core.forms import CleanForm


class ApiKeyForm(CleanForm):
    """A name telling which system uses the key, and the agency whose subtree it covers."""

    name = StringField(_l("Name"), validators=[
        InputRequired(_l("Enter a name saying which system will use the key.")),
        Length(max=200, message=_l("Use at most %(max)d characters.")),
    ], render_kw={"autocomplete": "off"})
    # Checked below with a readable message (WTForms' own says "Not a valid choice").
    agency = SelectField(_l("Agency"), validate_choice=False,
                         validators=[InputRequired(_l("Choose the agency the key covers."))])

    def validate_name(self, field) -> None:
        """Spaces alone are not a name."""
        if not (field.data or "").strip():
            raise ValidationError(_l("Enter a name saying which system will use the key."))

    def validate_agency(self, field) -> None:
        """The agency must be one of those offered."""
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose one of the agencies in the list."))
