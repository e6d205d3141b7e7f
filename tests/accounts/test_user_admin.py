"""/admin/users: find staff, deactivate and reactivate, grant and revoke roles, reset links; every
change audited, admin only, the last active admin kept."""

import re
import time

from itsdangerous import TimestampSigner
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.accounts.services import find_user
from feedback.audit.models import AuditEvent
from feedback.extensions import db
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_user


def _events(action: str) -> list[AuditEvent]:
    """The audit events of `action`, oldest first."""
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def _post(client, page: str, action: str, data: dict | None = None):
    """Post `action` with the CSRF token read from `page`."""
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **(data or {})})


def test_only_admins_reach_the_users_pages(app, client, tree, leader_a_client):
    assert client.get("/admin/users/").status_code == 302
    assert leader_a_client.get("/admin/users/").status_code == 403
    assert leader_a_client.get(f"/admin/users/{tree.leader_b.id}").status_code == 403


def test_the_workspace_links_the_users_page_for_admins_only(admin_client, leader_a_client):
    assert 'href="/admin/users/"' in admin_client.get("/manage/").get_data(as_text=True)
    assert 'href="/admin/users/"' not in leader_a_client.get("/manage/").get_data(as_text=True)


def test_search_ignores_accents_and_case_and_pages_the_list(app, admin_client, tree):
    user = make_user("thuy@example.vn")
    user.name = "Nguyễn Thị Thủy"
    for n in range(35):
        make_user(f"z{n:02d}@example.vn")
    db.session.commit()
    found = admin_client.get("/admin/users/?q=THUY&lang=en").get_data(as_text=True)
    assert "Nguyễn Thị Thủy" in found and "z00@example.vn" not in found and "1 account" in found
    first = admin_client.get("/admin/users/?lang=en").get_data(as_text=True)
    assert "40 accounts" in first and "Page 1 of 2" in first and "z30@example.vn" not in first
    second = admin_client.get("/admin/users/?page=2&lang=en").get_data(as_text=True)
    assert "z34@example.vn" in second and "admin@example.vn" not in second
    assert admin_client.get("/admin/users/?page=abc").status_code == 200


def test_deactivating_on_the_page_signs_the_user_out_at_once_and_is_audited(app, admin_client, tree):
    leader = app.test_client()
    AuthActions(leader).login(tree.leader_a.email)
    page = f"/admin/users/{tree.leader_a.id}"
    response = _post(admin_client, page, f"{page}/deactivate")
    assert response.status_code == 303
    assert leader.get("/dashboard/").status_code == 302
    assert AuthActions(app.test_client()).login(tree.leader_a.email).status_code == 401
    event = _events("user.deactivate")[-1]
    assert event.actor_id == tree.admin.id and event.object_id == str(tree.leader_a.id)
    assert event.ip_hash and len(event.ip_hash) == 64 and "127.0.0.1" not in event.ip_hash
    assert "Reactivate" in admin_client.get(f"{page}?lang=en").get_data(as_text=True)
    assert _post(admin_client, page, f"{page}/reactivate").status_code == 303
    assert AuthActions(app.test_client()).login(tree.leader_a.email).status_code == 302
    assert _events("user.reactivate")


