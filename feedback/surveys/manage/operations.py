"""What the survey designer writes: new surveys (made, copied, imported), a draft's settings and
questions, publishing, the next draft, the export's audit entry. Each checks first (validation.py),
then changes rows and flushes; the view commits."""

import json
import secrets

from sqlalchemy import update

from feedback.agencies.models import Agency
from feedback.audit.services import record
from feedback.core.i18n import gettext as _
from feedback.core.text import slugify, unique_slug
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.answers import HEADINGS
from feedback.surveys.manage.queries import (
    definition_json,
    draft_of,
    export_definition,
    is_template,
    latest_published,
    published_keys,
    question_dict,
)
from feedback.surveys.manage.validation import (
    MAX_QUESTIONS,
    DesignError,
    FrozenVersion,
    Problem,
    ReadOnlySurvey,
    clean_definition,
    clean_question,
    stability_problems,
    version_problems,
)
from feedback.surveys.models import (
    QUESTION_FIELDS,
    Question,
    QuestionType,
    Survey,
    SurveyVersion,
    VersionStatus,
)
from feedback.surveys.services import load_default_survey


def check_editable(version: SurveyVersion) -> None:
    """Refuse any change to a published version or to the built-in template."""
    if is_template(version.survey):
        raise ReadOnlySurvey(_("The built-in template cannot be edited; make a copy of it instead."))
    if version.status != VersionStatus.DRAFT:
        raise FrozenVersion(_("Version %(n)s is published and can no longer change. Edit the survey "
                              "to start version %(next)s.", n=version.number, next=version.number + 1))


def _new_survey_key(owner: Agency) -> str:
    """A unique, readable survey key: the owner's code and a random suffix."""
    return f"{owner.code.lower()}-{secrets.token_hex(4)}"[-64:]


def _fill(version: SurveyVersion, definition: dict) -> None:
    """Set a new version's texts, weights and questions from a canonical definition."""
    version.title_vi, version.title_en = definition["title_vi"], definition.get("title_en", "")
    version.intro_vi, version.intro_en = definition.get("intro_vi", ""), definition.get("intro_en", "")
    version.dimension_weights = dict(definition.get("dimension_weights") or {})
    version.questions = [_question_row(position, q) for position, q in
                         enumerate(definition.get("questions", []))]


def _question_row(position: int, q: dict) -> Question:
    """A Question row from a canonical question dictionary (a field it lacks keeps its column's
    default)."""
    fields = {name: q[name] for name in QUESTION_FIELDS if name in q}
    return Question(position=position, **fields | {"type": QuestionType(q["type"]),
                                                   "options": json.loads(json.dumps(q["options"]))})


def create_survey(owner: Agency, definition: dict, *, actor=None, action: str = "survey.create",
                  **details) -> Survey:
    """A new survey owned by `owner` with draft version 1 holding `definition` (already clean)."""
    survey = Survey(key=_new_survey_key(owner), owner_agency=owner)
    version = SurveyVersion(survey=survey, number=1, status=VersionStatus.DRAFT)
    _fill(version, definition)
    db.session.add(survey)
    db.session.flush()
    record(action, survey, actor=actor, survey=survey.key, owner=owner.code, **details)
    return survey


def copy_survey(source: SurveyVersion, owner: Agency, *, title_vi: str = "", title_en: str = "",
                actor=None) -> Survey:
    """A new survey owned by `owner` whose draft version 1 copies `source` with the same keys."""
    definition = export_definition(source)
    if title_vi:
        definition["title_vi"], definition["title_en"] = title_vi, title_en
    return create_survey(owner, definition, actor=actor, copied_from=source.survey.key,
                         copied_version=source.number)


def template_version() -> SurveyVersion:
    """The built-in SIPAS questionnaire's newest published version (loaded on first use)."""
    return load_default_survey()


def import_survey(data, owner: Agency, *, actor=None) -> Survey:
    """A new survey from an imported definition; nothing is written unless all of it is valid."""
    definition, problems = clean_definition(data)
    if problems:
        raise DesignError(problems)
    return create_survey(owner, definition, actor=actor, action="survey.import",
                         questions=len(definition["questions"]))


