"""Organizers edit the rating set of an agency of their subtree: answers, satisfied levels, reasons,
checked with clear messages; a set with ratings is frozen, so saving makes a new version."""

import html as html_lib
import re

from sqlalchemy import select

from feedback.counters.models import CounterRating, RatingSet
from feedback.counters.ratesets import set_for
from feedback.extensions import db
from tests.conftest import csrf_token
from tests.counters.helpers import make_officer


def _form(page_html: str) -> dict:
    """The editor's fields as the page shows them (text inputs, ticked boxes, the count)."""
    data = {"csrf_token": csrf_token(page_html), "action": "save", "satisfied": [], "low": []}
    for name, value in re.findall(r'<input type="text" id="[^"]+" name="([^"]+)" value="([^"]*)"', page_html):
        data[name] = html_lib.unescape(value)
    data["shown"] = re.search(r'name="shown" value="(\d)"', page_html).group(1)
    data["count"] = re.search(r'<option value="(\d)" selected>', page_html).group(1)
    ticked = r'type="checkbox" id="[^"]+" name="([^"]+)" value="([^"]+)" checked'
    for name, value in re.findall(ticked, page_html):
        if name in ("satisfied", "low"):
            data[name].append(value)
        else:
            data[name] = value
    return data


def _five_answers(client, agency_code="A1") -> dict:
    """The editor redrawn for 5 answers (the default labels of 5), as a form to post."""
    page = client.get(f"/manage/rating-sets/{agency_code}?lang=en").get_data(as_text=True)
    data = _form(page)
    data.update(action="resize", count="5")
    redrawn = client.post(f"/manage/rating-sets/{agency_code}?lang=en", data=data)
    assert redrawn.status_code == 200
    text = redrawn.get_data(as_text=True)
    assert "Answer 5 (worst)" in text and "Rất không hài lòng" in text
    data = _form(text)
    data["action"] = "save"
    return data


def test_an_organizer_gives_a_counter_a_five_answer_set_used_at_once(app, tree, organizer_a_client, client):
    make_officer(tree.counter_a)
    listing = organizer_a_client.get("/manage/rating-sets/?lang=en").get_data(as_text=True)
    assert "/manage/rating-sets/A1" in listing and "platform default" in listing
    assert "/manage/rating-sets/B" not in listing
    data = _five_answers(organizer_a_client)
    data["level-1-en"] = "Delighted"
    data.update({"reason-6-key": "queue", "reason-6-vi": "Xếp hàng lộn xộn", "reason-6-en": "Messy queue"})
    saved = organizer_a_client.post("/manage/rating-sets/A1?lang=en", data=data)
    assert saved.status_code == 303
    used = set_for(tree.counter_a)
    assert (used.agency_id, used.number, len(used.levels)) == (tree.counter_a.id, 1, 5)
    assert used.satisfied == [4, 5] and used.low_levels == [1, 2]
    assert used.reasons[-1] == {"key": "queue", "vi": "Xếp hàng lộn xộn", "en": "Messy queue"}
    assert any(r.get("alert") for r in used.reasons)  # the alert reason kept its alert
    plate = client.get("/o/CB01?lang=en").get_data(as_text=True)
    assert "Delighted" in plate and plate.count('name="level"') == 5
    listing = organizer_a_client.get("/manage/rating-sets/?lang=en").get_data(as_text=True)
    assert "own set, version 1" in listing


