"""The rating-set editing form, read by hand: its rows change with the number of answers and the
reasons typed, which a fixed WTForms class cannot follow. `read_form` turns the posted fields into
the columns `ratesets.save_set` takes plus a list of (field id, message); `form_rows` gives the
template what to show, from a set or from what was typed (so nothing typed is ever lost).

Rows of answers are numbered by position, best first (1 = best), as the citizen sees them; the
stored level numbers count from the worst (level = count - position + 1).
"""

import re
from dataclasses import dataclass, field

from feedback.core.i18n import gettext as _
from feedback.core.text import clean_text
from feedback.counters.ratesets import LEVELS, default_values

MAX_QUESTION = 300
MAX_LABEL = 100
MAX_REASONS = 12
# Blank reason rows offered under the set's own, to add new ones without JavaScript.
BLANK_REASONS = 2
REASON_KEY = re.compile(r"^[a-z0-9_]{1,32}$")


@dataclass
class SetRows:
    """What the form shows: the question, one row per answer (best first), one per reason."""

    count: int
    question_vi: str
    question_en: str
    labels: list[dict]  # [{"vi": …, "en": …}] best first
    satisfied: set[int]  # positions (1 = best)
    low: set[int]  # positions
    reasons: list[dict] = field(default_factory=list)  # [{"key", "vi", "en", "alert"}]


def _positions(levels: list[int], count: int) -> set[int]:
    """Stored level numbers as positions, best first."""
    return {count - level + 1 for level in levels if 1 <= level <= count}


def rows_of(values: dict) -> SetRows:
    """The rows showing a set's columns (a RatingSet's or `default_values`'), with blank reason rows."""
    count = len(values["levels"])
    reasons = [
        {"key": r["key"], "vi": r.get("vi", ""), "en": r.get("en", ""), "alert": bool(r.get("alert"))}
        for r in values["reasons"]
    ]
    return SetRows(
        count=count,
        question_vi=values["question_vi"],
        question_en=values["question_en"] or "",
        labels=[{"vi": label.get("vi", ""), "en": label.get("en", "")} for label in values["levels"]],
        satisfied=_positions(values["satisfied"], count),
        low=_positions(values["low_levels"], count),
        reasons=_padded(reasons),
    )


def _padded(reasons: list[dict]) -> list[dict]:
    """`reasons` with blank rows added below, up to MAX_REASONS rows in all."""
    blanks = min(BLANK_REASONS, max(0, MAX_REASONS - len(reasons)))
    return reasons + [{"key": "", "vi": "", "en": "", "alert": False} for _ in range(blanks)]


def _text(form, name: str) -> str:
    """A typed field, cleaned (NFC, trimmed)."""
    return clean_text(form.get(name, "") or "")


def _typed(form) -> SetRows:
    """What was posted, as rows, before any check (the rows shown again when a check fails)."""
    count = form.get("count", type=int)
    if count not in LEVELS:
        count = form.get("shown", type=int) if form.get("shown", type=int) in LEVELS else 4
    shown = form.get("shown", type=int) if form.get("shown", type=int) in LEVELS else count
    labels = [
        {"vi": _text(form, f"level-{p}-vi"), "en": _text(form, f"level-{p}-en")} for p in range(1, shown + 1)
    ]
    reasons = []
    for row in range(MAX_REASONS + BLANK_REASONS):
        if f"reason-{row}-key" not in form and f"reason-{row}-vi" not in form:
            continue
        reason = {
            "key": _text(form, f"reason-{row}-key").lower(),
            "vi": _text(form, f"reason-{row}-vi"),
            "en": _text(form, f"reason-{row}-en"),
            "alert": bool(form.get(f"reason-{row}-alert")),
        }
        if reason["key"] or reason["vi"] or reason["en"]:
            reasons.append(reason)
    return SetRows(
        count=count,
        question_vi=_text(form, "question_vi"),
        question_en=_text(form, "question_en"),
        labels=labels,
        satisfied={p for p in form.getlist("satisfied", type=int) if 1 <= p <= shown},
        low={p for p in form.getlist("low", type=int) if 1 <= p <= shown},
        reasons=reasons,
    )


def resized(form) -> SetRows:
    """The rows for the number of answers chosen ("Show these answers", no JavaScript needed):
    answers left as the default of their old number take the new number's defaults; typed ones are
    kept and blank rows added (or the worst rows dropped)."""
    typed = _typed(form)
    old = len(typed.labels)
    if typed.count == old:
        typed.reasons = _padded(typed.reasons)
        return typed
    defaults = default_values(old)
    if typed.labels == defaults["levels"] and typed.satisfied == _positions(defaults["satisfied"], old):
        new = rows_of({**default_values(typed.count), "reasons": []})
        typed.labels, typed.satisfied, typed.low = new.labels, new.satisfied, new.low
    else:
        typed.labels = (typed.labels + [{"vi": "", "en": ""}] * typed.count)[: typed.count]
        typed.satisfied = {p for p in typed.satisfied if p <= typed.count}
        typed.low = {p for p in typed.low if p <= typed.count}
    typed.reasons = _padded(typed.reasons)
    return typed


