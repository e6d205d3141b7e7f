"""POST /api/v1/survey-codes: authentication, scope, validation, idempotency, rate limit."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback.api.models import ApiKey
from feedback.api.services import revoke_key
from feedback.core.codes import ALPHABET
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.codes import find_code, live_deployment_at
from feedback.surveys.models import AccessMode, DeploymentStatus, SurveyCode
from tests.api.helpers import issue, make_key
from tests.surveys.helpers import deploy_default


@pytest.fixture
def secret(app, tree):
    """A key for department A; a code-only survey at counter A1, an open one at B."""
    deploy_default(tree.counter_a, access_mode=AccessMode.CODE)
    deploy_default(tree.dept_b)
    return make_key(tree.dept_a)


def _count() -> int:
    """How many codes are stored."""
    return db.session.scalar(select(func.count()).select_from(SurveyCode))


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer ln_nope",
                                    "ln_nope", "Bearer " + "x" * 500])
def test_no_or_a_bad_key_gets_401_json(client, secret, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.post("/api/v1/survey-codes", json={"agency_code": "A1", "dossier_id": "1"},
                           headers=headers)
    assert response.status_code == 401
    assert response.is_json and response.json["error"]["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _count() == 0


def test_a_revoked_key_gets_401(client, secret, tree):
    assert issue(client, secret, agency_code="A1", dossier_id="1").status_code == 201
    revoke_key(db.session.scalar(select(ApiKey)))
    db.session.commit()
    response = issue(client, secret, agency_code="A1", dossier_id="2")
    assert response.status_code == 401 and response.is_json
    assert _count() == 1


def test_a_new_dossier_gets_201_and_the_same_dossier_gets_the_same_code(app, client, secret):
    app.config["PUBLIC_BASE_URL"] = "https://langnghe.example.gov.vn"
    first = issue(client, secret, agency_code="a1", dossier_id=" H56-0042 ", expires_in_days=30)
    assert first.status_code == 201
    body = first.json
    assert set(body) == {"code", "url", "agency_code", "dossier_id", "expires_at", "officer_code"}
    assert re.fullmatch(f"[{ALPHABET}]{{8}}", body["code"])
    assert body["url"] == f"https://langnghe.example.gov.vn/r/{body['code']}"
    assert body["agency_code"] == "A1" and body["dossier_id"] == "H56-0042"
    assert body["expires_at"].endswith("Z")
    stored = find_code(body["code"])
    assert stored.dossier_id == "H56-0042" and stored.api_key_id is not None
    assert timedelta(days=29, hours=23) < stored.expires_at - utcnow() <= timedelta(days=30)

    again = issue(client, secret, agency_code="A1", dossier_id="H56-0042", expires_in_days=5)
    assert again.status_code == 200
    assert again.json == body  # the first expiry stays
    other = issue(client, secret, agency_code="A1", dossier_id="H56-0043")
    assert other.status_code == 201 and other.json["code"] != body["code"]
    assert other.json["expires_at"] is None
    assert _count() == 2


def test_the_same_dossier_at_another_agency_is_another_code(client, secret, tree):
    deploy_default(tree.commune_a)
    a1 = issue(client, secret, agency_code="A1", dossier_id="D-1")
    a2 = issue(client, secret, agency_code="A2", dossier_id="D-1")
    assert a1.status_code == a2.status_code == 201
    assert a1.json["code"] != a2.json["code"]


def test_without_a_public_base_url_the_request_address_is_used(client, secret):
    response = issue(client, secret, agency_code="A1", dossier_id="1")
    assert response.json["url"] == f"http://localhost/r/{response.json['code']}"


def test_an_agency_outside_the_keys_subtree_is_404(client, secret):
    for agency in ("B", "P", "NOPE"):
        response = issue(client, secret, agency_code=agency, dossier_id="1")
        assert response.status_code == 404, agency
        assert response.is_json and response.json["error"]["status"] == 404
    assert _count() == 0


def test_an_agency_without_a_live_survey_is_409(client, secret, tree):
    response = issue(client, secret, agency_code="A2", dossier_id="1")
    assert response.status_code == 409
    assert response.json["error"]["agency_code"] == "A2"
    assert "đang hoạt động" in response.json["error"]["detail"]  # Vietnamese unless asked otherwise
    english = client.post("/api/v1/survey-codes", json={"agency_code": "A2", "dossier_id": "1"},
                          headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"})
    assert "live survey" in english.json["error"]["detail"]
    # A paused survey takes no responses either.
    live_deployment_at(tree.counter_a).status = DeploymentStatus.PAUSED
    db.session.commit()
    assert issue(client, secret, agency_code="A1", dossier_id="1").status_code == 409
    assert _count() == 0


def test_a_dossier_already_issued_keeps_its_code_after_the_survey_ends(client, secret, tree):
    code = issue(client, secret, agency_code="A1", dossier_id="1").json["code"]
    live_deployment_at(tree.counter_a).status = DeploymentStatus.ENDED
    db.session.commit()
    again = issue(client, secret, agency_code="A1", dossier_id="1")
    assert again.status_code == 200 and again.json["code"] == code


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"agency_code", "dossier_id"}),
    ({"agency_code": "A1"}, {"dossier_id"}),
    ({"agency_code": "A1", "dossier_id": ""}, {"dossier_id"}),
    ({"agency_code": "A1", "dossier_id": "   "}, {"dossier_id"}),
    ({"agency_code": "A1", "dossier_id": 42}, {"dossier_id"}),
    ({"agency_code": "A1", "dossier_id": "x" * 65}, {"dossier_id"}),
    ({"agency_code": "A1", "dossier_id": "a\x00b"}, {"dossier_id"}),
    ({"agency_code": 7, "dossier_id": "1"}, {"agency_code"}),
    ({"agency_code": "A" * 33, "dossier_id": "1"}, {"agency_code"}),
    ({"agency_code": "A1", "dossier_id": "1", "expires_in_days": 0}, {"expires_in_days"}),
    ({"agency_code": "A1", "dossier_id": "1", "expires_in_days": 366}, {"expires_in_days"}),
    ({"agency_code": "A1", "dossier_id": "1", "expires_in_days": 1.5}, {"expires_in_days"}),
    ({"agency_code": "A1", "dossier_id": "1", "expires_in_days": "7"}, {"expires_in_days"}),
    ({"agency_code": "A1", "dossier_id": "1", "expires_in_days": True}, {"expires_in_days"}),
    (["A1", "1"], {"body"}),
    ("A1", {"body"}),
])
def test_invalid_fields_get_422_with_a_message_each(client, secret, body, fields):
    response = client.post("/api/v1/survey-codes", json=body, headers={"Authorization": f"Bearer {secret}",
                                                                       "Accept-Language": "en"})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["status"] == 422
    assert set(error["fields"]) == fields
    assert all(isinstance(m, str) and m for m in error["fields"].values())
    assert _count() == 0


def test_a_body_that_is_not_json_gets_400_json(client, secret):
    response = client.post("/api/v1/survey-codes", data="agency_code=A1",
                           headers={"Authorization": f"Bearer {secret}",
                                    "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and response.is_json


def test_json_without_a_content_type_is_read(client, secret):
    response = client.post("/api/v1/survey-codes", data='{"agency_code": "A1", "dossier_id": "9"}',
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201


def test_null_expiry_means_none(client, secret):
    response = issue(client, secret, agency_code="A1", dossier_id="1", expires_in_days=None)
    assert response.status_code == 201 and response.json["expires_at"] is None


def test_other_methods_answer_json(client, secret):
    response = client.get("/api/v1/survey-codes", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 405 and response.is_json


def test_the_key_is_hashed_at_rest_and_its_use_recorded(app, client, secret):
    key = db.session.scalar(select(ApiKey))
    assert key.last_used_at is None
    assert secret.startswith("ln_") and len(secret) >= 40
    assert key.prefix == secret[:11] and key.key_hash != secret and len(key.key_hash) == 64
    # The secret is nowhere in the database, whatever the column.
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT * FROM api_key").all()
    assert not any(secret in str(value) for row in rows for value in row)
    assert not any(secret[11:] in str(value) for row in rows for value in row)

    issue(client, secret, agency_code="A1", dossier_id="1")
    db.session.expire_all()
    assert db.session.get(ApiKey, key.id).last_used_at is not None


def test_no_csrf_token_is_needed_but_a_session_cookie_is_not_enough(app, admin_client, secret):
    # Signed in as admin, without a key: still 401 (cookies are not API credentials).
    response = admin_client.post("/api/v1/survey-codes", json={"agency_code": "A1", "dossier_id": "1"})
    assert response.status_code == 401


def test_requests_are_rate_limited_per_key(app, client, secret, tree):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    other = make_key(tree.dept_a, name="Second system")
    statuses = [issue(client, secret, agency_code="A1", dossier_id=str(i)).status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]
    limited = issue(client, secret, agency_code="A1", dossier_id="x")
    assert limited.status_code == 429 and limited.is_json and "Retry-After" in limited.headers
    # Another key has its own allowance.
    assert issue(client, other, agency_code="A1", dossier_id="y").status_code == 201


def test_made_up_keys_are_rate_limited_per_address_not_per_key(app, client, secret, tree):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    # Each attempt presents another made-up secret: they share the address's allowance.
    statuses = [issue(client, f"ln_made-up-{i}", agency_code="A1", dossier_id="1").status_code
                for i in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    assert issue(client, None, agency_code="A1", dossier_id="1").status_code == 429
    # A real key from the same address keeps its own allowance.
    assert issue(client, secret, agency_code="A1", dossier_id="2").status_code == 201
