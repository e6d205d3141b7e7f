"""Counter ratings through gunicorn + PostgreSQL (one request each: POST /api/v1/ratings), against a
bare WSGI floor doing the same key check, INSERT and summary upserts (bench/bare_ratings.py), in one
run. Creates langnghe_bench_ratings (dropped at the end), an agency, an officer and an API key; then
for each server (2 × cores gunicorn workers) sends ratings from --clients threads, each on its own
keep-alive connection, for --seconds; prints ratings/s, p50/p95/p99 and the app/floor ratio, and
checks the stored count. Usage: .venv/bin/python bench/ratings.py [--seconds 20] [--clients 16]
[--warmup 5] (seconds of load first, not counted, so every worker has loaded the app)
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.servers import SERVER, drop_database, fresh_database, start_gunicorn, stop  # noqa: E402

DB = "langnghe_bench_ratings"
PORT = 8762
WORK = ROOT / "instance" / "bench-ratings"


def seed() -> tuple[dict, str]:
    """An agency, an officer and an API key in the fresh database; (what the floor needs, key secret)."""
    fresh_database(DB)
    from feedback import create_app
    from feedback.agencies.services import add_agency
    from feedback.api.services import create_key
    from feedback.counters.models import Officer
    from feedback.counters.ratesets import set_for
    from feedback.extensions import db

    app = create_app()
    with app.app_context():
        agency = add_agency("BENCH", "Quầy thử tải", kind="counter")
        officer = Officer(code="CB01", full_name="Nguyễn Thị Lan", agency_id=agency.id)
        db.session.add(officer)
        rating_set = set_for(agency)
        rating_set.frozen = True
        _key, secret = create_key("bench", agency)
        db.session.commit()
        info = {
            "agency_id": agency.id,
            "officer_id": officer.id,
            "rating_set_id": rating_set.id,
            "officer_code": "CB01",
        }
        db.session.remove()
        db.engine.dispose()
    return info, secret


def load(seconds: float, clients: int, secret: str, warmup: float = 0.0) -> tuple[int, list[float], int]:
    """(ratings answered 201, latencies in ms, errors) from `clients` threads for `seconds`, after
    `warmup` seconds of the same load that are not counted: gunicorn workers load the app after
    the fork, on their first request, so a cold start would time the imports, not the requests."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    count_from = time.monotonic() + warmup
    stop_at = count_from + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            body = json.dumps({"officer_code": "CB01", "level": 4, "client_uuid": str(uuid.uuid4())})
            sent_at, began = time.monotonic(), time.perf_counter()
            conn.request(
                "POST",
                "/api/v1/ratings",
                body,
                {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            response.read()
            if sent_at < count_from:
                continue  # still warming up
            if response.status == 201:
                mine.append((time.perf_counter() - began) * 1000)
            else:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), sorted(latencies), errors[0]


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile of sorted `values`."""
    return values[min(len(values) - 1, int(share * len(values)))] if values else float("nan")


def main() -> None:
    """Seed, run the app and the floor one after the other, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=5, help="seconds of load not counted")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    info, secret = seed()
    (WORK / "info.json").write_text(json.dumps(info))
    workers = 2 * (os.cpu_count() or 1)
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DB}",
        "APP_ENV": "production",
        "SECRET_KEY": "bench-secret",
        "SESSION_COOKIE_SECURE": "0",
        "RATELIMIT_ALLOW_MEMORY_STORAGE": "1",
        "API_RATE_LIMIT": "100000000 per minute",
        "BARE_RATINGS_FILE": str(WORK / "info.json"),
    }
    results = {}
    try:
        for name, target, probe in (("app", "wsgi:app", "/healthz"), ("bare", "bench.bare_ratings:app", "/")):
            server = start_gunicorn(
                target, port=PORT, workers=workers, env=env, log=WORK / "gunicorn.log", probe=probe
            )
            try:
                stored, latencies, errors = load(args.seconds, args.clients, secret, args.warmup)
            finally:
                stop(server)
            results[name] = stored / args.seconds
            print(
                f"{name:5} {stored / args.seconds:8.1f} ratings/s  p50 {percentile(latencies, 0.5):6.1f} ms  "
                f"p95 {percentile(latencies, 0.95):6.1f} ms  p99 {percentile(latencies, 0.99):6.1f} ms  "
                f"errors {errors}"
            )
        with psycopg.connect(f"{SERVER}/{DB}") as conn:
            rows = conn.execute("SELECT count(*) FROM counter_rating").fetchone()[0]
            summed = conn.execute(
                "SELECT sum(n) FROM counter_summary WHERE officer_id = 0 AND period = 'day'"
            ).fetchone()[0]
        print(
            f"stored {rows} ratings, summary counts {summed}; app/floor ratio "
            f"{results['app'] / results['bare']:.2f} (target ≥ 0.5)"
        )
    finally:
        drop_database(DB)


if __name__ == "__main__":
    main()
