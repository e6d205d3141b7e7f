"""A citizen takes the survey at /s/<code>, page by page: the pages, sending it, mistakes, stale
forms, abuse. The walking helpers here are shared by the other paged-survey tests."""

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.surveys.models import Answer, Deployment, Response, ResponseFlag, ResponseScore, SurveyDraft
from feedback.surveys.tokens import read_form_token
from tests.surveys.helpers import (
    action,
    all_fours,
    deploy_default,
    fields,
    form_token,
    page_data,
    page_number,
    page_of,
    progress,
    send_page,
    vietnamese,
    walk,
)

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "feedback" / "static"
@pytest.fixture
def version(tree):
    """The default survey, live at department A."""
    return deploy_default(tree.dept_a)


def _count(model) -> int:
    """How many rows `model` has."""
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("path", ["/s/NOPE", "/s/A", "/s/NOPE/thanks"])
def test_a_code_without_a_live_survey_is_a_localized_404(client, tree, path):
    page = client.get(path)
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert '<html lang="vi">' in html
    translated = vietnamese("Page not found")
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


def test_the_first_page_shows_the_agency_progress_and_compact_likert_scales(client, version):
    page = client.get("/s/A")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert '<p class="survey-agency">Sở Tư pháp</p>' in html
    assert "Khảo sát mức độ hài lòng của người dân, tổ chức" in html
    # The bar counts pages done: none yet.
    assert '<progress class="survey-progress" max="4" value="0" aria-label="Trang 1/4">' in html
    assert "Khoảng 3 phút. 4 trang." in html  # 16 closed questions × 6 s + a comment × 30 s = 126 s
    assert "<h2>Tiếp cận dịch vụ</h2>" in html and "<h2>Công chức</h2>" not in html
    assert fields(html) == ["access_waiting_area", "access_equipment", "access_information",
                            "procedure_publicity", "procedure_documents_fees", "procedure_trips"]
    for key in fields(html):
        ids = re.findall(rf'<label class="scale-option"><input type="radio" name="q-{key}" '
                         rf'id="([^"]+)"', html)
        assert ids == [f"q-{key}-{n}" for n in "12345"], key
    assert "<table" not in html  # never a grid
    assert html.count('<span class="visually-hidden">(bắt buộc)</span>') == 6
    assert re.search(r'<input type="text" id="website" name="website" value="" tabindex="-1" '
                     r'autocomplete="off">', html)
    assert 'name="nav" value="next"' in html and 'value="back"' not in html  # nothing before page 1
    assert _count(SurveyDraft) == 0  # opening the survey writes nothing


def test_every_question_of_the_survey_is_asked_on_four_pages_cut_where_the_template_says(client, version):
    sent, seen = walk(client, "/s/A", all_fours(version))
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/s/A/thanks")
    assert [p for p, _keys in seen] == [page_of(n, 4) for n in range(1, 5)]
    asked = [key for _p, keys in seen for key in keys]
    assert asked == [q.key for q in version.questions if q.type.value not in ("section", "note")]
    assert [len(keys) for _p, keys in seen] == [6, 6, 4, 1]
    assert _count(Response) == 1 and _count(SurveyDraft) == 0


