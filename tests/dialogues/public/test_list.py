"""/dialogues/ and the home page: upcoming published conferences only, filters, paging, bad filters."""

from datetime import timedelta

import pytest

from feedback.dialogues.models import ConferenceStatus, Topic
from feedback.extensions import db
from feedback.models import utcnow
from tests.dialogues.helpers import make_conference
from tests.dialogues.public.util import sign_up, topics


def _conf(agency, title: str, **fields):
    """A conference with the same title in both languages (the pages are read in either)."""
    return make_conference(agency, title_vi=title, title_en=title, **fields)


def _titles(html: str, titles: list[str]) -> list[str]:
    """Which of `titles` appear in `html`, in the order they appear."""
    return sorted((t for t in titles if t in html), key=html.index)


def test_lists_upcoming_published_soonest_first_and_hides_drafts_past_cancelled(app, client, tree):
    now = utcnow()
    _conf(tree.dept_a, "Sau", starts_at=now + timedelta(days=20),
                    ends_at=now + timedelta(days=20, hours=2))
    _conf(tree.dept_b, "Trước", starts_at=now + timedelta(days=3),
                    ends_at=now + timedelta(days=3, hours=2))
    _conf(tree.dept_a, "Nháp", status=ConferenceStatus.DRAFT)
    _conf(tree.dept_a, "Đã hủy", status=ConferenceStatus.CANCELLED)
    _conf(tree.dept_a, "Đã họp", status=ConferenceStatus.HELD)
    _conf(tree.dept_a, "Đã kết thúc", starts_at=now - timedelta(days=1, hours=3),
                    ends_at=now - timedelta(days=1), registration_closes_at=now - timedelta(days=2))

    html = client.get("/dialogues/").get_data(as_text=True)
    assert _titles(html, ["Sau", "Trước", "Nháp", "Đã hủy", "Đã họp", "Đã kết thúc"]) == ["Trước", "Sau"]
    assert "Sở Y tế" in html and "Sở Tư pháp" in html  # host agency on each card


def test_card_says_seats_left_full_waitlist_closed_and_not_yet_open(app, client, tree):
    now = utcnow()
    open_one = _conf(tree.dept_a, "Còn chỗ", capacity=5)
    full = _conf(tree.dept_a, "Đầy", capacity=1)
    _conf(tree.dept_a, "Chưa mở", registration_opens_at=now + timedelta(days=2))
    _conf(tree.dept_a, "Đã đóng", registration_closes_at=now - timedelta(hours=1))
    assert sign_up(client, full.id, 1).status_code == 303
    assert sign_up(client, open_one.id, 2).status_code == 303

    html = client.get("/dialogues/?lang=en").get_data(as_text=True)
    assert "4 seats left" in html
    assert "Full — waiting list open" in html
    assert "Registration not yet open" in html
    assert "Registration closed" in html


def test_filters_by_agency_subtree_topic_and_month(app, client, tree):
    topics()
    land = db.session.query(Topic).filter_by(code="dat-dai").one()
    health = db.session.query(Topic).filter_by(code="y-te").one()
    now = utcnow()
    later = now + timedelta(days=70)
    commune = _conf(tree.commune_a, "Xã An Bình", topics=[land])
    _conf(tree.dept_b, "Y tế B", topics=[health])
    _conf(tree.dept_a, "Tháng sau nữa", starts_at=later, ends_at=later + timedelta(hours=2),
                    registration_closes_at=later - timedelta(days=1))
    all_titles = ["Xã An Bình", "Y tế B", "Tháng sau nữa"]

    # An agency lists its whole subtree: department A hosts its commune's conference too.
    html = client.get("/dialogues/?agency=A").get_data(as_text=True)
    assert _titles(html, all_titles) == ["Xã An Bình", "Tháng sau nữa"]
    html = client.get("/dialogues/?agency=B").get_data(as_text=True)
    assert _titles(html, all_titles) == ["Y tế B"]
    html = client.get("/dialogues/?topic=dat-dai").get_data(as_text=True)
    assert _titles(html, all_titles) == ["Xã An Bình"]
    from feedback.core.dates import local_zone as zone
    month = later.astimezone(zone()).strftime("%Y-%m")
    html = client.get(f"/dialogues/?month={month}").get_data(as_text=True)
    assert _titles(html, all_titles) == ["Tháng sau nữa"]
    # The filter form offers the host agencies as a tree (with the province above them) and the months.
    html = client.get("/dialogues/").get_data(as_text=True)
    assert 'value="P"' in html and 'value="A2"' in html and 'value="A1"' not in html
    assert f'value="{month}"' in html
    assert commune.id


@pytest.mark.parametrize("query", ["agency=NOPE", "topic=nope", "month=2026-13", "month=novembre",
                                   "month=0001-01"])
def test_bad_filter_values_get_a_message_and_the_unfiltered_list(app, client, tree, query):
    _conf(tree.dept_a, "Vẫn hiện")
    response = client.get(f"/dialogues/?{query}&lang=en")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Vẫn hiện" in html
    assert "notice-error" in html and "are shown." in html


def test_pages_of_ten(app, client, tree):
    now = utcnow()
    for n in range(12):
        start = now + timedelta(days=2 + n)
        _conf(tree.dept_a, f"Hội nghị số {n:02d}", starts_at=start,
                        ends_at=start + timedelta(hours=2), registration_closes_at=start)
    first = client.get("/dialogues/?lang=en").get_data(as_text=True)
    assert "Hội nghị số 00" in first and "Hội nghị số 09" in first and "Hội nghị số 10" not in first
    assert "12 upcoming conferences" in first
    assert "page=2" in first
    second = client.get("/dialogues/?page=2&lang=en").get_data(as_text=True)
    assert "Hội nghị số 10" in second and "Hội nghị số 11" in second and "Hội nghị số 09" not in second
    assert "page=1" in second
    beyond = client.get("/dialogues/?page=9&lang=en")
    assert beyond.status_code == 200 and "There is nothing on this page." in beyond.get_data(as_text=True)
    assert client.get("/dialogues/?page=abc").status_code == 200


def test_home_shows_next_three_dialogues_and_the_track_form(app, client, tree):
    now = utcnow()
    for n in range(4):
        start = now + timedelta(days=2 + n)
        _conf(tree.dept_a, f"Sắp tới {n}", starts_at=start,
                        ends_at=start + timedelta(hours=2), registration_closes_at=start)
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Sắp tới 0" in html and "Sắp tới 2" in html and "Sắp tới 3" not in html
    assert 'href="/dialogues/"' in html
    assert "Track your question" in html
    expected = "/track/"
    if "track.lookup" in app.view_functions:
        with app.test_request_context():
            from flask import url_for
            expected = url_for("track.lookup")
    assert f'action="{expected}"' in html and 'name="code"' in html
    assert 'name="agency"' in html  # the survey entry is still there


def test_home_without_dialogues_says_so(app, client, tree):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "No dialogue conference is scheduled at the moment." in html
