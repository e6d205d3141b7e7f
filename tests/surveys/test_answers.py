"""Reading a submitted form: every question type, required answers, show-if, the form token."""

from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from config import TestConfig
from feedback import create_app
from feedback.surveys.answers import is_shown, parse_answers, show_if_hint
from feedback.surveys.models import QuestionType
from feedback.surveys.tokens import make_form_token, read_form_token
from tests.surveys.helpers import q, questions

KEY = "test-secret-key"


@pytest.fixture(scope="module")
def ctx():
    """A request context in English (messages are gettext'ed); no database is touched."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.test_request_context("/?lang=en"):
        yield


def test_a_complete_valid_form_is_parsed_by_type(ctx):
    form = MultiDict([("q-visited", "yes"), ("q-rating", "2"), ("q-what_went_wrong", "slow"),
                      ("q-what_went_wrong", "fees"), ("q-detail", " Lâu quá\r\n"),
                      ("q-channel", "counter"), ("q-recommend", "0"), ("q-waited", "12,5"),
                      ("q-visit_date", "2026-03-01"), ("q-why_not", "hidden answer")])
    answers, errors = parse_answers(form, questions())
    assert errors == []
    assert answers["visited"].number == 1.0 and answers["visited"].text == "yes"
    assert answers["rating"].number == 2.0
    assert answers["what_went_wrong"].choices == ["slow", "fees"]
    assert answers["detail"].text == "Lâu quá"
    assert answers["channel"].text == "counter"
    assert answers["recommend"].number == 0.0
    assert answers["waited"].number == 12.5
    assert answers["visit_date"].text == "2026-03-01"
    # Sent, but its condition (visited = no) is not met: never stored.
    assert "why_not" not in answers and "intro" not in answers


def test_hidden_questions_are_skipped_along_the_chain(ctx):
    form = MultiDict({"q-visited": "no", "q-why_not": "Đóng cửa", "q-rating": "1",
                      "q-what_went_wrong": "slow", "q-detail": "x"})
    answers, errors = parse_answers(form, questions())
    assert errors == []
    # rating is hidden (visited = no), so what_went_wrong and detail are hidden too.
    assert set(answers) == {"visited", "why_not"}


def test_not_applicable_does_not_open_a_follow_up(ctx):
    answers, errors = parse_answers(MultiDict({"q-visited": "yes", "q-rating": "na",
                                               "q-what_went_wrong": "slow"}), questions())
    assert errors == [] and answers["rating"].not_applicable
    assert "what_went_wrong" not in answers


def test_required_questions_shown_must_be_answered(ctx):
    answers, errors = parse_answers(MultiDict({"q-visited": "no"}), questions())
    assert errors == [("q-why_not", "Question 2: Please answer this question.")]
    _, errors = parse_answers(MultiDict(), questions())
    assert errors == [("q-visited-yes", "Question 1: Please answer this question.")]


@pytest.mark.parametrize("field, value, target", [
    ("q-rating", "6", "q-rating-1"),
    ("q-rating", "4.0", "q-rating-1"),
    ("q-rating", "<script>", "q-rating-1"),
    ("q-visited", "maybe", "q-visited-yes"),
    ("q-channel", "fax", "q-channel-1"),
    ("q-recommend", "11", "q-recommend-0"),
    ("q-recommend", "-1", "q-recommend-0"),
    ("q-waited", "abc", "q-waited"),
    ("q-waited", "nan", "q-waited"),
    ("q-waited", "1e400", "q-waited"),
    ("q-waited", "601", "q-waited"),
    ("q-visit_date", "2026-02-30", "q-visit_date"),
    ("q-what_went_wrong", "unknown", "q-what_went_wrong-1"),
])
def test_out_of_range_and_garbage_values_are_errors_not_crashes(ctx, field, value, target):
    form = MultiDict({"q-visited": "yes", "q-rating": "1"})
    form.setlist(field, [value])
    answers, errors = parse_answers(form, questions())
    assert [t for t, _ in errors] == [target]
    assert field[2:] not in answers


def test_choice_limits_and_text_length(ctx):
    too_many = MultiDict([("q-visited", "yes"), ("q-rating", "1"), ("q-what_went_wrong", "slow"),
                          ("q-what_went_wrong", "rude"), ("q-what_went_wrong", "fees")])
    _, errors = parse_answers(too_many, questions())
    assert errors == [("q-what_went_wrong-1", "Question 4: Please choose at most 2 answers.")]
    too_long = MultiDict([("q-visited", "yes"), ("q-rating", "1"), ("q-what_went_wrong", "slow"),
                          ("q-what_went_wrong", "slow"), ("q-detail", "x" * 11)])
    answers, errors = parse_answers(too_long, questions())
    assert answers["what_went_wrong"].choices == ["slow"]  # a repeated choice counts once
    assert errors == [("q-detail", "Question 5: Please shorten your answer to 10 characters or fewer "
                                   "(it has 11).")]


def test_not_applicable_only_where_allowed_and_control_characters_dropped(ctx):
    no_na = [q("x", QuestionType.LIKERT5, required=True), q("t", QuestionType.LONG_TEXT)]
    answers, errors = parse_answers(MultiDict({"q-x": "na", "q-t": "a\x00b\x07c"}), no_na)
    assert [t for t, _ in errors] == ["q-x-1"]
    assert answers["t"].text == "abc"


def test_malformed_conditions_show_the_question(ctx):
    for condition in ({"question": "base", "op": "between"}, {"nonsense": 1}, ["x"]):
        assert is_shown(q("f", QuestionType.SHORT_TEXT, show_if=condition), {}) is True


def test_conditional_questions_say_when_they_apply(ctx):
    items = questions()
    hint = show_if_hint(items[2], items, "en")
    assert hint == "Answer this only if your answer to question 1 was “No”."
    assert show_if_hint(items[4], items, "en") == ("Answer this only if your answer to question 3 "
                                                   "was “1” / “2”.")
    assert show_if_hint(items[5], items, "en") == "Answer this only if you answered question 4."


def test_form_token_round_trip_expiry_and_forgery():
    started = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    token = make_form_token(KEY, 7, started)
    good = read_form_token(KEY, token, 7, max_age=3600)
    assert good.valid and good.started_at == started
    expired = read_form_token(KEY, token, 7, max_age=-1)
    assert not expired.valid and expired.started_at == started  # the start time survives
    assert not read_form_token(KEY, token, 8, max_age=3600).valid  # another deployment
    for forged in ("", "garbage", token[:-2] + "xx", make_form_token("other-key", 7, started)):
        result = read_form_token(KEY, forged, 7, max_age=3600)
        assert not result.valid and result.started_at is None
