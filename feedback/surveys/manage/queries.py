"""What the survey designer reads: the surveys a user may open, their versions, and a version's
definition as the JSON export holds it. Nothing here writes (the writes are in operations.py)."""

import json

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from feedback.accounts.authz import agency_filter
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.extensions import db
from feedback.surveys.models import (
    Question,
    QuestionType,
    Survey,
    SurveyVersion,
    VersionStatus,
    question_values,
)
from feedback.surveys.services import DEFAULT_SURVEY_KEY

TEMPLATE_KEY = DEFAULT_SURVEY_KEY
FORMAT = "lang-nghe-survey"
FORMAT_VERSION = 1
# The five SIPAS dimensions a Likert question may count towards.
DIMENSIONS = ("access", "procedure", "staff", "result", "feedback")


# ---------------------------------------------------------------- reading what a user may see

def visible_surveys(user):
    """A Select of the surveys `user` may open: those owned in their organizer subtrees, and the
    built-in template."""
    return (
        select(Survey).outerjoin(Agency, Survey.owner_agency_id == Agency.id)
        .where(or_(and_(Survey.owner_agency_id.is_not(None), agency_filter(user, Role.ORGANIZER)),
                   and_(Survey.owner_agency_id.is_(None), Survey.key == TEMPLATE_KEY)))
        .options(selectinload(Survey.versions), selectinload(Survey.owner_agency))
        .order_by(Survey.owner_agency_id.is_not(None), Survey.created_at.desc(), Survey.id.desc())
    )


def find_survey(user, survey_id: int) -> Survey | None:
    """The survey with this id if `user` may open it, else None (the caller answers 404)."""
    return db.session.scalar(visible_surveys(user).where(Survey.id == survey_id))


def is_template(survey: Survey) -> bool:
    """Whether `survey` is a built-in questionnaire (no owner): copied, never edited."""
    return survey.owner_agency_id is None


def draft_of(survey: Survey) -> SurveyVersion | None:
    """The survey's draft version, if it has one (there is never more than one)."""
    return next((v for v in survey.versions if v.status == VersionStatus.DRAFT), None)


def latest_published(survey: Survey) -> SurveyVersion | None:
    """The survey's newest published version."""
    published = [v for v in survey.versions if v.status == VersionStatus.PUBLISHED]
    return max(published, key=lambda v: v.number, default=None)


def published_keys(survey: Survey) -> dict[str, tuple[QuestionType, int]]:
    """Every question key used by a published version: its type and the newest version using it."""
    keys: dict[str, tuple[QuestionType, int]] = {}
    for version in sorted(survey.versions, key=lambda v: v.number):
        if version.status == VersionStatus.PUBLISHED:
            for q in version.questions:
                keys[q.key] = (q.type, version.number)
    return keys


# ---------------------------------------------------------------- canonical dictionaries

def _canonical_options(options) -> dict:
    """Options with their keys in one fixed order, so that exports compare byte for byte."""
    options = options if isinstance(options, dict) else {}
    result: dict = {}
    if isinstance(options.get("choices"), list):
        result["choices"] = [
            {"value": c.get("value"), "label_vi": c.get("label_vi", ""), "label_en": c.get("label_en", "")}
            if isinstance(c, dict) else c
            for c in options["choices"]
        ]
    for name in ("max_choices", "max_length", "min", "max"):
        if name in options:
            result[name] = options[name]
    return result


def _canonical_condition(condition) -> dict | None:
    """A show-if condition with its keys in a fixed order (no value for "answered")."""
    if not isinstance(condition, dict):
        return None
    result = {"question": condition.get("question"), "op": condition.get("op")}
    if condition.get("op") != "answered":
        result["value"] = condition.get("value")
    return result


def question_dict(question: Question) -> dict:
    """A question as it is exported and validated: every field (QUESTION_FIELDS), in a fixed order."""
    values = question_values(question)
    kind = values["type"]
    return values | {
        "type": kind.value if isinstance(kind, QuestionType) else str(kind),
        "options": _canonical_options(values["options"]),
        "show_if": _canonical_condition(values["show_if"]),
    }


def ordered_weights(weights) -> dict:
    """Dimension weights in the order of DIMENSIONS."""
    weights = weights if isinstance(weights, dict) else {}
    return {d: weights[d] for d in DIMENSIONS if d in weights}


def export_definition(version: SurveyVersion) -> dict:
    """A version's whole definition: what the JSON export holds and the import reads."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "title_vi": version.title_vi,
        "title_en": version.title_en or "",
        "intro_vi": version.intro_vi or "",
        "intro_en": version.intro_en or "",
        "dimension_weights": ordered_weights(version.dimension_weights),
        "questions": [question_dict(q) for q in version.questions],
    }


def definition_json(version: SurveyVersion) -> str:
    """The export file: UTF-8 JSON, readable (indented, Vietnamese letters kept), stable."""
    return json.dumps(export_definition(version), ensure_ascii=False, indent=2) + "\n"
