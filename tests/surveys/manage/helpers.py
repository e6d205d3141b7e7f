"""Shared builders for the designer tests: a definition using every type, and form posting."""

import copy

from tests.conftest import csrf_token

CHOICES = [{"value": "counter", "label_vi": "Tại quầy", "label_en": "At the counter"},
           {"value": "online", "label_vi": "Trực tuyến", "label_en": ""}]


def question(key, kind, **fields) -> dict:
    """A question dictionary with every field, as an export writes it."""
    base = {"key": key, "type": kind, "text_vi": f"Câu {key}", "text_en": f"Question {key}",
            "help_vi": "", "help_en": "", "required": False, "dimension": None, "allow_na": False,
            "options": {}, "show_if": None}
    base.update(fields)
    return base


def rich_definition() -> dict:
    """A definition with every question type, weights and conditions of each kind."""
    return copy.deepcopy({
        "format": "lang-nghe-survey",
        "format_version": 1,
        "title_vi": "Khảo sát thử “đủ loại”",
        "title_en": "Every-type test survey",
        "intro_vi": "Giới thiệu.\nDòng hai.",
        "intro_en": "",
        "dimension_weights": {"access": 2, "staff": 1.5},
        "questions": [
            question("intro", "section", dimension="access"),
            question("note_1", "note", text_en=""),
            question("visited", "yesno", required=True),
            question("waiting", "likert5", dimension="access", allow_na=True, required=True,
                     help_vi="Gợi ý", help_en="Hint",
                     show_if={"question": "visited", "op": "equals", "value": "yes"}),
            question("channel", "single", options={"choices": CHOICES}),
            question("problems", "multiple", options={"choices": CHOICES + [
                {"value": "fees", "label_vi": "Phí", "label_en": "Fees"}], "max_choices": 2},
                show_if={"question": "waiting", "op": "in", "value": ["1", "2"]}),
            question("recommend", "rating10"),
            question("name_hint", "short_text", options={"max_length": 50}),
            question("comment", "long_text", options={"max_length": 500},
                     show_if={"question": "problems", "op": "answered"}),
            question("waited", "number", options={"min": 0, "max": 600.5}),
            question("visit_date", "date"),
        ],
    })


def post(client, url: str, data: dict | None = None, *, token_page: str = "/manage/surveys/new", **kwargs):
    """POST `data` to `url` with a valid CSRF token taken from `token_page`."""
    token = csrf_token(client.get(token_page).get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)


def question_form(**overrides) -> dict:
    """The fields of the add/edit question form, for a plain Likert question unless overridden."""
    data = {"key": "new_q", "type": "likert5", "text_vi": "Câu hỏi mới", "text_en": "", "help_vi": "",
            "help_en": "", "dimension": "", "choices": "", "max_choices": "", "max_length": "",
            "min_value": "", "max_value": "", "cond_question": "", "cond_op": "equals",
            "cond_value": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
