"""Fixtures for the organizer's dialogue pages: an organizer of department B, a form token."""

import pytest

from feedback.accounts.models import Role
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _english(english):
    """These tests match the English texts; the Vietnamese default is covered by the browser tests."""


@pytest.fixture
def organizer_b_client(app, tree):
    """A client signed in as an organizer of department B (another subtree than A)."""
    make_user("organizer.b@example.vn", Role.ORGANIZER, tree.dept_b)
    client = app.test_client()
    assert AuthActions(client).login("organizer.b@example.vn").status_code == 302
    return client


def token(client) -> str:
    """A CSRF token of `client`'s session (any staff page carries one)."""
    return csrf_token(client.get("/account").get_data(as_text=True))
