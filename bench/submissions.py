"""Survey submissions through gunicorn + PostgreSQL, driven by Locust, against a bare WSGI floor.

Creates the database langnghe_bench_submit (127.0.0.1:5432, user postgres; dropped at the end unless
--keep), migrates it, loads the default survey and deploys it at one agency (BENCH), then for each
server — the app (`gunicorn wsgi:app`) and the bare floor (`gunicorn bench.bare_wsgi:app`), both with
2 × cores workers as docs/operations.md recommends — runs Locust headless in its own process
(bench/locust_survey.py: a phone fetching each page and posting it, 6 pages, then the thanks page):
first paced at --rate submissions/s (constant_throughput, one user per submission/s), then at
saturation (--users users without waiting). Prints submissions/s, the p50/p95/p99 latency of the
final submit and of all requests, the errors, the app/bare ratio, and checks that the responses in
the database match the successful submissions. Usage: .venv/bin/python bench/submissions.py
[--seconds 30] [--rate 100] [--users 64] [--patience 300] [--keep]
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.servers import BIN, SERVER, drop_database, start_gunicorn, stop, survey_database  # noqa: E402

DB = "langnghe_bench_submit"
URL = f"{SERVER}/{DB}"
PORT = 8761
WORK = Path("/tmp/langnghe_bench_submit")


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def wait_until_quiet(limit: float = 1.5, patience: int = 300) -> None:
    """Wait (up to `patience` seconds) for the machine's load to fall below `limit`."""
    deadline = time.time() + patience
    while load() >= limit and time.time() < deadline:
        print(f"  load {load():.2f}, waiting for < {limit}", flush=True)
        time.sleep(15)


def count_responses() -> int:
    """Responses stored so far."""
    with psycopg.connect(URL) as conn:
        return conn.execute("SELECT count(*) FROM response").fetchone()[0]


def run_locust(label: str, users: int, paced: bool, seconds: int) -> dict:
    """One Locust run; its figures per request name, from the CSV it writes."""
    prefix = WORK / label.replace("/", "per")
    env = {**os.environ, "BENCH_PACING": "1" if paced else "0", "BENCH_PATH": "/s/BENCH",
           "BENCH_COUNT_FILE": f"{prefix}.count"}
    before = count_responses()
    load_before = load()
    subprocess.run(
        [BIN / "locust", "-f", str(ROOT / "bench" / "locust_survey.py"), "--headless", "--only-summary",
         "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--stop-timeout", "30",
         "--host", f"http://127.0.0.1:{PORT}", "--csv", str(prefix), "--loglevel", "WARNING"],
        env=env, check=False, stdout=open(f"{prefix}.out", "w"), stderr=subprocess.STDOUT)
    stored = count_responses() - before
    rows = {row["Name"]: row for row in csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8"))}
    submit, total = rows.get("POST submit", {}), rows["Aggregated"]
    failures = list(csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8")))
    submitted = int(Path(f"{prefix}.count").read_text())
    return {
        "label": label, "users": users, "load": load_before,
        "submissions_per_s": float(submit.get("Requests/s", 0)),
        "submitted": submitted, "stored": stored,
        "submit_p50": submit.get("50%"), "submit_p95": submit.get("95%"), "submit_p99": submit.get("99%"),
        "all_p50": total["50%"], "all_p95": total["95%"], "all_p99": total["99%"],
        "requests_per_s": float(total["Requests/s"]), "requests": int(total["Request Count"]),
        "errors": int(total["Failure Count"]), "failures": failures,
    }


def print_row(r: dict) -> None:
    """One line of figures."""
    print(f"{r['label']:<14} users {r['users']:>4}  load {r['load']:.2f}  "
          f"{r['submissions_per_s']:7.1f} submissions/s  submit p50/p95/p99 {r['submit_p50']}/"
          f"{r['submit_p95']}/{r['submit_p99']} ms  all p50/p95/p99 {r['all_p50']}/{r['all_p95']}/"
          f"{r['all_p99']} ms  {r['requests_per_s']:.0f} req/s  errors {r['errors']}/{r['requests']}  "
          f"stored {r['stored']} / submitted {r['submitted']}", flush=True)
    for failure in r["failures"][:5]:
        print("   failure:", failure)


def main() -> None:
    """Set up, measure the app and the floor, check the rows, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--rate", type=int, default=100, help="paced submissions per second")
    parser.add_argument("--users", type=int, default=64, help="users at saturation")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--patience", type=int, default=300,
                        help="seconds to wait, before each run, for the load average to fall below 1.5")
    args = parser.parse_args()
    # A SIGTERM (timeout, Ctrl-C from make) still stops gunicorn and drops the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    WORK.mkdir(exist_ok=True)
    workers = 2 * (os.cpu_count() or 1)
    survey = survey_database(DB)
    (WORK / "survey.json").write_text(json.dumps(survey))
    base = {**os.environ, "DATABASE_URL": URL, "APP_ENV": "production", "SECRET_KEY": "bench-secret",
            "SESSION_COOKIE_SECURE": "0", "SURVEY_MIN_SECONDS": "0",
            "SURVEY_CLIENT_DAILY_LIMIT": "1000000000", "RATELIMIT_ALLOW_MEMORY_STORAGE": "1",
            "BARE_SURVEY_FILE": str(WORK / "survey.json"),
            # Every phone comes from 127.0.0.1 at one agency: no address limit, no burst hold, so
            # every response is counted (and summarized) as the floor's are.
            "SURVEY_ADDRESS_DAILY_LIMIT": "1000000000", "SURVEY_BURST_MIN": "0"}
    results = []
    try:
        for name, target in (("app", "wsgi:app"), ("bare", "bench.bare_wsgi:app")):
            server = start_gunicorn(target, port=PORT, workers=workers, env=base, log=WORK / "gunicorn.log",
                                    probe="/s/BENCH/thanks")
            try:
                run_locust(f"{name}-warmup", 8, False, 5)
                for label, users, paced in ((f"{name}-{args.rate}/s", args.rate, True),
                                            (f"{name}-saturated", args.users, False)):
                    wait_until_quiet(patience=args.patience)
                    result = run_locust(label, users, paced, args.seconds)
                    print_row(result)
                    results.append(result)
            finally:
                stop(server)
        app_max = next(r for r in results if r["label"] == "app-saturated")["submissions_per_s"]
        bare_max = next(r for r in results if r["label"] == "bare-saturated")["submissions_per_s"]
        print(f"app / bare at saturation: {app_max:.1f} / {bare_max:.1f} = {app_max / bare_max:.2f}")
        mismatched = [r["label"] for r in results if r["stored"] != r["submitted"]]
        print("responses stored = successful submissions:", "yes" if not mismatched else f"NO: {mismatched}")
        (WORK / "results.json").write_text(json.dumps(results, indent=1))
    finally:
        if not args.keep:
            drop_database(DB)


if __name__ == "__main__":
    main()
