"""Checking a survey definition before anything is written: one question's fields, the questions
of a version together, the keys published versions already use, and an imported file. Every
problem is a full sentence naming the questions concerned."""

import re
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from feedback.core.i18n import gettext as _
from feedback.surveys.answers import HEADINGS, field_name, parse_answers
from feedback.surveys.manage.queries import (
    DIMENSIONS,
    FORMAT,
    FORMAT_VERSION,
    ordered_weights,
    published_keys,
)
from feedback.surveys.models import QUESTION_FIELDS, SHORT_LABEL_MAX, Question, QuestionType, Survey

DEFINITION_FIELDS = ("format", "format_version", "title_vi", "title_en", "intro_vi", "intro_en",
                     "dimension_weights", "questions")
KEY_PATTERN = re.compile(r"^[a-z0-9_]{1,64}$")
CONDITION_OPS = ("equals", "in", "answered")
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)
TEXT_TYPES = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
# Sections carry a dimension in the SIPAS template (it groups the page); other types never count.
DIMENSION_TYPES = (QuestionType.LIKERT5, QuestionType.SECTION)
MAX_TITLE = 300
MAX_TEXT = 2000
MAX_INTRO = 5000
MAX_QUESTIONS = 200
MAX_CHOICES = 50
MAX_TEXT_LENGTH = 10000
MAX_WEIGHT = 100


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: a full sentence, and where it is (for form fields)."""

    message: str
    question: str | None = None  # key of the question concerned
    field: str | None = None  # name of its field: key, text_vi, choices, show_if…

    def __str__(self) -> str:
        return self.message


class DesignError(Exception):
    """A change refused; `problems` say why, each naming the questions concerned."""

    status = 422

    def __init__(self, problems):
        self.problems = [p if isinstance(p, Problem) else Problem(str(p)) for p in
                         (problems if isinstance(problems, list) else [problems])]
        super().__init__("; ".join(p.message for p in self.problems))


class FrozenVersion(DesignError):
    """An edit aimed at a published version, which never changes."""

    status = 409


class ReadOnlySurvey(DesignError):
    """An edit aimed at the built-in template, which is copied, never edited."""

    status = 403


# ---------------------------------------------------------------- validating one question

def _label(raw: dict, position: int | None) -> str:
    """How a question is named in a message: its key, and its number when known."""
    key = raw.get("key") if isinstance(raw.get("key"), str) and raw.get("key") else "?"
    if position is None:
        return f"“{key}”"
    return _("question %(n)s (“%(key)s”)", n=position + 1, key=key)


def _is_number(value) -> bool:
    """A JSON number (bool is not one)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value) -> bool:
    """A JSON integer (bool is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _text(raw: dict, name: str, problems: list, where: str, key, *, required=False, limit=MAX_TEXT) -> str:
    """A text field of a question: a string, not too long, present when required."""
    value = raw.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(Problem(_("%(where)s: “%(field)s” must be text.", where=where, field=name),
                                key, name))
        return ""
    value = value.strip()
    if required and not value:
        problems.append(Problem(_("%(where)s: the Vietnamese text is required.", where=where), key, name))
    if len(value) > limit:
        problems.append(Problem(_("%(where)s: “%(field)s” is longer than %(n)s characters.",
                                  where=where, field=name, n=limit), key, name))
    return value


def _choices(raw_choices, problems: list, where: str, key) -> list[dict]:
    """Validated choices: a list of {value, label_vi, label_en}, unique values, labels in Vietnamese."""
    if not isinstance(raw_choices, list):
        problems.append(Problem(_("%(where)s: choices must be a list.", where=where), key, "choices"))
        return []
    choices, seen = [], set()
    for n, choice in enumerate(raw_choices, start=1):
        if not isinstance(choice, dict) or set(choice) - {"value", "label_vi", "label_en"}:
            problems.append(Problem(_("%(where)s: choice %(n)s must have only a value, label_vi and "
                                      "label_en.", where=where, n=n), key, "choices"))
            continue
        value, label_vi, label_en = (choice.get("value"), choice.get("label_vi", ""),
                                     choice.get("label_en", ""))
        if not isinstance(value, str) or not value.strip() or "|" in value or len(value) > 64:
            problems.append(Problem(_("%(where)s: choice %(n)s needs a value: text of 1 to 64 "
                                      "characters without “|”.", where=where, n=n), key, "choices"))
            continue
        value = value.strip()
        if value in seen:
            problems.append(Problem(_("%(where)s: the choice value “%(value)s” appears twice; each "
                                      "choice needs its own value.", where=where, value=value),
                                    key, "choices"))
        seen.add(value)
        if not isinstance(label_vi, str) or not label_vi.strip():
            problems.append(Problem(_("%(where)s: choice “%(value)s” needs a Vietnamese label.",
                                      where=where, value=value), key, "choices"))
            label_vi = ""
        if not isinstance(label_en, str):
            problems.append(Problem(_("%(where)s: the English label of choice “%(value)s” must be "
                                      "text.", where=where, value=value), key, "choices"))
            label_en = ""
        choices.append({"value": value, "label_vi": label_vi.strip(), "label_en": label_en.strip()})
    if len(raw_choices) < 2 or len(raw_choices) > MAX_CHOICES:
        problems.append(Problem(_("%(where)s: give between 2 and %(n)s choices.", where=where,
                                  n=MAX_CHOICES), key, "choices"))
    return choices


def _options(kind: QuestionType, raw_options, problems: list, where: str, key) -> dict:
    """The type-specific settings of a question, checked and in canonical form."""
    if raw_options is None:
        raw_options = {}
    if not isinstance(raw_options, dict):
        problems.append(Problem(_("%(where)s: options must be an object.", where=where), key, "options"))
        return {}
    allowed = {
        QuestionType.SINGLE: {"choices"},
        QuestionType.MULTIPLE: {"choices", "max_choices"},
        QuestionType.SHORT_TEXT: {"max_length"},
        QuestionType.LONG_TEXT: {"max_length"},
        QuestionType.NUMBER: {"min", "max"},
    }.get(kind, set())
    for name in sorted(set(raw_options) - allowed):
        problems.append(Problem(_("%(where)s: the setting “%(name)s” does not apply to this type of "
                                  "question.", where=where, name=name), key, name))
    options: dict = {}
    if kind in CHOICE_TYPES:
        options["choices"] = _choices(raw_options.get("choices", []), problems, where, key)
    limit = raw_options.get("max_choices")
    if kind == QuestionType.MULTIPLE and limit is not None:
        if not _is_int(limit) or not 1 <= limit <= max(len(options["choices"]), 1):
            problems.append(Problem(_("%(where)s: the most choices allowed must be a whole number "
                                      "from 1 to the number of choices.", where=where), key, "max_choices"))
        else:
            options["max_choices"] = limit
    length = raw_options.get("max_length")
    if kind in TEXT_TYPES and length is not None:
        if not _is_int(length) or not 1 <= length <= MAX_TEXT_LENGTH:
            problems.append(Problem(_("%(where)s: the maximum length must be a whole number from 1 to "
                                      "%(n)s.", where=where, n=MAX_TEXT_LENGTH), key, "max_length"))
        else:
            options["max_length"] = length
    if kind == QuestionType.NUMBER:
        for name in ("min", "max"):
            value = raw_options.get(name)
            if value is None:
                continue
            if not _is_number(value):
                problems.append(Problem(_("%(where)s: “%(name)s” must be a number.", where=where,
                                          name=name), key, name))
            else:
                options[name] = value
        if "min" in options and "max" in options and options["min"] > options["max"]:
            problems.append(Problem(_("%(where)s: the smallest number is larger than the largest.",
                                      where=where), key, "min"))
    return options


def _condition_shape(raw, problems: list, where: str, key) -> dict | None:
    """A show-if condition checked on its own (the question it points to is checked later)."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"question", "op", "value"}:
        problems.append(Problem(_("%(where)s: a condition has a question, an op and a value.",
                                  where=where), key, "show_if"))
        return None
    target, op, value = raw.get("question"), raw.get("op"), raw.get("value")
    if not isinstance(target, str) or not target:
        problems.append(Problem(_("%(where)s: the condition must name a question.", where=where),
                                key, "show_if"))
        return None
    if op not in CONDITION_OPS:
        problems.append(Problem(_("%(where)s: the condition must be “equals”, “in” or “answered”.",
                                  where=where), key, "show_if"))
        return None
    scalar = (str, int, float)
    if op == "answered":
        if value is not None:
            problems.append(Problem(_("%(where)s: an “answered” condition takes no value.",
                                      where=where), key, "show_if"))
        return {"question": target, "op": op}
    if op == "equals" and (not isinstance(value, scalar) or isinstance(value, bool) or value == ""):
        problems.append(Problem(_("%(where)s: the condition needs one value to compare with.",
                                  where=where), key, "show_if"))
        return None
    if op == "in" and (not isinstance(value, list) or not value or any(
            not isinstance(v, scalar) or isinstance(v, bool) or v == "" for v in value)):
        problems.append(Problem(_("%(where)s: an “is one of” condition needs a list of values.",
                                  where=where), key, "show_if"))
        return None
    return {"question": target, "op": op, "value": value}


