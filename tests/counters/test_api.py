"""POST /api/v1/ratings: queue systems post counter ratings with an API key of the subtree."""

import uuid

import pytest
from sqlalchemy import func, select

from feedback.agencies.procedures import Procedure
from feedback.api.openapi import openapi_document
from feedback.counters.models import CounterRating, RatingDossier
from feedback.extensions import db
from tests.api.helpers import make_key
from tests.counters.helpers import make_officer


def post(client, secret, **body):
    return client.post("/api/v1/ratings", json=body, headers={"Authorization": f"Bearer {secret}"})


def test_a_rating_is_stored_once_per_uuid_and_per_dossier(app, tree, client):
    make_officer(tree.counter_a)
    db.session.add(Procedure(agency_id=tree.dept_a.id, code="1.001", name_vi="Cấp giấy khai sinh"))
    db.session.commit()
    secret = make_key(tree.dept_a)
    same = str(uuid.uuid4())
    first = post(
        client,
        secret,
        officer_code="cb01",
        level=1,
        reasons=["waited"],
        client_uuid=same,
        service_code="1.001",
    )
    assert (first.status_code, first.json) == (201, {"stored": True})
    assert post(client, secret, officer_code="CB01", level=1, client_uuid=same).status_code == 200
    assert post(client, secret, officer_code="CB01", level=4, dossier_id="HS-1").status_code == 201
    assert post(client, secret, officer_code="CB01", level=4, dossier_id="HS-1").json == {"stored": False}
    assert db.session.scalar(select(func.count()).select_from(CounterRating)) == 2
    stored = db.session.scalars(select(CounterRating).order_by(CounterRating.id)).all()
    assert stored[0].service_code == "1.001" and stored[0].channel == "api"
    # The dossier leaves nothing joinable: a hash without time or rating.
    assert "HS-1" not in str([vars(r) for r in stored])
    assert set(RatingDossier.__table__.c.keys()) == {"dossier_hash"}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"officer_code": "CB01", "level": 9}, 409),
        ({"officer_code": "CB01", "level": "4"}, 422),
        ({"officer_code": "CB01", "level": 2, "reasons": ["bribe"]}, 409),
        ({"officer_code": "CB01", "level": 2, "client_uuid": "x"}, 422),
        ({"officer_code": "B01", "level": 2}, 404),
        ({"officer_code": "NOPE", "level": 2}, 404),
        ([], 422),
    ],
)
def test_bad_requests_get_the_error_shape(app, tree, client, body, status):
    make_officer(tree.counter_a)
    make_officer(tree.dept_b, code="B01")
    secret = make_key(tree.dept_a)
    response = client.post("/api/v1/ratings", json=body, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == status
    assert set(response.json["error"]) >= {"status", "title", "detail"}
    assert str(status) in openapi_document()["paths"]["/ratings"]["post"]["responses"]


def test_without_a_key_it_is_401(app, tree, client):
    assert client.post("/api/v1/ratings", json={"officer_code": "CB01", "level": 2}).status_code == 401