def test_a_set_with_ratings_is_frozen_and_saving_makes_a_new_version(app, tree, organizer_a_client, client):
    make_officer(tree.counter_a)
    data = _form(organizer_a_client.get("/manage/rating-sets/A1").get_data(as_text=True))
    assert organizer_a_client.post("/manage/rating-sets/A1", data=data).status_code == 303
    first = set_for(tree.counter_a)
    data["level-2-vi"] = "Khá hài lòng"
    assert organizer_a_client.post("/manage/rating-sets/A1", data=data).status_code == 303
    assert set_for(tree.counter_a).id == first.id  # not used yet: edited in place
    token = re.search(r'name="t" value="([^"]+)"', client.get("/o/CB01").get_data(as_text=True)).group(1)
    assert client.post("/o/CB01", data={"t": token, "level": "3"}).status_code == 303
    page = organizer_a_client.get("/manage/rating-sets/A1?lang=en").get_data(as_text=True)
    assert "saving makes version 2" in page
    data["level-2-vi"] = "Hài lòng phần lớn"
    saved = organizer_a_client.post("/manage/rating-sets/A1?lang=en", data=data, follow_redirects=True)
    assert "Saved as version 2" in saved.get_data(as_text=True)
    db.session.expire_all()
    second = set_for(tree.counter_a)
    assert second.number == 2 and second.levels[1]["vi"] == "Hài lòng phần lớn" and not second.frozen
    old = db.session.get(RatingSet, first.id)
    assert old.frozen and old.levels[1]["vi"] == "Khá hài lòng"
    assert db.session.scalar(select(CounterRating.rating_set_id)) == first.id
    token = re.search(r'name="t" value="([^"]+)"', client.get("/o/CB01").get_data(as_text=True)).group(1)
    client.post("/o/CB01", data={"t": token, "level": "2"})
    assert sorted(db.session.scalars(select(CounterRating.rating_set_id))) == sorted([first.id, second.id])


def test_mistakes_are_named_and_what_was_typed_is_kept(app, tree, organizer_a_client):
    data = _form(organizer_a_client.get("/manage/rating-sets/A1?lang=en").get_data(as_text=True))
    data["level-3-vi"] = ""
    data["level-1-en"] = "Tuyệt vời lắm"
    data["satisfied"] = ["1", "3"]
    data["low"] = ["1", "4"]
    data["reason-0-key"] = "Chờ lâu!"
    data["reason-1-key"] = "waited"
    refused = organizer_a_client.post("/manage/rating-sets/A1?lang=en", data=data)
    assert refused.status_code == 422
    text = html_lib.unescape(refused.get_data(as_text=True))
    for message in (
        "Enter the Vietnamese label of answer 3.",
        "An answer counts as satisfied only if every better answer does too.",
        "Reasons are asked only after answers that do not count as satisfied.",
        "A reason's key is 1–32 lowercase letters (a–z), digits or _.",
    ):
        assert message in text
    assert 'value="Tuyệt vời lắm"' in text and 'value="chờ lâu!"' in text
    assert db.session.scalar(select(RatingSet).where(RatingSet.agency_id == tree.counter_a.id)) is None
    data = _form(organizer_a_client.get("/manage/rating-sets/A1").get_data(as_text=True))
    data["satisfied"] = []
    vi = organizer_a_client.post("/manage/rating-sets/A1?lang=vi", data=data).get_data(as_text=True)
    assert "Đánh dấu ít nhất một câu trả lời được tính là hài lòng." in html_lib.unescape(vi)


def test_a_new_number_of_answers_must_be_shown_before_it_is_saved(app, tree, organizer_a_client):
    data = _form(organizer_a_client.get("/manage/rating-sets/A1?lang=en").get_data(as_text=True))
    data["question_vi"] = "Ông/Bà đánh giá thế nào?"
    data.update(count="3", action="save")
    refused = organizer_a_client.post("/manage/rating-sets/A1?lang=en", data=data)
    text = html_lib.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422 and "Show these answers" in text and "Answer 3 (worst)" in text
    assert 'value="Ông/Bà đánh giá thế nào?"' in text and "Answer 4" not in text


def test_an_organizer_cannot_reach_the_set_of_another_subtree(app, tree, organizer_a_client):
    assert organizer_a_client.get("/manage/rating-sets/B").status_code == 404
    data = _form(organizer_a_client.get("/manage/rating-sets/A1").get_data(as_text=True))
    assert organizer_a_client.post("/manage/rating-sets/B", data=data).status_code == 404
    assert db.session.scalar(select(RatingSet).where(RatingSet.agency_id == tree.dept_b.id)) is None