def _flags(raw: dict, kind: QuestionType | None, problems: list, where: str, key) -> tuple[bool, bool]:
    """A question's "required" and "allow_na": true or false, and only where the type has them;
    "page_break" true or false (any item may start a page)."""
    for flag in ("required", "allow_na", "page_break"):
        if not isinstance(raw.get(flag, False), bool):
            problems.append(Problem(_("%(where)s: “%(field)s” must be true or false.", where=where,
                                      field=flag), key, flag))
    required, allow_na = raw.get("required") is True, raw.get("allow_na") is True
    if kind in HEADINGS and required:
        problems.append(Problem(_("%(where)s: a section or note has no answer, so it cannot be "
                                  "required.", where=where), key, "required"))
    if allow_na and kind != QuestionType.LIKERT5:
        problems.append(Problem(_("%(where)s: only Likert questions offer “not applicable”.",
                                  where=where), key, "allow_na"))
    return required, allow_na


def _dimension(raw: dict, kind: QuestionType | None, problems: list, where: str, key) -> str | None:
    """A question's dimension: one of DIMENSIONS, on a Likert question or a section, or none."""
    dimension = raw.get("dimension")
    if dimension is not None and dimension not in DIMENSIONS:
        problems.append(Problem(_("%(where)s: the dimension must be one of %(names)s, or none.",
                                  where=where, names=", ".join(DIMENSIONS)), key, "dimension"))
    elif dimension is not None and kind not in DIMENSION_TYPES:
        problems.append(Problem(_("%(where)s: only Likert questions (and sections) have a dimension.",
                                  where=where), key, "dimension"))
    return dimension


