"""Dimension scores of one response, and the daily client hash."""

from datetime import date

from feedback.surveys.models import Answer, Question, QuestionType, SurveyVersion
from feedback.surveys.services import client_hash, score_response


def _version() -> SurveyVersion:
    """Two dimensions (one weighted double), an overall question and a comment."""
    return SurveyVersion(title_vi="Thử", dimension_weights={"staff": 2}, questions=[
        Question(key="a1", type=QuestionType.LIKERT5, dimension="access", text_vi="a1"),
        Question(key="a2", type=QuestionType.LIKERT5, dimension="access", text_vi="a2"),
        Question(key="a3", type=QuestionType.LIKERT5, dimension="access", text_vi="a3", allow_na=True),
        Question(key="s1", type=QuestionType.LIKERT5, dimension="staff", text_vi="s1", allow_na=True),
        Question(key="s2", type=QuestionType.LIKERT5, dimension="staff", text_vi="s2", allow_na=True),
        Question(key="overall", type=QuestionType.LIKERT5, text_vi="overall"),
        Question(key="comment", type=QuestionType.LONG_TEXT, text_vi="comment"),
    ])


def test_score_is_the_share_of_four_and_five_among_valid_answers(app):
    answers = [Answer(question_key="a1", number=5), Answer(question_key="a2", number=3),
               Answer(question_key="a3", not_applicable=True), Answer(question_key="s1", number=4),
               Answer(question_key="s2", number=2), Answer(question_key="overall", number=1),
               Answer(question_key="comment", text="Tốt")]
    scores = {s.dimension: s for s in score_response(_version(), answers)}
    assert set(scores) == {"access", "staff"}  # "overall" has no dimension
    # access: 5 and 3 are valid (N/A left out of the denominator): 1 of 2.
    assert (scores["access"].score, scores["access"].valid_answers, scores["access"].weight) == (0.5, 2, 1.0)
    assert (scores["staff"].score, scores["staff"].valid_answers, scores["staff"].weight) == (0.5, 2, 2.0)


def test_a_dimension_answered_only_not_applicable_gets_no_row(app):
    answers = [Answer(question_key="a1", number=4), Answer(question_key="a2", number=4),
               Answer(question_key="s1", not_applicable=True),
               Answer(question_key="s2", not_applicable=True)]
    scores = score_response(_version(), answers)
    assert [(s.dimension, s.score, s.valid_answers) for s in scores] == [("access", 1.0, 2)]


def test_client_hash_is_stable_within_a_day_and_rotates_daily(app):
    today = client_hash("203.0.113.7", "Mozilla/5.0", day=date(2026, 3, 1))
    assert len(today) == 64 and "203.0.113.7" not in today
    assert today == client_hash("203.0.113.7", "Mozilla/5.0", day=date(2026, 3, 1))
    assert today != client_hash("203.0.113.7", "Mozilla/5.0", day=date(2026, 3, 2))
    assert today != client_hash("203.0.113.8", "Mozilla/5.0", day=date(2026, 3, 1))
    assert today != client_hash("203.0.113.7", "Other/1.0", day=date(2026, 3, 1))
    app.config["SECRET_KEY"] = "another-key"
    assert today != client_hash("203.0.113.7", "Mozilla/5.0", day=date(2026, 3, 1))