def update_settings(version: SurveyVersion, *, title_vi: str, title_en: str, intro_vi: str,
                    intro_en: str, weights: dict) -> None:
    """Change a draft's titles, introductions and dimension weights."""
    check_editable(version)
    definition, problems = clean_definition({
        "title_vi": title_vi, "title_en": title_en, "intro_vi": intro_vi, "intro_en": intro_en,
        "dimension_weights": weights, "questions": []})
    if problems:
        raise DesignError(problems)
    version.title_vi, version.title_en = definition["title_vi"], definition["title_en"]
    version.intro_vi, version.intro_en = definition["intro_vi"], definition["intro_en"]
    version.dimension_weights = definition["dimension_weights"]


def _check(version: SurveyVersion, proposed: list[dict], *, prefix: str | None = None) -> None:
    """Raise DesignError unless the proposed question list is consistent and keeps keys comparable."""
    problems = version_problems(proposed) + stability_problems(version.survey, proposed)
    if problems:
        if prefix:
            problems = [Problem(f"{prefix} {p.message}", p.question, p.field) for p in problems]
        raise DesignError(problems)


def _renumber(version: SurveyVersion, ordered: list[Question]) -> None:
    """Give the questions positions 0…n-1 in the given order."""
    for position, q in enumerate(ordered):
        q.position = position


def question_key(version: SurveyVersion, text_vi: str) -> str:
    """A new question's key made from its Vietnamese text: ASCII words, unique among the keys of
    this version and of every published version of the survey (so an old key is never reused for
    another question)."""
    taken = {q.key for q in version.questions} | set(published_keys(version.survey))
    return unique_slug(slugify(text_vi), taken)


def add_question(version: SurveyVersion, raw: dict) -> Question:
    """Append a question to a draft after checking it against the rest of the version; an empty
    key is made from the text (and written back into `raw`)."""
    check_editable(version)
    if not raw.get("key"):
        raw["key"] = question_key(version, raw.get("text_vi") or "")
    question, problems = clean_question(raw)
    if problems:
        raise DesignError(problems)
    if len(version.questions) >= MAX_QUESTIONS:
        raise DesignError(_("A survey holds at most %(n)s items.", n=MAX_QUESTIONS))
    _check(version, [question_dict(q) for q in version.questions] + [question])
    row = _question_row(len(version.questions), question)
    version.questions.append(row)
    _renumber(version, version.questions)
    db.session.flush()
    return row


def update_question(version: SurveyVersion, current: Question, raw: dict) -> Question:
    """Change a draft's question; a key already published cannot be renamed; an empty key keeps
    the current one."""
    check_editable(version)
    if not raw.get("key"):
        raw["key"] = current.key
    question, problems = clean_question(raw)
    published = published_keys(version.survey)
    if question.get("key") != current.key and current.key in published:
        problems.insert(0, Problem(_(
            "The key “%(key)s” is used by published version %(n)s, so it cannot be renamed: results "
            "are compared across versions by key. Add a new question if you need another key.",
            key=current.key, n=published[current.key][1]), current.key, "key"))
    if problems:
        raise DesignError(problems)
    proposed = [question if q is current else question_dict(q) for q in version.questions]
    _check(version, proposed)
    for name, value in question.items():
        setattr(current, name, QuestionType(value) if name == "type" else value)
    db.session.flush()
    return current


def delete_question(version: SurveyVersion, current: Question) -> None:
    """Remove a question from a draft, unless another question's condition depends on it."""
    check_editable(version)
    proposed = [question_dict(q) for q in version.questions if q is not current]
    dependants = [q["key"] for q in proposed if (q["show_if"] or {}).get("question") == current.key]
    if dependants:
        raise DesignError(_("“%(key)s” cannot be deleted: the condition of %(others)s depends on it. "
                            "Change or remove that condition first.", key=current.key,
                            others=", ".join(f"“{k}”" for k in dependants)))
    remaining = [q for q in version.questions if q is not current]
    version.questions.remove(current)
    _renumber(version, remaining)
    db.session.flush()