def clean_question(raw, position: int | None = None) -> tuple[dict, list[Problem]]:
    """Check one question's fields; returns it in canonical form and every problem found."""
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        n = "?" if position is None else position + 1
        return {}, [Problem(_("question %(n)s: must be an object.", n=n))]
    where = _label(raw, position)
    key = raw.get("key")
    for name in sorted(set(raw) - set(QUESTION_FIELDS)):
        problems.append(Problem(_("%(where)s: unknown field “%(name)s”.", where=where, name=name),
                                key if isinstance(key, str) else None))
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.append(Problem(_("%(where)s: the key must be 1 to 64 lowercase letters, digits or "
                                  "underscores (for example overall_rating).", where=where),
                                key if isinstance(key, str) else None, "key"))
        key = key if isinstance(key, str) else ""
    try:
        kind = QuestionType(raw.get("type"))
    except ValueError:
        problems.append(Problem(_("%(where)s: unknown question type “%(type)s”.", where=where,
                                  type=raw.get("type")), key, "type"))
        kind = None
    question = {
        "key": key,
        "type": kind.value if kind else raw.get("type"),
        "text_vi": _text(raw, "text_vi", problems, where, key, required=True),
        "text_en": _text(raw, "text_en", problems, where, key),
        "help_vi": _text(raw, "help_vi", problems, where, key),
        "help_en": _text(raw, "help_en", problems, where, key),
        # Empty is no short label: the dashboards then show the full text.
        "short_vi": _text(raw, "short_vi", problems, where, key, limit=SHORT_LABEL_MAX) or None,
        "short_en": _text(raw, "short_en", problems, where, key, limit=SHORT_LABEL_MAX) or None,
    }
    required, allow_na = _flags(raw, kind, problems, where, key)
    dimension = _dimension(raw, kind, problems, where, key)
    options = _options(kind, raw.get("options"), problems, where, key) if kind else {}
    condition = _condition_shape(raw.get("show_if"), problems, where, key)
    if condition is not None and kind in HEADINGS:
        problems.append(Problem(_("%(where)s: sections and notes are always shown; put the condition "
                                  "on the questions.", where=where), key, "show_if"))
    question.update(required=required, dimension=dimension, allow_na=allow_na, options=options,
                    show_if=condition, page_break=raw.get("page_break") is True)
    return question, problems


