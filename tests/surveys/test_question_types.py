"""Every question type renders, keeps its answer across a re-render, and is stored when valid."""

import re

from sqlalchemy import select

from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.models import Response, Survey, SurveyVersion, VersionStatus
from feedback.surveys.services import deploy
from tests.surveys.helpers import action, form_token, questions


def _deploy_every_type(agency) -> SurveyVersion:
    """A published custom survey using every question type and show-if, live at `agency`."""
    version = SurveyVersion(survey=Survey(key="custom"), number=1, status=VersionStatus.PUBLISHED,
                            published_at=utcnow(), title_vi="Khảo sát thử", title_en="Test survey")
    for position, question in enumerate(questions()):
        question.position = position
        question.help_vi = question.help_en = ""
        question.required = bool(question.required)
        question.allow_na = bool(question.allow_na)
        question.options = question.options or {}
        version.questions.append(question)
    db.session.add(version)
    deploy(version, agency)
    db.session.commit()
    return version


def test_every_type_renders_and_keeps_its_answer_after_a_mistake(client, tree):
    _deploy_every_type(tree.dept_b)
    html = client.get("/s/B?lang=en").get_data(as_text=True)
    assert "Page 1 of 2" in html  # nine questions: six, then three
    assert "<h2>intro</h2>" in html
    assert 'id="q-visited-yes" value="yes">Yes' in html and 'id="q-visited-no" value="no">No' in html
    assert 'type="checkbox" name="q-what_went_wrong" id="q-what_went_wrong-3" value="fees">Fees' in html
    assert "Choose up to 2." in html
    assert 'id="q-channel-2" value="online">Trực tuyến' in html  # no English label: Vietnamese
    assert re.search(r'<input type="text" id="q-why_not" name="q-why_not" '
                     r'aria-describedby="q-why_not-cond"', html)
    assert 'id="q-why_not-cond">Answer this only if your answer to question 1 was “No”.' in html
    # Conditions on this page are also shown and hidden live by survey.js.
    assert '<div class="question" data-if="q-visited" data-op="equals" data-val=\'["no"]\'' in html
    assert 'data-if="q-rating" data-op="in" data-val=\'["1", "2"]\'' in html
    assert len(re.findall(r'<script src="/static/js/survey.js\?v=[0-9a-f]{12}" defer></script>', html)) == 1

    data = {"token": form_token(html), "page": "1", "q-visited": "yes", "q-rating": "1",
            "q-what_went_wrong": ["slow", "rude"], "q-detail": "Chờ\nlâu", "q-channel": "online",
            "q-why_not": "kept"}
    sent = client.post("/s/B?lang=en", data=data)
    assert sent.status_code == 303
    page2 = client.get(sent.headers["Location"]).get_data(as_text=True)
    # The only script is the form's own (pages sent with fetch, issue 16); nothing from elsewhere.
    scripts = re.findall(r"<script[^>]*>", page2)
    assert "Page 2 of 2" in page2 and len(scripts) == 1 and 'src="/static/js/survey.js' in scripts[0]
    # Eleven compact targets in two rows; which end is which is said once, above them.
    assert 'id="q-recommend-0" value="0"><span>0</span>' in page2
    assert 'id="q-recommend-10" value="10"><span>10</span>' in page2
    assert "0 is the lowest, 10 the highest." in page2
    assert re.search(r'<input type="text" inputmode="decimal" id="q-waited" name="q-waited"', page2)
    assert '<input type="date" id="q-visit_date" name="q-visit_date"' in page2
    data2 = {"token": form_token(page2), "page": "2", "q-recommend": "10", "q-waited": "abc",
             "q-visit_date": "2026-03-01"}
    sent = client.post(sent.headers["Location"], data=data2)
    assert sent.status_code == 422
    kept = sent.get_data(as_text=True)
    assert 'href="#q-waited">Question 8: Please enter a number, for example 12 or 3.5.' in kept
    assert 'id="q-recommend-10" value="10" checked' in kept
    assert 'value="abc"' in kept and 'value="2026-03-01"' in kept

    back = client.post(action(kept), data={**data2, "nav": "back", "token": form_token(kept)})
    page1 = client.get(back.headers["Location"]).get_data(as_text=True)
    for checked in ('id="q-visited-yes" value="yes" checked', 'id="q-rating-1" value="1" checked',
                    'id="q-what_went_wrong-1" value="slow" checked',
                    'id="q-what_went_wrong-2" value="rude" checked',
                    'id="q-channel-2" value="online" checked'):
        assert checked in page1, checked
    assert ">\nChờ\nlâu</textarea>" in page1
    assert 'value="kept"' not in page1  # hidden (visited = yes): dropped, even from the draft

    again = client.post(back.headers["Location"], data={**data, "token": form_token(page1)})
    page2 = client.get(again.headers["Location"]).get_data(as_text=True)
    assert 'value="abc"' in page2  # what was typed on page 2 before going back
    sent = client.post(again.headers["Location"],
                       data={**data2, "q-waited": "12,5", "token": form_token(page2)})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/thanks")
    response = db.session.scalars(select(Response)).one()
    stored = {a.question_key: (a.number, a.text, a.choices) for a in response.answers}
    assert stored == {
        "visited": (1.0, "yes", None), "rating": (1.0, None, None),
        "what_went_wrong": (None, None, ["slow", "rude"]), "detail": (None, "Chờ\nlâu", None),
        "channel": (None, "online", None), "recommend": (10.0, None, None),
        "waited": (12.5, None, None), "visit_date": (None, "2026-03-01", None),
    }  # "why_not" was hidden (visited = yes), so it is not stored
    assert response.scores == []  # the Likert question has no dimension
