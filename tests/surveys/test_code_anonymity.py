"""A one-time code issued for a dossier can never be joined to the response it opened: not by a
column, not by a time, not by an export or an API answer, and on PostgreSQL not by the system
columns any reader can select (docs/security.md, "Anonymity of code-verified responses")."""

import csv
import io
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import select

from config import TestConfig
from feedback import create_app
from feedback.extensions import db
from feedback.surveys.models import AccessMode, Response, SurveyCode
from tests.api.helpers import issue, make_key
from tests.surveys.helpers import all_fours, deploy_default, walk

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def dossiers(app, tree):
    """A code-only survey at counter A1 and, through the API, the codes of three dossiers."""
    app.config["SURVEY_CODE_RATE_LIMIT"] = "1000 per minute"
    version = deploy_default(tree.counter_a, access_mode=AccessMode.CODE)
    secret = make_key(tree.dept_a)
    client = app.test_client()
    issued = {}
    for dossier in ("H56-0001", "H56-0002", "H56-0003"):
        answer = issue(client, secret, agency_code="A1", dossier_id=dossier)
        assert answer.status_code == 201
        issued[dossier] = answer.json["code"]
    return version, secret, issued


def _answer(app, version, code: str) -> None:
    """A citizen, in a browser of their own, answers the survey through `code`."""
    sent, _seen = walk(app.test_client(), f"/r/{code}", all_fours(version))
    assert sent.status_code == 303


def _values(row) -> list:
    """Every column value of an ORM row."""
    return [getattr(row, column.key) for column in row.__table__.columns]


def test_no_column_links_a_code_or_a_dossier_to_a_response(app):
    """The schema itself: no foreign key between the codes and the responses, either way."""
    code_targets = {fk.column.table.name for fk in SurveyCode.__table__.foreign_keys}
    assert "response" not in code_targets
    for table in ("response", "answer", "response_score"):
        targets = {fk.column.table.name for fk in db.metadata.tables[table].foreign_keys}
        assert "survey_code" not in targets
    assert not {"response_id", "redeemed_at"} & set(SurveyCode.__table__.columns.keys())


def test_a_used_code_and_its_response_share_no_id_and_no_time(app, dossiers):
    version, _secret, issued = dossiers
    _answer(app, version, issued["H56-0002"])
    db.session.expire_all()
    response = db.session.scalars(select(Response)).one()
    code = db.session.scalars(select(SurveyCode).where(SurveyCode.dossier_id == "H56-0002")).one()
    assert response.channel == AccessMode.CODE
    # The code keeps only the day it was used; the response only the start of that local day.
    today = datetime.now(ZONE).date()
    assert code.redeemed_on == today
    assert response.submitted_at == datetime.combine(today, time(), ZONE).astimezone(UTC)
    assert response.started_at is None
    # No value of the code row reappears in the response row, except what both must say: the
    # agency and the deployment (shared by every code and every response there).
    shared = {response.agency_id, response.deployment_id, response.version_id}
    code_values = {v for v in _values(code) if v is not None} - shared
    response_values = {v for v in _values(response) if v is not None} - shared
    assert code.id not in response_values and response.id not in code_values
    assert not {v for v in code_values if isinstance(v, datetime)} & response_values
    # And no exact instant of the code (its issue, its expiry) can be matched against the
    # response's: the response keeps a midnight, never the minute it was sent.
    assert response.submitted_at.astimezone(ZONE).time() == time()


def test_the_day_is_the_finest_join_and_all_the_days_codes_look_alike(app, dossiers):
    """Three dossiers answered the same day: each code reads the same as the others, and each
    response as the others, so nothing stored says which dossier gave which answers."""
    version, _secret, issued = dossiers
    for code in issued.values():
        _answer(app, version, code)
    db.session.expire_all()
    codes = db.session.scalars(select(SurveyCode).order_by(SurveyCode.id)).all()
    responses = db.session.scalars(select(Response).order_by(Response.id)).all()
    assert len({c.redeemed_on for c in codes}) == 1
    assert len({r.submitted_at for r in responses}) == 1
    assert all(r.started_at is None for r in responses)


