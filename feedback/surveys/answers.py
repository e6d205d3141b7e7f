"""Reading a submitted survey form: field names, validation, and show-if conditions."""

import math
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from feedback.core.i18n import gettext as _
from feedback.core.i18n import in_language
from feedback.core.text import clean_text
from feedback.surveys.models import Question, QuestionType

TOKEN_FIELD = "token"
HONEYPOT_FIELD = "website"
SERVICE_FIELD = "service"
NOT_APPLICABLE = "na"
LIKERT_VALUES = ("1", "2", "3", "4", "5")
# The words of the five-point scale (docs/statistics.md), on the form and wherever an answer is shown.
LIKERT_LABELS = {1: _l("Very dissatisfied"), 2: _l("Dissatisfied"), 3: _l("Neutral"),
                 4: _l("Satisfied"), 5: _l("Very satisfied")}
RATING_VALUES = tuple(str(n) for n in range(11))
YESNO_VALUES = ("yes", "no")
DEFAULT_MAX_LENGTH = {QuestionType.SHORT_TEXT: 200, QuestionType.LONG_TEXT: 2000}
# Headings carry no answer; everything else is numbered and may be answered.
HEADINGS = (QuestionType.SECTION, QuestionType.NOTE)


@dataclass
class ParsedAnswer:
    """One validated answer, in the shape of an Answer row."""

    question_key: str
    number: float | None = None
    text: str | None = None
    choices: list[str] | None = None
    not_applicable: bool = False

    @property
    def value(self):
        """What a show-if condition compares: the choices, the text, or the number."""
        if self.choices is not None:
            return self.choices
        if self.text is not None:
            return self.text
        return self.number


def field_name(question: Question) -> str:
    """The form field name (and, for single inputs, the element id) of a question."""
    return f"q-{question.key}"


def error_target(question: Question) -> str:
    """The id an error link points at: the first radio or checkbox of a group, else the input."""
    name = field_name(question)
    first = {
        QuestionType.LIKERT5: "1",
        QuestionType.RATING10: "0",
        QuestionType.YESNO: "yes",
        QuestionType.SINGLE: "1",
        QuestionType.MULTIPLE: "1",
    }.get(question.type)
    return f"{name}-{first}" if first else name


def choice_values(question: Question) -> list[str]:
    """The values a single or multiple choice question accepts, as strings."""
    choices = (question.options or {}).get("choices") or []
    return [str(c.get("value")) for c in choices if isinstance(c, dict) and c.get("value") is not None]


def question_numbers(questions: list[Question]) -> dict[str, int]:
    """The number printed before each answerable item (headings are not counted)."""
    answerable = [q for q in questions if q.type not in HEADINGS]
    return {q.key: n for n, q in enumerate(answerable, start=1)}


def max_length(question: Question) -> int:
    """The longest text accepted for a text question."""
    try:
        return int((question.options or {}).get("max_length") or DEFAULT_MAX_LENGTH[question.type])
    except (TypeError, ValueError):
        return DEFAULT_MAX_LENGTH[question.type]


def _normalized(value) -> str:
    """A comparable string form, so that 4, 4.0 and "4" match, and True matches "yes"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_shown(question: Question, answers: dict[str, ParsedAnswer]) -> bool:
    """Whether `question` applies, given the answers to the questions before it.

    A malformed condition shows the question: losing a question silently is worse than asking it.
    "Not applicable" does not count as answered, since it says the citizen has no experience of it.
    """
    condition = question.show_if
    if not isinstance(condition, dict) or condition.get("op") not in ("equals", "in", "answered"):
        return True
    op = condition["op"]
    answer = answers.get(str(condition.get("question")))
    if answer is None or answer.not_applicable:
        return False
    if op == "answered":
        return True
    expected = condition.get("value")
    wanted = {_normalized(v) for v in expected} if op == "in" and isinstance(expected, list) else {
        _normalized(expected)}
    given = answer.value
    if isinstance(given, list):
        return any(_normalized(v) in wanted for v in given)
    return _normalized(given) in wanted


def _value_label(question: Question, value, locale: str) -> str:
    """How an expected answer reads to the citizen: a choice's label, yes/no, or the value itself."""
    wanted = _normalized(value)
    if question.type == QuestionType.YESNO and wanted in YESNO_VALUES:
        return _("Yes") if wanted == "yes" else _("No")
    for choice in (question.options or {}).get("choices") or []:
        if isinstance(choice, dict) and _normalized(choice.get("value")) == wanted:
            label = in_language(choice.get("label_vi"), choice.get("label_en"), locale)
            return str(label or wanted)
    return wanted


