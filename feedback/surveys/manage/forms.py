"""Forms of the survey designer, and their translation into the designer's plain dictionaries."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, FieldList, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from feedback.core.forms import CleanForm, CleanSubform
from feedback.core.i18n import gettext as _
from feedback.core.i18n import ngettext
from feedback.core.text import fold_for_search, slugify, unique_slug
from feedback.surveys.manage.queries import DIMENSIONS
from feedback.surveys.manage.validation import KEY_PATTERN, MAX_INTRO, MAX_TEXT, MAX_TITLE
from feedback.surveys.models import SHORT_LABEL_MAX, Question, QuestionType

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
# The settings each type shows besides the texts (a type not listed has none): the form shows only
# these, so a civil servant never reads the settings of another type.
TYPE_SETTINGS = {
    QuestionType.LIKERT5.value: ("allow_na", "dimension"),
    QuestionType.SECTION.value: ("dimension",),
    QuestionType.SINGLE.value: ("choices", "choices_en"),
    QuestionType.MULTIPLE.value: ("choices", "choices_en", "max_choices"),
    QuestionType.SHORT_TEXT.value: ("max_length",),
    QuestionType.LONG_TEXT.value: ("max_length",),
    QuestionType.NUMBER.value: ("min_value", "max_value"),
}
HEADING_TYPES = (QuestionType.SECTION.value, QuestionType.NOTE.value)
# Old-style choice lines start with a machine value: letters, digits, ".", "-", "_" only.
CHOICE_VALUE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Words organizers may type for a yes/no condition, folded: stored as the tokens "yes" and "no".
YESNO_WORDS = {"co": "yes", "yes": "yes", "khong": "no", "no": "no"}


def answer_words(question) -> tuple[dict, dict]:
    """How an organizer may write the answers of `question` in a condition, and how a stored
    answer is shown back: ({folded word: stored value}, {stored value: label}). Yes/no is "Có" /
    "Không"; a choice is its label in either language (or its code)."""
    if question.type == QuestionType.YESNO:
        return dict(YESNO_WORDS), {"yes": _("Yes"), "no": _("No")}
    words, labels = {}, {}
    for choice in (question.options or {}).get("choices") or []:
        if isinstance(choice, dict):
            value = str(choice.get("value", ""))
            for word in (value, choice.get("label_en"), choice.get("label_vi")):
                if word:
                    words[fold_for_search(word)] = value
            labels[value] = choice.get("label_vi") or value
    return words, labels
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
    """A question of one type: its texts, the settings of that type (TYPE_SETTINGS), the condition
    and, under "Advanced", its key (made from the Vietnamese text when left empty)."""

    key = StringField(_l("Key (made from the text when empty)"), validators=[Optional(), Length(max=64)])
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
    short_vi = StringField(_l("Short label in Vietnamese (optional)"),
                           validators=[Optional(), Length(max=SHORT_LABEL_MAX)])
    short_en = StringField(_l("Short label in English (optional)"),
                           validators=[Optional(), Length(max=SHORT_LABEL_MAX)])
    required = BooleanField(_l("An answer is required"))
    allow_na = BooleanField(_l("Offer “Not applicable”"))
    page_break = BooleanField(_l("Start a new page with this item"))
    dimension = SelectField(_l("SIPAS dimension"), validate_choice=False,
                            choices=[SelectChoice("", _l("None"))]
                            + [SelectChoice(d, label) for d, label in DIMENSION_LABELS.items()])
    choices = TextAreaField(_l("Choices, one per line"))
    choices_en = TextAreaField(_l("Choices in English (optional), one per line in the same order"))
    max_choices = StringField(_l("Most choices allowed (optional)"))
    max_length = StringField(_l("Maximum length in characters (optional)"))
    min_value = StringField(_l("Smallest number allowed (optional)"))
    max_value = StringField(_l("Largest number allowed (optional)"))
    cond_question = SelectField(_l("Show only if question"), validate_choice=False, choices=[])
    cond_op = SelectField(_l("Condition"), validate_choice=False,
                          choices=[SelectChoice(op, label) for op, label in OP_LABELS.items()])
    cond_value = StringField(_l("Value"))

    # For each question a condition may name, answer_words(question) (set by the view): the
    # organizer writes "Có" or a choice's label, the condition stores "yes" or the choice's code.
    condition_words: dict = {}

    def settings(self) -> tuple[str, ...]:
        """Names of the settings fields the chosen type shows."""
        return TYPE_SETTINGS.get(self.type.data, ())

    def is_heading(self) -> bool:
        """A section or note: no answer, so neither "required" nor a condition."""
        return self.type.data in HEADING_TYPES

    def fill(self, question: Question) -> None:
        """Show a stored question in the form."""
        for name in ("key", "text_vi", "text_en", "help_vi", "help_en", "required", "allow_na",
                     "page_break"):
            getattr(self, name).data = getattr(question, name)
        self.short_vi.data, self.short_en.data = question.short_vi or "", question.short_en or ""
        self.type.data = question.type.value
        self.dimension.data = question.dimension or ""
        options = question.options or {}
        self.choices.data, self.choices_en.data = format_choice_lines(options.get("choices"))
        for field, name in ((self.max_choices, "max_choices"), (self.max_length, "max_length"),
                            (self.min_value, "min"), (self.max_value, "max")):
            field.data = "" if options.get(name) is None else str(options[name])
        condition = question.show_if or {}
        self.cond_question.data = condition.get("question", "")
        self.cond_op.data = condition.get("op", "equals")
        values = condition.get("value")
        values = values if isinstance(values, list) else ([] if values is None else [values])
        labels = self.condition_words.get(condition.get("question"), ({}, {}))[1]
        values = [labels.get(str(v), v) for v in values]
        self.cond_value.data = " | ".join(map(str, values))

    def to_raw(self, current_choices=()) -> dict | None:
        """The question as the designer's dictionary (key "" when it is to be made from the text),
        or None after adding field errors for numbers or choice lines that could not be read.
        `current_choices` are the stored ones: a line that keeps its label keeps its value."""
        kind = self.type.data
        raw = {name: (getattr(self, name).data or "").strip()
               for name in ("key", "text_vi", "text_en", "help_vi", "help_en", "short_vi", "short_en")}
        if raw["key"] and not KEY_PATTERN.match(raw["key"]):
            # A key typed in Vietnamese or with spaces becomes its ASCII words, not a refusal.
            raw["key"] = slugify(raw["key"], limit=64)
        heading = kind in HEADING_TYPES
        raw.update(type=kind, required=bool(self.required.data) and not heading,
                   allow_na=bool(self.allow_na.data) and kind == QuestionType.LIKERT5.value,
                   dimension=self.dimension.data or None, options={}, show_if=None,
                   page_break=bool(self.page_break.data))
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
            choices, errors = parse_choice_lines(self.choices.data or "", self.choices_en.data or "",
                                                 current_choices)
            raw["options"]["choices"] = choices
            if errors:
                self.choices.errors = list(self.choices.errors) + errors
                ok = False
        number(self.max_choices, "max_choices", whole=True, applies=kind == QuestionType.MULTIPLE.value)
        number(self.max_length, "max_length", whole=True,
               applies=kind in (QuestionType.SHORT_TEXT.value, QuestionType.LONG_TEXT.value))
        number(self.min_value, "min", whole=False, applies=kind == QuestionType.NUMBER.value)
        number(self.max_value, "max", whole=False, applies=kind == QuestionType.NUMBER.value)
        if not heading:
            raw["show_if"] = self._condition()
        return raw if ok else None

    def _condition(self) -> dict | None:
        """The show-if condition typed, with answers written in words ("Có", a choice's label)
        turned into what is stored ("yes", the choice's code); None when always shown."""
        target = self.cond_question.data or ""
        if not target:
            return None
        op = self.cond_op.data
        condition = {"question": target, "op": op}
        words = self.condition_words.get(target, ({}, {}))[0]
        values = [words.get(fold_for_search(v.strip()), v.strip())
                  for v in (self.cond_value.data or "").split("|") if v.strip()]
        if op == "in":
            condition["value"] = values
        elif op != "answered":
            condition["value"] = " | ".join(values)
        return condition

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


def parse_choice_lines(text: str, english: str = "", current=()) -> tuple[list[dict], list[str]]:
    """Choices typed one a line in plain words, their English labels one a line in the same order;
    returns them and line errors. A plain line gets a value made from its words (the stored value
    when a current choice has the same label); a line in the older "value | label in Vietnamese |
    label in English" form keeps the value typed."""
    known = {c.get("label_vi"): c.get("value") for c in current if isinstance(c, dict)}
    english_lines = [line.strip() for line in (english or "").rstrip().splitlines()]
    choices, errors = [], []
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), start=1)]
    for n, line in [(n, line) for n, line in lines if line]:
        choice = _choice_line(line, known)
        if choice is None:
            errors.append(_("Line %(n)s: write the choice in plain words, for example “Tại quầy”.",
                            n=n))
            continue
        if "plain" in choice and len(choices) < len(english_lines):
            choice["label_en"] = english_lines[len(choices)]
        choices.append(choice)
    if len(english_lines) > len(choices):
        errors.append(_("There are more English lines (%(en)s) than choices (%(vi)s).",
                        en=len(english_lines), vi=len(choices)))
    taken = {c["value"] for c in choices if "plain" not in c}
    for choice in choices:
        if choice.pop("plain", False):
            choice["value"] = unique_slug(choice["value"], taken)
        taken.add(choice["value"])
    return choices, errors