def move_question(version: SurveyVersion, current: Question, step: int) -> None:
    """Move a draft's question one place up (step -1) or down (+1), unless a condition would then
    point forward; the message names the questions concerned."""
    check_editable(version)
    ordered = list(version.questions)
    i = ordered.index(current)
    j = i + step
    if step not in (-1, 1) or not 0 <= j < len(ordered):
        return
    ordered[i], ordered[j] = ordered[j], ordered[i]
    _check(version, [question_dict(q) for q in ordered], prefix=_(
        "“%(key)s” was not moved %(direction)s:", key=current.key,
        direction=_("up") if step < 0 else _("down")))
    _renumber(version, ordered)
    db.session.flush()


def publish(version: SurveyVersion, *, actor=None) -> None:
    """Freeze a draft: checked once more, then published by one conditional UPDATE, so two clicks
    at once publish it once."""
    check_editable(version)
    proposed = [question_dict(q) for q in version.questions]
    problems = []
    for position, q in enumerate(version.questions):
        problems += clean_question(question_dict(q), position)[1]
    problems += version_problems(proposed) + stability_problems(version.survey, proposed)
    if not any(QuestionType(q["type"]) not in HEADINGS for q in proposed):
        problems.append(Problem(_("Add at least one question before publishing.")))
    if problems:
        raise DesignError(problems)
    now = utcnow()
    done = db.session.execute(
        update(SurveyVersion).where(SurveyVersion.id == version.id,
                                    SurveyVersion.status == VersionStatus.DRAFT)
        .values(status=VersionStatus.PUBLISHED, published_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise FrozenVersion(_("Version %(n)s was already published.", n=version.number))
    db.session.refresh(version)
    record("survey.publish", version, actor=actor, survey=version.survey.key, number=version.number,
           questions=len(proposed))


def next_draft(survey: Survey) -> SurveyVersion:
    """The survey's draft: the existing one, or a new version (newest number + 1) copying the newest
    published version with the same keys. Only one draft exists at a time."""
    if is_template(survey):
        raise ReadOnlySurvey(_("The built-in template cannot be edited; make a copy of it instead."))
    existing = draft_of(survey)
    if existing is not None:
        return existing
    source = latest_published(survey)
    number = max(v.number for v in survey.versions) + 1
    definition = export_definition(source)
    version = SurveyVersion(number=number, status=VersionStatus.DRAFT)
    _fill(version, definition)
    version.survey = survey
    # Two editors pressing "edit" at once both aim at the same number; the unique (survey, number)
    # constraint lets only one through, and the view sends the other to that draft.
    db.session.add(version)
    db.session.flush()
    return version


def export_survey(version: SurveyVersion, *, actor=None) -> str:
    """The JSON export of a version, written to the audit log."""
    record("survey.export", version, actor=actor, survey=version.survey.key, number=version.number)
    return definition_json(version)


def set_short_labels(version: SurveyVersion, labels: dict[str, tuple[str | None, str | None]]) -> int:
    """Give the questions of `version` named in `labels` ({key: (short_vi, short_en)}, None for
    none) their short labels, even when it is published: citizens never see them, and a published
    version's copies (frozen.py) need not know. The built-in template keeps the labels its file
    ships. Returns how many questions changed; the caller commits."""
    if is_template(version.survey):
        raise ReadOnlySurvey(_("The built-in template cannot be edited; make a copy of it instead."))
    changed = 0
    for question in version.questions:
        if question.key not in labels:
            continue
        short_vi, short_en = labels[question.key]
        if (question.short_vi, question.short_en) != (short_vi, short_en):
            question.short_vi, question.short_en = short_vi, short_en
            changed += 1
    if changed:
        db.session.flush()
        record("survey.short_labels", version, survey=version.survey.key, number=version.number,
               changed=changed)
    return changed
