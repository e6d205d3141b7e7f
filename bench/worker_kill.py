"""Kill gunicorn workers with SIGKILL in the middle of a survey submission load, then check the rows.

    .venv/bin/python bench/worker_kill.py [--seconds 30] [--phones 16] [--every 0.5] [--keep]

Creates the database langnghe_bench_kill (127.0.0.1:5432, user postgres; dropped at the end unless
--keep) with the default survey at agency BENCH, serves it with `gunicorn --workers 4 wsgi:app`,
and runs --phones threads that each send the survey again and again like a phone (GET each page,
POST it, follow the 303s), every submission carrying a unique marker in its free-text comment.
Meanwhile a killer sends SIGKILL to a random worker every --every seconds (the master starts a new
one). A killed request gets a dropped connection; the phone starts a new submission.

Then it checks, in the database:
- every submission that reached its thank-you page is stored (found by its marker);
- every stored response is complete: all its answers, its dimension scores, and the summary
  tables count exactly the stored responses (nothing partial, nothing counted twice);
- no marker is stored twice.
Submissions cut before their thanks may or may not be stored (the kill may land after the commit);
the figures show how many were.
"""

import argparse
import os
import random
import signal
import sys
import threading
import time
from pathlib import Path

import psutil
import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.servers import SERVER, drop_database, start_gunicorn, stop, survey_database  # noqa: E402
from bench.survey_form import page_form  # noqa: E402

DB = "langnghe_bench_kill"
URL = f"{SERVER}/{DB}"
PORT = 8763
WORK = Path("/tmp/langnghe_bench_kill")


class Tally:
    """What the phones saw, shared between threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.thanked: list[str] = []
        self.cut: list[str] = []
        self.statuses: dict[int, int] = {}

    def add(self, attribute: str, marker: str) -> None:
        with self.lock:
            getattr(self, attribute).append(marker)

    def status(self, code: int) -> None:
        with self.lock:
            self.statuses[code] = self.statuses.get(code, 0) + 1


def phone(number: int, base: str, stop_at: float, tally: Tally) -> None:
    """Send the survey until `stop_at`, each time as a new phone with a new marker."""
    sent = 0
    while time.time() < stop_at:
        sent += 1
        marker = f"kill-{number}-{sent}"
        session = requests.Session()
        session.headers.update({"User-Agent": f"bench phone {number}-{sent}", "Accept-Language": "vi"})
        try:
            page = session.get(f"{base}/s/BENCH", timeout=30)
            tally.status(page.status_code)
            for _ in range(20):
                if page.status_code != 200:
                    break
                action, data = page_form(page.text)
                if "q-comment" in data:
                    data["q-comment"] = marker
                answer = session.post(base + action, data=data, allow_redirects=False, timeout=30)
                tally.status(answer.status_code)
                location = answer.headers.get("Location", "")
                if answer.status_code == 303 and location.endswith("/thanks"):
                    thanks = session.get(base + location if location.startswith("/") else location,
                                         timeout=30)
                    tally.status(thanks.status_code)
                    if thanks.status_code == 200:
                        tally.add("thanked", marker)
                    break
                if answer.status_code != 303:
                    break
                page = session.get(base + location if location.startswith("/") else location, timeout=30)
                tally.status(page.status_code)
        except requests.RequestException:
            # The worker serving this request was killed: the phone gives up this submission.
            tally.add("cut", marker)
        finally:
            session.close()


def killer(master: int, every: float, stop_at: float, kills: list[int]) -> None:
    """SIGKILL a random worker of gunicorn's master every `every` seconds."""
    rng = random.Random(2026)
    while time.time() < stop_at:
        time.sleep(every)
        workers = psutil.Process(master).children()
        if workers:
            victim = rng.choice(workers)
            try:
                os.kill(victim.pid, signal.SIGKILL)
                kills.append(victim.pid)
            except ProcessLookupError:
                pass


