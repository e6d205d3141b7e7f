"""Admin pages and command for API keys: created with the secret shown once, listed, revoked."""

import re

from sqlalchemy import select

from feedback.api.models import ApiKey
from feedback.api.services import hash_key
from feedback.audit.models import AuditEvent
from feedback.extensions import db
from tests.api.helpers import issue, make_key
from tests.conftest import csrf_token
from tests.surveys.helpers import deploy_default

SECRET_RE = re.compile(r'id="secret" value="(ln_[A-Za-z0-9_-]{43})"')


def _create(client, **data):
    """Post the creation form with its CSRF token."""
    token = csrf_token(client.get("/admin/api-keys/?lang=en").get_data(as_text=True))
    return client.post("/admin/api-keys/", data={"csrf_token": token, **data})


def test_only_admins_manage_keys(organizer_a_client, leader_a_client, client, tree):
    assert organizer_a_client.get("/admin/api-keys/").status_code == 403
    assert leader_a_client.get("/admin/api-keys/").status_code == 403
    assert client.get("/admin/api-keys/").status_code == 302  # to sign-in
    key = db.session.get(ApiKey, _key_id(tree))
    token = csrf_token(organizer_a_client.get("/account").get_data(as_text=True))
    assert organizer_a_client.post(f"/admin/api-keys/{key.id}/revoke",
                                   data={"csrf_token": token}).status_code == 403
    assert db.session.get(ApiKey, key.id).revoked_at is None


def _key_id(tree) -> int:
    """The id of a fresh key for department A."""
    make_key(tree.dept_a)
    return db.session.scalar(select(ApiKey.id).order_by(ApiKey.id.desc()).limit(1))


def test_the_secret_is_shown_once_and_only_its_hash_is_kept(admin_client, tree):
    response = _create(admin_client, name="Một cửa Sở Tư pháp", agency="A")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    secret = SECRET_RE.search(html).group(1)
    key = db.session.scalar(select(ApiKey))
    assert key.name == "Một cửa Sở Tư pháp" and key.agency.code == "A"
    assert key.key_hash == hash_key(secret) and key.prefix == secret[:11]
    assert key.created_by_id == tree.admin.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "apikey.create"))
    assert event.object_id == str(key.id) and secret not in str(event.details)

    listing = admin_client.get("/admin/api-keys/?lang=en").get_data(as_text=True)
    assert key.prefix in listing and "Một cửa Sở Tư pháp" in listing
    assert secret not in listing
    # And it works.
    deploy_default(tree.counter_a)
    assert issue(admin_client, secret, agency_code="A1", dossier_id="1").status_code == 201
    assert "never" not in admin_client.get("/admin/api-keys/?lang=en").get_data(as_text=True)


def test_bad_input_is_explained(admin_client, tree):
    for data, message in (({"name": "", "agency": "A"}, "Enter a name"),
                          ({"name": "   ", "agency": "A"}, "Enter a name"),
                          ({"name": "x" * 201, "agency": "A"}, "at most 200"),
                          ({"name": "OSS", "agency": ""}, "Choose the agency"),
                          ({"name": "OSS", "agency": "NOPE"}, "Choose one of the agencies")):
        response = _create(admin_client, **data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    assert db.session.scalar(select(ApiKey)) is None


def test_revoking_a_key_stops_it_at_once(admin_client, tree):
    deploy_default(tree.counter_a)
    secret = make_key(tree.dept_a)
    key = db.session.scalar(select(ApiKey))
    assert issue(admin_client, secret, agency_code="A1", dossier_id="1").status_code == 201
    token = csrf_token(admin_client.get("/admin/api-keys/?lang=en").get_data(as_text=True))
    response = admin_client.post(f"/admin/api-keys/{key.id}/revoke", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(ApiKey, key.id).revoked_at is not None
    assert issue(admin_client, secret, agency_code="A1", dossier_id="1").status_code == 401
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "apikey.revoke")) is not None
    # Twice is harmless; a missing key is 404; GET does nothing.
    assert admin_client.post(f"/admin/api-keys/{key.id}/revoke",
                             data={"csrf_token": token}).status_code == 303
    assert admin_client.post("/admin/api-keys/999/revoke", data={"csrf_token": token}).status_code == 404
    assert admin_client.get(f"/admin/api-keys/{key.id}/revoke").status_code == 405
    # Without the CSRF token nothing happens.
    other = make_key(tree.dept_a)
    other_key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(other)))
    assert admin_client.post(f"/admin/api-keys/{other_key.id}/revoke").status_code == 400
    assert db.session.get(ApiKey, other_key.id).revoked_at is None


def test_the_cli_prints_the_secret_once(runner, tree):
    result = runner.invoke(args=["api-keys", "create", "--name", "OSS", "--agency", "a"])
    assert result.exit_code == 0, result.output
    secret = re.search(r"^(ln_\S+)$", result.output, re.M).group(1)
    key = db.session.scalar(select(ApiKey))
    assert key.key_hash == hash_key(secret) and key.agency.code == "A"
    listed = runner.invoke(args=["api-keys", "list"])
    assert key.prefix in listed.output and secret not in listed.output
    bad = runner.invoke(args=["api-keys", "create", "--name", "OSS", "--agency", "NOPE"])
    assert bad.exit_code != 0 and "NOPE" in bad.output
