"""The built-in SIPAS questionnaire: its shape, both languages, and loading it once."""

from sqlalchemy import func, select

from feedback.audit.models import AuditEvent
from feedback.extensions import db
from feedback.surveys.models import Question, QuestionType, Survey, SurveyVersion, VersionStatus
from feedback.surveys.services import load_default_survey

DIMENSIONS = ["access", "procedure", "staff", "result", "feedback"]


def test_default_survey_has_the_five_sipas_dimensions_overall_and_comment(app):
    version = load_default_survey()
    db.session.commit()
    assert version.survey.key == "sipas" and version.number == 1
    assert version.status == VersionStatus.PUBLISHED and version.published_at is not None
    assert version.title_vi.startswith("Khảo sát mức độ hài lòng của người dân, tổ chức")
    # No time in the text: the first page promises one from measured times (surveys/timing.py).
    assert "phút" not in version.intro_vi and "minute" not in version.intro_en
    questions = version.questions
    likert = [q for q in questions if q.type == QuestionType.LIKERT5]
    in_dimensions = [q for q in likert if q.dimension]
    assert sorted({q.dimension for q in in_dimensions}) == sorted(DIMENSIONS)
    for dimension in DIMENSIONS:
        items = [q for q in in_dimensions if q.dimension == dimension]
        assert 2 <= len(items) <= 4, dimension
        assert all(q.required for q in items)
        assert all(q.allow_na == (dimension == "feedback") for q in items)
        sections = [q for q in questions if q.type == QuestionType.SECTION and q.dimension == dimension]
        assert len(sections) == 1
        # The section comes right before its dimension's questions.
        assert questions.index(sections[0]) < min(questions.index(q) for q in items)
    assert [s.text_vi for s in questions if s.type == QuestionType.SECTION and s.dimension] == [
        "Tiếp cận dịch vụ", "Thủ tục hành chính", "Công chức", "Kết quả giải quyết",
        "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị"]
    by_key = {q.key: q for q in questions}
    overall = by_key["overall"]
    assert overall.type == QuestionType.LIKERT5 and overall.dimension is None and overall.required
    comment = by_key["comment"]
    assert comment.type == QuestionType.LONG_TEXT and not comment.required
    assert comment.options == {"max_length": 1000}
    for question in questions:
        assert question.text_vi.strip() and question.text_en.strip(), question.key
        assert bool(question.help_vi) == bool(question.help_en), question.key
    assert any("Ông/Bà" in q.text_vi for q in likert)


def test_loading_the_default_survey_twice_changes_nothing(app):
    first = load_default_survey()
    db.session.commit()
    second = load_default_survey()
    db.session.commit()
    assert second.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 1
    assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 1
    assert db.session.scalar(select(func.count()).select_from(Question)) == len(first.questions)


def test_cli_load_default_is_idempotent_and_says_so(runner):
    first = runner.invoke(args=["surveys", "load-default"])
    assert first.exit_code == 0, first.output
    assert "Loaded the default survey 'sipas' version 1" in first.output
    again = runner.invoke(args=["surveys", "load-default"])
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "survey.publish")) == 1
