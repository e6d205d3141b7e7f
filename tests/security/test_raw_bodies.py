"""Raw requests: malformed UTF-8, oversized bodies, wrong content types, and hostile JSON to the API;
always a clear 4xx (localized page, or JSON under /api/), never a 500."""

import json

import pytest

from feedback.extensions import db
from tests.api.helpers import make_key
from tests.security.conftest import sign_in, snapshot
from tests.surveys.helpers import deploy_default

BAD_UTF8 = (b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf0\x28\x8c\x28", b"%ff%fe", b"\x00", b"%00",
            b"%ed%a0%80", b"\xe2\x80\xae")


@pytest.fixture
def paths(world):
    """Every public form's address, with department A's objects."""
    a = world.a.ids
    return ["/s/A", f"/r/{a['survey_code']}", f"/dialogues/{a['conference_id']}/register",
            f"/dialogues/{a['conference_id']}/resend", f"/tickets/{a['ticket']}/cancel",
            f"/track/{a['tracking']}/rating", "/login", "/tickets/lost"]


def test_malformed_utf8_in_form_bodies_and_query_strings(app, world, paths):
    client = app.test_client()
    before = snapshot()
    for path in paths:
        for junk in BAD_UTF8:
            body = b"token=" + junk + b"&full_name=" + junk + b"&phone=" + junk + b"&" + junk + b"=" + junk
            response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
            assert 400 <= response.status_code < 500, (path, junk, response.status_code)
            page = path.replace("/cancel", "").replace("/rating", "").replace("/resend", "")
            query = client.get(page + "?code=" + junk.decode("latin-1") + "&d=" + junk.decode("latin-1"))
            assert query.status_code < 500, (path, junk)
    for path in ("/", "/dialogues/", "/tickets/", "/track/", "/r/", "/s/A"):
        raw = client.get(path + "?code=%ff%fe&agency=%c3%28&month=%ed%a0%80&page=%00&lang=%ff")
        assert raw.status_code in (200, 302, 303, 400, 404, 422), (path, raw.status_code)
    assert snapshot() == before


