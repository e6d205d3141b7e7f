"""Shared helpers for the survey tests: the deployed default survey, a filled-in form, and a
small synthetic questionnaire using every question type."""

import re

from feedback.extensions import db
from feedback.surveys.models import Question, QuestionType, SurveyVersion
from feedback.surveys.services import deploy, load_default_survey

TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')


def deploy_default(agency, **kwargs) -> SurveyVersion:
    """Load the default survey, deploy it at `agency`, commit; returns the version."""
    version = load_default_survey()
    deploy(version, agency, **kwargs)
    db.session.commit()
    return version


def form_token(html: str) -> str:
    """The survey form token embedded in a page."""
    match = TOKEN_RE.search(html)
    assert match, "no form token on the page"
    return match.group(1)


def likert_keys(version: SurveyVersion) -> list[str]:
    """Keys of the version's Likert questions, in order."""
    return [q.key for q in version.questions if q.type == QuestionType.LIKERT5]


def filled_form(version: SurveyVersion, token: str, value: str = "4", **overrides) -> dict[str, str]:
    """A complete, valid submission answering every Likert question with `value`.

    `overrides` are question keys mapped to the value to send (None leaves the question out).
    """
    data = {"token": token, "website": ""}
    data.update({f"q-{key}": value for key in likert_keys(version)})
    for key, given in overrides.items():
        if given is None:
            data.pop(f"q-{key}", None)
        else:
            data[f"q-{key}"] = given
    return data


def q(key, kind, **fields) -> Question:
    """A transient question."""
    return Question(key=key, type=kind, text_vi=key, text_en=key, **fields)


def questions() -> list[Question]:
    """A small synthetic version using every type and a chain of show-if conditions."""
    return [
        q("intro", QuestionType.SECTION),
        q("visited", QuestionType.YESNO, required=True),
        q("why_not", QuestionType.SHORT_TEXT, required=True,
          show_if={"question": "visited", "op": "equals", "value": "no"}),
        q("rating", QuestionType.LIKERT5, required=True, allow_na=True,
          show_if={"question": "visited", "op": "equals", "value": "yes"}),
        q("what_went_wrong", QuestionType.MULTIPLE, options={"max_choices": 2, "choices": [
            {"value": "slow", "label_vi": "Chậm", "label_en": "Slow"},
            {"value": "rude", "label_vi": "Thiếu lịch sự", "label_en": "Rude"},
            {"value": "fees", "label_vi": "Phí", "label_en": "Fees"}]},
          show_if={"question": "rating", "op": "in", "value": [1, 2]}),
        q("detail", QuestionType.LONG_TEXT, options={"max_length": 10},
          show_if={"question": "what_went_wrong", "op": "answered"}),
        q("channel", QuestionType.SINGLE, options={"choices": [
            {"value": "counter", "label_vi": "Quầy"}, {"value": "online", "label_vi": "Trực tuyến"}]}),
        q("recommend", QuestionType.RATING10),
        q("waited", QuestionType.NUMBER, options={"min": 0, "max": 600}),
        q("visit_date", QuestionType.DATE),
    ]
