"""Officers: organizers of the subtree manage them, the CSV import, desk plates, retention purge."""

import io
from datetime import timedelta

from sqlalchemy import select

from feedback.counters.models import CounterRating, Officer
from feedback.counters.officers import import_officers
from feedback.extensions import db
from feedback.models import utcnow
from tests.conftest import csrf_token
from tests.counters.helpers import make_officer


def test_an_organizer_adds_an_officer_of_their_subtree_and_prints_the_plate(app, tree, organizer_a_client):
    page = organizer_a_client.get("/manage/officers/")
    assert page.status_code == 200
    added = organizer_a_client.post(
        "/manage/officers/",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "code": "cb07",
            "full_name": "Trần Văn Bình",
            "title": "Chuyên viên",
            "agency": "A1",
            "active": "y",
            "pin": "4321",
        },
    )
    assert added.status_code == 303
    officer = db.session.scalar(select(Officer))
    assert (officer.code, officer.agency_id) == ("CB07", tree.counter_a.id) and officer.pin_hash
    plate = organizer_a_client.get("/manage/officers/CB07/plate?size=a5")
    html = plate.get_data(as_text=True)
    assert plate.status_code == 200 and "<svg" in html and "/o/CB07" in html and "plate-a5" in html


def test_an_organizer_cannot_reach_officers_outside_their_subtree(app, tree, organizer_a_client):
    make_officer(tree.dept_b, code="B01")
    assert organizer_a_client.get("/manage/officers/B01").status_code == 404
    assert organizer_a_client.get("/manage/officers/B01/plate").status_code == 404
    assert "B01" not in organizer_a_client.get("/manage/officers/").get_data(as_text=True)
    page = organizer_a_client.get("/manage/officers/").get_data(as_text=True)
    refused = organizer_a_client.post(
        "/manage/officers/",
        data={"csrf_token": csrf_token(page), "code": "X1", "full_name": "X", "agency": "B", "active": "y"},
    )
    assert refused.status_code == 422


CSV = """code,full_name,title,agency_code,active
CB01,Nguyễn Thị Lan,Chuyên viên,A1,yes
CB02,Lê Văn Hùng,,A1,
"""


def test_the_import_creates_and_updates_and_reports_every_bad_row(app, tree):
    report = import_officers(io.StringIO(CSV))
    db.session.commit()
    assert (report.created, report.updated, report.errors) == (2, 0, [])
    again = import_officers(io.StringIO(CSV.replace("Chuyên viên", "Phó trưởng bộ phận")))
    assert (again.created, again.updated) == (0, 2)
    bad = import_officers(
        io.StringIO("code,full_name,agency_code,active\nbad code!,,ZZ,maybe\nCB01,A,A1,\nCB01,B,A1,\n")
    )
    assert bad.errors == [
        "line 2: code 'BAD CODE!' must be 1–32 letters, digits, - or _; full_name is empty; "
        "agency 'ZZ' is not in the database; active 'maybe' must be yes or no",
        "line 4: code 'CB01' appears twice (first on line 3)",
    ]


def test_the_import_command_writes_nothing_when_a_row_is_bad(app, tree, runner, tmp_path):
    path = tmp_path / "officers.csv"
    path.write_text(CSV + "CB03,,,A9,\n", encoding="utf-8")
    result = runner.invoke(args=["officers", "import", str(path)])
    assert result.exit_code != 0 and "line 4" in result.output and "nothing was imported" in result.output
    assert db.session.scalar(select(Officer)) is None
    path.write_text(CSV, encoding="utf-8")
    assert "2 created" in runner.invoke(args=["officers", "import", str(path)]).output


def test_the_purge_ends_per_officer_detail_and_keeps_agency_totals(app, tree, runner, client):
    import uuid

    from feedback.counters.models import Channel
    from feedback.counters.ratesets import set_for
    from feedback.counters.ratings import NewRating, store_rating
    from feedback.dashboards.counter_summary import CounterSummary

    officer = make_officer(tree.counter_a)
    app.config["COUNTER_OFFICER_DETAIL_MONTHS"] = 1
    old = utcnow() - timedelta(days=70)
    app.config["COUNTER_MAX_AGE_HOURS"] = 24 * 365
    store_rating(
        NewRating(
            agency=tree.counter_a,
            rating_set=set_for(tree.counter_a),
            level=4,
            channel=Channel.API,
            client_uuid=str(uuid.uuid4()),
            given_at=old,
            officer_id=officer.id,
            comment="tốt",
        )
    )
    db.session.commit()
    result = runner.invoke(args=["officers", "purge"])
    assert "1 rating(s)" in result.output
    db.session.expire_all()
    rating = db.session.scalar(select(CounterRating))
    assert rating.officer_id is None and rating.comment is None and rating.level == 4
    owners = {row.officer_id for row in db.session.scalars(select(CounterSummary))}
    assert owners == {0}
