"""Staff sign-in: passwords, CSRF, throttling, sign-out, cookies, redirects."""

from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.extensions import db
from tests.conftest import csrf_token


def test_sign_in_with_the_right_password_lands_on_the_dashboard(auth, tree):
    response = auth.login(tree.leader_a.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"


def test_email_is_case_insensitive(auth, tree):
    assert auth.login("Leader.A@Example.VN").status_code == 302


def test_wrong_password_is_refused_with_a_message(auth, tree):
    response = auth.login(tree.leader_a.email, "wrong password!")
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "error-summary" in html
    assert 'value="leader.a@example.vn"' in html  # what the person typed is kept
    events = db.session.scalars(select(AuditEvent.action)).all()
    assert "auth.login_failed" in events


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(auth, tree):
    unknown = auth.login("nobody@example.vn", "wrong password!")
    wrong = auth.login(tree.leader_a.email, "wrong password!")
    assert unknown.status_code == wrong.status_code == 401


def test_inactive_user_cannot_sign_in(auth, tree):
    tree.leader_a.active = False
    db.session.commit()
    assert auth.login(tree.leader_a.email).status_code == 401


def test_sign_in_without_csrf_token_is_rejected(client, tree):
    response = client.post("/login", data={"email": tree.leader_a.email,
                                           "password": "correct horse battery"})
    assert response.status_code == 400
    assert "biểu mẫu đã hết hạn" in response.get_data(as_text=True).lower() or \
        "form expired" in response.get_data(as_text=True)


def test_sign_in_with_a_forged_csrf_token_is_rejected(client, tree):
    client.get("/login")
    response = client.post("/login", data={"email": tree.leader_a.email,
                                           "password": "correct horse battery",
                                           "csrf_token": "forged"})
    assert response.status_code == 400


def test_failed_sign_ins_are_throttled(auth, tree):
    for _ in range(5):
        assert auth.login(tree.leader_a.email, "wrong password!").status_code == 401
    blocked = auth.login(tree.leader_a.email)
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers


def test_successful_sign_ins_do_not_count_towards_the_throttle(app, tree):
    for _ in range(7):
        client = app.test_client()
        from tests.conftest import AuthActions

        assert AuthActions(client).login(tree.leader_a.email).status_code == 302


def test_session_cookie_is_httponly_and_samesite(auth, tree):
    response = auth.login(tree.leader_a.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_sign_out_needs_post_and_ends_the_session(client, auth, tree):
    auth.login(tree.leader_a.email)
    assert client.get("/logout").status_code == 405
    assert auth.logout().status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_next_parameter_only_redirects_within_the_site(client, tree):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=https://evil.example/", data={
        "email": tree.leader_a.email, "password": "correct horse battery", "csrf_token": token})
    assert response.headers["Location"] == "/dashboard/"


def test_next_parameter_returns_to_the_asked_page(client, tree):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=/account", data={
        "email": tree.leader_a.email, "password": "correct horse battery", "csrf_token": token})
    assert response.headers["Location"] == "/account"


def test_account_page_lists_the_roles(organizer_a_client):
    html = organizer_a_client.get("/account?lang=en").get_data(as_text=True)
    assert "Organizer for Department of Justice" in html


def test_password_is_stored_as_argon2_hash(tree):
    assert tree.leader_a.password_hash.startswith("$argon2id$")
