"""The designer's rules, through its services: validation, conditions, versions, JSON round trip."""

import json

import pytest
from sqlalchemy import func, select

from feedback.audit.models import AuditEvent
from feedback.extensions import db
from feedback.surveys.manage import forms as manage_forms
from feedback.surveys.manage import operations, queries, validation
from feedback.surveys.manage.validation import DesignError, FrozenVersion, ReadOnlySurvey
from feedback.surveys.models import Survey, SurveyVersion, VersionStatus
from tests.surveys.manage.helpers import question, rich_definition


def _survey(tree, definition=None):
    """A committed draft survey of department A holding `definition` (the rich one by default)."""
    clean, problems = validation.clean_definition(definition or rich_definition())
    assert problems == []
    survey = operations.create_survey(tree.dept_a, clean)
    db.session.commit()
    return survey


def _messages(error) -> str:
    """Every message of a DesignError, joined."""
    return " | ".join(p.message for p in error.value.problems)


def test_the_sipas_template_is_a_valid_definition_and_round_trips(app):
    template = operations.template_version()
    exported = queries.definition_json(template)
    clean, problems = validation.clean_definition(json.loads(exported))
    assert problems == []
    assert [q["key"] for q in clean["questions"]] == [q.key for q in template.questions]


def test_export_import_export_is_identical(app, tree):
    first = _survey(tree)
    exported = queries.definition_json(first.versions[0])
    assert json.loads(exported)["questions"][5]["options"]["max_choices"] == 2
    imported = operations.import_survey(json.loads(exported), tree.dept_b)
    db.session.commit()
    db.session.expire_all()
    again = queries.definition_json(db.session.get(Survey, imported.id).versions[0])
    assert again == exported
    assert "Khảo sát thử “đủ loại”" in exported  # UTF-8 letters kept, not \\u escapes
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "survey.import")) == 1


def test_import_reports_every_problem_and_writes_nothing(app, tree):
    data = rich_definition()
    data["title_vi"] = ""
    data["colour"] = "red"
    data["dimension_weights"] = {"speed": 2, "staff": 0}
    data["questions"] += [
        question("Bad Key", "likert5"),
        question("kind", "slider"),
        question("pick", "single", options={"choices": [
            {"value": "a", "label_vi": "A", "label_en": ""},
            {"value": "a", "label_vi": "", "label_en": ""}]}),
        question("note_2", "note", required=True),
        question("extra", "yesno", requried=True),
    ]
    with pytest.raises(DesignError) as error:
        operations.import_survey(data, tree.dept_a)
    text = _messages(error)
    for expected in ("title in Vietnamese", "colour", "“speed” is not a dimension", "weight of “staff”",
                     "lowercase letters", "slider", "“a” appears twice", "needs a Vietnamese label",
                     "cannot be required", "requried"):
        assert expected in text, expected
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0


@pytest.mark.parametrize(("questions", "expected"), [
    ([question("a", "yesno", show_if={"question": "b", "op": "answered"}), question("b", "yesno")],
     "“a” depends on “b”, which comes after it"),
    ([question("a", "yesno", show_if={"question": "b", "op": "answered"}),
      question("b", "yesno", show_if={"question": "a", "op": "answered"})],
     "“a” → “b” → “a” depend on each other in a circle"),
    ([question("a", "yesno", show_if={"question": "a", "op": "answered"})], "cannot depend on itself"),
    ([question("s", "section"), question("a", "yesno", show_if={"question": "s", "op": "answered"})],
     "a section or note"),
    ([question("a", "yesno", show_if={"question": "ghost", "op": "answered"})], "not in this survey"),
    ([question("a", "yesno"), question("b", "yesno", show_if={"question": "a", "op": "equals",
                                                              "value": "maybe"})],
     "“maybe”, which is not a possible answer"),
    ([question("a", "likert5"), question("b", "yesno", show_if={"question": "a", "op": "in",
                                                               "value": [1, 6]})],
     "“6”, which is not a possible answer"),
    ([question("a", "yesno"), question("b", "yesno", show_if={"question": "a", "op": "in",
                                                             "value": "yes"})],
     "needs a list of values"),
])
def test_conditions_must_point_to_an_earlier_answerable_question(app, questions, expected):
    data = {"title_vi": "T", "questions": questions}
    _, problems = validation.clean_definition(data)
    assert any(expected in p.message for p in problems), [p.message for p in problems]