# ---------------------------------------------------------------- validating a whole version

def _value_text(value) -> str:
    """A condition value as the citizen form would submit it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _possible_answer(target: dict, value) -> bool:
    """Whether `value` is an answer the target question accepts, checked by the citizen form's own
    parser so that a condition can never wait for an answer nobody can give."""
    probe = Question(key=target["key"], type=QuestionType(target["type"]), text_vi="",
                     options=target["options"], required=False, allow_na=False, show_if=None,
                     page_break=False)
    answers, errors = parse_answers(MultiDict([(field_name(probe), _value_text(value))]), [probe])
    return not errors and target["key"] in answers


def _cycle_from(start: str, targets: dict[str, str]) -> list[str] | None:
    """The keys of a circle of conditions through `start`, if there is one."""
    path, key = [start], targets.get(start)
    while key is not None and key not in path:
        path.append(key)
        key = targets.get(key)
    return path + [start] if key == start else None


def version_problems(questions: list[dict]) -> list[Problem]:
    """Problems between questions: duplicate keys, and conditions that point to a later question, to
    themselves, in a circle, to a heading, to nothing, or at an answer that cannot be given."""
    problems: list[Problem] = []
    index: dict[str, int] = {}
    for i, q in enumerate(questions):
        if q["key"] in index:
            problems.append(Problem(_("The key “%(key)s” is used by questions %(a)s and %(b)s; each "
                                      "question needs its own key.", key=q["key"], a=index[q["key"]] + 1,
                                      b=i + 1), q["key"], "key"))
        else:
            index[q["key"]] = i
    targets = {q["key"]: q["show_if"]["question"] for q in questions if q.get("show_if")}
    reported_cycles: set[frozenset] = set()
    for i, q in enumerate(questions):
        condition = q.get("show_if")
        if not condition:
            continue
        key, target_key = q["key"], condition["question"]
        if target_key == key:
            problems.append(Problem(_("Question “%(key)s” cannot depend on itself.", key=key),
                                    key, "show_if"))
            continue
        if target_key not in index:
            problems.append(Problem(_("Question “%(key)s” depends on “%(target)s”, which is not in "
                                      "this survey.", key=key, target=target_key), key, "show_if"))
            continue
        target = questions[index[target_key]]
        cycle = _cycle_from(key, targets)
        if cycle is not None:
            if frozenset(cycle) not in reported_cycles:
                reported_cycles.add(frozenset(cycle))
                problems.append(Problem(_("Questions %(chain)s depend on each other in a circle; a "
                                          "condition may only use an earlier question.",
                                          chain=" → ".join(f"“{k}”" for k in cycle)), key, "show_if"))
            continue
        if index[target_key] > i:
            problems.append(Problem(_("Question “%(key)s” depends on “%(target)s”, which comes after "
                                      "it; a condition may only use an earlier question.",
                                      key=key, target=target_key), key, "show_if"))
            continue
        if QuestionType(target["type"]) in HEADINGS:
            problems.append(Problem(_("Question “%(key)s” depends on “%(target)s”, a section or note, "
                                      "which has no answer.", key=key, target=target_key), key, "show_if"))
            continue
        values = condition.get("value")
        values = values if isinstance(values, list) else ([] if values is None else [values])
        impossible = [v for v in values if not _possible_answer(target, v)]
        if impossible:
            problems.append(Problem(_("Question “%(key)s” waits for %(values)s, which is not a "
                                      "possible answer to “%(target)s”.", key=key, target=target_key,
                                      values=", ".join(f"“{_value_text(v)}”" for v in impossible)),
                                    key, "show_if"))
    return problems


def stability_problems(survey: Survey, questions: list[dict]) -> list[Problem]:
    """Keys reused from a published version for a different type of question (results would no
    longer compare)."""
    published = published_keys(survey)
    problems = []
    for q in questions:
        if q["key"] in published and published[q["key"]][0].value != q["type"]:
            kind, number = published[q["key"]]
            problems.append(Problem(_("The key “%(key)s” belongs to a %(type)s question in published "
                                      "version %(n)s; give a question of another type a new key, so "
                                      "that results stay comparable.", key=q["key"], type=kind.value,
                                      n=number), q["key"], "key"))
    return problems


def clean_definition(data) -> tuple[dict, list[Problem]]:
    """Check an imported definition completely; returns it in canonical form and every problem."""
    if not isinstance(data, dict):
        return {}, [Problem(_("The file must hold one JSON object (a survey definition)."))]
    problems: list[Problem] = []
    for name in sorted(set(data) - set(DEFINITION_FIELDS)):
        problems.append(Problem(_("Unknown field “%(name)s” at the top of the file.", name=name)))
    if data.get("format", FORMAT) != FORMAT or data.get("format_version", FORMAT_VERSION) != FORMAT_VERSION:
        problems.append(Problem(_("This is not a Lắng Nghe survey definition (format %(format)s, "
                                  "version %(version)s expected).", format=FORMAT, version=FORMAT_VERSION)))
    where = _("the survey")
    definition = {
        "title_vi": _text(data, "title_vi", problems, where, None, limit=MAX_TITLE),
        "title_en": _text(data, "title_en", problems, where, None, limit=MAX_TITLE),
        "intro_vi": _text(data, "intro_vi", problems, where, None, limit=MAX_INTRO),
        "intro_en": _text(data, "intro_en", problems, where, None, limit=MAX_INTRO),
    }
    if not definition["title_vi"]:
        problems.append(Problem(_("The survey needs a title in Vietnamese (title_vi).")))
    weights, weight_problems = clean_weights(data.get("dimension_weights") or {})
    definition["dimension_weights"] = weights
    problems += weight_problems
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list):
        problems.append(Problem(_("“questions” must be a list.")))
        raw_questions = []
    if len(raw_questions) > MAX_QUESTIONS:
        problems.append(Problem(_("A survey holds at most %(n)s items.", n=MAX_QUESTIONS)))
    questions = []
    for position, raw in enumerate(raw_questions):
        question, question_problems = clean_question(raw, position)
        questions.append(question)
        problems += question_problems
    if not any(p.field in ("key", "type", "show_if") for p in problems):
        problems += version_problems(questions)
    definition["questions"] = questions
    return definition, problems


def clean_weights(weights) -> tuple[dict, list[Problem]]:
    """Dimension weights: known dimensions only, each a number above 0 and at most 100."""
    if not isinstance(weights, dict):
        return {}, [Problem(_("Dimension weights must be an object such as {\"staff\": 2}."))]
    problems = []
    for name in weights:
        if name not in DIMENSIONS:
            problems.append(Problem(_("“%(name)s” is not a dimension; use %(names)s.", name=name,
                                      names=", ".join(DIMENSIONS)), field=f"weight_{name}"))
        elif not _is_number(weights[name]) or not 0 < weights[name] <= MAX_WEIGHT:
            problems.append(Problem(_("The weight of “%(name)s” must be a number above 0 and at most "
                                      "%(max)s.", name=name, max=MAX_WEIGHT), field=f"weight_{name}"))
    return ordered_weights(weights), problems
