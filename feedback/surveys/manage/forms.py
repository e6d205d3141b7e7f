"""Forms of the survey designer, and their translation into the designer's plain dictionaries."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from feedback.core.forms import CleanForm
from feedback.core.i18n import gettext as _
from feedback.surveys.manage.queries import DIMENSIONS
from feedback.surveys.manage.validation import MAX_INTRO, MAX_TEXT, MAX_TITLE
from feedback.surveys.models import Question, QuestionType

TYPE_LABELS = {
    QuestionType.LIKERT5: _l("Satisfaction scale 1–5 (Likert)"),
    QuestionType.SINGLE: _l("Single choice"),
    QuestionType.MULTIPLE: _l("Multiple choice"),
    QuestionType.RATING10: _l("Rating 0–10"),
    QuestionType.YESNO: _l("Yes / no"),
    QuestionType.SHORT_TEXT: _l("Short text"),
    QuestionType.LONG_TEXT: _l("Long text"),
    QuestionType.NUMBER: _l("Number"),
    QuestionType.DATE: _l("Date"),
    QuestionType.SECTION: _l("Section heading (no answer)"),
    QuestionType.NOTE: _l("Note (text only, no answer)"),
}
DIMENSION_LABELS = {
    "access": _l("Access to the service"),
    "procedure": _l("Administrative procedure"),
    "staff": _l("Civil servants"),
    "result": _l("Result"),
    "feedback": _l("Receiving and handling feedback"),
}
OP_LABELS = {"equals": _l("equals"), "in": _l("is one of"), "answered": _l("is answered")}
# Which form field shows a problem the designer reports on a question's field.
FIELD_OF_PROBLEM = {"min": "min_value", "max": "max_value", "show_if": "cond_question",
                    "options": "type"}
NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def _number(text: str, *, whole: bool = False):
    """A typed number (decimal comma allowed): int when whole, else float; None if not a number."""
    text = (text or "").strip().replace(" ", "")
    if not NUMBER_RE.match(text):
        return None
    value = float(text.replace(",", "."))
    if value.is_integer():
        return int(value)
    return None if whole else value


class NewSurveyForm(CleanForm):
    """Owner agency, starting point (blank, the SIPAS template or a copy), and the title."""

    owner = SelectField(_l("Owner agency"), coerce=int, validate_choice=False, choices=[])
    start_from = SelectField(_l("Start from"), validate_choice=False, choices=[])
    title_vi = StringField(_l("Title in Vietnamese"), validators=[Optional(), Length(max=MAX_TITLE)])
    title_en = StringField(_l("Title in English (optional)"), validators=[Optional(),
                                                                         Length(max=MAX_TITLE)])


class SettingsForm(CleanForm):
    """A draft's titles, introductions and dimension weights."""

    title_vi = StringField(_l("Title in Vietnamese"), validators=[
        DataRequired(_l("Please give the survey a title in Vietnamese.")), Length(max=MAX_TITLE)])
    title_en = StringField(_l("Title in English (optional)"), validators=[Optional(),
                                                                         Length(max=MAX_TITLE)])
    intro_vi = TextAreaField(_l("Introduction in Vietnamese"), validators=[Optional(),
                                                                          Length(max=MAX_INTRO)])
    intro_en = TextAreaField(_l("Introduction in English (optional)"),
                             validators=[Optional(), Length(max=MAX_INTRO)])
    weight_access = StringField(DIMENSION_LABELS["access"])
    weight_procedure = StringField(DIMENSION_LABELS["procedure"])
    weight_staff = StringField(DIMENSION_LABELS["staff"])
    weight_result = StringField(DIMENSION_LABELS["result"])
    weight_feedback = StringField(DIMENSION_LABELS["feedback"])

    def weight_fields(self):
        """The five weight fields, in dimension order."""
        return [getattr(self, f"weight_{d}") for d in DIMENSIONS]

    def fill_weights(self, weights: dict) -> None:
        """Show stored weights in the form (blank means the default weight, 1)."""
        for d in DIMENSIONS:
            if d in weights:
                getattr(self, f"weight_{d}").data = str(weights[d])

    def weights(self) -> dict | None:
        """The typed weights (blank ones left out), or None after adding field errors."""
        weights, ok = {}, True
        for d in DIMENSIONS:
            field = getattr(self, f"weight_{d}")
            if not (field.data or "").strip():
                continue
            value = _number(field.data)
            if value is None:
                field.errors = list(field.errors) + [_("Please enter a number, for example 1 or 1.5.")]
                ok = False
            else:
                weights[d] = value
        return weights if ok else None


