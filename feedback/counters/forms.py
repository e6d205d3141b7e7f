"""Organizers' forms: an officer, a kiosk pairing, the officer on duty of a kiosk."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from feedback.core.forms import CleanForm


def _text_field(label, max_length: int, *, required=None) -> StringField:
    """A one-line text field (no autocomplete) of at most `max_length` characters; `required` is
    the message shown when it is left empty (None: it may be)."""
    validators = [InputRequired(required)] if required else []
    validators.append(Length(max=max_length, message=_l("Use at most %(max)d characters.")))
    return StringField(label, validators=validators, render_kw={"autocomplete": "off"})


class _AgencyChoice:
    """A form whose `agency` must be one of the agencies offered."""

    def validate_agency(self, field) -> None:
        """The agency must be one of those offered."""
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose one of the agencies in the list."))


class OfficerForm(_AgencyChoice, CleanForm):
    """An officer: code, name, title, counter, active, and an optional kiosk PIN."""

    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(_l("Enter a code: letters, digits, - or _.")),
            Regexp(r"^[A-Za-z0-9_-]{1,32}$", message=_l("Use 1–32 letters, digits, - or _.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    full_name = _text_field(_l("Full name"), 200, required=_l("Enter the officer's full name."))
    title = _text_field(_l("Job title"), 200)
    agency = SelectField(
        _l("Counter"),
        validate_choice=False,
        validators=[InputRequired(_l("Choose the counter where the officer works."))],
    )
    active = BooleanField(_l("Active"), default=True)
    pin = PasswordField(
        _l("Kiosk PIN (4 digits)"),
        validators=[Optional(), Regexp(r"^[0-9]{4}$", message=_l("A PIN is exactly 4 digits."))],
        render_kw={"autocomplete": "new-password", "inputmode": "numeric"},
    )


class PairingForm(_AgencyChoice, CleanForm):
    """A new kiosk: the counter it serves and a name to tell tablets apart."""

    name = _text_field(_l("Tablet name"), 100, required=_l("Enter a name, e.g. “Counter 3 tablet”."))
    agency = SelectField(
        _l("Counter"),
        validate_choice=False,
        validators=[InputRequired(_l("Choose the counter the tablet stands at."))],
    )


class OnDutyForm(CleanForm):
    """The officer an organizer puts on duty at a kiosk."""

    officer = SelectField(
        _l("Officer on duty"), validate_choice=False, validators=[InputRequired(_l("Choose an officer."))]
    )
