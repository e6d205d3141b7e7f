"""The bases of every staff form (each text field goes through the one cleaning rule for typed
text) and the fields several features share."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Form, PasswordField, StringField
from wtforms.csrf.core import CSRFTokenField

from feedback.core.text import clean_field


class CleanMeta:
    """Binds every field of a form; adds the cleaning filter to the text ones.

    Text fields (StringField and its kinds: text areas, hidden, search, email) are cleaned by
    `core.text.clean_text` before any validator or filter of their own runs. Passwords are left
    exactly as typed: they are compared with a hash of what was typed at sign-up. The CSRF field is
    drawn without an id: a page with several forms (a petition's answer, assign, merge and hide
    forms) would otherwise repeat id="csrf_token", which HTML forbids.
    """

    def bind_field(self, form, unbound_field, options):
        """The field bound to `form`, with `clean_field` first among its filters if it holds text."""
        kind = unbound_field.field_class
        if issubclass(kind, CSRFTokenField):
            options = {**options, "render_kw": {**unbound_field.kwargs.get("render_kw", {}), "id": False}}
        elif issubclass(kind, StringField) and not issubclass(kind, PasswordField):
            options = {**options, "filters": (clean_field, *unbound_field.kwargs.get("filters", ()))}
        return unbound_field.bind(form=form, **options)


class CleanForm(FlaskForm):
    """A FlaskForm (CSRF-protected) whose fields are bound by `CleanMeta`."""

    class Meta(CleanMeta):
        """Text fields cleaned, the CSRF field without an id."""


class CleanSubform(Form):
    """A row of fields repeated inside a CleanForm (FieldList of FormField), cleaned the same way."""

    class Meta(CleanMeta):
        """Text fields cleaned."""


class OwnParseMessage:
    """A field mixin (listed before the field class): what the field cannot parse gets our own
    localized `parse_message` instead of WTForms' English one."""

    parse_message: str

    def process_formdata(self, valuelist):
        """Parse as the field does; a malformed value raises `parse_message` in the reader's language."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.parse_message)) from None


class DayField(OwnParseMessage, DateField):
    """A date typed as YYYY-MM-DD (what <input type="date"> sends), with a localized message."""

    parse_message = _l("Please enter the date as year-month-day, for example 2025-06-30.")
