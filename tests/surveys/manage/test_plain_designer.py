"""The designer in a civil servant's language: keys made from the text, choices in plain lines,
English optional and flagged when missing, the type chosen first, no internal tokens on the page."""

from feedback.core.text import slugify, unique_slug
from feedback.extensions import db
from feedback.surveys.manage import forms as manage_forms
from feedback.surveys.manage import operations
from tests.surveys.manage.helpers import post, question_form
from tests.surveys.manage.test_designer_views import BASE, _keys, _survey, _version


def test_slug_is_ascii_words_of_the_vietnamese_cut_at_a_word():
    assert slugify("Đăng ký khai sinh") == "dang_ky_khai_sinh"
    assert slugify("Thái độ của công chức?") == "thai_do_cua_cong_chuc"
    assert slugify("Ông/Bà có hài lòng với thái độ của công chức khi tiếp nhận hồ sơ không?") == \
        "ong_ba_co_hai_long_voi_thai_do_cua_cong"
    assert slugify("???") == "item"
    assert unique_slug("a", {"a", "a_2"}) == "a_3"


def test_plain_choice_lines_get_codes_and_english_in_order(app):
    choices, errors = manage_forms.parse_choice_lines(
        "Tại quầy\nTrực tuyến\nTại quầy\nportal | Cổng dịch vụ công | Portal", "At the counter\n\nTwice")
    assert errors == []
    assert choices == [
        {"value": "tai_quay", "label_vi": "Tại quầy", "label_en": "At the counter"},
        {"value": "truc_tuyen", "label_vi": "Trực tuyến", "label_en": ""},
        {"value": "tai_quay_2", "label_vi": "Tại quầy", "label_en": "Twice"},
        {"value": "portal", "label_vi": "Cổng dịch vụ công", "label_en": "Portal"}]
    # Plain choices come back as plain lines; a line that keeps its label keeps its stored value.
    plain = choices[:2]
    assert manage_forms.format_choice_lines(plain) == ("Tại quầy\nTrực tuyến", "At the counter")
    kept, _errors = manage_forms.parse_choice_lines("Trực tuyến\nMới", "", [
        {"value": "online", "label_vi": "Trực tuyến", "label_en": ""}])
    assert [c["value"] for c in kept] == ["online", "moi"]
    _choices, errors = manage_forms.parse_choice_lines("Một", "One\nTwo")
    assert errors and "more English lines" in errors[0]


def test_key_is_made_from_the_text_unique_and_frozen_once_published(app, tree, organizer_a_client):
    survey = _survey(tree.dept_a)
    url = f"{BASE}/{survey.id}/v/1/questions/new"
    for _n in range(2):
        response = post(organizer_a_client, url, question_form(key="", text_vi="Thái độ công chức"))
        assert response.status_code == 302
    keys = _keys(survey.id)
    assert keys[-2:] == ["thai_do_cong_chuc", "thai_do_cong_chuc_2"]
    # A key typed in Vietnamese under "Advanced" becomes its ASCII words, not a refusal.
    response = post(organizer_a_client, url, question_form(key="Thời gian chờ", text_vi="Chờ lâu?"))
    assert response.status_code == 302 and _keys(survey.id)[-1] == "thoi_gian_cho"
    # Editing with the key left empty keeps the key.
    edit = f"{BASE}/{survey.id}/v/1/questions/thai_do_cong_chuc"
    response = post(organizer_a_client, edit, question_form(key="", text_vi="Thái độ của cán bộ"))
    assert response.status_code == 302 and "thai_do_cong_chuc" in _keys(survey.id)
    operations.publish(_version(survey.id))
    draft = operations.next_draft(_version(survey.id).survey)
    db.session.commit()
    edit = f"{BASE}/{survey.id}/v/{draft.number}/questions/thai_do_cong_chuc"
    assert 'readonly' in organizer_a_client.get(edit).get_data(as_text=True)
    response = post(organizer_a_client, edit + "?lang=en", question_form(key="renamed", text_vi="Thái độ"))
    assert response.status_code == 422 and "cannot be renamed" in response.get_data(as_text=True)


