"""Test data for the dashboards: a minimal survey version and responses written as plain ORM rows.

Responses are inserted directly (not through the survey-taking code) so that the metrics are
tested against exactly the rows the test chose.
"""

import itertools
from datetime import datetime

from feedback.core.text import fold_for_search
from feedback.dashboards import summary
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.models import (
    AccessMode,
    Answer,
    Question,
    QuestionType,
    Response,
    ResponseScore,
    Survey,
    SurveyVersion,
    VersionStatus,
)
from feedback.surveys.services import free_text_keys

_survey_numbers = itertools.count(1)
NA = "na"


def make_version(weights: dict | None = None) -> SurveyVersion:
    """A published version: sections for "access" and "staff", three Likert questions in them
    (one allowing "not applicable"), an overall Likert question and a comment."""
    survey = Survey(key=f"test-survey-{next(_survey_numbers)}")
    version = SurveyVersion(survey=survey, number=1, status=VersionStatus.PUBLISHED,
                            title_vi="Khảo sát thử", title_en="Test survey",
                            dimension_weights=weights or {}, questions=[
        Question(position=0, key="section_access", type=QuestionType.SECTION, dimension="access",
                 text_vi="Tiếp cận dịch vụ", text_en="Access to the service"),
        Question(position=1, key="access_wait", type=QuestionType.LIKERT5, dimension="access",
                 text_vi="Chờ đợi", text_en="Waiting"),
        Question(position=2, key="access_info", type=QuestionType.LIKERT5, dimension="access",
                 allow_na=True, text_vi="Thông tin", text_en="Information"),
        Question(position=3, key="section_staff", type=QuestionType.SECTION, dimension="staff",
                 text_vi="Công chức", text_en="Civil servants"),
        Question(position=4, key="staff_courtesy", type=QuestionType.LIKERT5, dimension="staff",
                 text_vi="Lịch sự", text_en="Courtesy"),
        Question(position=5, key="overall", type=QuestionType.LIKERT5,
                 text_vi="Hài lòng chung", text_en="Overall"),
        Question(position=6, key="comment", type=QuestionType.LONG_TEXT,
                 text_vi="Góp ý", text_en="Comment"),
    ])
    db.session.add(version)
    db.session.flush()
    return version


def add_response(version: SurveyVersion, agency, *, scores: dict | None = None,
                 answers: dict | None = None, excluded: bool = False,
                 channel: AccessMode = AccessMode.OPEN, submitted_at: datetime | None = None,
                 service: str | None = None) -> Response:
    """One response at `agency`, flushed.

    `scores` maps a dimension to a score, or to (score, weight) or (score, weight, valid_answers);
    the weight defaults to the version's. `answers` maps a question key to a number, NA or text;
    the text of a free-text question is folded for the comments search, as on submit.
    """
    free_text = free_text_keys(version)
    response = Response(version_id=version.id, agency_id=agency.id, channel=channel, service=service,
                        excluded=excluded, flags=1 if excluded else 0,
                        submitted_at=submitted_at or utcnow())
    for dimension, given in (scores or {}).items():
        score, weight, valid = (tuple(given) + (None, None))[:3] if isinstance(given, tuple) else (
            given, None, None)
        response.scores.append(ResponseScore(
            dimension=dimension, score=score,
            weight=version.weight(dimension) if weight is None else weight,
            valid_answers=1 if valid is None else valid))
    for key, value in (answers or {}).items():
        if value == NA:
            response.answers.append(Answer(question_key=key, not_applicable=True))
        elif isinstance(value, str):
            response.answers.append(Answer(question_key=key, text=value, search_text=fold_for_search(
                value) if key in free_text else None))
        else:
            response.answers.append(Answer(question_key=key, number=value))
    db.session.add(response)
    db.session.flush()
    summary.add([response])  # as the survey's submit path does
    return response


def add_responses(version: SurveyVersion, agency, count: int, score: float = 1.0, **kwargs) -> None:
    """`count` responses at `agency` scoring `score` in "access" (and answering nothing)."""
    for _ in range(count):
        add_response(version, agency, scores={"access": score}, **kwargs)
