"""The admin's forms for reorganizing the agency tree (merge, split, rename, move, dissolve) and
for adding an agency kind. Agencies are typed by code, as on the command line."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from feedback.agencies.kinds import all_kinds
from feedback.core.forms import CleanForm, DayField

CODE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$",
              message=_l("A code is 1–32 letters, digits, - or _."))
CODES_HINT = _l("Codes separated by spaces or commas.")


class ReorganizationForm(CleanForm):
    """What every reorganization asks: the day it takes effect."""

    on = DayField(_l("Effective date"), validators=[InputRequired(_l("Enter the effective date."))])


class GrantsMixin:
    """The confirmation that grants on ended agencies move to the successor."""

    move_grants = BooleanField(_l("Move the role grants on the ended agencies to the successor "
                                  "(their holders will see more)"))


class MergeForm(ReorganizationForm, GrantsMixin):
    """Agencies to merge, and the agency they become: one of them, or a new code and names."""

    agencies = StringField(_l("Agencies to merge"), validators=[DataRequired(_l("Enter the codes.")),
                                                                Length(max=2000)])
    into = StringField(_l("Into (one of their codes, or a new code)"),
                       validators=[DataRequired(_l("Enter a code.")), CODE])
    name_vi = StringField(_l("New agency's name in Vietnamese"), validators=[Length(max=200)])
    name_en = StringField(_l("New agency's name in English"), validators=[Length(max=200)])
    kind = SelectField(_l("New agency's kind"), validators=[Optional()])


class SplitForm(ReorganizationForm, GrantsMixin):
    """The parts an agency splits into and the one that carries its history."""

    parts = TextAreaField(_l("Parts"), validators=[DataRequired(_l("Enter the parts.")), Length(max=4000)],
                          render_kw={"rows": 4})
    history = StringField(_l("Part that carries the history (code)"),
                          validators=[DataRequired(_l("Enter a code.")), CODE])


class RenameForm(ReorganizationForm):
    """The new names; the code stays."""

    name_vi = StringField(_l("Name in Vietnamese"),
                          validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Length(max=200)])


class MoveForm(ReorganizationForm):
    """The new parent (empty: top level)."""

    parent = StringField(_l("New parent (code; empty for the top level)"),
                         validators=[Optional(), CODE])


class DissolveForm(ReorganizationForm, GrantsMixin):
    """The agency that takes over the open work, if any."""

    successor = StringField(_l("Successor (code; optional)"), validators=[Optional(), CODE])


class KindForm(CleanForm):
    """A new agency kind."""

    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), CODE])
    name_vi = StringField(_l("Name in Vietnamese"),
                          validators=[DataRequired(_l("Enter the name.")), Length(max=100)])
    name_en = StringField(_l("Name in English"), validators=[Length(max=100)])
    peer_group = SelectField(_l("Compared with"))


FORMS = {"merge": MergeForm, "split": SplitForm, "rename": RenameForm, "move": MoveForm,
         "dissolve": DissolveForm}


def kind_choices(locale: str) -> list[tuple[str, str]]:
    """("" for "as the merged agency", then every kind not kept only for history)."""
    return [("", str(_l("As the first merged agency")))] + [
        (k.code, k.name_en if locale == "en" and k.name_en else k.name_vi)
        for k in all_kinds() if not k.historic]
