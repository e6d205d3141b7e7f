"""The managed topic list: admins add, rename, stop offering and load the standard topics; organizers read."""

from sqlalchemy import func, select

from feedback.audit.models import AuditEvent
from feedback.dialogues.models import Topic
from feedback.dialogues.topics import DEFAULT_TOPICS
from feedback.extensions import db
from tests.dialogues.manage.conftest import token


def _topics() -> dict[str, Topic]:
    """Every topic by code, as stored now."""
    db.session.expire_all()
    return {t.code: t for t in db.session.scalars(select(Topic))}


def test_admin_loads_the_standard_topics_once(app, tree, admin_client):
    page = admin_client.get("/manage/dialogues/topics").get_data(as_text=True)
    assert "Add the standard topics" in page
    response = admin_client.post("/manage/dialogues/topics/defaults",
                                 data={"csrf_token": token(admin_client)})
    assert response.status_code == 303
    assert set(_topics()) == {code for code, _vi, _en in DEFAULT_TOPICS}
    page = admin_client.get("/manage/dialogues/topics").get_data(as_text=True)
    assert "Add the standard topics" not in page and "Đất đai" in page
    admin_client.post("/manage/dialogues/topics/defaults", data={"csrf_token": token(admin_client)})
    assert db.session.scalar(select(func.count(Topic.id))) == len(DEFAULT_TOPICS)


def test_admin_adds_renames_and_stops_offering(app, tree, admin_client):
    response = admin_client.post("/manage/dialogues/topics", data={
        "csrf_token": token(admin_client), "code": "nuoc-sach", "name_vi": "Nước sạch", "name_en": "Water"})
    assert response.status_code == 303
    topic = _topics()["nuoc-sach"]
    assert topic.active and topic.name_en == "Water"

    response = admin_client.post(f"/manage/dialogues/topics/{topic.id}", data={
        "csrf_token": token(admin_client), "name_vi": "Nước sạch nông thôn", "name_en": "Rural water"})
    assert response.status_code == 303
    assert _topics()["nuoc-sach"].name_vi == "Nước sạch nông thôn"

    response = admin_client.post(f"/manage/dialogues/topics/{topic.id}/active",
                                 data={"csrf_token": token(admin_client), "active": "0"})
    assert response.status_code == 303 and not _topics()["nuoc-sach"].active
    assert "No longer offered" in admin_client.get("/manage/dialogues/topics").get_data(as_text=True)
    admin_client.post(f"/manage/dialogues/topics/{topic.id}/active",
                      data={"csrf_token": token(admin_client), "active": "1"})
    assert _topics()["nuoc-sach"].active
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"topic.created", "topic.renamed", "topic.deactivated", "topic.activated"} <= actions


def test_topic_mistakes_are_explained_and_kept(app, tree, admin_client):
    db.session.add(Topic(code="dat-dai", name_vi="Đất đai", name_en="Land"))
    db.session.commit()
    for data, field, words in (({"code": "dat-dai", "name_vi": "Đất"}, "new-code", "already used"),
                               ({"code": "Đất Đai!", "name_vi": "Đất"}, "new-code", "lower-case"),
                               ({"code": "moi", "name_vi": ""}, "new-name_vi", "Vietnamese name")):
        response = admin_client.post("/manage/dialogues/topics",
                                     data={"csrf_token": token(admin_client), **data})
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert f'href="#{field}"' in html and words in html
        assert f'value="{data["code"]}"' in html
    topic = _topics()["dat-dai"]
    response = admin_client.post(f"/manage/dialogues/topics/{topic.id}", data={
        "csrf_token": token(admin_client), "name_vi": "", "name_en": "Kept"})
    assert response.status_code == 422 and 'value="Kept"' in response.get_data(as_text=True)
    assert _topics()["dat-dai"].name_vi == "Đất đai"


def test_organizers_read_but_do_not_change(app, tree, organizer_a_client, leader_a_client):
    db.session.add(Topic(code="dat-dai", name_vi="Đất đai", name_en="Land"))
    db.session.commit()
    topic_id = _topics()["dat-dai"].id
    page = organizer_a_client.get("/manage/dialogues/topics")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Land" in html and "Only administrators change this list" in html
    assert "Add a topic" not in html and "Stop offering" not in html
    t = token(organizer_a_client)
    for url, data in (("/manage/dialogues/topics", {"code": "x", "name_vi": "X"}),
                      ("/manage/dialogues/topics/defaults", {}),
                      (f"/manage/dialogues/topics/{topic_id}", {"name_vi": "Y"}),
                      (f"/manage/dialogues/topics/{topic_id}/active", {"active": "0"})):
        assert organizer_a_client.post(url, data={"csrf_token": t, **data}).status_code == 403
    assert leader_a_client.get("/manage/dialogues/topics").status_code == 403
    assert set(_topics()) == {"dat-dai"} and _topics()["dat-dai"].active
