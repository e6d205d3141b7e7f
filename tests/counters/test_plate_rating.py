"""The desk plate's page /o/<code>: one tap stores the level, a low level asks why, replays store once."""

import re

from sqlalchemy import func, select

from feedback.counters.models import CounterRating, RatingFlag, RatingSet
from feedback.dashboards.counter_summary import CounterReasonSummary, CounterSummary
from feedback.extensions import db
from tests.counters.helpers import make_officer


def _token(html: str) -> str:
    return re.search(r'name="t" value="([^"]+)"', html).group(1)


def test_one_tap_stores_the_level_at_once(app, tree, client):
    officer = make_officer(tree.counter_a)
    page = client.get("/o/cb01")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Nguyễn Thị Lan" in html and len(page.data) < 30_000
    response = client.post("/o/CB01", data={"t": _token(html), "level": "4"})
    assert response.status_code == 303
    rating = db.session.scalar(select(CounterRating))
    assert (rating.level, rating.satisfied, rating.officer_id, rating.channel) == (
        4,
        True,
        officer.id,
        "plate",
    )
    assert db.session.scalar(select(RatingSet.frozen))
    totals = db.session.scalars(select(CounterSummary).where(CounterSummary.officer_id == 0)).all()
    assert sorted((t.period, t.n, t.satisfied) for t in totals) == [("day", 1, 1), ("month", 1, 1)]


def test_the_same_page_sent_twice_stores_one_rating(app, tree, client):
    make_officer(tree.counter_a)
    token = _token(client.get("/o/CB01").get_data(as_text=True))
    for _ in range(2):
        assert client.post("/o/CB01", data={"t": token, "level": "1"}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(CounterRating)) == 1


def test_a_low_level_asks_why_and_the_reasons_update_the_rating(app, tree, client):
    make_officer(tree.counter_a)
    token = _token(client.get("/o/CB01").get_data(as_text=True))
    thanks = client.post("/o/CB01", data={"t": token, "level": "1"}, follow_redirects=True)
    html = thanks.get_data(as_text=True)
    assert 'name="reason"' in html
    done = re.search(r'name="r" value="([^"]+)"', html).group(1)
    sent = client.post(
        "/o/CB01/thanks", data={"r": done, "reason": ["waited", "impolite"], "comment": "Chờ lâu"}
    )
    assert sent.status_code == 200
    rating = db.session.scalar(select(CounterRating))
    assert rating.reasons == ["waited", "impolite"] and rating.comment == "Chờ lâu"
    reasons = db.session.scalars(
        select(CounterReasonSummary.reason).where(
            CounterReasonSummary.officer_id == rating.officer_id, CounterReasonSummary.period == "day"
        )
    ).all()
    assert sorted(reasons) == ["impolite", "waited"]


def test_a_tap_faster_than_the_minimum_time_is_flagged_and_not_counted(app, tree, client):
    app.config["COUNTER_MIN_SECONDS"] = 60
    make_officer(tree.counter_a)
    token = _token(client.get("/o/CB01").get_data(as_text=True))
    client.post("/o/CB01", data={"t": token, "level": "4"})
    rating = db.session.scalar(select(CounterRating))
    assert rating.flags & RatingFlag.TOO_FAST and rating.excluded
    assert db.session.scalar(select(func.count()).select_from(CounterSummary)) == 0


def test_an_unknown_or_inactive_officer_is_404_and_a_bad_level_400(app, tree, client):
    officer = make_officer(tree.counter_a)
    assert client.get("/o/NOPE").status_code == 404
    token = _token(client.get("/o/CB01").get_data(as_text=True))
    assert client.post("/o/CB01", data={"t": token, "level": "9"}).status_code == 400
    assert client.post("/o/CB01", data={"t": "forged", "level": "2"}).status_code == 400
    officer.active = False
    db.session.commit()
    assert client.get("/o/CB01").status_code == 404


def test_extra_money_raises_a_confidential_alert_to_the_parents_leaders(app, tree, client):
    from feedback.notifications.models import Notification

    make_officer(tree.counter_a)
    token = _token(client.get("/o/CB01").get_data(as_text=True))
    html = client.post("/o/CB01", data={"t": token, "level": "1"}, follow_redirects=True).get_data(
        as_text=True
    )
    done = re.search(r'name="r" value="([^"]+)"', html).group(1)
    client.post("/o/CB01/thanks", data={"r": done, "reason": ["extra_demand"]})
    alerts = db.session.scalars(select(Notification)).all()
    assert [a.to_email for a in alerts] == [tree.leader_a.email]
    assert "Nguyễn" not in str(alerts[0].context)
