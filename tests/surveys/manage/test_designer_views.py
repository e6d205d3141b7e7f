"""The designer's pages: scoping, creating, editing with JS off, preview, publish, import, export."""

import io
import json

import pytest
from sqlalchemy import func, select

from feedback.audit.models import AuditEvent
from feedback.extensions import db
from feedback.surveys.manage import operations, validation
from feedback.surveys.models import Response, Survey, SurveyVersion, VersionStatus
from tests.surveys.manage.helpers import post, question_form, rich_definition

BASE = "/manage/surveys"


def _survey(agency) -> Survey:
    """A committed draft survey owned by `agency`, holding the rich definition."""
    clean, problems = validation.clean_definition(rich_definition())
    assert problems == []
    survey = operations.create_survey(agency, clean)
    db.session.commit()
    return survey


def _version(survey_id: int, number: int = 1) -> SurveyVersion:
    """A version read afresh from the database."""
    db.session.expire_all()
    return db.session.scalar(select(SurveyVersion).where(SurveyVersion.survey_id == survey_id,
                                                         SurveyVersion.number == number))


def _keys(survey_id: int, number: int = 1) -> list[str]:
    """The question keys of a version, in order."""
    return [q.key for q in _version(survey_id, number).questions]


def _count(action: str) -> int:
    """How many audit events of `action` exist."""
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_only_organizers_and_admins_reach_the_designer(app, tree, client, leader_a_client, admin_client):
    assert client.get(f"{BASE}/").status_code == 302  # to the sign-in page
    assert leader_a_client.get(f"{BASE}/").status_code == 403
    assert admin_client.get(f"{BASE}/").status_code == 200


