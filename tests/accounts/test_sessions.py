"""Sessions that can be taken back: deactivation, revocation, password change, sign-out (here or
everywhere) end sessions and remember cookies at once; a remember cookie is new at each sign-in."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from feedback.accounts.models import SignIn, User
from feedback.extensions import db
from tests.conftest import AuthActions, csrf_token
from tests.factories import PASSWORD

REMEMBER = "remember_token"


def _signed_in(app, email: str, *, remember: bool = False):
    """A new client signed in as `email` through the form (ticking "keep me signed in" if asked)."""
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _is_signed_in(client) -> bool:
    """Whether `client` still reaches its account page (not sent to the sign-in page)."""
    return client.get("/account").status_code == 200


def _with_cookie_only(app, value: str):
    """A fresh browser holding nothing but a copy of a remember cookie."""
    thief = app.test_client()
    thief.set_cookie(REMEMBER, value)
    return thief


def test_a_user_deactivated_by_the_cli_is_signed_out_on_the_next_request(app, runner, tree):
    client = _signed_in(app, tree.leader_a.email)
    assert _is_signed_in(client)
    result = runner.invoke(args=["users", "deactivate", tree.leader_a.email])
    assert result.exit_code == 0, result.output
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_inactive_users_open_session_stops_at_once(app, tree):
    client = _signed_in(app, tree.leader_a.email, remember=True)
    cookie = client.get_cookie(REMEMBER).value
    # Set inactive by hand in the database (no session token changed): still refused.
    db.session.execute(update(User).where(User.id == tree.leader_a.id).values(active=False))
    db.session.commit()
    assert not _is_signed_in(client)
    assert not _is_signed_in(_with_cookie_only(app, cookie))


def test_a_remember_cookie_copied_before_sign_out_no_longer_works_after(app, tree):
    client = _signed_in(app, tree.leader_a.email, remember=True)
    cookie = client.get_cookie(REMEMBER).value
    assert _is_signed_in(_with_cookie_only(app, cookie))  # the copy works while signed in
    AuthActions(client).logout()
    assert client.get_cookie(REMEMBER) is None
    assert not _is_signed_in(_with_cookie_only(app, cookie))


def test_a_session_cookie_copied_before_sign_out_no_longer_works_after(app, tree):
    client = _signed_in(app, tree.leader_a.email)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert _is_signed_in(copy)
    AuthActions(client).logout()
    assert not _is_signed_in(copy)


def test_every_sign_in_gets_a_new_remember_cookie_that_lasts_thirty_days(app, tree):
    first = _signed_in(app, tree.leader_a.email, remember=True)
    second = _signed_in(app, tree.leader_a.email, remember=True)
    cookie = second.get_cookie(REMEMBER)
    assert first.get_cookie(REMEMBER).value != cookie.value
    lifetime = cookie.expires - datetime.now(UTC)
    assert timedelta(days=29) < lifetime <= timedelta(days=30)
    # Signing out on one device leaves the other signed in.
    AuthActions(first).logout()
    assert _is_signed_in(second)


def test_a_sign_in_older_than_the_remember_days_stops_working(app, tree):
    client = _signed_in(app, tree.leader_a.email, remember=True)
    cookie = client.get_cookie(REMEMBER).value
    db.session.execute(update(SignIn).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    db.session.commit()
    assert not _is_signed_in(client)
    assert not _is_signed_in(_with_cookie_only(app, cookie))


def test_revoking_a_role_ends_the_users_sessions_and_remember_cookies(app, runner, tree):
    client = _signed_in(app, tree.organizer_a.email, remember=True)
    cookie = client.get_cookie(REMEMBER).value
    result = runner.invoke(args=["users", "revoke", tree.organizer_a.email, "--role", "organizer",
                                 "--agency", "A"])
    assert result.exit_code == 0, result.output
    assert not _is_signed_in(client)
    assert not _is_signed_in(_with_cookie_only(app, cookie))


def test_changing_the_password_ends_the_users_sessions(app, runner, tree):
    client = _signed_in(app, tree.leader_a.email, remember=True)
    cookie = client.get_cookie(REMEMBER).value
    result = runner.invoke(args=["users", "set-password", tree.leader_a.email],
                           input="a brand new passphrase\n")
    assert result.exit_code == 0, result.output
    assert not _is_signed_in(client)
    assert not _is_signed_in(_with_cookie_only(app, cookie))
    new = AuthActions(app.test_client()).login(tree.leader_a.email, "a brand new passphrase")
    assert new.status_code == 302


def test_sign_out_everywhere_ends_every_device(app, tree):
    office = _signed_in(app, tree.leader_a.email, remember=True)
    phone = _signed_in(app, tree.leader_a.email, remember=True)
    phone_cookie = phone.get_cookie(REMEMBER).value
    other_user = _signed_in(app, tree.leader_b.email)
    token = csrf_token(office.get("/account").get_data(as_text=True))
    response = office.post("/account/sign-out-everywhere", data={"csrf_token": token})
    assert response.status_code == 303
    assert not _is_signed_in(office)
    assert not _is_signed_in(phone)
    assert not _is_signed_in(_with_cookie_only(app, phone_cookie))
    assert _is_signed_in(other_user)
    # Signing in again works at once.
    assert _is_signed_in(_signed_in(app, tree.leader_a.email))


def test_account_page_offers_sign_out_everywhere(app, tree):
    client = _signed_in(app, tree.leader_a.email)
    html = client.get("/account?lang=en").get_data(as_text=True)
    assert 'action="/account/sign-out-everywhere"' in html and "Sign out everywhere" in html
