"""Shared helpers for the API tests: a key for an agency, and a request to issue a code."""

from feedback.api.services import create_key
from feedback.extensions import db


def make_key(agency, name: str = "One-stop shop") -> str:
    """Create and commit an API key for `agency`'s subtree; returns its secret."""
    _key, secret = create_key(name, agency)
    db.session.commit()
    return secret


def issue(client, secret: str | None, **body):
    """POST /api/v1/survey-codes with `body` as JSON, authenticated with `secret` when given."""
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.post("/api/v1/survey-codes", json=body, headers=headers)