def show_if_hint(question: Question, questions: list[Question], locale: str) -> str | None:
    """A sentence telling when a conditional question applies.

    The page works without JavaScript, so conditional questions are always on screen; the hint lets
    the citizen skip them, and the server ignores them when their condition is not met.
    """
    condition = question.show_if
    if not isinstance(condition, dict):
        return None
    source = next((q for q in questions if q.key == condition.get("question")), None)
    numbers = question_numbers(questions)
    if source is None or source.key not in numbers:
        return None
    op, n = condition.get("op"), numbers[source.key]
    if op == "answered":
        return _("Answer this only if you answered question %(n)s.", n=n)
    if op not in ("equals", "in"):
        return None
    expected = condition.get("value")
    labels = [f"“{_value_label(source, v, locale)}”"
              for v in (expected if isinstance(expected, list) else [expected])]
    return _("Answer this only if your answer to question %(n)s was %(values)s.",
             n=n, values=" / ".join(labels))


def _parse_number(raw: str) -> float | None:
    """A finite number written with a dot or a Vietnamese decimal comma; None when it is not one."""
    text = raw.strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _parse_one(question: Question, form: MultiDict) -> tuple[ParsedAnswer | None, str | None]:
    """(answer or None when left empty, error message or None) for one shown question."""
    name, kind = field_name(question), question.type
    if kind == QuestionType.MULTIPLE:
        return _parse_multiple(question, form.getlist(name))
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        return _parse_text(question, form.get(name, ""))
    raw = form.get(name, "").strip()
    parse = _ONE_VALUE_PARSERS.get(kind)
    if not raw or parse is None:
        return None, None
    return parse(question, raw)


def _parse_multiple(question: Question, given: list[str]) -> tuple[ParsedAnswer | None, str | None]:
    """A multiple-choice answer: known values only, each once, at most max_choices of them."""
    picked = list(dict.fromkeys(v for v in given if v != ""))
    if not picked:
        return None, None
    if any(v not in choice_values(question) for v in picked):
        return None, _("Please choose from the answers shown.")
    limit = (question.options or {}).get("max_choices")
    if isinstance(limit, int) and 0 < limit < len(picked):
        return None, _("Please choose at most %(n)s answers.", n=limit)
    return ParsedAnswer(question.key, choices=picked), None


def _parse_text(question: Question, raw: str) -> tuple[ParsedAnswer | None, str | None]:
    """A free-text answer, cleaned, no longer than the question allows."""
    text = clean_text(raw)
    if not text:
        return None, None
    limit = max_length(question)
    if len(text) > limit:
        return None, _("Please shorten your answer to %(limit)s characters or fewer (it has %(count)s).",
                       limit=format_decimal(limit), count=format_decimal(len(text)))
    return ParsedAnswer(question.key, text=text), None


def _parse_likert(question: Question, raw: str) -> tuple[ParsedAnswer | None, str | None]:
    """A 1–5 answer, or "not applicable" where the question offers it."""
    if raw == NOT_APPLICABLE and question.allow_na:
        return ParsedAnswer(question.key, not_applicable=True), None
    if raw not in LIKERT_VALUES:
        return None, _("Please choose one of the answers shown.")
    return ParsedAnswer(question.key, number=float(raw)), None


def _parse_rating(question: Question, raw: str) -> tuple[ParsedAnswer | None, str | None]:
    """A 0–10 rating."""
    if raw not in RATING_VALUES:
        return None, _("Please choose a number from 0 to 10.")
    return ParsedAnswer(question.key, number=float(raw)), None


def _parse_yesno(question: Question, raw: str) -> tuple[ParsedAnswer | None, str | None]:
    """Yes (1) or no (0), the word kept as text."""
    if raw not in YESNO_VALUES:
        return None, _("Please choose yes or no.")
    return ParsedAnswer(question.key, number=1.0 if raw == "yes" else 0.0, text=raw), None


def _parse_single(question: Question, raw: str) -> tuple[ParsedAnswer | None, str | None]:
    """One of the question's choices."""
    if raw not in choice_values(question):
        return None, _("Please choose one of the answers shown.")
    return ParsedAnswer(question.key, text=raw), None


def _parse_date(question: Question, raw: str) -> tuple[ParsedAnswer | None, str | None]:
    """A date written year-month-day."""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None, _("Please enter a date as year-month-day, for example 2024-05-31.")
    return ParsedAnswer(question.key, text=day.isoformat()), None


def _parse_bounded_number(question: Question, raw: str) -> tuple[ParsedAnswer | None, str | None]:
    """A number question's answer, checked against its optional min and max."""
    value = _parse_number(raw)
    if value is None:
        return None, _("Please enter a number, for example 12 or 3.5.")
    options = question.options or {}
    low, high = options.get("min"), options.get("max")
    numeric = (int, float)
    if isinstance(low, numeric) and value < low or isinstance(high, numeric) and value > high:
        if isinstance(low, numeric) and isinstance(high, numeric):
            return None, _("Please enter a number from %(low)s to %(high)s.",
                           low=format_decimal(low), high=format_decimal(high))
        if isinstance(low, numeric):
            return None, _("Please enter a number of at least %(low)s.", low=format_decimal(low))
        return None, _("Please enter a number of at most %(high)s.", high=format_decimal(high))
    return ParsedAnswer(question.key, number=value), None


