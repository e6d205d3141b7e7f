"""1,000 people signing up at once for a 200-seat conference, through gunicorn on PostgreSQL.

Creates the database langnghe_bench_signup (127.0.0.1:5432, user postgres; dropped at the end unless
--keep), migrates it, loads the standard topics and publishes a conference with 200 seats, then
serves the app with `gunicorn wsgi:app` (2 × cores sync workers, as docs/operations.md recommends;
DIALOGUE_SIGNUP_RATE_LIMIT raised, since every request comes from 127.0.0.1). The real form is
fetched once for its signed token; 1,000 threads, each with its own connection, wait at a barrier
and are released together, each posting the form with a distinct phone. Checks: every answer a 303
to a ticket, exactly 200 confirmed and 800 waitlisted with positions 1–800 (no gap, no repeat), and
prints the latency percentiles and the total time. Usage: .venv/bin/python bench/signup_burst.py
[--people 1000] [--seats 200] [--keep]
"""

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.servers import SERVER, drop_database, fresh_database, start_gunicorn, stop  # noqa: E402

DB = "langnghe_bench_signup"
URL = f"{SERVER}/{DB}"
PORT = 8762
LOG = Path("/tmp/langnghe_bench_signup.log")
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')


def create_database(seats: int) -> int:
    """A fresh migrated database with a published conference of `seats` seats; returns its id."""
    fresh_database(DB)
    from feedback import create_app
    from feedback.agencies.services import add_agency
    from feedback.dialogues.models import Conference, ConferenceStatus
    from feedback.dialogues.topics import load_default_topics
    from feedback.extensions import db
    from feedback.models import utcnow

    app = create_app()
    with app.app_context():
        agency = add_agency("TINH", "Ủy ban nhân dân tỉnh", name_en="Provincial People's Committee",
                            kind="province")
        load_default_topics()
        now = utcnow()
        conference = Conference(
            title_vi="Hội nghị đối thoại với Nhân dân", title_en="Dialogue conference with citizens",
            host_agency_id=agency.id, capacity=seats, status=ConferenceStatus.PUBLISHED,
            starts_at=now + timedelta(days=10), ends_at=now + timedelta(days=10, hours=3),
            registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=9),
            published_at=now)
        db.session.add(conference)
        db.session.commit()
        conference_id = conference.id
        db.session.remove()
        db.engine.dispose()
    return conference_id


def start_app(workers: int, people: int) -> subprocess.Popen:
    """The app under gunicorn on PORT; returns once it answers."""
    env = {**os.environ, "DATABASE_URL": URL, "APP_ENV": "production", "SECRET_KEY": "bench-secret",
           "SESSION_COOKIE_SECURE": "0", "DIALOGUE_SIGNUP_RATE_LIMIT": f"{people * 10} per minute",
           # one page's token for every person, and per-worker counts, as the runs before Redis
           "DIALOGUE_SIGNUP_TOKEN_RATE_LIMIT": f"{people * 10} per minute",
           "RATELIMIT_ALLOW_MEMORY_STORAGE": "1"}
    LOG.write_text("")
    return start_gunicorn("wsgi:app", port=PORT, workers=workers, env=env, log=LOG, probe="/healthz",
                          extra=("--backlog", "2048"))


def phone(n: int) -> str:
    """A distinct valid Vietnamese mobile number, written the way people type it."""
    return f"0912 {n // 1000:03d} {n % 1000:03d}"


def burst(conference_id: int, people: int) -> tuple[list, float]:
    """Release `people` sign-ups together; returns ([(status, location, seconds)], total seconds)."""
    path = f"/dialogues/{conference_id}/register"
    page = urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}").read().decode()
    token = TOKEN_RE.search(page).group(1)
    barrier = threading.Barrier(people + 1)
    results: list = [None] * people

    def person(n: int) -> None:
        """Connect, wait for everyone, send the form, note the answer and how long it took."""
        body = urllib.parse.urlencode({
            "token": token, "full_name": "Trần Thị Bích Ngọc", "phone": phone(n), "email": "",
            "locality": "Phường Hòa Bình", "representing": "self", "consent": "yes", "website": ""})
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
        conn.connect()
        barrier.wait()
        start = time.perf_counter()
        try:
            conn.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
            answer = conn.getresponse()
            answer.read()
            results[n] = (answer.status, answer.getheader("Location", ""), time.perf_counter() - start)
        except OSError as error:
            results[n] = (0, repr(error), time.perf_counter() - start)
        finally:
            conn.close()

    threads = [threading.Thread(target=person, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - start


def check(conference_id: int, seats: int, people: int, results: list) -> bool:
    """Print the counts and say whether the seats and the waiting list came out exactly right."""
    ok = [r for r in results if r[0] == 303 and urllib.parse.urlsplit(r[1]).path.startswith("/tickets/")]
    errors = [r for r in results if r not in ok]
    with psycopg.connect(URL) as conn:
        counts = dict(conn.execute("SELECT status, count(*) FROM registration WHERE conference_id = %s "
                                   "GROUP BY status", (conference_id,)).fetchall())
        positions = [p for (p,) in conn.execute(
            "SELECT waitlist_position FROM registration WHERE conference_id = %s AND status = 'waitlisted' "
            "ORDER BY waitlist_position", (conference_id,))]
    confirmed, waitlisted = counts.get("confirmed", 0), counts.get("waitlisted", 0)
    print(f"answers: {len(ok)} × 303 to a ticket, {len(errors)} other")
    for status, location, _seconds in errors[:10]:
        print("   other:", status, location[:200])
    print(f"confirmed {confirmed}, waitlisted {waitlisted}, positions "
          f"{positions[0] if positions else '-'}–{positions[-1] if positions else '-'} "
          f"(1..{len(positions)} without gap or repeat: {positions == list(range(1, len(positions) + 1))})")
    return (not errors and confirmed == seats and waitlisted == people - seats
            and positions == list(range(1, people - seats + 1)))


def main() -> None:
    """Set up, burst, check, report, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--seats", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    workers = 2 * (os.cpu_count() or 1)
    conference_id = create_database(args.seats)
    server = start_app(workers, args.people)
    exact = False
    try:
        print(f"load average before: {os.getloadavg()[0]:.2f}; gunicorn {workers} workers", flush=True)
        results, total = burst(conference_id, args.people)
        seconds = sorted(r[2] * 1000 for r in results)
        quantiles = statistics.quantiles(seconds, n=100)
        print(f"{args.people} sign-ups in {total:.2f} s ({args.people / total:.0f}/s); latency ms p50 "
              f"{quantiles[49]:.0f}, p95 {quantiles[94]:.0f}, p99 {quantiles[98]:.0f}, max {seconds[-1]:.0f}")
        exact = check(conference_id, args.seats, args.people, results)
        print("exactly right:", "yes" if exact else "NO")
    finally:
        stop(server)
        if not args.keep:
            drop_database(DB)
    if not exact:
        sys.exit(1)


if __name__ == "__main__":
    main()