def test_organizer_sees_own_subtree_and_the_template_but_not_other_surveys(app, tree, organizer_a_client):
    own = _survey(tree.counter_a)
    other = _survey(tree.dept_b)
    template = operations.template_version()
    db.session.commit()
    page = organizer_a_client.get(f"{BASE}/?lang=en").get_data(as_text=True)
    assert f"{BASE}/{own.id}\"" in page and f"{BASE}/{template.survey_id}\"" in page
    assert f"{BASE}/{other.id}\"" not in page
    # Every page and action on B's survey answers 404, as if it did not exist.
    for url in (f"{BASE}/{other.id}", f"{BASE}/{other.id}/v/1", f"{BASE}/{other.id}/v/1/preview",
                f"{BASE}/{other.id}/v/1/export.json", f"{BASE}/{other.id}/v/1/questions/visited"):
        assert organizer_a_client.get(url).status_code == 404, url
    for url, data in ((f"{BASE}/{other.id}/v/1/publish", {}),
                      (f"{BASE}/{other.id}/v/1/questions/visited/move", {"direction": "down"}),
                      (f"{BASE}/{other.id}/v/1/questions/channel/delete", {}),
                      (f"{BASE}/{other.id}/v/1/questions/new", question_form())):
        assert post(organizer_a_client, url, data).status_code == 404, url
    assert _version(other.id).status == VersionStatus.DRAFT and len(_keys(other.id)) == 11
    # The owner agency offered when creating is limited to the organizer's subtree.
    new_page = organizer_a_client.get(f"{BASE}/new").get_data(as_text=True)
    assert f'value="{tree.counter_a.id}"' in new_page and f'value="{tree.dept_b.id}"' not in new_page
    response = post(organizer_a_client, f"{BASE}/new", {"owner": tree.dept_b.id, "start_from": "blank",
                                                        "title_vi": "Lạc chỗ"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 3


def test_create_from_the_template_then_edit_preview_publish(app, tree, organizer_a_client):
    response = post(organizer_a_client, f"{BASE}/new", {"owner": tree.dept_a.id, "start_from": "template"})
    assert response.status_code == 302
    survey = db.session.scalar(select(Survey).where(Survey.owner_agency_id == tree.dept_a.id))
    template = operations.template_version()
    assert _keys(survey.id) == [q.key for q in template.questions]
    assert _count("survey.create") == 1
    base = f"{BASE}/{survey.id}/v/1"

    response = post(organizer_a_client, f"{base}/questions/new", question_form(
        key="how_came", type="single", text_vi="Ông/Bà đến bằng cách nào?",
        choices="walk | Đi bộ | On foot\nbike | Xe máy\n", required="y"))
    assert response.status_code == 302
    added = _version(survey.id).questions[-1]
    assert added.key == "how_came" and added.required
    assert added.options == {"choices": [{"value": "walk", "label_vi": "Đi bộ", "label_en": "On foot"},
                                         {"value": "bike", "label_vi": "Xe máy", "label_en": ""}]}

    response = post(organizer_a_client, f"{base}/questions/new", question_form(
        key="walk_far", type="yesno", text_vi="Có xa không?", cond_question="how_came",
        cond_op="equals", cond_value="walk"))
    assert response.status_code == 302
    assert _version(survey.id).questions[-1].show_if == {"question": "how_came", "op": "equals",
                                                         "value": "walk"}

    preview = organizer_a_client.get(f"{base}/preview?lang=en")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert 'class="phone-frame"' in html and "<iframe" not in html
    assert 'name="q-how_came"' in html and "never stored" in html
    tried = post(organizer_a_client, f"{base}/preview?lang=en", {"q-overall": "9"})
    assert tried.status_code == 422 and "error-summary" in tried.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0

    assert post(organizer_a_client, f"{base}/publish").status_code == 302
    version = _version(survey.id)
    assert version.status == VersionStatus.PUBLISHED and version.published_at is not None
    assert _count("survey.publish") == 2  # the template's loading, then this one


def test_published_versions_refuse_every_edit(app, tree, organizer_a_client):
    survey = _survey(tree.dept_a)
    operations.publish(survey.versions[0])
    db.session.commit()
    base = f"{BASE}/{survey.id}/v/1"
    for url, data in ((f"{base}/questions/new", question_form()),
                      (f"{base}/questions/visited", question_form(key="visited", type="yesno")),
                      (f"{base}/questions/channel/delete", {}),
                      (f"{base}/questions/recommend/move", {"direction": "up"}),
                      (f"{base}/publish", {}),
                      (base, {"title_vi": "Đổi tên"})):
        response = post(organizer_a_client, f"{url}?lang=en", data)
        assert response.status_code == 409, url
        assert "is published and can no longer change" in response.get_data(as_text=True)
    assert _version(survey.id).title_vi == "Khảo sát thử “đủ loại”"
    assert organizer_a_client.get(f"{base}/questions/new").status_code == 409

    # "Edit" starts version 2 with the same keys; pressing it again opens the same draft.
    assert post(organizer_a_client, f"{BASE}/{survey.id}/draft").headers["Location"].endswith("/v/2")
    assert post(organizer_a_client, f"{BASE}/{survey.id}/draft").headers["Location"].endswith("/v/2")
    assert _keys(survey.id, 2) == _keys(survey.id, 1)
    assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 2


def test_the_template_cannot_be_edited(app, tree, organizer_a_client):
    template = operations.template_version()
    db.session.commit()
    url = f"{BASE}/{template.survey_id}/v/{template.number}/questions/new"
    assert post(organizer_a_client, url, question_form()).status_code == 403
    assert post(organizer_a_client, f"{BASE}/{template.survey_id}/draft").status_code == 403
    page = organizer_a_client.get(f"{BASE}/{template.survey_id}/v/{template.number}?lang=en")
    assert page.status_code == 200 and "Copy this template" in page.get_data(as_text=True)


def test_a_published_key_cannot_be_renamed_and_the_page_says_so(app, tree, organizer_a_client):
    survey = _survey(tree.dept_a)
    operations.publish(survey.versions[0])
    operations.next_draft(survey)
    db.session.commit()
    url = f"{BASE}/{survey.id}/v/2/questions/recommend"
    page = organizer_a_client.get(f"{url}?lang=en").get_data(as_text=True)
    assert "readonly" in page and "cannot be renamed" in page
    response = post(organizer_a_client, url, question_form(key="recommend_2", type="rating10",
                                                           text_vi="Giới thiệu?"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "cannot be renamed" in html
    assert 'value="Giới thiệu?"' in html or "Giới thiệu?" in html  # what was typed is kept
    assert "recommend" in _keys(survey.id, 2) and "recommend_2" not in _keys(survey.id, 2)


def test_bad_question_input_is_shown_with_what_was_typed(app, tree, organizer_a_client):
    survey = _survey(tree.dept_a)
    url = f"{BASE}/{survey.id}/v/1/questions/new?lang=en"
    response = post(organizer_a_client, url, question_form(
        key="Bad Key", type="multiple", text_vi="Chọn", choices="a | A\na | \nbroken | line | with | bars",
        max_choices="two", cond_question="recommend", cond_op="equals", cond_value="11"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Line 3" in html and "Please enter a whole number." in html
    assert "Bad Key" in html and "broken | line | with | bars" in html
    response = post(organizer_a_client, url, question_form(
        key="visited", type="yesno", text_vi="Trùng", cond_question="recommend", cond_op="equals",
        cond_value="11"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "used by questions 3 and 12" in html and "“11”, which is not a possible answer" in html
    assert len(_keys(survey.id)) == 11


def test_move_buttons_reorder_and_refuse_to_break_conditions(app, tree, organizer_a_client):
    survey = _survey(tree.dept_a)
    base = f"{BASE}/{survey.id}/v/1/questions"
    response = post(organizer_a_client, f"{base}/recommend/move", {"direction": "up"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#item-recommend")
    keys = _keys(survey.id)
    assert keys.index("recommend") == keys.index("problems") - 1 or keys.index("recommend") < keys.index(
        "problems")
    response = post(organizer_a_client, f"{base}/waiting/move?lang=en", {"direction": "up"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "“waiting” was not moved up" in html and "“visited”" in html
    assert _keys(survey.id) == keys
    assert post(organizer_a_client, f"{base}/waiting/move", {"direction": "sideways"}).status_code == 400
    response = post(organizer_a_client, f"{base}/visited/delete?lang=en")
    assert response.status_code == 409 and "cannot be deleted" in response.get_data(as_text=True)
    assert post(organizer_a_client, f"{base}/visit_date/delete").status_code == 302
    assert "visit_date" not in _keys(survey.id)


def test_settings_are_saved_and_bad_weights_refused(app, tree, organizer_a_client):
    survey = _survey(tree.dept_a)
    url = f"{BASE}/{survey.id}/v/1"
    data = {"title_vi": "Tên mới", "title_en": "", "intro_vi": "", "intro_en": "",
            "weight_access": "", "weight_procedure": "", "weight_staff": "2,5", "weight_result": "",
            "weight_feedback": ""}
    assert post(organizer_a_client, url, data).status_code == 302
    version = _version(survey.id)
    assert version.title_vi == "Tên mới" and version.dimension_weights == {"staff": 2.5}
    response = post(organizer_a_client, f"{url}?lang=en", data | {"weight_staff": "0", "title_vi": "X"})
    assert response.status_code == 422 and "above 0" in response.get_data(as_text=True)
    assert _version(survey.id).title_vi == "Tên mới"


def test_export_downloads_json_and_import_round_trips_exactly(app, tree, organizer_a_client):
    survey = _survey(tree.dept_a)
    response = organizer_a_client.get(f"{BASE}/{survey.id}/v/1/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    exported = response.get_data()
    assert "Khảo sát".encode() in exported
    assert _count("survey.export") == 1

    response = post(organizer_a_client, f"{BASE}/import", {
        "owner": tree.counter_a.id, "file": (io.BytesIO(exported), "survey.json"), "text": ""},
        content_type="multipart/form-data")
    assert response.status_code == 302
    imported = db.session.scalar(select(Survey).where(Survey.owner_agency_id == tree.counter_a.id))
    again = organizer_a_client.get(f"{BASE}/{imported.id}/v/1/export.json").get_data()
    assert again == exported
    assert _count("survey.import") == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("{not json", "not valid JSON (line 1"),
    ("[]", "one JSON object"),
    (json.dumps({"title_vi": "T", "questions": [{"key": "a", "type": "yesno", "text_vi": "A",
                                                 "show_if": {"question": "b", "op": "answered"}},
                                                {"key": "b", "type": "yesno", "text_vi": "B"}]}),
     "which comes after it"),
])
def test_bad_imports_are_reported_and_nothing_is_created(app, tree, organizer_a_client, text, expected):
    response = post(organizer_a_client, f"{BASE}/import?lang=en", {"owner": tree.dept_a.id, "text": text})
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0


def test_every_post_needs_the_csrf_token(app, tree, organizer_a_client):
    survey = _survey(tree.dept_a)
    base = f"{BASE}/{survey.id}/v/1"
    for url, data in ((f"{BASE}/new", {"owner": tree.dept_a.id, "start_from": "template"}),
                      (f"{base}/publish", {}), (f"{base}/questions/new", question_form()),
                      (f"{base}/questions/recommend/move", {"direction": "up"}),
                      (f"{base}/questions/visit_date/delete", {}), (f"{BASE}/{survey.id}/draft", {}),
                      (f"{BASE}/import", {"owner": tree.dept_a.id, "text": "{}"})):
        assert organizer_a_client.post(url, data=data).status_code == 400, url
    assert _version(survey.id).status == VersionStatus.DRAFT and len(_keys(survey.id)) == 11


def test_preview_shows_the_citizen_pages_and_their_conditions(app, tree, organizer_a_client):
    survey = _survey(tree.dept_a)
    html = organizer_a_client.get(f"{BASE}/{survey.id}/v/1/preview?lang=en").get_data(as_text=True)
    # Nine questions: the citizen gets two pages (at most six questions on one).
    assert "Page 1 of 2" in html and "Page 2 of 2" in html
    # A condition on the same page is live (survey.js) and written out for phones without JS.
    assert 'data-if="q-visited"' in html and "js/survey.js" in html
    assert "Answer this only if your answer to question 1 was" in html
    # Answers that fail the citizen form's checks are reported; a hidden question is skipped.
    response = post(organizer_a_client, f"{BASE}/{survey.id}/v/1/preview?lang=en",
                    {"q-visited": "no", "q-waited": "9999"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "from 0 to 600.5" in html
    response = post(organizer_a_client, f"{BASE}/{survey.id}/v/1/preview?lang=en", {"q-visited": "no"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "waiting, problems, comment" in html
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
