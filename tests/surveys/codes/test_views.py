"""Organizers' code pages: generating a batch in their subtree only, the sheet, the CSV, the list."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from feedback.accounts.models import Role
from feedback.audit.models import AuditEvent
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.codes import add_codes, live_deployment_at
from feedback.surveys.models import AccessMode, SurveyCode
from tests.conftest import _signed_in, csrf_token
from tests.factories import make_user
from tests.surveys.helpers import deploy_default


@pytest.fixture
def deployed(app, tree):
    """A code-only survey at counter A1 and an open one at department B."""
    deploy_default(tree.counter_a, access_mode=AccessMode.CODE)
    deploy_default(tree.dept_b)
    return tree


def _generate(client, **data):
    """Post the generate form (English) with its CSRF token."""
    token = csrf_token(client.get("/manage/codes/new?lang=en").get_data(as_text=True))
    return client.post("/manage/codes/new", data={"csrf_token": token, **data})


def _batches() -> list[str]:
    """Every batch id stored."""
    return list(db.session.scalars(select(SurveyCode.batch).distinct()))


def test_the_form_offers_only_agencies_of_the_subtree_with_a_live_survey(organizer_a_client, deployed):
    html = organizer_a_client.get("/manage/codes/new?lang=en").get_data(as_text=True)
    assert 'value="A1"' in html and "codes only" in html
    assert 'value="B"' not in html  # live, but another subtree
    assert 'value="A2"' not in html  # in the subtree, but no survey there


def test_an_organizer_generates_a_batch_and_lands_on_its_sheet(organizer_a_client, deployed):
    response = _generate(organizer_a_client, agency="A1", count="30", expires_on="")
    assert response.status_code == 303
    [batch] = _batches()
    assert response.headers["Location"].endswith(f"/manage/codes/batches/{batch}")
    codes = db.session.scalars(select(SurveyCode).where(SurveyCode.batch == batch)).all()
    assert len(codes) == 30
    assert {c.agency.code for c in codes} == {"A1"}
    assert all(c.expires_at is None and c.created_by_id == deployed.organizer_a.id for c in codes)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "codes.generate"))
    assert event.details["batch"] == batch and event.details["count"] == 30
    assert event.actor_id == deployed.organizer_a.id


def test_an_organizer_of_a_cannot_generate_for_b(organizer_a_client, deployed):
    assert _generate(organizer_a_client, agency="B", count="5").status_code == 404
    assert organizer_a_client.get("/manage/codes/new?agency=B").status_code == 404
    assert _generate(organizer_a_client, agency="NOPE", count="5").status_code == 404
    assert _batches() == []


def test_leaders_are_not_organizers(leader_a_client, deployed):
    assert leader_a_client.get("/manage/codes/").status_code == 403
    assert leader_a_client.get("/manage/codes/new").status_code == 403


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"agency": "A1", "count": "0"}, "count", "from 1 to 5000"),
    ({"agency": "A1", "count": "5001"}, "count", "from 1 to 5000"),
    ({"agency": "A1", "count": "ten"}, "count", "whole number"),
    ({"agency": "A1", "count": ""}, "count", "how many codes"),
    ({"agency": "", "count": "5"}, "agency", "Choose the agency"),
    ({"agency": "A2", "count": "5"}, "agency", "no survey taking responses"),
    ({"agency": "A1", "count": "5", "expires_on": "2020-01-01"}, "expires_on", "today or a later date"),
    ({"agency": "A1", "count": "5", "expires_on": "31/12"}, "expires_on", "year-month-day"),
])
def test_bad_input_is_explained_and_kept(organizer_a_client, deployed, data, field, message):
    response = _generate(organizer_a_client, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'href="#{field}"' in html  # the error summary links to the field
    if data.get("count"):
        assert f'value="{data["count"]}"' in html  # what was typed is kept
    assert _batches() == []


def test_an_expiry_date_means_the_end_of_that_local_day(organizer_a_client, deployed):
    day = (utcnow() + timedelta(days=10)).date()
    assert _generate(organizer_a_client, agency="A1", count="2",
                     expires_on=day.isoformat()).status_code == 303
    code = db.session.scalar(select(SurveyCode))
    # 23:59:59 in Asia/Ho_Chi_Minh (UTC+7) is 16:59:59 UTC.
    assert code.expires_at == datetime(day.year, day.month, day.day, 16, 59, 59, tzinfo=UTC)


def _make_batch(client, count=3, expires_on="") -> str:
    """Generate a batch for A1 through the form; returns its id."""
    assert _generate(client, agency="A1", count=str(count), expires_on=expires_on).status_code == 303
    return db.session.scalar(select(SurveyCode.batch).order_by(SurveyCode.id.desc()).limit(1))


def test_the_sheet_shows_every_code_large_with_its_short_url(app, organizer_a_client, deployed):
    app.config["PUBLIC_BASE_URL"] = "https://langnghe.example.gov.vn"
    batch = _make_batch(organizer_a_client, count=25)
    html = organizer_a_client.get(f"/manage/codes/batches/{batch}?lang=en").get_data(as_text=True)
    codes = db.session.scalars(select(SurveyCode).where(SurveyCode.batch == batch)).all()
    for code in codes:
        assert f"https://langnghe.example.gov.vn/r/{code.code}" in html
        assert f'<p class="slip-code">{code.code[:4]}-{code.code[4:]}</p>' in html
    assert html.count('class="code-slip') == 25
    assert "css/codes.css" in html
    assert 'lang="vi"' in html  # the slips are for citizens, in Vietnamese


def test_without_a_public_base_url_the_request_address_is_printed(organizer_a_client, deployed):
    batch = _make_batch(organizer_a_client, count=1)
    code = db.session.scalar(select(SurveyCode.code))
    html = organizer_a_client.get(f"/manage/codes/batches/{batch}").get_data(as_text=True)
    assert f"http://localhost/r/{code}" in html


def test_the_csv_opens_in_excel_and_cannot_run_formulas(app, organizer_a_client, deployed):
    # A hostile base URL is the only free text in the file: it must come out inert.
    app.config["PUBLIC_BASE_URL"] = "=HYPERLINK(\"http://evil\")"
    day = (utcnow() + timedelta(days=3)).date()
    batch = _make_batch(organizer_a_client, count=4, expires_on=day.isoformat())
    first = db.session.scalar(select(SurveyCode).where(SurveyCode.batch == batch).order_by(SurveyCode.id))
    first.redeemed_on = date(2026, 1, 2)
    db.session.commit()

    response = organizer_a_client.get(f"/manage/codes/batches/{batch}/codes.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["code", "url", "agency_code", "expires_at", "redeemed_on"]
    assert len(rows) == 5
    by_code = {row[0]: row for row in rows[1:]}
    row = by_code[first.code]
    assert row[1] == f"'=HYPERLINK(\"http://evil\")/r/{first.code}"
    assert row[2] == "A1"
    assert row[3] == f"{day.isoformat()}T23:59:59+07:00"
    assert row[4] == "2026-01-02"  # the day only: no time to join a response by
    assert all(r[4] == "" for code, r in by_code.items() if code != first.code)
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "codes.export")
                                 .order_by(AuditEvent.id)).all()
    assert {e.details["format"] for e in exports} == {"csv"}


def test_another_subtree_cannot_see_a_batch(app, organizer_a_client, deployed):
    batch = _make_batch(organizer_a_client)
    make_user("organizer.b@example.vn", Role.ORGANIZER, deployed.dept_b)
    other = _signed_in(app, "organizer.b@example.vn")
    assert other.get(f"/manage/codes/batches/{batch}").status_code == 404
    assert other.get(f"/manage/codes/batches/{batch}/codes.csv").status_code == 404
    assert other.get("/manage/codes/batches/nope").status_code == 404
    assert batch not in other.get("/manage/codes/").get_data(as_text=True)


def test_the_list_counts_used_expired_and_unused_codes_per_batch(app, organizer_a_client, admin_client,
                                                                 deployed):
    batch = _make_batch(organizer_a_client, count=6)
    codes = db.session.scalars(select(SurveyCode).where(SurveyCode.batch == batch)
                               .order_by(SurveyCode.id)).all()
    now = utcnow()
    codes[0].redeemed_on = now.date()
    codes[1].redeemed_on = now.date()
    codes[2].expires_at = now - timedelta(days=1)
    # A code used before it expired counts as used, not expired.
    codes[1].expires_at = now - timedelta(days=1)
    # Codes issued through the API (no batch) are not a batch.
    add_codes(live_deployment_at(deployed.counter_a), 2, dossier_id=None)
    db.session.commit()

    html = organizer_a_client.get("/manage/codes/?lang=en").get_data(as_text=True)
    [row] = [r for r in html.split("<tr>") if batch in r]
    # Codes, used, expired, unused.
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["6", "2", "1", "3"]
    assert html.count("/manage/codes/batches/") == 2  # the sheet link and the CSV link of one batch
    # The admin sees it too.
    assert batch in admin_client.get("/manage/codes/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveyCode)) == 8