class QuestionForm(CleanForm):
    """Every setting of a question; the ones that do not apply to the chosen type are ignored."""

    key = StringField(_l("Key"), validators=[DataRequired(_l("Please give the question a key."))])
    type = SelectField(_l("Type"), choices=[SelectChoice(t.value, label) for t, label in TYPE_LABELS.items()],
                       validate_choice=False)
    text_vi = TextAreaField(_l("Text in Vietnamese"), validators=[
        DataRequired(_l("Please write the question in Vietnamese.")), Length(max=MAX_TEXT)])
    text_en = TextAreaField(_l("Text in English (optional)"), validators=[Optional(),
                                                                        Length(max=MAX_TEXT)])
    help_vi = TextAreaField(_l("Help text in Vietnamese (optional)"),
                            validators=[Optional(), Length(max=MAX_TEXT)])
    help_en = TextAreaField(_l("Help text in English (optional)"),
                            validators=[Optional(), Length(max=MAX_TEXT)])
    required = BooleanField(_l("An answer is required"))
    allow_na = BooleanField(_l("Offer “Not applicable” (Likert only)"))
    dimension = SelectField(_l("SIPAS dimension (Likert only)"), validate_choice=False,
                            choices=[SelectChoice("", _l("None"))]
                            + [SelectChoice(d, label) for d, label in DIMENSION_LABELS.items()])
    choices = TextAreaField(_l("Choices (single and multiple choice)"))
    max_choices = StringField(_l("Most choices allowed (multiple choice, optional)"))
    max_length = StringField(_l("Maximum length in characters (text, optional)"))
    min_value = StringField(_l("Smallest number allowed (number, optional)"))
    max_value = StringField(_l("Largest number allowed (number, optional)"))
    cond_question = SelectField(_l("Show only if question"), validate_choice=False, choices=[])
    cond_op = SelectField(_l("Condition"), validate_choice=False,
                          choices=[SelectChoice(op, label) for op, label in OP_LABELS.items()])
    cond_value = StringField(_l("Value"))

    def fill(self, question: Question) -> None:
        """Show a stored question in the form."""
        for name in ("key", "text_vi", "text_en", "help_vi", "help_en", "required", "allow_na"):
            getattr(self, name).data = getattr(question, name)
        self.type.data = question.type.value
        self.dimension.data = question.dimension or ""
        options = question.options or {}
        self.choices.data = format_choice_lines(options.get("choices"))
        for field, name in ((self.max_choices, "max_choices"), (self.max_length, "max_length"),
                            (self.min_value, "min"), (self.max_value, "max")):
            field.data = "" if options.get(name) is None else str(options[name])
        condition = question.show_if or {}
        self.cond_question.data = condition.get("question", "")
        self.cond_op.data = condition.get("op", "equals")
        value = condition.get("value")
        self.cond_value.data = " | ".join(map(str, value)) if isinstance(value, list) else (
            "" if value is None else str(value))

    def to_raw(self) -> dict | None:
        """The question as the designer's dictionary, or None after adding field errors for
        numbers or choice lines that could not be read."""
        kind = self.type.data
        raw = {name: (getattr(self, name).data or "").strip()
               for name in ("key", "text_vi", "text_en", "help_vi", "help_en")}
        heading = kind in (QuestionType.SECTION.value, QuestionType.NOTE.value)
        raw.update(type=kind, required=bool(self.required.data) and not heading,
                   allow_na=bool(self.allow_na.data) and kind == QuestionType.LIKERT5.value,
                   dimension=self.dimension.data or None, options={}, show_if=None)
        if raw["dimension"] and kind not in (QuestionType.LIKERT5.value, QuestionType.SECTION.value):
            raw["dimension"] = None
        ok = True

        def number(field, name, *, whole, applies):
            """Read an optional number field into the options when it applies to the type."""
            nonlocal ok
            text = (field.data or "").strip()
            if not applies or not text:
                return
            value = _number(text, whole=whole)
            if value is None:
                field.errors = list(field.errors) + [
                    _("Please enter a whole number.") if whole else _("Please enter a number.")]
                ok = False
            else:
                raw["options"][name] = value

        if kind in (QuestionType.SINGLE.value, QuestionType.MULTIPLE.value):
            choices, errors = parse_choice_lines(self.choices.data or "")
            raw["options"]["choices"] = choices
            if errors:
                self.choices.errors = list(self.choices.errors) + errors
                ok = False
        number(self.max_choices, "max_choices", whole=True, applies=kind == QuestionType.MULTIPLE.value)
        number(self.max_length, "max_length", whole=True,
               applies=kind in (QuestionType.SHORT_TEXT.value, QuestionType.LONG_TEXT.value))
        number(self.min_value, "min", whole=False, applies=kind == QuestionType.NUMBER.value)
        number(self.max_value, "max", whole=False, applies=kind == QuestionType.NUMBER.value)
        target = self.cond_question.data or ""
        if target and not heading:
            op = self.cond_op.data
            typed = (self.cond_value.data or "").strip()
            condition = {"question": target, "op": op}
            if op == "in":
                condition["value"] = [v.strip() for v in typed.split("|") if v.strip()]
            elif op != "answered":
                condition["value"] = typed
            raw["show_if"] = condition
        return raw if ok else None

    def add_problems(self, problems) -> list[str]:
        """Attach the designer's problems to their fields; returns those that belong to none."""
        loose = []
        for problem in problems:
            name = FIELD_OF_PROBLEM.get(problem.field, problem.field)
            field = getattr(self, name, None) if name else None
            if field is None or not hasattr(field, "errors"):
                loose.append(problem.message)
            else:
                field.errors = list(field.errors) + [problem.message]
        return loose


class ImportForm(CleanForm):
    """A survey definition to import, as a file or pasted text, and the agency that will own it."""

    owner = SelectField(_l("Owner agency"), coerce=int, validate_choice=False, choices=[])
    file = FileField(_l("JSON file"))
    text = TextAreaField(_l("… or paste the JSON here"))


def parse_choice_lines(text: str) -> tuple[list[dict], list[str]]:
    """Choices typed one a line as "value | label vi | label en"; returns them and line errors."""
    choices, errors = [], []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2 or len(parts) > 3:
            errors.append(_("Line %(n)s: write “value | label in Vietnamese | label in English”.", n=n))
            continue
        choices.append({"value": parts[0], "label_vi": parts[1],
                        "label_en": parts[2] if len(parts) == 3 else ""})
    return choices, errors


def format_choice_lines(choices) -> str:
    """Choices as the lines the form shows, the inverse of parse_choice_lines."""
    lines = []
    for c in choices or []:
        if isinstance(c, dict):
            parts = [str(c.get("value", "")), c.get("label_vi", "")]
            if c.get("label_en"):
                parts.append(c["label_en"])
            lines.append(" | ".join(parts))
    return "\n".join(lines)