def test_the_last_active_admin_cannot_be_deactivated_or_lose_the_role(app, admin_client, runner, tree):
    admin_client.get("/?lang=en")  # the refusals are flashed in the language of the POST
    page = f"/admin/users/{tree.admin.id}"
    admin_grant = tree.admin.grants[0]
    _post(admin_client, page, f"{page}/deactivate")
    html = admin_client.get(f"{page}?lang=en").get_data(as_text=True)
    assert "is the last active administrator" in html
    _post(admin_client, page, f"{page}/grants/{admin_grant.id}/revoke")
    assert "is the last active administrator" in admin_client.get(f"{page}?lang=en").get_data(as_text=True)
    db.session.expire_all()
    assert find_user(tree.admin.email).active and find_user(tree.admin.email).grants
    assert admin_client.get("/admin/users/").status_code == 200  # still signed in
    for args in (["users", "deactivate", tree.admin.email],
                 ["users", "revoke", tree.admin.email, "--role", "admin"]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and "last active administrator" in result.output
    # With a second admin, the first may go.
    make_user("second.admin@example.vn", Role.ADMIN)
    assert runner.invoke(args=["users", "deactivate", tree.admin.email]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", "second.admin@example.vn"]).exit_code != 0


def test_granting_and_revoking_on_the_page(app, admin_client, tree):
    leader = app.test_client()
    AuthActions(leader).login(tree.leader_b.email)
    page = f"/admin/users/{tree.leader_b.id}"
    refused = _post(admin_client, page, f"{page}/grants", {"role": "organizer", "agency": ""})
    assert refused.status_code == 422
    granted = _post(admin_client, page, f"{page}/grants", {"role": "organizer", "agency": "A"})
    assert granted.status_code == 303
    db.session.expire_all()
    user = find_user(tree.leader_b.email)
    assert sorted((g.role.value, g.agency.code) for g in user.grants) == [("leader", "B"), ("organizer", "A")]
    assert _is_ok(leader)  # granting does not sign anyone out
    grant = next(g for g in user.grants if g.role == Role.LEADER)
    assert _post(admin_client, page, f"{page}/grants/{grant.id}/revoke").status_code == 303
    assert leader.get("/account").status_code == 302
    db.session.expire_all()
    assert [g.role.value for g in find_user(tree.leader_b.email).grants] == ["organizer"]
    assert [e.details for e in _events("role.revoke")] == [{"role": "leader", "agency": "B"}]
    # A grant of another user is not revoked through this user's address.
    other = tree.leader_a.grants[0]
    assert _post(admin_client, page, f"{page}/grants/{other.id}/revoke").status_code == 404


def test_refused_grant_shows_the_reason(admin_client, tree):
    page = f"/admin/users/{tree.leader_b.id}"
    token = csrf_token(admin_client.get(page).get_data(as_text=True))
    response = admin_client.post(f"{page}/grants?lang=en", data={"csrf_token": token, "role": "admin",
                                                                 "agency": "A"})
    assert response.status_code == 422
    assert "covers the whole system" in response.get_data(as_text=True)


def _is_ok(client) -> bool:
    """Whether `client` is still signed in."""
    return client.get("/account").status_code == 200


def _reset_link(admin_client, user) -> str:
    """Make a reset link for `user` on the admin page; the path it shows."""
    page = f"/admin/users/{user.id}"
    response = _post(admin_client, page, f"{page}/reset-link")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    link = re.search(r'value="(http[^"]+/account/reset/[^"]+)"', response.get_data(as_text=True)).group(1)
    return link[link.index("/account/reset/"):]


def _choose(client, path: str, password: str, confirm: str | None = None):
    """Submit the new-password form at `path`."""
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path + "?lang=en", data={"csrf_token": token, "password": password,
                                                "confirm": confirm or password})


def test_a_reset_link_works_once_and_ends_the_old_sessions(app, admin_client, tree):
    old_session = app.test_client()
    AuthActions(old_session).login(tree.leader_a.email)
    path = _reset_link(admin_client, tree.leader_a)
    assert _events("user.reset_link")[-1].actor_id == tree.admin.id
    citizen = app.test_client()
    weak = _choose(citizen, path, "password123456")
    assert weak.status_code == 422 and "too common" in weak.get_data(as_text=True)
    own_email = _choose(citizen, path, tree.leader_a.email.upper())
    assert own_email.status_code == 422 and "must not be your email" in own_email.get_data(as_text=True)
    short = _choose(citizen, path, "short one")
    assert short.status_code == 422 and "at least 12 characters" in short.get_data(as_text=True)
    mismatch = _choose(citizen, path, "a brand new passphrase", "another passphrase")
    assert mismatch.status_code == 422 and "not the same" in mismatch.get_data(as_text=True)
    done = _choose(citizen, path, "a brand new passphrase")
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    assert not _is_ok(old_session)
    assert AuthActions(app.test_client()).login(tree.leader_a.email).status_code == 401
    new = AuthActions(app.test_client()).login(tree.leader_a.email, "a brand new passphrase")
    assert new.status_code == 302
    spent = citizen.get(path)
    assert spent.status_code == 410
    token = csrf_token(citizen.get("/login").get_data(as_text=True))
    assert citizen.post(path, data={"csrf_token": token, "password": "x" * 20,
                                    "confirm": "x" * 20}).status_code == 410


def test_a_reset_link_expires_after_an_hour(app, admin_client, tree, monkeypatch):
    path = _reset_link(admin_client, tree.leader_a)
    real = TimestampSigner.get_timestamp
    # A fresh browser (no session cookie to check) opens the link a bit less, then a bit more,
    # than an hour later.
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) + 3590)
    assert app.test_client().get(path).status_code == 200
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) + 3610)
    response = app.test_client().get(path + "?lang=en")
    assert response.status_code == 410 and "no longer works" in response.get_data(as_text=True)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)


def test_a_reset_link_stops_working_when_the_user_is_deactivated(app, admin_client, runner, tree):
    path = _reset_link(admin_client, tree.leader_a)
    assert runner.invoke(args=["users", "deactivate", tree.leader_a.email]).exit_code == 0
    assert app.test_client().get(path).status_code == 410
    assert runner.invoke(args=["users", "reactivate", tree.leader_a.email]).exit_code == 0
    assert app.test_client().get(path).status_code == 410  # spent by the deactivation
    assert app.test_client().get("/account/reset/forged.token").status_code == 410