def test_type_is_chosen_first_then_only_its_settings_are_shown(app, tree, organizer_a_client):
    survey = _survey(tree.dept_a)
    url = f"{BASE}/{survey.id}/v/1/questions/new"
    html = organizer_a_client.get(url + "?lang=vi").get_data(as_text=True)
    assert 'method="get"' in html and 'name="type" value="yesno"' in html and 'name="text_vi"' not in html
    html = organizer_a_client.get(url + "?type=single&lang=vi").get_data(as_text=True)
    assert 'name="choices"' in html and 'name="choices_en"' in html
    for other in ("max_choices", "min_value", "max_length", "allow_na", "dimension"):
        assert f'name="{other}"' not in html
    html = organizer_a_client.get(url + "?type=number").get_data(as_text=True)
    assert 'name="min_value"' in html and 'name="choices"' not in html
    html = organizer_a_client.get(url + "?type=section").get_data(as_text=True)
    assert 'name="required"' not in html and 'name="cond_question"' not in html
    # A posted plain-line choice question is stored with generated values.
    response = post(organizer_a_client, url, question_form(
        key="", type="single", text_vi="Ông/Bà nộp hồ sơ ở đâu?", choices="Tại quầy\nTrực tuyến",
        dimension=None))
    assert response.status_code == 302
    question = _version(survey.id).questions[-1]
    assert question.key == "ong_ba_nop_ho_so_o_dau"
    assert [c["value"] for c in question.options["choices"]] == ["tai_quay", "truc_tuyen"]
    assert organizer_a_client.get(url + "?type=bogus").status_code == 200  # the chooser again
    # An existing question: "Change the type" shows the chooser, then the form of the new type.
    edit = f"{BASE}/{survey.id}/v/1/questions/{question.key}"
    html = organizer_a_client.get(edit + "?choose=type&type=single").get_data(as_text=True)
    assert 'name="type" value="single" checked' in html and 'name="text_vi"' not in html
    html = organizer_a_client.get(edit + "?type=multiple").get_data(as_text=True)
    assert 'name="max_choices"' in html and "Tại quầy" in html
    assert post(organizer_a_client, url, question_form(type="bogus")).status_code == 400


def test_yes_no_condition_is_typed_as_co_khong(app, tree, organizer_a_client):
    survey = _survey(tree.dept_a)
    url = f"{BASE}/{survey.id}/v/1/questions/new"
    response = post(organizer_a_client, url, question_form(
        key="", text_vi="Vì sao?", type="long_text", cond_question="visited", cond_value="Có"))
    assert response.status_code == 302
    question = _version(survey.id).questions[-1]
    assert question.show_if == {"question": "visited", "op": "equals", "value": "yes"}
    html = organizer_a_client.get(f"{BASE}/{survey.id}/v/1/questions/{question.key}?lang=vi").get_data(
        as_text=True)
    assert 'value="Có"' in html


def test_draft_page_names_dimensions_and_flags_missing_english(app, tree, organizer_a_client):
    survey = _survey(tree.dept_a)
    html = organizer_a_client.get(f"{BASE}/{survey.id}/v/1?lang=vi").get_data(as_text=True)
    assert "tiêu chí: Tiếp cận dịch vụ" in html and "tiêu chí: access" not in html
    assert "<code>" not in html
    assert "Thiếu tiếng Anh" in html
    html = organizer_a_client.get(f"{BASE}/{survey.id}/v/1?lang=en").get_data(as_text=True)
    assert "English missing: text" in html and "1 choice" in html


def test_english_readers_see_the_vietnamese_where_english_is_missing(app, tree, organizer_a_client):
    survey = _survey(tree.dept_a)
    html = organizer_a_client.get(f"{BASE}/{survey.id}/v/1/preview?lang=en").get_data(as_text=True)
    assert "At the counter" in html and "Trực tuyến" in html  # the choice without English
    assert "Câu note_1" in html  # the note without English text
