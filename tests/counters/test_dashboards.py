"""The counter index on the dashboards and /dashboard/officers: who sees what, small samples, CSV."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.core.dates import local_zone
from feedback.counters.models import Channel
from feedback.counters.ratesets import set_for
from feedback.counters.ratings import NewRating, store_rating
from feedback.dashboards.counter_index import officer_indices
from feedback.dashboards.stats import wilson_interval
from feedback.extensions import db
from feedback.models import utcnow
from tests.counters.helpers import make_officer


def rate(agency, officer, levels, hours_ago=1):
    """Store one API rating per level for `officer`."""
    for level in levels:
        store_rating(
            NewRating(
                agency=agency,
                rating_set=set_for(agency),
                level=level,
                channel=Channel.API,
                client_uuid=str(uuid.uuid4()),
                given_at=utcnow() - timedelta(hours=hours_ago),
                officer_id=officer.id,
                reasons=["waited"] if level == 1 else [],
            )
        )
    db.session.commit()


def test_officers_are_ranked_from_30_ratings_with_wilson_intervals(app, tree):
    lan = make_officer(tree.counter_a)
    binh = make_officer(tree.counter_a, code="CB02", name="Trần Văn Bình")
    chi = make_officer(tree.counter_a, code="CB03", name="Lê Thị Chi")
    rate(tree.counter_a, lan, [4] * 27 + [1] * 3)
    rate(tree.counter_a, binh, [3] * 20 + [2] * 10)
    rate(tree.counter_a, chi, [4] * 12)
    from feedback.agencies.models import Agency

    # The index counts local days (Asia/Ho_Chi_Minh): after 17:00 UTC, today there is tomorrow in UTC.
    today = datetime.now(local_zone()).date()
    rows = officer_indices(Agency.in_subtree(tree.province.path), today - timedelta(days=2), today)
    assert [(r.code, r.rank, r.n) for r in rows] == [("CB01", 1, 30), ("CB02", 2, 30), ("CB03", None, 12)]
    low, high = wilson_interval(27, 30)
    assert rows[0].rate == 90 and (rows[0].low, rows[0].high) == (100 * low, 100 * high)
    assert rows[2].status == "thin"


def test_only_leaders_covering_the_officer_see_their_results_and_exports_are_audited(
    app, tree, leader_a_client, leader_b_client, organizer_a_client
):
    lan = make_officer(tree.counter_a)
    rate(tree.counter_a, lan, [4] * 10 + [1] * 2)
    page = leader_a_client.get("/dashboard/officers?officer=CB01&grain=month")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Nguyễn Thị Lan" in html
    assert "Nguyễn Thị Lan" not in leader_b_client.get("/dashboard/officers").get_data(as_text=True)
    assert leader_b_client.get("/dashboard/officers?officer=CB01").status_code == 404
    assert organizer_a_client.get("/dashboard/officers").status_code == 403
    csv = leader_a_client.get("/dashboard/officers?format=csv&chart=officers")
    assert csv.status_code == 200 and "Nguyễn Thị Lan" in csv.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "officers.export"))


def test_the_overview_shows_the_counter_index_and_the_counter_lists_its_officers(app, tree, leader_a_client):
    lan = make_officer(tree.counter_a)
    rate(tree.counter_a, lan, [4] * 11)
    overview = leader_a_client.get("/dashboard/").get_data(as_text=True)
    assert "counter-heading" in overview
    drill = leader_a_client.get("/dashboard/agencies/A1").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in drill


def test_the_public_pages_and_the_api_never_show_officers(app, tree, client):
    lan = make_officer(tree.counter_a)
    rate(tree.counter_a, lan, [4] * 40)
    assert "Nguyễn Thị Lan" not in client.get("/public/").get_data(as_text=True)
    # The API description has no operation that returns ratings.
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert all(set(ops) <= {"post"} or path == "/openapi.json" for path, ops in paths.items())


def test_the_demo_seeds_officers_a_paired_kiosk_and_a_year_of_ratings(app, runner):
    from feedback.counters.models import CounterRating, KioskDevice, Officer
    from feedback.dashboards.counter_summary import CounterSummary

    result = runner.invoke(args=["seed-demo", "--responses", "200"])
    assert result.exit_code == 0, result.output
    assert "Counter ratings:" in result.output
    counters = db.session.scalars(select(Officer.agency_id).distinct()).all()
    assert len(counters) >= 5
    assert db.session.scalar(select(KioskDevice.paired_at)) is not None
    ratings = db.session.scalars(select(CounterRating)).all()
    assert len(ratings) == 200 and any(r.reasons for r in ratings)
    assert len({r.given_at.strftime("%Y-%m") for r in ratings}) >= 11
    totals = db.session.scalars(select(CounterSummary).where(CounterSummary.officer_id == 0,
                                                             CounterSummary.period == "month")).all()
    assert sum(t.n for t in totals) == 200
