"""No access across agency subtrees: every staff route of the url_map, tried with department B's
objects by someone who only works over department A, answers 403/404 and shows none of B's data."""

from feedback.extensions import db
from tests.security.conftest import STATE_CHANGING, fill, first_topic_id, rules, session_token, snapshot

STAFF_PREFIXES = ("/manage", "/dashboard", "/admin")
# Pages without an object of B in their address: lists and forms, answered (200/302/303) but without
# any of B's rows, whatever filter is asked for.
LIST_FILTERS = ("agency=B", "agency=b", "agency=B&sub=1", "under=B", "agency=P&sub=1", "host=B", "q=alert")


def _staff_rules(app, methods):
    """Staff rules under /manage, /dashboard and /admin accepting `methods`."""
    return [r for r in rules(app, methods) if r.rule.startswith(STAFF_PREFIXES)]


def _names_b(rule) -> bool:
    """Whether the rule's address names an object (so B's object can be put in it)."""
    return bool(rule.arguments - {"fmt", "number", "key", "version"})


def test_every_staff_page_refuses_department_b_objects(app, world, staff_a_client):
    topic = first_topic_id()
    tried = 0
    for rule in _staff_rules(app, {"GET"}):
        if rule.endpoint.startswith("dashboards.plotly"):
            continue  # versioned chart library files: public, not agency data
        formats = ["csv", "xlsx"] if "fmt" in rule.arguments else [None]
        for fmt in formats:
            path = fill(rule, world.b, topic, **({"fmt": fmt} if fmt else {}))
            response = staff_a_client.get(path, buffered=True)
            body = response.get_data()
            assert response.status_code != 500, path
            assert b"BMARK" not in body, f"{path} shows department B's data"
            if _names_b(rule) and rule.endpoint != "dialogue_manage.topics":
                assert response.status_code in (403, 404), (path, response.status_code)
            tried += 1
    assert tried > 30


def test_filters_and_exports_never_show_another_subtree(app, world, staff_a_client):
    topic = first_topic_id()
    for rule in _staff_rules(app, {"GET"}):
        if _names_b(rule) and "fmt" not in rule.arguments:
            continue
        for fmt in (["csv", "xlsx"] if "fmt" in rule.arguments else [None]):
            if "fmt" in rule.arguments and _names_b(rule):
                base = fill(rule, world.a, topic, fmt=fmt)   # A's conference, B asked in the filter
            else:
                base = fill(rule, world.a, topic, **({"fmt": fmt} if fmt else {}))
            for query in LIST_FILTERS:
                response = staff_a_client.get(f"{base}?{query}", buffered=True)
                assert response.status_code != 500, (base, query)
                assert b"BMARK" not in response.get_data(), f"{base}?{query} shows department B's data"


def test_a_staff_member_sees_their_own_department(world, staff_a_client):
    """The refusals above are not because the pages are empty for everyone."""
    for path in ("/manage/dialogues/", "/manage/petitions/", "/manage/responses/",
                 f"/manage/dialogues/{world.a.ids['conference_id']}/registrants"):
        response = staff_a_client.get(path, buffered=True)
        assert response.status_code == 200 and b"AMARK" in response.get_data(), path


def test_every_staff_post_on_department_b_objects_is_refused_and_changes_nothing(app, world, staff_a_client):
    topic = first_topic_id()
    token = session_token(staff_a_client)
    before = snapshot()
    tried = 0
    for rule in _staff_rules(app, STATE_CHANGING):
        if not _names_b(rule) or "topic_id" in rule.arguments:
            continue  # topics are shared: see test_topics_are_an_admin_matter
        targets = ("petition_id", "hidden_id", "received_id") if "petition_id" in rule.arguments else (None,)
        for target in targets:
            overrides = {"petition_id": world.b.ids[target]} if target else {}
            path = fill(rule, world.b, topic, **overrides)
            response = staff_a_client.post(path, data={
                "csrf_token": token, "agency": "B", "text": "x", "answer": "x", "reason": "x",
                "into": str(world.b.ids["petition_id"]), "full_name": "x", "phone": "0912345678",
                "confirm": "y", "summary": "x", "due_date": "2030-01-01"})
            assert response.status_code in (403, 404), (path, response.status_code)
            tried += 1
    assert tried > 25
    db.session.expire_all()
    assert snapshot() == before


def test_topics_are_an_admin_matter(app, world, staff_a_client):
    """Topics are shared by every department: only an admin changes them."""
    topic = first_topic_id()
    token = session_token(staff_a_client)
    before = snapshot()
    for path in ("/manage/dialogues/topics", "/manage/dialogues/topics/defaults",
                 f"/manage/dialogues/topics/{topic}", f"/manage/dialogues/topics/{topic}/active"):
        response = staff_a_client.post(path, data={"csrf_token": token, "code": "x", "name_vi": "x",
                                                   "name_en": "x", "active": "0"})
        assert response.status_code == 403, path
    assert snapshot() == before


def test_a_department_a_petition_cannot_be_merged_into_a_department_b_petition(world, staff_a_client):
    """Merging reaches only petitions of the same conference. (Routing to any agency of the tree is by
    design: the responsible agency may be another department.)"""
    token = session_token(staff_a_client)
    before = snapshot()
    merged = staff_a_client.post(f"/manage/petitions/{world.a.ids['received_id']}/merge",
                                 data={"csrf_token": token, "into": world.b.ids["petition_id"]})
    assert merged.status_code in (400, 404, 409, 422)
    assert snapshot() == before
