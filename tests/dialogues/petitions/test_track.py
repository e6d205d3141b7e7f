"""/track/ and /track/<code>: lookup, timeline, due date and overdue mark, answer, rating, merges,
hidden petitions, headers, rate limit, and never a name or a phone number."""

import re
from datetime import timedelta

import pytest

from feedback.dialogues.models import Petition, PetitionStatus
from feedback.dialogues.petitions import services
from feedback.dialogues.petitions.tracking import rating_state
from feedback.extensions import db
from feedback.models import utcnow

TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')


def page(client, petition: Petition, status: int = 200) -> str:
    """The English tracking page of `petition`, checked for its status code."""
    response = client.get(f"/track/{petition.tracking_code}?lang=en")
    assert response.status_code == status
    return response.get_data(as_text=True)


def answer(tree, petition: Petition, *, due_in: int = 3, publish: bool = True) -> Petition:
    """Assign `petition` to counter A1 and answer it (published unless told otherwise)."""
    services.assign(petition, tree.counter_a, services.local_today() + timedelta(days=due_in), tree.admin)
    services.record_answer(petition, text="Sổ đỏ đã được cấp ngày 5/11.",
                           answered_by="Trần Minh Quang, Phó Chủ tịch", answered_at=utcnow(),
                           actor=tree.admin)
    if publish:
        services.publish_answer(petition, tree.admin)
    db.session.commit()
    return petition


def rate(client, petition: Petition, **data):
    """Post the rating form of `petition` with the token of its page."""
    token = TOKEN_RE.search(page(client, petition)).group(1)
    return client.post(f"/track/{petition.tracking_code}/rating?lang=en", data={"token": token, **data})


def test_lookup_form_and_codes_typed_any_way(client, setting):
    html = client.get("/track/?lang=en").get_data(as_text=True)
    assert 'name="code"' in html and 'method="get"' in html
    code = setting.petition.tracking_code
    for typed in (code, code.lower(), f"{code[:4].lower()}-{code[4:]}", f" {code[:4]} {code[4:]} "):
        response = client.get("/track/", query_string={"code": typed})
        assert response.status_code == 303 and response.headers["Location"].endswith(f"/track/{code}")
    response = client.get(f"/track/{code[:4].lower()}-{code[4:].lower()}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/track/{code}")
    bad = client.get("/track/?code=abc&lang=en")
    assert bad.status_code == 422 and "8 letters and digits" in bad.get_data(as_text=True)