def _check_texts(rows: SetRows, errors: list) -> None:
    """The question and the answers' labels: Vietnamese required, lengths, no two answers alike."""
    if not rows.question_vi:
        errors.append(("question_vi", _("Enter the question in Vietnamese.")))
    for name in ("question_vi", "question_en"):
        if len(getattr(rows, name)) > MAX_QUESTION:
            errors.append((name, _("Use at most %(max)d characters.", max=MAX_QUESTION)))
    seen = set()
    for position, label in enumerate(rows.labels, start=1):
        if not label["vi"]:
            errors.append(
                (f"level-{position}-vi", _("Enter the Vietnamese label of answer %(n)d.", n=position))
            )
        elif label["vi"].casefold() in seen:
            errors.append(
                (f"level-{position}-vi", _("Two answers have the label “%(label)s”.", label=label["vi"]))
            )
        seen.add(label["vi"].casefold())
        for language in ("vi", "en"):
            if len(label[language]) > MAX_LABEL:
                errors.append(
                    (f"level-{position}-{language}", _("Use at most %(max)d characters.", max=MAX_LABEL))
                )


def _check_levels(rows: SetRows, errors: list) -> None:
    """Which answers count as satisfied (the best ones, at least one, not all) and ask why."""
    if not rows.satisfied:
        errors.append(("satisfied-1", _("Tick at least one answer that counts as satisfied.")))
    elif len(rows.satisfied) == rows.count:
        errors.append(("satisfied-1", _("At least one answer must not count as satisfied.")))
    elif rows.satisfied != set(range(1, len(rows.satisfied) + 1)):
        errors.append(
            ("satisfied-1", _("An answer counts as satisfied only if every better answer does too."))
        )
    if rows.low & rows.satisfied:
        position = min(rows.low & rows.satisfied)
        errors.append(
            (f"low-{position}", _("Reasons are asked only after answers that do not count as satisfied."))
        )
    if rows.low and not rows.reasons:
        errors.append(("reason-0-key", _("Add at least one reason, or ask for reasons after no answer.")))


def _check_reasons(rows: SetRows, errors: list) -> None:
    """Each reason: a key (lowercase letters, digits, _; unique) and a Vietnamese text."""
    if len(rows.reasons) > MAX_REASONS:
        errors.append(("reason-0-key", _("Use at most %(max)d reasons.", max=MAX_REASONS)))
    keys = set()
    for row, reason in enumerate(rows.reasons):
        if not REASON_KEY.match(reason["key"]):
            errors.append(
                (f"reason-{row}-key", _("A reason's key is 1–32 lowercase letters (a–z), digits or _."))
            )
        elif reason["key"] in keys:
            errors.append((f"reason-{row}-key", _("Two reasons have the key “%(key)s”.", key=reason["key"])))
        keys.add(reason["key"])
        if not reason["vi"]:
            errors.append((f"reason-{row}-vi", _("Enter the Vietnamese text of this reason.")))
        for language in ("vi", "en"):
            if len(reason[language]) > MAX_LABEL:
                errors.append(
                    (f"reason-{row}-{language}", _("Use at most %(max)d characters.", max=MAX_LABEL))
                )


def read_form(form) -> tuple[SetRows, dict | None, list[tuple[str, str]]]:
    """(rows as typed, the set's columns or None, errors). The columns are given only when every
    check passes; the rows always, to show the form again with what was typed."""
    rows = _typed(form)
    errors: list[tuple[str, str]] = []
    if len(rows.labels) != rows.count:
        errors.append(("count", _("Press “Show these answers” before saving a new number of answers.")))
        rows = resized(form)
        return rows, None, errors
    _check_texts(rows, errors)
    _check_levels(rows, errors)
    _check_reasons(rows, errors)
    shown = SetRows(**{**rows.__dict__, "reasons": _padded(list(rows.reasons))})
    if errors:
        return shown, None, errors
    count = rows.count
    values = {
        "question_vi": rows.question_vi,
        "question_en": rows.question_en,
        "levels": [{"vi": label["vi"], "en": label["en"]} for label in rows.labels],
        "satisfied": sorted(count - p + 1 for p in rows.satisfied),
        "low_levels": sorted(count - p + 1 for p in rows.low),
        "reasons": [
            {"key": r["key"], "vi": r["vi"], "en": r["en"], **({"alert": True} if r["alert"] else {})}
            for r in rows.reasons
        ],
    }
    return shown, values, errors
