"""Helpers for the public dialogue tests: the sign-up form as a citizen fills it in."""

import re

from feedback.dialogues.topics import load_default_topics
from feedback.extensions import db
from tests.dialogues.helpers import phone

TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')
NAME = "Trần Thị Bích Ngọc"


def form_token(html: str) -> str:
    """The signed token of the first form on the page that has one."""
    match = TOKEN_RE.search(html)
    assert match, "no form token on the page"
    return match.group(1)


def topics() -> None:
    """The standard topic list, committed."""
    load_default_topics()
    db.session.commit()


def signup_data(n: int = 1, **overrides) -> dict:
    """A complete, valid sign-up form for person `n`; `overrides` replace or add fields."""
    data = {"full_name": NAME, "phone": phone(n), "email": "", "locality": "Phường Hòa Bình, TP Thủ Dầu Một",
            "representing": "self", "consent": "yes"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def sign_up(client, conference_id: int, n: int = 1, **overrides):
    """GET the form for its token, then POST a valid sign-up; returns the POST's response."""
    page = client.get(f"/dialogues/{conference_id}/register")
    assert page.status_code == 200, page.get_data(as_text=True)
    data = signup_data(n, **overrides)
    data.setdefault("token", form_token(page.get_data(as_text=True)))
    return client.post(f"/dialogues/{conference_id}/register", data=data)


def ticket_code(response) -> str:
    """The ticket code a successful sign-up redirected to."""
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert "/tickets/" in location
    return location.rsplit("/", 1)[1]