def test_unknown_code_is_404_with_the_form_to_retry(client, setting):
    response = client.get("/track/ABCDEFGH?lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "No question has this tracking code" in html and 'name="code"' in html and "ABCDEFGH" in html
    assert client.get("/track/not-a-code").status_code == 404


def test_private_headers_on_every_tracking_answer(client, setting):
    for path in ("/track/", f"/track/{setting.petition.tracking_code}", "/track/ABCDEFGH", "/track/?code=x"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path


def test_timeline_due_date_agency_and_answer_without_personal_data(client, tree, setting):
    petition = setting.petition
    html = page(client, petition)
    assert "Received, waiting to be routed" in html and "Question received" in html
    assert "Rate the answer" not in html and 'name="satisfied"' not in html
    answer(tree, petition, publish=False)
    html = page(client, petition)
    assert "Sent to the responsible agency" in html and "Justice one-stop counter" in html
    assert "Answer due by" in html
    # Recorded but unpublished: neither the answer nor its step shows.
    assert "Sổ đỏ đã được cấp" not in html and "Answer recorded" not in html
    services.publish_answer(petition, tree.admin)
    db.session.commit()
    html = page(client, petition)
    assert "Sổ đỏ đã được cấp ngày 5/11." in html
    assert "Answered by <bdi>Trần Minh Quang, Phó Chủ tịch</bdi>" in html
    assert "Answer published" in html
    asker = setting.asker
    personal_data = (asker.full_name, asker.phone, asker.phone[3:], asker.email, asker.ticket_code,
                     "Nguyễn Văn")
    for personal in personal_data:
        assert personal not in html


def test_overdue_mark(client, tree, setting):
    petition = setting.petition
    answer(tree, petition, publish=False)
    petition.due_date = services.local_today() - timedelta(days=2)
    db.session.commit()
    assert "Overdue by 2 days" in page(client, petition)
    services.publish_answer(petition, tree.admin)
    db.session.commit()
    assert "Overdue by" not in page(client, petition)


def test_hidden_says_it_will_not_be_published_without_the_reason(client, tree, setting):
    services.hide(setting.petition, "Nội dung xúc phạm", tree.admin)
    db.session.commit()
    html = page(client, setting.petition)
    assert "will not be published" in html and "xúc phạm" not in html


def test_merged_shows_the_targets_progress_and_answer(client, tree, setting):
    duplicate, target = setting.quiet, setting.petition
    services.merge(duplicate, target, tree.admin)
    db.session.commit()
    html = page(client, duplicate)
    assert "was merged with a similar question" in html
    assert duplicate.text in html
    assert target.text not in html  # the other asker's question is not published
    answer(tree, target)
    html = page(client, duplicate)
    assert "Sổ đỏ đã được cấp ngày 5/11." in html and "Justice one-stop counter" in html
    assert 'name="satisfied"' not in html  # the rating belongs to the answered petition's asker
    services.publish_question(target, tree.admin)
    db.session.commit()
    assert target.text in page(client, duplicate)


def test_rating_flow_change_until_closed(client, tree, setting):
    petition = answer(tree, setting.petition)
    response = rate(client, petition, satisfied="yes", comment="Cảm ơn cán bộ.")
    assert response.status_code == 303 and response.headers["Location"].endswith("#rating")
    db.session.refresh(petition)
    assert petition.rating_satisfied is True and petition.rating_comment == "Cảm ơn cán bộ."
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are satisfied with the answer." in html and "Your rating is saved" in html
    assert "Change my rating" in html and "You rated the answer" in html
    assert rate(client, petition, satisfied="no", comment="").status_code == 303
    db.session.refresh(petition)
    assert petition.rating_satisfied is False
    assert [e.action for e in petition.events].count("rated") == 2
    services.close(petition, tree.admin)
    db.session.commit()
    html = page(client, petition)
    assert "You are not satisfied with the answer." in html and 'name="satisfied"' not in html
    assert 'name="token"' not in html


def test_a_closed_petition_takes_one_first_rating(client, tree, setting):
    petition = answer(tree, setting.petition)
    services.close(petition, tree.admin)
    db.session.commit()
    token = TOKEN_RE.search(page(client, petition)).group(1)
    url = f"/track/{petition.tracking_code}/rating?lang=en"
    assert client.post(url, data={"token": token, "satisfied": "yes"}).status_code == 303
    response = client.post(url, data={"token": token, "satisfied": "no"})
    assert response.status_code == 409 and "can no longer be rated" in response.get_data(as_text=True)
    db.session.refresh(petition)
    assert petition.rating_satisfied is True


def test_rating_mistakes_keep_what_was_typed(app, client, tree, setting):
    petition = answer(tree, setting.petition)
    response = rate(client, petition, comment="Chưa rõ thời hạn.")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Please choose whether" in html and "Chưa rõ thời hạn." in html
    response = client.post(f"/track/{petition.tracking_code}/rating?lang=en",
                           data={"token": "forged", "satisfied": "no", "comment": "Giả mạo"})
    assert response.status_code == 400 and "Giả mạo" in response.get_data(as_text=True)
    other_token = TOKEN_RE.search(page(client, answer(tree, setting.quiet))).group(1)
    response = client.post(f"/track/{petition.tracking_code}/rating",
                           data={"token": other_token, "satisfied": "no"})
    assert response.status_code == 400
    token = TOKEN_RE.search(page(client, petition)).group(1)
    app.config["SURVEY_FORM_MAX_AGE"] = -1
    response = client.post(f"/track/{petition.tracking_code}/rating?lang=en",
                           data={"token": token, "satisfied": "no", "comment": "Muộn"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "open for a long time" in html
    assert 'value="no" checked' in html and "Muộn" in html
    db.session.refresh(petition)
    assert petition.rated_at is None


def test_rating_before_the_answer_is_published_is_refused(client, tree, setting):
    petition = answer(tree, setting.petition, publish=False)
    assert not rating_state(petition).open
    html = page(client, petition)
    assert 'name="token"' not in html
    from feedback.dialogues.petitions.tracking import make_rating_token

    token = make_rating_token(client.application.config["SECRET_KEY"], petition.tracking_code)
    response = client.post(f"/track/{petition.tracking_code}/rating",
                           data={"token": token, "satisfied": "yes"})
    assert response.status_code == 409
    db.session.refresh(petition)
    assert petition.rated_at is None and petition.status == PetitionStatus.ASSIGNED


def test_rating_needs_no_session_cookie(app, tree, setting):
    petition = answer(tree, setting.petition)
    reader = app.test_client()
    token = TOKEN_RE.search(page(reader, petition)).group(1)
    fresh = app.test_client()  # another device: no cookie at all
    response = fresh.post(f"/track/{petition.tracking_code}/rating",
                          data={"token": token, "satisfied": "yes"})
    assert response.status_code == 303


@pytest.mark.parametrize("path", ["/track/?code=ABCD-EFGH", "/track/ABCDEFGH"])
def test_code_pages_are_rate_limited(app, client, setting, path):
    app.config["DIALOGUE_CODE_RATE_LIMIT"] = "3 per minute"
    statuses = [client.get(path).status_code for _ in range(4)]
    assert statuses[-1] == 429
    assert client.get(f"/track/{setting.petition.tracking_code}").status_code == 429  # shared across pages
