"""Sign-in form."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from feedback.core.forms import CleanForm


class LoginForm(CleanForm):
    """Email and password of a staff member."""

    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email.")), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                         Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))
