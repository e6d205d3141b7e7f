"""Ten copies of one queued kiosk tap arriving at once store one rating: the unique client UUID
decides, not a read-then-write (ON CONFLICT DO NOTHING). Runs on SQLite and PostgreSQL, each request
in its own thread with its own connection and transaction, as under gunicorn."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from feedback.counters.models import CounterRating
from feedback.dashboards.counter_summary import CounterSummary
from feedback.extensions import db
from tests.counters.test_kiosk import paired_kiosk

THREADS = 10


def test_ten_replays_at_once_store_one_rating_and_count_it_once(app, tree, organizer_a_client):
    tablet, _code = paired_kiosk(app, organizer_a_client)
    cookie = tablet.get_cookie("kiosk_device", path="/kiosk").value
    body = {"uuid": str(uuid.uuid4()), "level": 4}
    start = threading.Barrier(THREADS)

    def one(_n):
        client = app.test_client()
        client.set_cookie("kiosk_device", cookie, path="/kiosk")
        start.wait(timeout=10)
        return client.post("/kiosk/ratings", json=body).status_code

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = sorted(pool.map(one, range(THREADS)))
    assert statuses == [200] * (THREADS - 1) + [201]
    db.session.rollback()
    assert len(db.session.scalars(select(CounterRating)).all()) == 1
    totals = db.session.scalars(select(CounterSummary).where(CounterSummary.officer_id == 0)).all()
    assert sorted((t.period, t.n) for t in totals) == [("day", 1), ("month", 1)]
