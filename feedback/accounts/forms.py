"""Sign-in, new-password and user-administration forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, EqualTo, Length

from feedback.core.forms import CleanForm


class LoginForm(CleanForm):
    """Email and password of a staff member."""

    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email.")), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                         Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))


class ResetPasswordForm(CleanForm):
    """A new password, typed twice (the rules are checked by accounts.passwords)."""

    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password.")),
                                                            Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(_l("Enter the new password again.")),
                                        EqualTo("password", _l("The two passwords are not the same."))],
                            render_kw={"autocomplete": "new-password"})


class GrantForm(CleanForm):
    """A role to give a user, over an agency's subtree (none for admin, which is global)."""

    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))])
    agency = SelectField(_l("Agency"), validate_choice=True)
