"""The form for deploying a survey version at agencies, with a clear message for every mistake."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from feedback.core.forms import CleanForm, DayField
from feedback.core.i18n import gettext as _
from feedback.surveys.deployments.services import local_today, parse_services
from feedback.surveys.models import AccessMode


class DeploymentForm(CleanForm):
    """Which version, where, when, how citizens reach it, and which services they pick from.

    The version and agency choices are set by the view from what the organizer may use; a value
    outside them (a tampered form, or a draft version) is refused with a message, not a 500.
    """

    version = SelectField(_l("Survey and version"), validate_choice=False)
    agency = SelectField(_l("Agency"), validate_choice=False)
    subtree = BooleanField(_l("This agency and all agencies under it"))
    starts_on = DayField(_l("Start date"), validators=[
        InputRequired(message=_l("Please enter the start date."))])
    ends_on = DayField(_l("End date (optional)"), validators=[Optional()])
    access_mode = RadioField(_l("How citizens reach the survey"), default=AccessMode.OPEN.value,
                             validate_choice=False, choices=[
                                 SelectChoice(AccessMode.OPEN.value, _l("Open: public link and QR code")),
                                 SelectChoice(AccessMode.CODE.value, _l("One-time codes only")),
                             ])
    use_procedures = BooleanField(_l("Offer the agency's list of administrative procedures"), default=True)
    services = TextAreaField(_l("Other services citizens pick from (optional), one per line"))

    parsed_services: list[dict]

    def validate_version(self, field):
        """The version must be one of the published versions offered."""
        if field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError(_("Please choose a published survey version from the list."))

    def validate_agency(self, field):
        """The agency must be one of the organizer's active agencies offered."""
        if field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError(_("Please choose an agency from the list."))

    def validate_access_mode(self, field):
        """Open or code, nothing else."""
        if field.data not in {mode.value for mode in AccessMode}:
            raise ValidationError(_("Please choose how citizens reach the survey."))

    def validate_starts_on(self, field):
        """A deployment cannot start in the past: the period would claim days nobody could answer."""
        if field.data is not None and field.data < local_today():
            raise ValidationError(_("The start date cannot be in the past."))

    def validate_ends_on(self, field):
        """The end date is the last day included, so it may equal the start date, not precede it."""
        if field.data is None:
            return
        if field.data < local_today():
            raise ValidationError(_("The end date cannot be in the past."))
        if self.starts_on.data is not None and field.data < self.starts_on.data:
            raise ValidationError(_("The end date must be on or after the start date."))

    def validate(self, extra_validators=None) -> bool:
        """The field checks, then the services list, reporting every bad line as its own error."""
        valid = super().validate(extra_validators)
        self.parsed_services, errors = parse_services(self.services.data or "")
        if errors:
            self.services.errors = [*self.services.errors, *errors]
            valid = False
        return valid
