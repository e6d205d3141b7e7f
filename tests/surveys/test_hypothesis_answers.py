"""Random answers against random questionnaires (Hypothesis): reading them never crashes, never
keeps an answer to a hidden question, never accepts an invalid value; the pages never answer 500."""

import math
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from config import TestConfig
from feedback import create_app
from feedback.core.text import CONTROL_CHARS
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.answers import (
    HEADINGS,
    LIKERT_VALUES,
    choice_values,
    evaluate,
    field_name,
    is_shown,
    max_length,
)
from feedback.surveys.drafts import as_multidict, drop_hidden, merge_page, split_pages
from feedback.surveys.models import Question, QuestionType, Survey, SurveyVersion, VersionStatus
from feedback.surveys.services import deploy

SETTINGS = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TYPES = list(QuestionType)
CHOICES = [{"value": "a", "label_vi": "A"}, {"value": "b", "label_vi": "B"}, {"value": 3, "label_vi": "Ba"},
           {"value": "na", "label_vi": "Không áp dụng"}]

# Anything a form may carry: numbers, garbage, huge or control-laden text, NUL, look-alikes.
junk = st.one_of(
    st.sampled_from(["", "1", "5", "0", "10", "11", "na", "yes", "no", "a", "b", "3", "4.0", "1e400",
                     "nan", "-0", "12,5", " 7 ", "2026-02-30", "2026-03-01", "\x00", "x" * 3000]),
    st.text(max_size=40),
    st.integers(-10**30, 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@st.composite
def versions(draw) -> list[Question]:
    """A synthetic version: random types and options, show-if conditions on earlier questions
    (some malformed, some pointing at nothing), sections here and there."""
    count = draw(st.integers(1, 12))
    items: list[Question] = []
    for i in range(count):
        kind = draw(st.sampled_from(TYPES))
        options = draw(st.fixed_dictionaries({}, optional={
            "choices": st.just(CHOICES) | st.just([]) | st.just("nonsense"),
            "max_choices": st.integers(-1, 4) | st.just("2"),
            "min": st.integers(-5, 5) | st.none() | st.just("x"),
            "max": st.integers(0, 100) | st.none(),
            "max_length": st.integers(1, 50) | st.just("many"),
        }))
        show_if = None
        earlier = [q.key for q in items]
        if earlier and draw(st.booleans()):
            show_if = draw(st.one_of(
                st.fixed_dictionaries({"question": st.sampled_from(earlier + ["missing"]),
                                       "op": st.sampled_from(["equals", "in", "answered", "between"]),
                                       "value": st.one_of(junk, st.lists(junk, max_size=3), st.booleans(),
                                                          st.integers(0, 10), st.none())}),
                st.just({"nonsense": True}), st.just(["x"])))
        items.append(Question(key=f"k{i}", type=kind, text_vi=f"Câu {i}", text_en="",
                              required=draw(st.booleans()), allow_na=draw(st.booleans()),
                              options=options, show_if=show_if, position=i))
    return items


@st.composite
def forms(draw, items: list[Question]) -> MultiDict:
    """Random answers: some fields missing, some repeated, some unknown, values of any type."""
    pairs = []
    for item in items:
        for _ in range(draw(st.integers(0, 3))):
            pairs.append((field_name(item), draw(junk)))
    pairs += draw(st.lists(st.tuples(st.sampled_from(["q-", "q-missing", "website", "service", "token"]),
                                     junk), max_size=3))
    return MultiDict(pairs)


@pytest.fixture(scope="module")
def ctx():
    """A request context (messages are gettext'ed); no database is touched."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.test_request_context("/?lang=en"):
        yield


def _valid(question: Question, answer) -> bool:
    """Whether a stored answer is a value its question accepts."""
    kind = question.type
    if answer.not_applicable:
        return kind == QuestionType.LIKERT5 and question.allow_na
    if kind == QuestionType.LIKERT5:
        return answer.number in {float(v) for v in LIKERT_VALUES}
    if kind == QuestionType.RATING10:
        return answer.number in {float(n) for n in range(11)}
    if kind == QuestionType.YESNO:
        return answer.text in ("yes", "no") and answer.number == (1.0 if answer.text == "yes" else 0.0)
    if kind == QuestionType.SINGLE:
        return answer.text in choice_values(question)
    if kind == QuestionType.MULTIPLE:
        limit = (question.options or {}).get("max_choices")
        within = not (isinstance(limit, int) and 0 < limit < len(answer.choices))
        return (bool(answer.choices) and set(answer.choices) <= set(choice_values(question)) and within
                and len(set(answer.choices)) == len(answer.choices))
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        return (0 < len(answer.text) <= max_length(question) and not CONTROL_CHARS.search(answer.text)
                and answer.text == answer.text.strip())
    if kind == QuestionType.NUMBER:
        options = question.options or {}
        low, high = options.get("min"), options.get("max")
        return (math.isfinite(answer.number)
                and not (isinstance(low, int) and answer.number < low)
                and not (isinstance(high, int) and answer.number > high))
    if kind == QuestionType.DATE:
        return date.fromisoformat(answer.text).isoformat() == answer.text
    return False


@SETTINGS
@given(data=st.data())
def test_random_answers_are_read_without_crashing_and_only_valid_shown_ones_kept(ctx, data):
    items = data.draw(versions())
    form = data.draw(forms(items))
    result = evaluate(form, items)
    by_key = {q.key: q for q in items}
    assert set(result.answers) <= result.shown
    for key, answer in result.answers.items():
        question = by_key[key]
        assert question.type not in HEADINGS
        assert _valid(question, answer), (question.type, question.options, answer)
        # Shown given the answers before it (conditions only look back).
        earlier = {k: a for k, a in result.answers.items() if by_key[k].position < question.position}
        assert is_shown(question, earlier)
    for question in items:
        if question.type not in HEADINGS and question.key not in result.shown:
            assert question.key not in result.answers
    # Every error points at a question that applies.
    assert len(result.errors) <= len(result.shown)


@SETTINGS
@given(data=st.data())
def test_drafts_never_keep_an_answer_to_a_hidden_question(ctx, data):
    items = data.draw(versions())
    pages = split_pages(items)
    assert [q for page in pages for q in page] == items
    assert all(sum(q.type not in HEADINGS for q in page) <= 6 for page in pages)
    stored: dict = {}
    for _ in range(data.draw(st.integers(1, 4))):  # Next and Back in any order, any answers
        page = data.draw(st.sampled_from(pages))
        stored = drop_hidden(merge_page(stored, data.draw(forms(items)), page,
                                        with_service=page is pages[0]), items)
        shown = evaluate(as_multidict(stored), items).shown
        for question in items:
            if question.type not in HEADINGS and question.key not in shown:
                assert field_name(question) not in stored
        assert all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in stored.values())


@pytest.fixture
def random_survey(app, tree):
    """A fixed conditional survey of every type at department B, for random requests."""
    items = [Question(key="visited", type=QuestionType.YESNO, text_vi="Đã đến?", required=True),
             Question(key="why", type=QuestionType.SHORT_TEXT, text_vi="Vì sao?", required=True,
                      show_if={"question": "visited", "op": "equals", "value": "no"},
                      options={"max_length": 20}),
             Question(key="rating", type=QuestionType.LIKERT5, text_vi="Hài lòng?", allow_na=True,
                      show_if={"question": "visited", "op": "equals", "value": "yes"}),
             Question(key="s2", type=QuestionType.SECTION, text_vi="Phần 2"),
             Question(key="what", type=QuestionType.MULTIPLE, text_vi="Gì?",
                      options={"choices": CHOICES, "max_choices": 2},
                      show_if={"question": "rating", "op": "in", "value": [1, 2]}),
             Question(key="waited", type=QuestionType.NUMBER, text_vi="Chờ?", options={"min": 0, "max": 600}),
             Question(key="day", type=QuestionType.DATE, text_vi="Ngày?")]
    version = SurveyVersion(survey=Survey(key="random"), number=1, status=VersionStatus.PUBLISHED,
                            published_at=utcnow(), title_vi="Ngẫu nhiên")
    for position, item in enumerate(items):
        item.position = position
        item.options = item.options or {}
        item.required = bool(item.required)
        item.allow_na = bool(item.allow_na)
        version.questions.append(item)
    db.session.add(version)
    deploy(version, tree.dept_b)
    db.session.commit()
    return items


@SETTINGS
@given(data=st.data())
def test_random_requests_to_the_survey_never_answer_500(app, random_survey, data):
    client = app.test_client()
    page = client.get("/s/B").get_data(as_text=True)
    token = page.split('name="token" value="')[1].split('"')[0]
    form = data.draw(forms(random_survey))
    form.add("token", data.draw(st.sampled_from([token, "", "garbage", token[:-3] + "abc"])))
    form.add("page", data.draw(st.sampled_from(["1", "2", "0", "-1", "99", "x", ""])))
    form.add("nav", data.draw(st.sampled_from(["next", "back", "", "send", "x"])))
    sent = client.post("/s/B", data=form)
    assert sent.status_code in (303, 400, 422), sent.status_code
    if sent.status_code == 303 and "d=" in sent.headers["Location"]:
        follow = client.get(sent.headers["Location"])
        assert follow.status_code in (200, 303)
        page = follow.get_data(as_text=True)
        if follow.status_code == 200:
            again = client.post(sent.headers["Location"], data={**form.to_dict(), "token": page.split(
                'name="token" value="')[1].split('"')[0]})
            assert again.status_code in (303, 400, 422)
    query = data.draw(st.sampled_from(["?d=x", "?p=9", "?d=" + "a" * 43 + "&p=2", "?p=-5", ""]))
    assert client.get("/s/B" + query).status_code in (200, 303)
