"""The survey as survey.js drives it (each page posted with fetch, the next page sent back alone by
the same view), designer page breaks, the new SIPAS version, and the time the first page promises."""

import json
from datetime import timedelta

from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys import services, timing
from feedback.surveys.drafts import split_pages
from feedback.surveys.frozen import frozen_version
from feedback.surveys.models import QuestionType, Response, SurveyVersion
from feedback.surveys.services import load_default_survey
from tests.surveys.helpers import all_fours, deploy_default, fields, page_data, q

FRAGMENT = {"X-Survey-Fragment": "1"}
S, L, T = QuestionType.SECTION, QuestionType.LIKERT5, QuestionType.LONG_TEXT


def test_a_fetched_page_gets_the_next_page_alone_without_a_redirect(client, tree):
    version = deploy_default(tree.dept_a)
    html = client.get("/s/A").get_data(as_text=True)
    sent = client.post("/s/A", data=page_data(html, all_fours(version)), headers=FRAGMENT)
    assert sent.status_code == 200 and sent.headers["X-Survey-Fragment"] == "1"
    assert sent.headers["Cache-Control"] == "no-store"
    page2 = sent.get_data(as_text=True)
    assert page2.lstrip().startswith("<div id=\"survey-page\"") and "<html" not in page2
    assert 'data-url="/s/A?d=' in page2 and "p=2" in page2  # what survey.js pushes in history
    assert '<h1 class="survey-line" tabindex="-1">' in page2  # one line, no title block
    assert "Trang </span>2/4</span></h1>" in page2
    assert fields(page2)[0] == "staff_courtesy"
    # A mistake answers 422 with the same page and its errors, still alone.
    wrong = client.post("/s/A?" + page2.split('action="/s/A?', 1)[1].split('"', 1)[0].replace("&amp;", "&"),
                        data=page_data(page2, {}), headers=FRAGMENT)
    assert wrong.status_code == 422 and 'id="error-summary"' in wrong.get_data(as_text=True)
    assert "<html" not in wrong.get_data(as_text=True)


def test_the_last_fetched_page_gets_the_thanks_alone_and_back_gets_it_again(client, tree):
    version = deploy_default(tree.dept_a)
    page = client.get("/s/A").get_data(as_text=True)
    for _ in range(4):
        action = page.split('action="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        sent = client.post(action, data=page_data(page, all_fours(version)), headers=FRAGMENT)
        assert sent.status_code == 200
        page = sent.get_data(as_text=True)
    assert 'data-url="/s/A/thanks"' in page and "<html" not in page
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    # The browser's Back after sending: survey.js fetches the earlier address and gets the thanks.
    again = client.get(action, headers=FRAGMENT)
    assert again.status_code == 200 and 'data-url="/s/A/thanks"' in again.get_data(as_text=True)


def test_designer_page_breaks_replace_the_section_cut():
    items = [q("s1", S), q("a", L), q("b", L), q("s2", S), q("c", L), q("d", L, page_break=True),
             q("s3", S), q("e", T)]
    assert [[i.key for i in p] for p in split_pages(items)] == [
        ["s1", "a", "b", "s2", "c"], ["d", "s3", "e"]]
    for item in items:
        item.page_break = False
    assert len(split_pages(items)) == 3  # no break anywhere: each section starts a page


def test_the_sipas_file_is_published_again_as_a_new_version_when_it_changes(app, monkeypatch, tmp_path):
    first = load_default_survey()
    db.session.commit()
    assert load_default_survey() is first  # unchanged: the same version
    data = json.loads(services.DEFAULT_SURVEY_FILE.read_text(encoding="utf-8"))
    data["questions"][1]["page_break"] = True
    changed = tmp_path / "sipas.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(services, "DEFAULT_SURVEY_FILE", changed)
    second = load_default_survey()
    db.session.commit()
    assert (first.number, second.number) == (1, 2) and second.published_at is not None
    assert [q.page_break for q in second.questions][1] is True
    assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 2


def test_the_time_promised_is_an_estimate_then_the_median_of_30_responses(app, tree):
    version = deploy_default(tree.dept_a)
    frozen = frozen_version(version.id, version.published_at)
    assert timing.estimated_seconds(frozen.questions) == 16 * 6 + 30
    assert timing.measured_seconds(version.id) is None
    now = utcnow()
    for n in range(31):
        db.session.add(Response(version_id=version.id, agency_id=tree.dept_a.id, locale="vi",
                                started_at=now - timedelta(seconds=200 + n), submitted_at=now))
    # A flagged (too fast, or a bot) response does not count.
    db.session.add(Response(version_id=version.id, agency_id=tree.dept_a.id, locale="vi", flags=1,
                            started_at=now - timedelta(seconds=2), submitted_at=now))
    db.session.commit()
    assert timing.measured_seconds(version.id) == 215
    timing._promises = timing.Kept(4)
    assert timing.promised_minutes(frozen) == 4
