"""A one-time code issued by the API may name an officer: the receipt's code then opens that
officer's counter rating (the screen of /o/<officer-code>), once, and forgets the officer when used."""

import re

from sqlalchemy import func, select

from feedback.api.openapi import openapi_document
from feedback.counters.models import CounterRating
from feedback.extensions import db
from feedback.surveys.models import SurveyCode
from tests.api.helpers import make_key
from tests.counters.helpers import make_officer


def issue(client, secret, **body):
    return client.post("/api/v1/survey-codes", json=body, headers={"Authorization": f"Bearer {secret}"})


def _token(html: str) -> str:
    return re.search(r'name="t" value="([^"]+)"', html).group(1)


def test_a_code_naming_an_officer_opens_their_rating_once(app, tree, client):
    officer = make_officer(tree.counter_a)
    secret = make_key(tree.dept_a)
    # No survey is deployed: a code for a rating needs none.
    issued = issue(client, secret, agency_code="A", dossier_id="HS-7", officer_code="cb01")
    assert issued.status_code == 201 and issued.json["officer_code"] == "CB01"
    again = issue(client, secret, agency_code="A", dossier_id="HS-7", officer_code="CB01")
    assert again.status_code == 200 and again.json["code"] == issued.json["code"]
    code = issued.json["code"]
    typed = client.get(f"/r/?code={code.lower()}", follow_redirects=True)
    html = typed.get_data(as_text=True)
    assert typed.status_code == 200 and "Nguyễn Thị Lan" in html and html.count('name="level"') == 4
    token = _token(html)
    for forged in ({}, {"t": "forged"}):  # the page's signed token stands in for the CSRF token
        assert client.post(f"/r/{code}/rate", data={**forged, "level": "1"}).status_code == 400
    assert db.session.scalar(select(SurveyCode.redeemed_on)) is None
    tapped = client.post(f"/r/{code}/rate", data={"t": token, "level": "1"})
    assert tapped.status_code == 303 and "/o/CB01/thanks" in tapped.location
    rating = db.session.scalar(select(CounterRating))
    assert (rating.officer_id, rating.level, rating.channel) == (officer.id, 1, "api")
    stored = db.session.scalar(select(SurveyCode))
    assert stored.redeemed_on is not None and stored.officer_id is None  # used: forgets the officer
    # A second click on the same page lands on the thank-you page; nothing more is stored.
    assert "/o/CB01/thanks" in client.post(f"/r/{code}/rate", data={"t": token, "level": "1"}).location
    assert client.get(f"/r/{code}", follow_redirects=True).status_code == 410
    fresh = _token(client.get("/o/CB01").get_data(as_text=True))
    assert client.post(f"/r/{code}/rate", data={"t": fresh, "level": "4"}).status_code == 410
    assert db.session.scalar(select(func.count()).select_from(CounterRating)) == 1


def test_the_officer_must_work_within_the_agency_and_the_keys_subtree(app, tree, client):
    make_officer(tree.dept_b, code="B01")
    make_officer(tree.commune_a, code="A201")
    secret = make_key(tree.dept_a)
    outside = issue(client, secret, agency_code="A", dossier_id="HS-1", officer_code="B01")
    assert outside.status_code == 404 and "B01" in outside.json["error"]["detail"]
    other_branch = issue(client, secret, agency_code="A1", dossier_id="HS-2", officer_code="A201")
    assert other_branch.status_code == 404
    malformed = issue(client, secret, agency_code="A", dossier_id="HS-3", officer_code="có dấu")
    assert malformed.status_code == 422 and "officer_code" in malformed.json["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(SurveyCode)) == 0


def test_an_expired_or_unknown_officer_code_says_so(app, tree, client):
    officer = make_officer(tree.counter_a)
    secret = make_key(tree.dept_a)
    code = issue(client, secret, agency_code="A1", dossier_id="HS-9", officer_code="CB01").json["code"]
    officer.active = False
    db.session.commit()
    assert client.get(f"/r/{code}/rate").status_code == 404
    assert client.get("/r/ABCDEFGH/rate").status_code == 404


def test_the_openapi_document_describes_the_officer_code(app):
    schemas = openapi_document()["components"]["schemas"]
    assert "officer_code" in schemas["SurveyCodeRequest"]["properties"]
    assert "officer_code" in schemas["SurveyCode"]["properties"]
