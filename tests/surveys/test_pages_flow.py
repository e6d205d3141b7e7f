"""Long surveys in short pages: progress, Next and Back, reload, resuming, skipped pages, drafts."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.drafts import split_pages
from feedback.surveys.models import QuestionType, Response, Survey, SurveyDraft, SurveyVersion, VersionStatus
from feedback.surveys.services import deploy
from tests.surveys.helpers import (
    action,
    all_fours,
    deploy_default,
    fields,
    form_token,
    page_number,
    page_of,
    progress,
    q,
    send_page,
    walk,
)

S, L, Y, T, N = (QuestionType.SECTION, QuestionType.LIKERT5, QuestionType.YESNO,
                 QuestionType.SHORT_TEXT, QuestionType.NOTE)


def _count(model) -> int:
    """How many rows `model` has."""
    return db.session.scalar(select(func.count()).select_from(model))


def deploy_items(agency, items) -> SurveyVersion:
    """A published survey made of `items` (transient questions), live at `agency`."""
    version = SurveyVersion(survey=Survey(key="paged"), number=1, status=VersionStatus.PUBLISHED,
                            published_at=utcnow(), title_vi="Khảo sát nhiều trang", title_en="Paged")
    for position, item in enumerate(items):
        item.position = position
        item.required = bool(item.required)
        item.allow_na = bool(item.allow_na)
        item.options = item.options or {}
        version.questions.append(item)
    db.session.add(version)
    deploy(version, agency)
    db.session.commit()
    return version


def branching():
    """Page 1 asks whether the citizen visited; page 2 only applies to those who did not."""
    no = {"question": "visited", "op": "equals", "value": "no"}
    return [q("s1", S), q("visited", Y, required=True),
            q("s2", S, show_if=no), q("why", T, required=True, show_if=no), q("how", L, show_if=no),
            q("s3", S), q("overall", L, required=True)]


@pytest.fixture
def version(tree):
    """The default survey, live at department A."""
    return deploy_default(tree.dept_a)


def test_pages_start_at_sections_hold_six_questions_at_most_and_never_only_headings():
    items = ([q("note", N), q("s1", S)] + [q(f"a{i}", L) for i in range(8)]
             + [q("s2", S), q("b", L), q("s3", S), q("end", N)])
    pages = [[i.key for i in page] for page in split_pages(items)]
    assert pages == [["note", "s1", "a0", "a1", "a2", "a3", "a4", "a5"], ["a6", "a7"],
                     ["s2", "b", "s3", "end"]]
    assert split_pages([]) == []


def test_next_and_back_keep_every_answer_and_back_never_validates(client, version):
    answers = all_fours(version, access_equipment="2", staff_compliance="5")
    page1 = client.get("/s/A").get_data(as_text=True)
    to2 = send_page(client, page1, answers)
    assert to2.status_code == 303 and to2.headers["Location"].endswith("p=2")
    page2 = client.get(to2.headers["Location"]).get_data(as_text=True)
    assert progress(page2) == page_of(2, 4)
    assert 'name="nav" value="back"' in page2
    # Back with page 2 half answered: no error, and page 2's answer is kept for later.
    back = send_page(client, page2, {"staff_compliance": "5"}, nav="back")
    assert back.status_code == 303 and back.headers["Location"].endswith("p=1")
    again1 = client.get(back.headers["Location"]).get_data(as_text=True)
    assert 'id="q-access_equipment-2" value="2" checked>' in again1
    assert again1.count(" checked>") == 6
    forward = send_page(client, again1, answers)
    again2 = client.get(forward.headers["Location"]).get_data(as_text=True)
    assert 'id="q-staff_compliance-5" value="5" checked>' in again2
    assert again2.count(" checked>") == 1
    assert _count(Response) == 0 and _count(SurveyDraft) == 1


def test_reload_shows_the_same_page_with_its_answers_and_never_resends(client, version):
    page1 = client.get("/s/A").get_data(as_text=True)
    location = send_page(client, page1, all_fours(version)).headers["Location"]
    page2 = client.get(location).get_data(as_text=True)
    send_page(client, page2, {"staff_courtesy": "3"}, nav="back")
    for _ in range(2):  # reload, twice
        again = client.get(location)
        assert again.status_code == 200 and again.headers["Cache-Control"] == "no-store"
        html = again.get_data(as_text=True)
        assert page_number(html) == 2 and 'id="q-staff_courtesy-3" value="3" checked>' in html
    assert _count(Response) == 0


def test_the_browsers_back_to_the_bare_address_finds_the_first_pages_answers(client, version):
    page1 = client.get("/s/A").get_data(as_text=True)
    send_page(client, page1, all_fours(version, access_waiting_area="1"))
    again = client.get("/s/A").get_data(as_text=True)  # history's first entry, fetched again
    assert 'id="q-access_waiting_area-1" value="1" checked>' in again
    assert "d=" in action(again)
    # Another browser starts afresh.
    assert " checked>" not in client.application.test_client().get("/s/A").get_data(as_text=True)


def test_a_page_beyond_the_furthest_reached_is_not_skipped_to(client, version):
    page1 = client.get("/s/A").get_data(as_text=True)
    location = send_page(client, page1, all_fours(version)).headers["Location"]
    jump = client.get(location.replace("p=2", "p=6"))
    assert jump.status_code == 303 and jump.headers["Location"].endswith("p=2")


def test_sending_the_last_page_by_address_still_checks_every_page(client, version):
    page1 = client.get("/s/A").get_data(as_text=True)
    location = send_page(client, page1, all_fours(version)).headers["Location"]
    page2 = client.get(location).get_data(as_text=True)
    data = {"token": form_token(page2), "page": "6", "q-overall": "4"}  # pages 2–5 skipped
    sent = client.post(action(page2), data=data)
    assert sent.status_code == 422
    html = sent.get_data(as_text=True)
    assert page_number(html) == 2 and 'href="#q-staff_courtesy-1"' in html
    assert _count(Response) == 0


def test_an_old_draft_is_gone_and_the_survey_starts_again_with_a_message(app, client, version):
    page1 = client.get("/s/A?lang=en").get_data(as_text=True)
    location = send_page(client, page1, all_fours(version)).headers["Location"]
    page2 = client.get(location).get_data(as_text=True)
    draft = db.session.scalars(select(SurveyDraft)).one()
    draft.updated_at = utcnow() - timedelta(hours=49)
    db.session.commit()
    html = client.get(location).get_data(as_text=True)
    assert "no longer kept" in html and page_number(html) == 1 and " checked>" not in html
    # Sending page 2 of the old draft keeps what is on it and starts again at page 1.
    sent = send_page(client, page2, all_fours(version))
    assert sent.status_code == 303 and sent.headers["Location"].endswith("p=1")
    fresh = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "no longer kept" in fresh and page_number(fresh) == 1
    assert _count(SurveyDraft) == 2


def test_purge_drafts_deletes_the_untouched_ones(app, runner, client, version):
    for _ in range(2):
        send_page(app.test_client(), client.get("/s/A").get_data(as_text=True), all_fours(version))
    old = db.session.scalars(select(SurveyDraft)).first()
    old.updated_at = utcnow() - timedelta(hours=50)
    db.session.commit()
    result = runner.invoke(args=["surveys", "purge-drafts"])
    assert result.exit_code == 0
    assert "Deleted 1 unfinished survey draft not touched for 48 hours" in result.output
    assert _count(SurveyDraft) == 1
    app.config["SURVEY_DRAFT_MAX_AGE"] = 0
    assert "Deleted 1 " in runner.invoke(args=["surveys", "purge-drafts"]).output
    assert _count(SurveyDraft) == 0


def test_a_page_whose_questions_are_all_hidden_is_skipped_and_not_counted(client, tree):
    deploy_items(tree.dept_b, branching())
    html = client.get("/s/B?lang=en").get_data(as_text=True)
    assert progress(html) == "Page 1 of 3"  # nothing answered yet: "no" is still possible
    sent = send_page(client, html, {"visited": "yes"})
    assert sent.headers["Location"].endswith("p=3")
    last = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert progress(last) == "Page 2 of 2" and fields(last) == ["overall"]
    back = send_page(client, last, {}, nav="back")
    assert back.headers["Location"].endswith("p=1")
    # Saying "no" brings page 2 in.
    page1 = client.get(back.headers["Location"]).get_data(as_text=True)
    sent = send_page(client, page1, {"visited": "no"})
    assert sent.headers["Location"].endswith("p=2")
    page2 = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert progress(page2) == "Page 2 of 3" and fields(page2) == ["why", "how"]
    assert "Answer this only if" not in page2  # decided on page 1: no hint needed


def test_answers_to_questions_hidden_by_a_changed_answer_are_dropped(client, tree):
    deploy_items(tree.dept_b, branching())
    answers = {"visited": "no", "why": "Đóng cửa", "how": "2", "overall": "3"}
    page1 = client.get("/s/B").get_data(as_text=True)
    page2 = client.get(send_page(client, page1, answers).headers["Location"]).get_data(as_text=True)
    page3 = client.get(send_page(client, page2, answers).headers["Location"]).get_data(as_text=True)
    assert db.session.scalars(select(SurveyDraft)).one().answers["q-why"] == ["Đóng cửa"]
    back = send_page(client, page3, answers, nav="back")
    page2 = client.get(back.headers["Location"]).get_data(as_text=True)
    page1 = client.get(send_page(client, page2, answers, nav="back").headers["Location"]).get_data(
        as_text=True)
    changed = send_page(client, page1, {"visited": "yes"})
    assert changed.headers["Location"].endswith("p=3")
    db.session.expire_all()
    assert set(db.session.scalars(select(SurveyDraft)).one().answers) == {"q-visited", "q-overall"}
    last = client.get(changed.headers["Location"]).get_data(as_text=True)
    assert send_page(client, last, answers).headers["Location"].endswith("/thanks")
    response = db.session.scalars(select(Response)).one()
    assert {a.question_key for a in response.answers} == {"visited", "overall"}


def test_sending_twice_stores_one_response_and_thanks_both_times(client, version):
    page = client.get("/s/A").get_data(as_text=True)
    while True:
        sent = send_page(client, page, all_fours(version))
        if "d=" not in sent.headers["Location"]:
            break
        last_location = sent.headers["Location"]
        page = client.get(last_location).get_data(as_text=True)
    again = send_page(client, page, all_fours(version))  # the second click on "Send"
    assert again.status_code == 303 and again.headers["Location"].endswith("/s/A/thanks")
    back = client.get(last_location)  # the browser's Back after sending
    assert back.status_code == 303 and back.headers["Location"].endswith("/s/A/thanks")
    assert _count(Response) == 1 and _count(SurveyDraft) == 0
    # A new survey from the same browser starts afresh.
    assert walk(client, "/s/A", all_fours(version))[0].headers["Location"].endswith("/thanks")
    assert _count(Response) == 2
