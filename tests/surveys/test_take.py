"""A citizen takes the survey at /s/<code>: the page, sending it, mistakes, stale forms, abuse."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.surveys.models import Answer, Deployment, Response, ResponseFlag, ResponseScore
from feedback.surveys.tokens import read_form_token
from tests.surveys.helpers import deploy_default, filled_form, form_token, likert_keys

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "feedback" / "static" / "css" / "site.css"


@pytest.fixture
def version(tree):
    """The default survey, live at department A."""
    return deploy_default(tree.dept_a)


def _count(model) -> int:
    """How many rows `model` has."""
    return db.session.scalar(select(func.count()).select_from(model))


def _vietnamese(msgid: str) -> str | None:
    """The Vietnamese catalog's translation of `msgid`, if it has one yet."""
    with open(ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po", "rb") as po:
        message = read_po(po, locale="vi").get(msgid)
    return message.string if message is not None and message.string else None


def _send(client, version, path="/s/A", **overrides):
    """Open the survey, then send it filled in (overrides as in filled_form)."""
    token = form_token(client.get(path).get_data(as_text=True))
    return client.post(path, data=filled_form(version, token, **overrides))


@pytest.mark.parametrize("path", ["/s/NOPE", "/s/A", "/s/NOPE/thanks"])
def test_a_code_without_a_live_survey_is_a_localized_404(client, tree, path):
    page = client.get(path)
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert '<html lang="vi">' in html
    translated = _vietnamese("Page not found")
    if translated:
        assert translated in html
    english = client.get(path + "?lang=en")
    assert english.status_code == 404 and "Page not found" in english.get_data(as_text=True)


def test_paused_and_code_only_surveys_are_not_open_at_the_public_link(client, tree):
    deploy_default(tree.dept_a)
    deployment = db.session.scalars(select(Deployment)).one()
    deployment.status = "paused"
    db.session.commit()
    assert client.get("/s/A").status_code == 404
    assert client.post("/s/A", data={"token": "x"}).status_code == 404


def test_survey_page_shows_the_agency_and_big_vertical_likert_choices(client, version):
    page = client.get("/s/A")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert '<p class="survey-agency">Sở Tư pháp</p>' in html
    assert "Khảo sát mức độ hài lòng của người dân, tổ chức" in html
    assert "<h2>Tiếp cận dịch vụ</h2>" in html and "<h2>Công chức</h2>" in html
    assert "nơi ngồi chờ tại Bộ phận tiếp nhận và trả kết quả" in html
    likert = likert_keys(version)
    assert len(re.findall(r'<fieldset class="question"[ >]', html)) == len(likert) == 16
    assert html.count('<fieldset class="question" aria-describedby="q-feedback_') == 3  # their help
    for key in likert:
        ids = re.findall(rf'<label class="choice[^"]*"><input type="radio" name="q-{key}" id="([^"]+)"', html)
        expected = [f"q-{key}-{n}" for n in "12345"]
        assert ids == expected + ([f"q-{key}-na"] if key.startswith("feedback") else []), key
    assert html.count('class="choice choice-na"') == 3
    assert "<table" not in html  # never a grid
    assert 'id="q-comment" name="q-comment"' in html and 'maxlength="1000"' in html
    assert html.count('<span class="visually-hidden">(bắt buộc)</span>') == 16
    assert re.search(r'<input type="text" id="website" name="website" value="" tabindex="-1" '
                     r'autocomplete="off">', html)
    assert "Để trống ô này" in html


def test_survey_page_follows_the_citizens_language_and_ignores_code_case(client, version):
    html = client.get("/s/a?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Department of Justice" in html and "How satisfied are you with the waiting area" in html
    assert "Very dissatisfied" in html and "Not applicable" in html
    assert 'action="/s/A"' in html


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_page_loads_no_script_and_fits_in_30_kb_with_its_css(client, version, lang):
    page = client.get(f"/s/A?lang={lang}")
    html = page.data
    assert b"<script" not in html.lower()
    assert re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html) == [b"/static/css/site.css"]
    assert len(html) + CSS.stat().st_size <= 30 * 1024, (len(html), CSS.stat().st_size)


def test_sending_stores_the_response_its_answers_and_hand_computed_scores(client, version):
    answers = {
        "access_waiting_area": "5", "access_equipment": "4", "access_information": "2",
        "procedure_publicity": "3", "procedure_documents_fees": "3", "procedure_trips": "4",
        "staff_courtesy": "5", "staff_guidance": "5", "staff_compliance": "5",
        "result_lawful": "1", "result_accurate": "2", "result_on_time": "3",
        "feedback_channels": "na", "feedback_handling": "na", "feedback_reply": "na",
        "overall": "4", "comment": "  Nhân viên rất nhiệt tình\x00  ",
    }
    sent = _send(client, version, **answers)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/s/A/thanks")
    response = db.session.scalars(select(Response)).one()
    assert (response.flags, response.excluded, response.locale, response.channel.value) == (
        0, False, "vi", "open")
    assert response.agency.code == "A" and response.deployment_id is not None
    assert response.version_id == version.id and response.started_at <= response.submitted_at
    assert len(response.client_hash) == 64 and "127.0.0.1" not in response.client_hash
    stored = {a.question_key: a for a in response.answers}
    assert set(stored) == set(answers)
    assert stored["access_waiting_area"].number == 5 and stored["overall"].number == 4
    assert stored["feedback_reply"].not_applicable and stored["feedback_reply"].number is None
    assert stored["comment"].text == "Nhân viên rất nhiệt tình"
    scores = {s.dimension: (round(s.score, 6), s.valid_answers, s.weight) for s in response.scores}
    assert scores == {
        "access": (round(2 / 3, 6), 3, 1.0),      # 5, 4 of 5, 4, 2
        "procedure": (round(1 / 3, 6), 3, 1.0),   # 4 of 3, 3, 4
        "staff": (1.0, 3, 1.0),
        "result": (0.0, 3, 1.0),
        # feedback: only "not applicable", so no row at all
    }

    thanks = client.get(sent.headers["Location"])
    assert thanks.status_code == 200 and "Sở Tư pháp" in thanks.get_data(as_text=True)
    assert 'href="/"' in thanks.get_data(as_text=True)


def test_not_applicable_is_left_out_of_the_denominator(client, version):
    _send(client, version, feedback_channels="4", feedback_handling="na", feedback_reply="2")
    score = db.session.scalars(select(ResponseScore).where(ResponseScore.dimension == "feedback")).one()
    assert (score.score, score.valid_answers) == (0.5, 2)


def test_mistakes_re_render_the_form_with_every_answer_kept_and_linked_errors(client, version):
    long_comment = "Góp ý " * 200  # 1,200 characters, over the 1,000 allowed
    sent = _send(client, version, value="4", access_waiting_area="5", access_equipment=None,
                 access_information="na", staff_courtesy="7", result_lawful="<b>x</b>",
                 comment=long_comment)
    assert sent.status_code == 422
    html = sent.get_data(as_text=True)
    assert _count(Response) == 0 and _count(Answer) == 0
    start = html.index('class="error-summary"')
    summary = html[start:html.index("</ul>", start)]
    targets = re.findall(r'<a href="#([^"]+)">', summary)
    assert targets == ["q-access_equipment-1", "q-access_information-1", "q-staff_courtesy-1",
                       "q-result_lawful-1", "q-comment"]
    for target in targets:
        assert f'id="{target}"' in html  # every link lands on a field
    assert "Câu 2: Vui lòng trả lời câu hỏi này." in summary
    # In place, next to the question, and tied to it for screen readers.
    assert re.search(r'<fieldset class="question has-error" aria-describedby="q-access_equipment-error" '
                     r'aria-invalid="true">', html)
    assert '<p class="field-error" id="q-access_equipment-error">' in html
    assert re.search(r'<textarea id="q-comment" name="q-comment" aria-describedby="q-comment-hint '
                     r'q-comment-error" aria-invalid="true"', html)
    # Every answer is still there.
    assert 'id="q-access_waiting_area-5" value="5" checked>' in html
    assert 'id="q-procedure_trips-4" value="4" checked>' in html
    assert html.count(" checked>") == 16 - 4
    assert long_comment.strip() in html
    assert "<b>x</b>" not in html
    assert form_token(html)
    assert "<title>Lỗi: " in html


def test_answers_can_be_fixed_and_sent_after_a_mistake(client, version):
    first = _send(client, version, overall=None)
    assert first.status_code == 422
    token = form_token(first.get_data(as_text=True))
    again = client.post("/s/A", data=filled_form(version, token))
    assert again.status_code == 303 and _count(Response) == 1


@pytest.mark.parametrize("token", ["expired", "forged", "missing", "other-deployment"])
def test_a_stale_or_forged_form_token_re_renders_with_answers_kept(app, client, version, tree, token):
    page = client.get("/s/A").get_data(as_text=True)
    original = form_token(page)
    data = filled_form(version, original, staff_guidance="2", comment="Giữ lại nhé")
    if token == "expired":
        app.config["SURVEY_FORM_MAX_AGE"] = -1
    elif token == "forged":
        data["token"] = original[:-4] + "AAAA"
    elif token == "missing":
        del data["token"]
    else:
        deploy_default(tree.dept_a)  # the survey was redeployed while the citizen was typing
    sent = client.post("/s/A", data=data)
    assert sent.status_code == 400
    html = sent.get_data(as_text=True)
    assert 'class="notice notice-error" role="alert"' in html
    assert "câu trả lời chưa được gửi" in html
    assert 'id="q-staff_guidance-2" value="2" checked>' in html and "Giữ lại nhé" in html
    assert _count(Response) == 0
    fresh = form_token(html)
    app.config["SURVEY_FORM_MAX_AGE"] = 3600
    live = db.session.scalars(select(Deployment).where(Deployment.status == "active")).one()
    key = app.config["SECRET_KEY"]
    assert read_form_token(key, fresh, live.id, 3600).valid
    if token in ("expired", "other-deployment"):  # a genuine token's start time is carried over
        assert (read_form_token(key, fresh, live.id, 3600).started_at
                == read_form_token(key, original, 0, 10**9).started_at)
    resent = client.post("/s/A", data={**data, "token": fresh})
    assert resent.status_code == 303 and _count(Response) == 1


def test_filled_honeypot_is_stored_flagged_and_thanked_all_the_same(client, version):
    token = form_token(client.get("/s/A").get_data(as_text=True))
    sent = client.post("/s/A", data={**filled_form(version, token), "website": "http://spam.example"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/s/A/thanks")
    response = db.session.scalars(select(Response)).one()
    assert response.flags == ResponseFlag.HONEYPOT and response.excluded
    assert len(response.answers) == 16 and response.scores


def test_too_fast_is_stored_flagged(app, client, version):
    app.config["SURVEY_MIN_SECONDS"] = 3600
    assert _send(client, version).status_code == 303
    response = db.session.scalars(select(Response)).one()
    assert response.flags == ResponseFlag.TOO_FAST and response.excluded


def test_over_the_daily_limit_from_one_client_is_stored_flagged(app, client, version):
    app.config["SURVEY_CLIENT_DAILY_LIMIT"] = 2
    for _ in range(3):
        assert _send(client, version).status_code == 303
    other = app.test_client()
    token = form_token(other.get("/s/A").get_data(as_text=True))
    other.post("/s/A", data=filled_form(version, token), environ_base={"REMOTE_ADDR": "203.0.113.9"})
    flags = [r.flags for r in db.session.scalars(select(Response).order_by(Response.id))]
    assert flags == [0, 0, ResponseFlag.RATE_LIMITED, 0]
    assert [r.excluded for r in db.session.scalars(select(Response).order_by(Response.id))] == [
        False, False, True, False]


def test_the_citizen_may_say_which_service_they_used(client, version):
    deployment = db.session.scalars(select(Deployment)).one()
    deployment.services = [{"code": "HT01", "name_vi": "Đăng ký khai sinh", "name_en": "Birth registration"}]
    db.session.commit()
    html = client.get("/s/A").get_data(as_text=True)
    assert '<input type="radio" name="service" id="service-1" value="HT01">Đăng ký khai sinh' in html
    token = form_token(html)
    wrong = client.post("/s/A", data={**filled_form(version, token), "service": "XX"})
    assert wrong.status_code == 422 and 'href="#service-1"' in wrong.get_data(as_text=True)
    right = client.post("/s/A", data={**filled_form(version, token), "service": "HT01"})
    assert right.status_code == 303
    assert db.session.scalars(select(Response)).one().service == "HT01"


def test_no_input_ever_causes_a_server_error(client, version):
    token = form_token(client.get("/s/A").get_data(as_text=True))
    nasty = [
        {},
        {"token": token, "q-overall": ["1", "5", "na"], "q-comment": "\x00" * 5000},
        {"token": ["a", "b"], "website": "x" * 10000},
    ]
    for data in nasty:
        status = client.post("/s/A", data=data).status_code
        assert status in (303, 400, 422), data
    # Bytes that are not UTF-8, and a body that is not a form at all.
    raw = f"token={token}&q-overall=%FF%FE&q-comment=%C0%80".encode()
    for body, kind in ((raw, "application/x-www-form-urlencoded"), (b"\xff" * 100, "application/json")):
        status = client.post("/s/A", data=body, content_type=kind).status_code
        assert status in (400, 422), body