def _choice_line(line: str, known: dict) -> dict | None:
    """One typed choice line: plain words (value made from them, or the known one for that label),
    or "value | label vi | label en"; None when it is neither."""
    parts = [p.strip() for p in line.split("|")]
    if len(parts) == 1:
        return {"value": known.get(line) or slugify(line, fallback="choice"), "label_vi": line,
                "label_en": "", "plain": True}
    if len(parts) in (2, 3) and CHOICE_VALUE_RE.match(parts[0]) and parts[1]:
        return {"value": parts[0], "label_vi": parts[1], "label_en": parts[2] if len(parts) == 3 else ""}
    return None


def format_choice_lines(choices) -> tuple[str, str]:
    """Choices as the form shows them: plain Vietnamese lines and English lines when every value is
    the one its label would get, else one "value | label vi | label en" line each (the inverse of
    parse_choice_lines)."""
    choices = [c for c in choices or [] if isinstance(c, dict)]
    made, _errors = parse_choice_lines("\n".join(c.get("label_vi", "") for c in choices))
    if [c["value"] for c in made] == [str(c.get("value", "")) for c in choices]:
        return ("\n".join(c.get("label_vi", "") for c in choices),
                "\n".join(c.get("label_en", "") for c in choices).strip())
    lines = []
    for c in choices:
        parts = [str(c.get("value", "")), c.get("label_vi", "")]
        if c.get("label_en"):
            parts.append(c["label_en"])
        lines.append(" | ".join(parts))
    return "\n".join(lines), ""


def missing_english(question) -> list[str]:
    """The parts of a question written in Vietnamese only (English readers see the Vietnamese):
    its text, its help, its choices; empty when nothing is missing."""
    missing = []
    if question.text_vi and not question.text_en:
        missing.append(_("text"))
    if question.help_vi and not question.help_en:
        missing.append(_("help text"))
    choices = [c for c in (question.options or {}).get("choices") or [] if isinstance(c, dict)]
    untranslated = sum(1 for c in choices if not c.get("label_en"))
    if untranslated:
        missing.append(ngettext("%(num)s choice", "%(num)s choices", untranslated))
    return missing


class ShortLabelRow(CleanSubform):
    """One question's short labels, named by its key."""

    key = HiddenField()
    short_vi = StringField(_l("Short label in Vietnamese (optional)"),
                           validators=[Optional(), Length(max=SHORT_LABEL_MAX)])
    short_en = StringField(_l("Short label in English (optional)"),
                           validators=[Optional(), Length(max=SHORT_LABEL_MAX)])


class ShortLabelsForm(CleanForm):
    """The short labels of every question of a version, published or not: they only name the
    questions in the dashboards, so changing them changes nothing citizens answer."""

    rows = FieldList(FormField(ShortLabelRow))
