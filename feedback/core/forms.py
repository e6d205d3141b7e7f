"""The base of every staff form: each text field goes through the one cleaning rule for typed text."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.csrf.core import CSRFTokenField

from feedback.core.text import clean_field


class CleanForm(FlaskForm):
    """A FlaskForm whose text fields (StringField and its kinds: text areas, hidden, search, email)
    are cleaned by `core.text.clean_text` before any validator or filter of their own runs.

    Passwords are left exactly as typed: they are compared with a hash of what was typed at sign-up.
    The CSRF field is drawn without an id: a page with several forms (a petition's answer, assign,
    merge and hide forms) would otherwise repeat id="csrf_token", which HTML forbids.
    """

    class Meta:
        """Binds every field of the form; adds the cleaning filter to the text ones."""

        def bind_field(self, form, unbound_field, options):
            """The field bound to `form`, with `clean_field` first among its filters if it holds text."""
            kind = unbound_field.field_class
            if issubclass(kind, CSRFTokenField):
                options = {**options, "render_kw": {**unbound_field.kwargs.get("render_kw", {}), "id": False}}
            elif issubclass(kind, StringField) and not issubclass(kind, PasswordField):
                options = {**options, "filters": (clean_field, *unbound_field.kwargs.get("filters", ()))}
            return unbound_field.bind(form=form, **options)
