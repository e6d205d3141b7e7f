"""Question short labels: set in the designer, on a draft and on a published version (they change
nothing citizens answer), shipped by the SIPAS file, refused on the built-in template."""

from sqlalchemy import select

from feedback.extensions import db
from feedback.surveys.manage import operations, validation
from feedback.surveys.models import Question, Survey, SurveyVersion, VersionStatus
from feedback.surveys.services import load_default_survey
from tests.surveys.manage.helpers import post, question_form, rich_definition

BASE = "/manage/surveys"


def _published(agency) -> SurveyVersion:
    """A committed, published survey owned by `agency`, holding the rich definition."""
    clean, problems = validation.clean_definition(rich_definition())
    assert problems == []
    survey = operations.create_survey(agency, clean)
    operations.publish(survey.versions[0])
    db.session.commit()
    return survey.versions[0]


def _question(version_id: int, key: str) -> Question:
    """A question read afresh."""
    db.session.expire_all()
    return db.session.scalar(select(Question).where(Question.version_id == version_id, Question.key == key))


def test_a_published_version_takes_short_labels_and_stays_as_it_was(app, tree, organizer_a_client):
    version = _published(tree.dept_a)
    rows = [q for q in version.questions if q.type.value not in ("section", "note")]
    first = rows[0]
    published_at, text = version.published_at, first.text_vi
    page = organizer_a_client.get(f"{BASE}/{version.survey_id}/v/1/labels?lang=en")
    assert page.status_code == 200 and "Short labels for the dashboards" in page.get_data(as_text=True)
    data = {f"rows-{i}-key": q.key for i, q in enumerate(rows)}
    data.update({"rows-0-short_vi": "  Nơi ngồi chờ ", "rows-0-short_en": "Waiting area"})
    response = post(organizer_a_client, f"{BASE}/{version.survey_id}/v/1/labels", data)
    assert response.status_code == 302
    saved = _question(version.id, first.key)
    assert (saved.short_vi, saved.short_en) == ("Nơi ngồi chờ", "Waiting area")
    assert saved.text_vi == text
    version = db.session.get(SurveyVersion, version.id)
    assert version.status == VersionStatus.PUBLISHED and version.published_at == published_at


def test_a_label_too_long_is_refused_with_everything_typed_kept(app, tree, organizer_a_client):
    version = _published(tree.dept_a)
    rows = [q for q in version.questions if q.type.value not in ("section", "note")]
    data = {f"rows-{i}-key": q.key for i, q in enumerate(rows)}
    data.update({"rows-0-short_vi": "x" * 61, "rows-1-short_vi": "Giữ lại"})
    response = post(organizer_a_client, f"{BASE}/{version.survey_id}/v/1/labels", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "x" * 61 in html and "Giữ lại" in html
    assert _question(version.id, rows[1].key).short_vi is None


def test_the_built_in_template_keeps_the_labels_its_file_ships(app, tree, organizer_a_client):
    template = load_default_survey()
    db.session.commit()
    assert {q.key: q.short_vi for q in template.questions}["access_waiting_area"] == "Nơi ngồi chờ"
    response = post(organizer_a_client, f"{BASE}/{template.survey_id}/v/{template.number}/labels",
                    {"rows-0-key": "access_waiting_area", "rows-0-short_vi": "Khác"})
    assert response.status_code == 403
    assert _question(template.id, "access_waiting_area").short_vi == "Nơi ngồi chờ"


def test_new_short_labels_in_the_sipas_file_need_no_new_version(app):
    version = load_default_survey()
    for question in version.questions:
        question.short_vi = None
    db.session.commit()
    again = load_default_survey()
    db.session.commit()
    assert again.id == version.id
    assert len(db.session.scalars(select(SurveyVersion).join(Survey).where(Survey.key == "sipas")).all()) == 1
    assert _question(version.id, "overall").short_vi == "Hài lòng chung"


def test_a_draft_question_keeps_its_short_labels_from_the_question_form(app, tree, organizer_a_client):
    clean, _problems = validation.clean_definition(rich_definition())
    survey = operations.create_survey(tree.dept_a, clean)
    db.session.commit()
    response = post(organizer_a_client, f"{BASE}/{survey.id}/v/1/questions/new",
                    question_form(short_vi="Câu mới", short_en="New one"))
    assert response.status_code == 302
    saved = _question(survey.versions[0].id, "new_q")
    assert (saved.short_vi, saved.short_en) == ("Câu mới", "New one")