def test_reordering_that_breaks_a_condition_is_refused_naming_the_questions(app, tree):
    survey = _survey(tree)
    version = survey.versions[0]
    waiting = next(q for q in version.questions if q.key == "waiting")
    with pytest.raises(DesignError) as error:
        operations.move_question(version, waiting, -1)  # above "visited", which it depends on
    assert "“waiting”" in _messages(error) and "“visited”" in _messages(error)
    db.session.rollback()
    # A move that keeps every condition pointing backwards is fine.
    recommend = next(q for q in version.questions if q.key == "recommend")
    operations.move_question(version, recommend, -1)
    db.session.commit()
    keys = [q.key for q in db.session.get(SurveyVersion, version.id).questions]
    assert keys.index("recommend") < keys.index("problems")


def test_a_question_others_depend_on_cannot_be_deleted(app, tree):
    version = _survey(tree).versions[0]
    visited = next(q for q in version.questions if q.key == "visited")
    with pytest.raises(DesignError) as error:
        operations.delete_question(version, visited)
    assert "“waiting”" in _messages(error)


def test_publish_freezes_and_the_next_draft_copies_keys(app, tree):
    survey = _survey(tree)
    v1 = survey.versions[0]
    operations.publish(v1, actor=tree.organizer_a)
    db.session.commit()
    assert v1.status == VersionStatus.PUBLISHED and v1.published_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "survey.publish"))
    assert event.actor_id == tree.organizer_a.id
    with pytest.raises(FrozenVersion):
        operations.add_question(v1, question("late", "yesno"))
    with pytest.raises(FrozenVersion):
        operations.update_settings(v1, title_vi="x", title_en="", intro_vi="", intro_en="", weights={})
    with pytest.raises(FrozenVersion):
        operations.publish(v1)

    v2 = operations.next_draft(survey)
    db.session.commit()
    assert (v2.number, v2.status) == (2, VersionStatus.DRAFT)
    assert [q.key for q in v2.questions] == [q.key for q in v1.questions]
    assert [q.id for q in v2.questions] != [q.id for q in v1.questions]
    # Only one draft at a time: asking again gives the same draft.
    assert operations.next_draft(survey).id == v2.id
    assert len(survey.versions) == 2


def test_published_keys_cannot_be_renamed_or_change_type(app, tree):
    survey = _survey(tree)
    operations.publish(survey.versions[0])
    draft = operations.next_draft(survey)
    db.session.commit()
    waited = next(q for q in draft.questions if q.key == "waited")
    raw = queries.question_dict(waited) | {"key": "waited_minutes"}
    with pytest.raises(DesignError) as error:
        operations.update_question(draft, waited, raw)
    assert "cannot be renamed" in _messages(error) and "version 1" in _messages(error)
    db.session.rollback()
    raw = queries.question_dict(waited) | {"type": "short_text", "options": {}}
    with pytest.raises(DesignError) as error:
        operations.update_question(draft, waited, raw)
    assert "number question in published version 1" in _messages(error)
    db.session.rollback()
    # A new question's key may be renamed freely while it was never published.
    added = operations.add_question(draft, question("fresh", "yesno"))
    operations.update_question(draft, added, queries.question_dict(added) | {"key": "fresher"})
    db.session.commit()
    assert "fresher" in [q.key for q in draft.questions]


def test_the_template_is_read_only(app, tree):
    template = operations.template_version()
    with pytest.raises(ReadOnlySurvey):
        operations.add_question(template, question("x", "yesno"))
    with pytest.raises(ReadOnlySurvey):
        operations.next_draft(template.survey)


def test_copy_of_the_template_keeps_keys_in_a_new_draft(app, tree):
    template = operations.template_version()
    copy = operations.copy_survey(template, tree.dept_a)
    db.session.commit()
    version = copy.versions[0]
    assert copy.owner_agency_id == tree.dept_a.id and copy.key != template.survey.key
    assert (version.number, version.status) == (1, VersionStatus.DRAFT)
    assert [q.key for q in version.questions] == [q.key for q in template.questions]


def test_publishing_needs_a_question(app, tree):
    survey = _survey(tree, {"title_vi": "Trống", "questions": [question("s", "section")]})
    with pytest.raises(DesignError) as error:
        operations.publish(survey.versions[0])
    assert "at least one question" in _messages(error)


def test_choice_lines_parse_and_format_back(app):
    choices, errors = manage_forms.parse_choice_lines("a | Một | One\n\nb|Hai\nx | y | z | w")
    assert choices == [{"value": "a", "label_vi": "Một", "label_en": "One"},
                       {"value": "b", "label_vi": "Hai", "label_en": ""}]
    assert len(errors) == 1 and "Line 4" in errors[0]
    assert manage_forms.format_choice_lines(choices) == ("a | Một | One\nb | Hai", "")