def test_a_body_over_the_limit_is_refused_with_413(app, world, paths):
    secret = make_key(world.tree.dept_a)
    limit = app.config["MAX_CONTENT_LENGTH"]
    client = app.test_client()
    for path in paths:
        response = client.post(path, data={"full_name": "x" * (limit + 10)})
        assert response.status_code == 413, path
        assert "text/html" in response.content_type
        assert "Nội dung gửi lên quá lớn" in response.get_data(as_text=True) or "<h1>" in response.get_data(
            as_text=True)
    english = client.post(paths[0] + "?lang=en", data={"comment": "x" * (limit + 10)})
    assert "What you sent is too large" in english.get_data(as_text=True)
    api = client.post("/api/v1/survey-codes", data=b"{" + b" " * (limit + 10) + b"}",
                      content_type="application/json", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 413 and api.is_json and api.get_json()["error"]["status"] == 413


def test_wrong_content_types_are_refused_cleanly(app, world, paths):
    client = app.test_client()
    for path in paths:
        for content_type, body in (("application/json", b'{"full_name": "x"}'), ("text/plain", b"x=1"),
                                   ("multipart/form-data", b"garbage"),
                                   ("multipart/form-data; boundary=x", b"--x\r\nbroken"),
                                   ("application/x-www-form-urlencoded; charset=utf-16", b"\xff\xfex")):
            response = client.post(path, data=body, content_type=content_type)
            assert 400 <= response.status_code < 500, (path, content_type, response.status_code)


HOSTILE_JSON = [
    (b"", 400), (b"not json", 400), (b"{", 400), (b"[]", 422), (b"null", 400), (b'"text"', 422),
    (b"1e999999", 422), (b"\xff\xfe{}", 400), (b'{"agency_code": "A", "dossier_id": "\xff"}', 400),
    (b'{"agency_code": 1, "dossier_id": 2}', 422), (b'{"agency_code": ["A"], "dossier_id": {"x": 1}}', 422),
    (b'{"agency_code": "A", "dossier_id": "1", "expires_in_days": "30"}', 422),
    (b'{"agency_code": "A", "dossier_id": "1", "expires_in_days": true}', 422),
    (b'{"agency_code": "A", "dossier_id": "1", "expires_in_days": 1e400}', 422),
    (b'{"agency_code": "A", "dossier_id": "1", "expires_in_days": 99999999999999999999999}', 422),
    (b'{"agency_code": "A", "dossier_id": "\\u0000"}', 422),
    (b'{"agency_code": "A", "dossier_id": "\\ud800"}', 422),
    (b'{"agency_code": "' + b"A" * 5000 + b'", "dossier_id": "1"}', 422),
    (b'{"agency_code": "A", "dossier_id": "' + b"9" * 100_000 + b'"}', 422),
    (b'{"agency_code": "B", "agency_code": "A", "dossier_id": "1"}', 201),
    (b'[' * 5000 + b']' * 5000, 400), (b'{"a":' * 5000 + b'1' + b'}' * 5000, 400),
    (b'{"agency_code": "\\ud800", "dossier_id": "1"}', 422),
]


def test_the_api_answers_hostile_json_with_a_json_4xx(app, tree):
    deploy_default(tree.dept_a)
    secret = make_key(tree.dept_a)
    client = app.test_client()
    for body, status in HOSTILE_JSON:
        response = client.post("/api/v1/survey-codes", data=body, content_type="application/json",
                               headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == status, (body[:80], response.get_data(as_text=True)[:300])
        assert response.is_json
        if status >= 400:
            error = response.get_json()["error"]
            assert error["status"] == status and error["title"] and error["detail"]


def test_the_api_refuses_a_form_body_and_wrong_keys(app, tree):
    secret = make_key(tree.dept_a)
    client = app.test_client()
    form = client.post("/api/v1/survey-codes", data={"agency_code": "A", "dossier_id": "1"},
                       headers={"Authorization": f"Bearer {secret}"})
    assert form.status_code == 400 and form.is_json
    for header in ("Bearer", "Bearer ", "Basic eDp4", "Bearer " + "x" * 10_000, "Bearer \u00ff\u00fe",
                   f"Bearer {secret}x", f"bearer  {secret[:-1]}"):
        body = json.dumps({"agency_code": "A", "dossier_id": "1"})
        response = client.post("/api/v1/survey-codes", data=body,
                               content_type="application/json", headers={"Authorization": header})
        assert response.status_code == 401 and response.is_json, header
    db.session.rollback()


def test_staff_forms_refuse_raw_garbage_too(app, world):
    admin = sign_in(app, world.tree.admin.email)
    for path in ("/manage/dialogues/new", "/manage/surveys/new", "/manage/codes/new", "/admin/api-keys/"):
        response = admin.post(path, data=b"csrf_token=%ff&name=\xff\xfe",
                              content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400, path


def test_nul_in_addresses_and_filters_is_not_found_not_a_crash(app, world):
    """PostgreSQL refuses NUL in a query: an address or filter holding one answers 4xx on both backends."""
    client = app.test_client()
    for path in ("/dialogues/?agency=%00", "/dialogues/?topic=%00", "/dialogues/?agency=A%00", "/s/A%00",
                 "/s/A%00/thanks", "/?agency=A%00", "/tickets/AB%00CD", "/track/AB%00", "/r/AB%00CDEF"):
        response = client.get(path)
        assert 300 <= response.status_code < 500, (path, response.status_code)
    admin = sign_in(app, world.tree.admin.email)
    for path in ("/dashboard/agencies/A%00", "/manage/deployments/agencies/A%00/poster",
                 "/manage/dialogues/?agency=%00", "/manage/petitions/?agency=%00&topic=%00",
                 "/manage/petitions/?q=a%00b", "/manage/responses/?agency=%00&q=%00",
                 "/dashboard/?agency=%00",
                 "/manage/codes/new?agency=%00", "/manage/deployments/?agency=%00"):
        response = admin.get(path, buffered=True)
        assert response.status_code < 500, (path, response.status_code)
