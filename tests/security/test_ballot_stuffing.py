"""Ballot stuffing on the open link, as the attacker did it: one GET of /s/<code>, then many
submissions replaying that page's form token, each with another User-Agent and no cookies."""

from sqlalchemy import select

from feedback.extensions import db
from feedback.surveys.models import Response, ResponseFlag
from tests.surveys.helpers import deploy_one_page, form_token


def test_replaying_one_form_token_with_other_browsers_counts_once(app, tree):
    deploy_one_page(tree.dept_b)
    app.config["SURVEY_ADDRESS_DAILY_LIMIT"] = 1000  # this test is about the token alone
    token = form_token(app.test_client().get("/s/B").get_data(as_text=True))
    for n in range(25):
        attacker = app.test_client()  # no cookies kept from one submission to the next
        attacker.environ_base["HTTP_USER_AGENT"] = f"Mozilla/5.0 (Stuffer {n})"
        sent = attacker.post("/s/B", data={"token": token, "page": "1", "q-overall": "1", "website": ""})
        # Every submission is thanked: telling a bot why it was caught only teaches it.
        assert sent.status_code == 303 and sent.headers["Location"].endswith("/s/B/thanks")
    rows = list(db.session.scalars(select(Response).order_by(Response.id)))
    assert len(rows) == 25  # nothing typed is thrown away
    counted = [r for r in rows if not r.excluded]
    assert len(counted) == 1 and counted[0].flags == 0
    assert all(r.flags & ResponseFlag.REPLAY and r.excluded for r in rows[1:])