# The parsers of the types answered by one value, given trimmed and not empty.
_ONE_VALUE_PARSERS = {
    QuestionType.LIKERT5: _parse_likert,
    QuestionType.RATING10: _parse_rating,
    QuestionType.YESNO: _parse_yesno,
    QuestionType.SINGLE: _parse_single,
    QuestionType.NUMBER: _parse_bounded_number,
    QuestionType.DATE: _parse_date,
}


@dataclass
class Evaluation:
    """A form read against a list of questions: valid answers, errors, and which questions apply."""

    answers: dict[str, ParsedAnswer]
    errors: list[tuple[str, str]]
    # Keys of the answerable questions whose show-if condition holds (answered or not).
    shown: set[str]


def evaluate(form: MultiDict, questions: list[Question], *, explain: bool = True) -> Evaluation:
    """Validate `form` against `questions` in order, evaluating each show-if on the answers before it.

    Questions hidden by their condition are neither checked nor kept. Any input at all gives an
    answer or an error, never an exception. With explain=False no error is written (a page being
    drawn needs only the answers and what is shown, not a message for every question unanswered).
    """
    numbers = question_numbers(questions)
    answers: dict[str, ParsedAnswer] = {}
    errors: list[tuple[str, str]] = []
    shown: set[str] = set()
    for question in questions:
        if question.type in HEADINGS or not is_shown(question, answers):
            continue
        shown.add(question.key)
        answer, error = _parse_one(question, form)
        if not explain:
            error = None
        elif error is None and answer is None and question.required:
            error = _("Please answer this question.")
        if error is not None:
            errors.append((error_target(question),
                           _("Question %(n)s: %(message)s", n=numbers[question.key], message=error)))
        elif answer is not None:
            answers[question.key] = answer
    return Evaluation(answers, errors, shown)


def parse_answers(form: MultiDict, questions: list[Question]
                  ) -> tuple[dict[str, ParsedAnswer], list[tuple[str, str]]]:
    """Validate a submitted form against a version's questions, in order.

    Returns the answers by question key and the errors as (field id, localized message), ready for
    the error summary. Questions hidden by their show-if condition are neither checked nor kept.
    Any input at all gives an answer or an error, never an exception.
    """
    result = evaluate(form, questions)
    return result.answers, result.errors


def live_condition(question: Question) -> dict | None:
    """A question's show-if as survey.js reads it: the source field, the operator, and the wanted
    values as the strings the inputs carry; None when there is no (well-formed) condition."""
    condition = question.show_if
    if not isinstance(condition, dict) or condition.get("op") not in ("equals", "in", "answered"):
        return None
    expected = condition.get("value")
    values = expected if condition["op"] == "in" and isinstance(expected, list) else [expected]
    return {"source": f"q-{condition.get('question')}", "op": condition["op"],
            "values": [] if condition["op"] == "answered" else [_normalized(v) for v in values]}


def question_context(questions: list[Question], locale: str, *,
                     all_questions: list[Question] | None = None, values: MultiDict | None = None,
                     errors: list[tuple[str, str]] | None = None) -> dict:
    """The template variables surveys/_questions.html needs to render `questions` (one page).

    `all_questions` is the whole version (for question numbers and condition sources; defaults to
    `questions`); `values` the answers to fill back in; `errors` (field id, message) pairs. A
    condition whose source is on this page gets a written hint (JavaScript off) and data
    attributes for survey.js (JavaScript on); one whose source is on an earlier page was already
    decided by the server, so it needs neither. Used by the citizen pages and the designer preview.
    """
    everything = all_questions if all_questions is not None else questions
    on_page = {q.key for q in questions}
    live = [q for q in questions
            if isinstance(q.show_if, dict) and q.show_if.get("question") in on_page]
    errors = errors or []
    key_of_target = {error_target(q): q.key for q in everything}
    key_of_target[f"{SERVICE_FIELD}-1"] = SERVICE_FIELD
    return {
        "questions": questions, "numbers": question_numbers(everything),
        "hints": {q.key: show_if_hint(q, everything, locale) for q in live},
        "conditions": {q.key: c for q in live if (c := live_condition(q)) is not None},
        "field_name": field_name, "max_length": max_length, "locale": locale,
        "likert_labels": LIKERT_LABELS,
        "values": values if values is not None else MultiDict(), "errors": errors,
        "errors_by_key": {key_of_target.get(target): message for target, message in errors},
    }


def parse_service(form: MultiDict, services: list) -> tuple[str | None, str | None]:
    """(service code or None, error or None) for the optional "which service" choice."""
    raw = form.get(SERVICE_FIELD, "").strip()
    if not raw:
        return None, None
    codes = {str(s.get("code")) for s in services if isinstance(s, dict)}
    if raw not in codes:
        return None, _("Please choose one of the services shown.")
    return raw, None
