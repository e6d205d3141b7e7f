"""The designer's services write gettext'd messages, which need a request for their language."""

import pytest


@pytest.fixture(autouse=True)
def english_request(app):
    """Run each test inside an English request context (the test client's requests have their own)."""
    with app.test_request_context("/?lang=en"):
        yield