def check(survey: dict) -> dict:
    """The database's side: stored markers, and responses with anything missing."""
    answers_each = sum(len(page) for page in survey["pages"])
    with psycopg.connect(URL) as conn:
        markers = [row[0] for row in conn.execute(
            "SELECT a.text FROM answer a WHERE a.question_key = 'comment' AND a.text LIKE 'kill-%'")]
        responses = conn.execute("SELECT count(*) FROM response").fetchone()[0]
        incomplete = conn.execute(
            "SELECT count(*) FROM response r WHERE "
            "(SELECT count(*) FROM answer a WHERE a.response_id = r.id) <> %s "
            "OR NOT EXISTS (SELECT 1 FROM response_score s WHERE s.response_id = r.id)",
            (answers_each,)).fetchone()[0]
        scores = conn.execute(
            "SELECT count(DISTINCT (response_id, dimension)) = count(*) FROM response_score").fetchone()[0]
        counted = conn.execute(
            "SELECT coalesce(sum(responses), 0) FROM response_summary WHERE period = 'day'").fetchone()[0]
        counted_month = conn.execute(
            "SELECT coalesce(sum(responses), 0) FROM response_summary WHERE period = 'month'").fetchone()[0]
        included = conn.execute("SELECT count(*) FROM response WHERE NOT excluded").fetchone()[0]
    return {"markers": markers, "responses": responses, "incomplete": incomplete,
            "scores_unique": scores, "summary_day": counted, "summary_month": counted_month,
            "included": included, "answers_each": answers_each}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--phones", type=int, default=16)
    parser.add_argument("--every", type=float, default=0.5, help="seconds between two kills")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    WORK.mkdir(exist_ok=True)
    survey = survey_database(DB)
    env = {**os.environ, "DATABASE_URL": URL, "APP_ENV": "production", "SECRET_KEY": "bench-secret",
           "SESSION_COOKIE_SECURE": "0", "SURVEY_MIN_SECONDS": "0", "SURVEY_CLIENT_DAILY_LIMIT": "1000000000",
           "SURVEY_ADDRESS_DAILY_LIMIT": "1000000000", "SURVEY_BURST_MIN": "0",
           "RATELIMIT_ALLOW_MEMORY_STORAGE": "1"}
    tally, kills = Tally(), []
    try:
        server = start_gunicorn("wsgi:app", port=PORT, workers=4, env=env, log=WORK / "gunicorn.log",
                                probe="/s/BENCH/thanks")
        try:
            stop_at = time.time() + args.seconds
            threads = [threading.Thread(target=phone, args=(n, f"http://127.0.0.1:{PORT}", stop_at, tally))
                       for n in range(args.phones)]
            threads.append(threading.Thread(target=killer, args=(server.pid, args.every, stop_at, kills)))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            stop(server)
        found = check(survey)
    finally:
        if not args.keep:
            drop_database(DB)

    stored = found["markers"]
    stored_set = set(stored)
    lost = [m for m in tally.thanked if m not in stored_set]
    cut_stored = [m for m in tally.cut if m in stored_set]
    duplicates = len(stored) - len(stored_set)
    print(f"# worker kill benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores")
    print(f"{args.seconds} s, {args.phones} phones, SIGKILL every {args.every} s: "
          f"{len(kills)} workers killed")
    print(f"submissions thanked: {len(tally.thanked)}; cut by a kill: {len(tally.cut)} "
          f"(of which stored anyway: {len(cut_stored)})")
    print(f"HTTP statuses seen: {dict(sorted(tally.statuses.items()))}")
    print(f"responses stored: {found['responses']} ({len(stored)} with a marker)")
    print(f"thanked but not stored: {len(lost)}")
    print(f"stored twice: {duplicates}")
    print(f"stored without all {found['answers_each']} answers or without scores: {found['incomplete']}")
    print(f"summary counts = counted responses: day {found['summary_day']}, month {found['summary_month']}, "
          f"responses {found['included']}")
    ok = (not lost and not duplicates and not found["incomplete"] and found["scores_unique"]
          and found["summary_day"] == found["summary_month"] == found["included"])
    print("result:", "every thanked submission stored, complete, once" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
