"""Scheduling and editing a conference: the form, its messages, scoping, stale forms, capacity."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.dialogues.conferences import edit_fingerprint
from feedback.dialogues.manage.checkin import check_in
from feedback.dialogues.models import (
    Conference,
    ConferenceMode,
    ConferenceStatus,
    Registration,
    RegistrationStatus,
)
from feedback.dialogues.registrations import register
from feedback.dialogues.topics import load_default_topics
from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.models import Notification
from tests.dialogues.helpers import make_conference, phone
from tests.dialogues.manage.conftest import token

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local(dt: datetime) -> str:
    """`dt` as a datetime-local input value in Việt Nam time."""
    return dt.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def form_data(tree, topic_list=(), **changes) -> dict:
    """A complete, valid conference form hosted by department A, starting in 20 days."""
    start = (utcnow() + timedelta(days=20)).replace(second=0, microsecond=0)
    data = {
        "title_vi": "Đối thoại về đất đai", "title_en": "Dialogue on land",
        "description_vi": "Người đứng đầu trả lời kiến nghị về đất đai.", "description_en": "",
        "host_agency": tree.dept_a.code,
        "leaders-0-name": "Nguyễn Văn An", "leaders-0-title": "Giám đốc Sở",
        "leaders-1-name": "", "leaders-1-title": "",
        "topics": [str(t) for t in topic_list],
        "mode": "in_person", "venue": "Hội trường UBND tỉnh", "online_url": "",
        "starts_at": local(start), "ends_at": local(start + timedelta(hours=3)),
        "capacity": "100", "registration_opens_at": "",
        "registration_closes_at": local(start - timedelta(days=1)),
        "agenda-0-time": "8:30", "agenda-0-item_vi": "Khai mạc", "agenda-0-item_en": "Opening",
        "agenda-1-time": "", "agenda-1-item_vi": "", "agenda-1-item_en": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def topic_ids(app):
    """The standard topics, loaded; their ids."""
    load_default_topics()
    db.session.commit()
    from feedback.dialogues.models import Topic
    return [t.id for t in db.session.scalars(select(Topic).order_by(Topic.code))]


def test_organizer_creates_a_draft(app, tree, organizer_a_client, topic_ids):
    page = organizer_a_client.get("/manage/dialogues/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Four leader rows without JavaScript; department B is not offered to an organizer of A.
    assert 'name="leaders-3-name"' in html and 'name="leaders-4-name"' not in html
    assert 'value="A"' in html and 'value="B"' not in html

    data = form_data(tree, topic_list=topic_ids[:2], csrf_token=token(organizer_a_client))
    response = organizer_a_client.post("/manage/dialogues/new", data=data)
    assert response.status_code == 303
    conference = db.session.scalar(select(Conference))
    assert response.headers["Location"].endswith(f"/manage/dialogues/{conference.id}")
    assert conference.status == ConferenceStatus.DRAFT
    assert conference.title_vi == "Đối thoại về đất đai"
    assert conference.leaders == [{"name": "Nguyễn Văn An", "title": "Giám đốc Sở"}]
    assert conference.agenda == [{"time": "08:30", "item_vi": "Khai mạc", "item_en": "Opening"}]
    assert sorted(t.id for t in conference.topics) == sorted(topic_ids[:2])
    assert conference.host_agency_id == tree.dept_a.id and conference.capacity == 100
    # Typed in Việt Nam time, stored in UTC.
    assert local(conference.starts_at) == data["starts_at"]
    assert conference.starts_at.utcoffset() == timedelta(0)
    assert conference.created_by_id == tree.organizer_a.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conference.created"))


def _errors(html: str) -> list[str]:
    """The links of the error summary, as (href, text)."""
    summary = html[html.index('id="error-summary"'):]
    summary = summary[:summary.index("</ul>")]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"title_vi": ""}, "title_vi", "title"),
    ({"host_agency": "B"}, "host_agency", "host agency"),
    ({"host_agency": ""}, "host_agency", "host agency"),
    ({"venue": ""}, "venue", "venue"),
    ({"mode": "online"}, "online_url", "online link"),
    ({"mode": "hybrid", "venue": ""}, "venue", "venue"),
    ({"mode": "online", "online_url": "http://meet.example.vn/x"}, "online_url", "https://"),
    ({"mode": "online", "online_url": "javascript:alert(1)"}, "online_url", "https://"),
    ({"mode": "teleport"}, "mode", "take part"),
    ({"starts_at": "tomorrow"}, "starts_at", "date and time"),
    ({"ends_at": ""}, "ends_at", "ends"),
    ({"capacity": "0"}, "capacity", "between 1"),
    ({"capacity": "lots"}, "capacity", "whole number"),
    ({"topics": ["999999"]}, "topics", "topics from the list"),
    ({"leaders-1-title": "Phó Chủ tịch"}, "leaders-1-name", "Leader 2"),
    ({"agenda-1-item_vi": "Phát biểu"}, "agenda-1-time", "Agenda item 2"),
    ({"agenda-1-time": "09:00"}, "agenda-1-item_vi", "Agenda item 2"),
])
def test_every_mistake_is_named_and_what_was_typed_is_kept(app, tree, organizer_a_client, topic_ids,
                                                          changes, field, words):
    data = form_data(tree, topic_list=topic_ids[:1], csrf_token=token(organizer_a_client), **changes)
    data["title_en"] = "Kept <as typed>"
    response = organizer_a_client.post("/manage/dialogues/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = _errors(html)
    assert any(href == field and words.lower() in text.lower() for href, text in errors), errors
    assert f'id="{field}"' in html
    assert 'value="Kept &lt;as typed&gt;"' in html
    assert "Nguyễn Văn An" in html
    assert "Hội trường UBND tỉnh" in html or changes.get("venue") == ""
    assert db.session.scalar(select(Conference)) is None


def test_times_must_follow_each_other(app, tree, organizer_a_client, topic_ids):
    start = utcnow() + timedelta(days=5)
    data = form_data(tree, csrf_token=token(organizer_a_client), starts_at=local(start),
                     ends_at=local(start - timedelta(hours=1)),
                     registration_opens_at=local(start + timedelta(days=1)),
                     registration_closes_at=local(start + timedelta(hours=2)))
    html = organizer_a_client.post("/manage/dialogues/new", data=data).get_data(as_text=True)
    errors = dict(_errors(html))
    assert "after the start" in errors["ends_at"]
    assert "before it closes" in errors["registration_opens_at"]
    assert "at the start of the conference or before" in errors["registration_closes_at"]
    assert f'value="{local(start + timedelta(days=1))}"' in html


def test_errors_are_in_vietnamese_for_a_vietnamese_page(app, tree, organizer_a_client, topic_ids):
    data = form_data(tree, csrf_token=token(organizer_a_client), title_vi="")
    html = organizer_a_client.post("/manage/dialogues/new?lang=vi", data=data).get_data(as_text=True)
    assert '<html lang="vi">' in html and 'id="error-summary"' in html


def test_scoping(app, tree, client, organizer_b_client, leader_a_client, organizer_a_client):
    conference = make_conference(tree.counter_a)
    for url in (f"/manage/dialogues/{conference.id}", f"/manage/dialogues/{conference.id}/edit",
                f"/manage/dialogues/{conference.id}/registrants",
                f"/manage/dialogues/{conference.id}/check-in"):
        assert organizer_b_client.get(url).status_code == 404
        assert leader_a_client.get(url).status_code == 403
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
        assert organizer_a_client.get(url).status_code == 200
    # Another subtree's conference is not in the list either.
    listing = organizer_b_client.get("/manage/dialogues/").get_data(as_text=True)
    assert f"conference-{conference.id}" not in listing
    listing = organizer_a_client.get("/manage/dialogues/").get_data(as_text=True)
    assert f"conference-{conference.id}" in listing
    # Posting to it is refused the same way.
    response = organizer_b_client.post(f"/manage/dialogues/{conference.id}/publish",
                                       data={"csrf_token": token(organizer_b_client)})
    assert response.status_code == 404


def test_list_filters_and_counts(app, tree, organizer_a_client):
    start = datetime(2031, 3, 10, 2, 0, tzinfo=UTC)
    march = make_conference(tree.dept_a, capacity=2, starts_at=start, ends_at=start + timedelta(hours=2),
                            registration_closes_at=None, registration_opens_at=None)
    draft = make_conference(tree.commune_a, status=ConferenceStatus.DRAFT, title_vi="Hội nghị nháp",
                            starts_at=start + timedelta(days=40), ends_at=start + timedelta(days=40, hours=1))
    people = [register(march, full_name=f"Người {n}", phone=phone(n))[0] for n in range(3)]
    db.session.commit()
    check_in(march, people[0].ticket_code)
    db.session.commit()

    html = organizer_a_client.get("/manage/dialogues/?month=2031-03").get_data(as_text=True)
    assert f"conference-{march.id}" in html and f"conference-{draft.id}" not in html
    row = html[html.index(f'id="conference-{march.id}"'):]
    row = row[:row.index("</tr>")]
    cells = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row)
    assert cells == ["2 / 2", "1", "1"]  # seats taken / capacity, waiting list, checked in

    html = organizer_a_client.get("/manage/dialogues/?status=draft").get_data(as_text=True)
    assert f"conference-{draft.id}" in html and f"conference-{march.id}" not in html
    html = organizer_a_client.get("/manage/dialogues/?agency=A2").get_data(as_text=True)
    assert f"conference-{draft.id}" in html and f"conference-{march.id}" not in html
    assert organizer_a_client.get("/manage/dialogues/?agency=B").status_code == 404
    bad = organizer_a_client.get("/manage/dialogues/?month=2031-13&status=nope")
    assert bad.status_code == 400
    assert f"conference-{march.id}" in bad.get_data(as_text=True)


def test_list_pages(app, tree, organizer_a_client):
    for n in range(32):
        make_conference(tree.dept_a, title_vi=f"Hội nghị {n}")
    first = organizer_a_client.get("/manage/dialogues/").get_data(as_text=True)
    second = organizer_a_client.get("/manage/dialogues/?page=2").get_data(as_text=True)
    assert first.count('id="conference-') == 30 and second.count('id="conference-') == 2
    assert "page=2" in first


def _edit(client, conference, **changes):
    """Open the edit form of `conference` and post it back with `changes`; returns the response."""
    html = client.get(f"/manage/dialogues/{conference.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([^"]+)"|id="version" name="version" '
                        r'type="hidden" value="([^"]+)"', html)
    version = re.search(r'name="version"[^>]*value="([^"]*)"', html).group(1) if version is None else \
        (version.group(1) or version.group(2))
    return _post_edit(client, conference, version, **changes)


def _post_edit(client, conference, version, **changes):
    """Post the edit form as shown for `version` with `changes`."""
    data = {
        "version": version, "csrf_token": token(client),
        "title_vi": conference.title_vi, "title_en": conference.title_en,
        "description_vi": conference.description_vi or "Mô tả", "description_en": "",
        "host_agency": conference.host_agency.code, "mode": conference.mode.value,
        "venue": conference.venue or "Hội trường", "online_url": conference.online_url,
        "starts_at": local(conference.starts_at), "ends_at": local(conference.ends_at),
        "capacity": str(conference.capacity), "registration_opens_at": "",
        "registration_closes_at": "",
    }
    data.update(changes)
    return client.post(f"/manage/dialogues/{conference.id}/edit", data=data)


def test_edit_saves_and_a_stale_form_does_not_overwrite(app, tree, organizer_a_client, admin_client):
    conference = make_conference(tree.dept_a, venue="Hội trường A", description_vi="Mô tả")
    html = organizer_a_client.get(f"/manage/dialogues/{conference.id}/edit").get_data(as_text=True)
    assert 'value="Đối thoại với Nhân dân"' in html
    stale_version = edit_fingerprint(conference)
    assert stale_version in html

    # The admin saves first.
    response = _post_edit(admin_client, conference, stale_version, title_vi="Tiêu đề của quản trị")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Conference, conference.id).title_vi == "Tiêu đề của quản trị"

    # The organizer's form still carries the old version: refused, nothing overwritten, typing kept.
    response = _post_edit(organizer_a_client, conference, stale_version, title_vi="Tiêu đề của tổ chức")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved changes" in html
    assert 'value="Tiêu đề của tổ chức"' in html            # what the organizer typed
    assert "Tiêu đề của quản trị" in html                    # what is saved now, shown beside it
    db.session.expire_all()
    conference = db.session.get(Conference, conference.id)
    assert conference.title_vi == "Tiêu đề của quản trị"

    # Saving again from that page is a deliberate choice and goes through.
    fresh = re.search(r'name="version"[^>]*value="([^"]*)"', html).group(1)
    assert fresh == edit_fingerprint(conference)
    response = _post_edit(organizer_a_client, conference, fresh, title_vi="Tiêu đề của tổ chức")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Conference, conference.id).title_vi == "Tiêu đề của tổ chức"


def test_a_sign_up_does_not_make_the_form_stale(app, tree, organizer_a_client):
    conference = make_conference(tree.dept_a, venue="Hội trường A", description_vi="Mô tả")
    version = edit_fingerprint(conference)
    register(conference, full_name="Trần Thị B", phone=phone(1))
    db.session.commit()
    assert _post_edit(organizer_a_client, conference, version, venue="Hội trường B").status_code == 303


def test_capacity_raise_promotes_in_order_and_notifies(app, tree, organizer_a_client):
    conference = make_conference(tree.dept_a, capacity=2, venue="Hội trường", description_vi="Mô tả")
    people = [register(conference, full_name=f"Người {n}", phone=phone(n), email=f"p{n}@example.vn")[0]
              for n in range(5)]
    db.session.commit()
    confirmed, waitlisted = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED
    assert [p.status for p in people] == [confirmed] * 2 + [waitlisted] * 3

    response = _edit(organizer_a_client, conference, capacity="4")
    assert response.status_code == 303
    db.session.expire_all()
    statuses = {p.id: db.session.get(Registration, p.id) for p in people}
    assert [statuses[p.id].status for p in people] == [RegistrationStatus.CONFIRMED] * 4 + [
        RegistrationStatus.WAITLISTED]
    assert statuses[people[4].id].waitlist_position == 1
    sent = db.session.scalars(select(Notification).where(Notification.kind == "registration_promoted")
                              .order_by(Notification.to_email)).all()
    assert [n.to_email for n in sent] == ["p2@example.vn", "p3@example.vn"]
    assert db.session.get(Conference, conference.id).capacity == 4
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conference.updated"))
    assert "capacity" in event.details["fields"]
    page = organizer_a_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 people were moved from the waiting list" in page


def test_capacity_below_the_seats_taken_is_refused_with_the_count(app, tree, organizer_a_client):
    conference = make_conference(tree.dept_a, capacity=5, venue="Hội trường", description_vi="Mô tả")
    for n in range(3):
        register(conference, full_name=f"Người {n}", phone=phone(n))
    db.session.commit()
    response = _edit(organizer_a_client, conference, capacity="2", title_vi="Đổi tên")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "3 people already hold a seat" in html and "lower than 3" in html
    assert 'href="#capacity"' in html and 'value="Đổi tên"' in html
    db.session.expire_all()
    conference = db.session.get(Conference, conference.id)
    assert conference.capacity == 5 and conference.title_vi == "Đối thoại với Nhân dân"


def test_held_and_cancelled_conferences_cannot_be_edited(app, tree, organizer_a_client):
    for status in (ConferenceStatus.HELD, ConferenceStatus.CANCELLED, ConferenceStatus.REPORTED):
        conference = make_conference(tree.dept_a, status=status)
        assert organizer_a_client.get(f"/manage/dialogues/{conference.id}/edit").status_code == 409
        response = _post_edit(organizer_a_client, conference, edit_fingerprint(conference), title_vi="X")
        assert response.status_code == 409
        assert "can no longer be edited" in response.get_data(as_text=True)


def test_online_conference_keeps_its_link(app, tree, organizer_a_client, topic_ids):
    data = form_data(tree, topic_list=topic_ids[:1], csrf_token=token(organizer_a_client), mode="online",
                     venue="", online_url="https://meet.example.vn/doi-thoai")
    assert organizer_a_client.post("/manage/dialogues/new", data=data).status_code == 303
    conference = db.session.scalar(select(Conference))
    assert conference.mode == ConferenceMode.ONLINE
    assert conference.online_url == "https://meet.example.vn/doi-thoai"