def test_postgresql_system_columns_do_not_join_a_code_to_its_response(app, dossiers):
    """Any reader can select `xmin` (the writing transaction): the day's codes at an agency are
    rewritten together at each redemption, so no code shares it alone with a response."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    version, _secret, issued = dossiers
    for code in issued.values():
        _answer(app, version, code)
    db.session.rollback()
    code_xmins = db.session.execute(sa.text("SELECT id, xmin::text FROM survey_code")).all()
    response_xmins = [x for (x,) in db.session.execute(sa.text("SELECT xmin::text FROM response"))]
    assert len({x for _id, x in code_xmins}) == 1, code_xmins
    # The join an attacker would write finds, for any response, either no code or all of them.
    for xmin in response_xmins:
        assert sum(1 for _id, x in code_xmins if x == xmin) in (0, len(code_xmins))


def test_exports_and_api_answers_name_no_code_and_no_response(app, dossiers, organizer_a_client):
    version, secret, issued = dossiers
    _answer(app, version, issued["H56-0001"])
    db.session.expire_all()
    response = db.session.scalars(select(Response)).one()
    # The responses export: no code, no dossier, no time finer than the day for this response.
    export = organizer_a_client.get("/manage/responses/export.csv", buffered=True)
    assert export.status_code == 200
    text = export.get_data().decode("utf-8-sig")
    assert issued["H56-0001"] not in text and "H56-0001" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["response_id"] for r in rows] == [str(response.id)]
    assert rows[0]["submitted_at"].endswith("00:00:00+07:00")
    # The API's answer for the dossier (asked again) says nothing about its use or response.
    again = issue(app.test_client(), secret, agency_code="A1", dossier_id="H56-0001")
    assert again.status_code == 200
    assert set(again.json) == {"code", "url", "agency_code", "dossier_id", "expires_at", "officer_code"}
    schema = app.test_client().get("/api/v1/openapi.json").get_data(as_text=True)
    assert "response_id" not in schema and "redeemed" not in schema


def test_the_migration_forgets_links_and_times_of_codes_already_used(tmp_path):
    """Rows stored before the change: the code keeps its local day, the response its day's start."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(revision="0008_comment_summary")
        sent = datetime(2026, 3, 4, 18, 30, 5, tzinfo=UTC)  # 5 March, 01:30 in Hà Nội
        with db.engine.begin() as conn:  # SQLite checks no foreign keys on a plain connection
            conn.execute(sa.text(
                "INSERT INTO response (id, version_id, agency_id, channel, locale, started_at, "
                "submitted_at, flags, excluded) VALUES (7, 1, 1, 'code', 'vi', :started, :sent, 0, 0), "
                "(8, 1, 1, 'open', 'vi', :started, :sent, 0, 0)"),
                {"started": sent.replace(minute=27), "sent": sent})
            conn.execute(sa.text(
                "INSERT INTO survey_code (id, code, deployment_id, agency_id, dossier_id, created_at, "
                "redeemed_at, response_id) VALUES (1, '3469ACEF', 1, 1, 'H56-9', :sent, :sent, 7)"),
                {"sent": sent})
        upgrade()
        with db.engine.connect() as conn:
            code = conn.execute(sa.text("SELECT * FROM survey_code")).mappings().one()
            rows = conn.execute(sa.text(
                "SELECT id, started_at, submitted_at FROM response ORDER BY id")).all()
        db.engine.dispose()
    assert "response_id" not in code and "redeemed_at" not in code
    assert code["redeemed_on"] in (date(2026, 3, 5), "2026-03-05")
    by_id = {r[0]: r for r in rows}
    assert by_id[7][1] is None
    midnight = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)  # 5 March, 00:00 in Hà Nội
    assert datetime.fromisoformat(str(by_id[7][2])).replace(tzinfo=UTC) == midnight
    # An open-link response keeps its exact times.
    assert datetime.fromisoformat(str(by_id[8][2])).replace(tzinfo=UTC) == sent