def test_pages_follow_the_citizens_language_and_ignore_code_case(client, version):
    html = client.get("/s/a?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Department of Justice" in html and "How satisfied are you with the waiting area" in html
    assert "Very dissatisfied" in html and progress(html) == "Page 1 of 4"
    assert action(html) == "/s/A"


def _weight(client, html: str) -> int:
    """Bytes of a page plus the stylesheets and scripts it links."""
    assets = re.findall(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"', html)
    return len(html.encode()) + sum((STATIC / a.removeprefix("/static/").split("?")[0]).stat().st_size
                                    for a in assets)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_fits_in_30_kb_with_its_css_and_script(client, version, lang):
    page = client.get(f"/s/A?lang={lang}")
    for _ in range(4):
        html = page.get_data(as_text=True)
        stylesheets = re.findall(r'<link rel="stylesheet" href="([^"?]+)\?v=[0-9a-f]{12}"', html)
        assert stylesheets == ["/static/css/site.css"]
        scripts = re.findall(r'<script src="([^"?]+)', html)
        assert scripts == ["/static/js/survey.js"]  # fetched pages; the page works without it
        assert _weight(client, html) <= 30 * 1024
        sent = send_page(client, html, all_fours(version))
        if "d=" not in sent.headers["Location"]:
            break
        page = client.get(sent.headers["Location"])


def test_sending_stores_the_response_its_answers_and_hand_computed_scores(client, version):
    answers = {
        "access_waiting_area": "5", "access_equipment": "4", "access_information": "2",
        "procedure_publicity": "3", "procedure_documents_fees": "3", "procedure_trips": "4",
        "staff_courtesy": "5", "staff_guidance": "5", "staff_compliance": "5",
        "result_lawful": "1", "result_accurate": "2", "result_on_time": "3",
        "feedback_channels": "na", "feedback_handling": "na", "feedback_reply": "na",
        "overall": "4", "comment": "  Nhân viên rất nhiệt tình\x00  ",
    }
    sent, _seen = walk(client, "/s/A", answers)
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
    walk(client, "/s/A", all_fours(version, feedback_channels="4", feedback_handling="na",
                                   feedback_reply="2"))
    score = db.session.scalars(select(ResponseScore).where(ResponseScore.dimension == "feedback")).one()
    assert (score.score, score.valid_answers) == (0.5, 2)


def test_mistakes_on_a_page_keep_the_citizen_there_with_answers_kept_and_linked_errors(client, version):
    first = client.get("/s/A")
    page2 = client.get(send_page(client, first.get_data(as_text=True), all_fours(version))
                       .headers["Location"]).get_data(as_text=True)
    sent = send_page(client, page2, all_fours(version, staff_courtesy="5",
                                              staff_guidance=None, staff_compliance="7"))
    assert sent.status_code == 422
    html = sent.get_data(as_text=True)
    assert _count(Response) == 0 and _count(Answer) == 0
    assert progress(html) and page_number(html) == 2
    start = html.index('class="error-summary"')
    summary = html[start:html.index("</ul>", start)]
    targets = re.findall(r'<a href="#([^"]+)">', summary)
    assert targets == ["q-staff_guidance-1", "q-staff_compliance-1"]
    for target in targets:
        assert f'id="{target}"' in html  # every link lands on a field of this page
    assert "Câu 8: Vui lòng trả lời câu hỏi này." in summary  # numbers run across pages
    assert re.search(r'<fieldset class="question has-error" aria-describedby="q-staff_guidance'
                     r'-error" aria-invalid="true">', html)
    assert 'id="q-staff_courtesy-5" value="5" checked>' in html
    assert "<title>Lỗi: " in html
    # Fixed, it moves on; the first page's answers are still in the draft.
    fixed = send_page(client, html, all_fours(version))
    assert fixed.status_code == 303 and "p=3" in fixed.headers["Location"]
    draft = db.session.scalars(select(SurveyDraft)).one()
    assert draft.answers["q-access_waiting_area"] == ["4"] and draft.answers["q-staff_compliance"] == ["4"]


@pytest.mark.parametrize("token", ["expired", "forged", "missing", "other-deployment"])
def test_a_stale_or_forged_form_token_re_renders_with_answers_kept(app, client, version, tree, token):
    answers = all_fours(version)
    first = client.get("/s/A").get_data(as_text=True)
    page2 = client.get(send_page(client, first, answers).headers["Location"]).get_data(as_text=True)
    original = form_token(page2)
    data = page_data(page2, {**answers, "staff_compliance": "2"})
    if token == "expired":
        app.config["SURVEY_FORM_MAX_AGE"] = -1
    elif token == "forged":
        data["token"] = original[:-4] + "AAAA"
    elif token == "missing":
        del data["token"]
    else:
        deploy_default(tree.dept_a)  # the survey was redeployed while the citizen was typing
    sent = client.post(action(page2), data=data)
    assert sent.status_code == 400
    html = sent.get_data(as_text=True)
    assert 'class="notice notice-error" role="alert"' in html
    assert 'id="q-staff_compliance-2" value="2" checked>' in html
    assert page_number(html) == 2
    assert _count(Response) == 0
    fresh = form_token(html)
    app.config["SURVEY_FORM_MAX_AGE"] = 3600
    live = db.session.scalars(select(Deployment).where(Deployment.status == "active")).one()
    key = app.config["SECRET_KEY"]
    assert read_form_token(key, fresh, live.id, 3600).valid
    if token in ("expired", "other-deployment"):  # a genuine token's start and draft carry over
        old = read_form_token(key, original, 0, 10**9)
        assert read_form_token(key, fresh, live.id, 3600).started_at == old.started_at
        assert read_form_token(key, fresh, live.id, 3600).draft_id == old.draft_id
    resent = client.post(action(html), data={**data, "token": fresh})
    assert resent.status_code == 303 and "p=3" in resent.headers["Location"]
    sent, _seen = walk(client, resent.headers["Location"], answers)
    assert sent.status_code == 303 and _count(Response) == 1
    # Page 1 came from the draft, named by the token or, when it is unusable, by the address.
    assert {a.question_key for a in db.session.scalars(select(Answer))} == set(answers)


def test_filled_honeypot_on_any_page_is_stored_flagged_and_thanked_all_the_same(client, version):
    first = client.get("/s/A").get_data(as_text=True)
    nxt = send_page(client, first, all_fours(version), website="http://spam.example")
    sent, _seen = walk(client, nxt.headers["Location"], all_fours(version))
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/s/A/thanks")
    response = db.session.scalars(select(Response)).one()
    assert response.flags == ResponseFlag.HONEYPOT and response.excluded
    assert len(response.answers) == 16 and response.scores


def test_too_fast_is_stored_flagged(app, client, version):
    app.config["SURVEY_MIN_SECONDS"] = 3600
    assert walk(client, "/s/A", all_fours(version))[0].status_code == 303
    response = db.session.scalars(select(Response)).one()
    assert response.flags == ResponseFlag.TOO_FAST and response.excluded


def test_over_the_daily_limit_from_one_client_is_stored_flagged(app, client, version):
    app.config["SURVEY_CLIENT_DAILY_LIMIT"] = 2
    for _ in range(3):
        assert walk(app.test_client(), "/s/A", all_fours(version))[0].status_code == 303
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert walk(other, "/s/A", all_fours(version))[0].status_code == 303
    rows = list(db.session.scalars(select(Response).order_by(Response.id)))
    assert [r.flags for r in rows] == [0, 0, ResponseFlag.RATE_LIMITED, 0]
    assert [r.excluded for r in rows] == [False, False, True, False]


def test_the_citizen_may_say_which_service_they_used_on_the_first_page(client, version):
    deployment = db.session.scalars(select(Deployment)).one()
    deployment.services = [{"code": "HT01", "name_vi": "Đăng ký khai sinh", "name_en": "Birth registration"}]
    db.session.commit()
    html = client.get("/s/A").get_data(as_text=True)
    assert '<input type="radio" name="service" id="service-1" value="HT01">Đăng ký khai sinh' in html
    wrong = send_page(client, html, all_fours(version), service="XX")
    assert wrong.status_code == 422 and 'href="#service-1"' in wrong.get_data(as_text=True)
    right = send_page(client, wrong.get_data(as_text=True), all_fours(version), service="HT01")
    page2 = client.get(right.headers["Location"]).get_data(as_text=True)
    assert 'name="service"' not in page2
    sent, _seen = walk(client, right.headers["Location"], all_fours(version))
    assert sent.status_code == 303
    assert db.session.scalars(select(Response)).one().service == "HT01"


def test_no_input_ever_causes_a_server_error(client, version):
    html = client.get("/s/A").get_data(as_text=True)
    token = form_token(html)
    nasty = [
        {},
        {"token": token, "q-access_waiting_area": ["1", "5", "na"], "page": "99999999999999"},
        {"token": token, "page": "-3", "nav": "back", "q-comment": "\x00" * 5000},
        {"token": ["a", "b"], "website": "x" * 10000, "page": "x"},
        {"token": token, "nav": "sideways", "page": "6", "q-overall": "4"},
    ]
    for data in nasty:
        status = client.post("/s/A", data=data).status_code
        assert status in (303, 400, 422), data
    for query in ("?d=nope&p=3", "?d=" + "x" * 500, "?p=abc", "?p=-1", "?d=&p=999"):
        assert client.get("/s/A" + query).status_code == 200, query
    raw = f"token={token}&q-overall=%FF%FE&q-comment=%C0%80".encode()
    for body, kind in ((raw, "application/x-www-form-urlencoded"), (b"\xff" * 100, "application/json")):
        status = client.post("/s/A", data=body, content_type=kind).status_code
        assert status in (303, 400, 422), body
