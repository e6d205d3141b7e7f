"""Server time of the leader dashboard pages over a large demo, against the raw SQL they need.

    .venv/bin/python bench/dashboard.py                      # PostgreSQL 1,000,000 and SQLite 100,000
    .venv/bin/python bench/dashboard.py --backend postgresql --keep   # keep (and next time reuse) the db

Seeds `flask seed-demo --responses N --ratings R --agencies M --months K` (R counter ratings:
1,000,000 on PostgreSQL by default, for the counter index and the officers' page) into a database it
creates itself (PostgreSQL: `langnghe_bench` on BENCH_DATABASE_URL's server, dropped at the end
unless --keep; SQLite: a temporary file), then, signed in as the province leader through the sign-in
form, times each dashboard page through the Flask test client (median of --runs warm runs) and the
raw SQL aggregates that page would need without the summary tables (the plain GROUP BY over
responses, scores and answers that metrics.raw_* run), and prints both and their ratio. Target
(docs/targets.md): ≤ 300 ms server time and ≤ 3 × the raw SQL, on PostgreSQL with 1,000,000
responses.

Then it merges 10 generated communes into a new one (agencies.reorganize.merge, as
`flask agencies merge` does), times the merge and its commit (target: under a minute, without a
summary rebuild), checks that the overview's figures as today's tree still add up to every
response, and times the overview and the trend again.
"""

import argparse
import gc
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import and_, case, func, make_url, select, text  # noqa: E402

from config import TestConfig, database_url  # noqa: E402
from feedback import create_app  # noqa: E402
from feedback.accounts.authz import agency_filter  # noqa: E402
from feedback.accounts.models import Role, User  # noqa: E402
from feedback.agencies import reorganize  # noqa: E402
from feedback.agencies.models import Agency  # noqa: E402
from feedback.counters.models import CounterRating  # noqa: E402
from feedback.dashboards import answers, comments, metrics, summary, trend  # noqa: E402
from feedback.dashboards.filters import parse_filters  # noqa: E402
from feedback.demo.seed import seed_demo  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.surveys.models import Response  # noqa: E402

LEADER = ("lanhdao@langnghe.vn", "demo-lanhdao-2026")
PG_NAME = "langnghe_bench"
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _median_ms(action, runs: int, warm: int = 2) -> float:
    """Median wall time of `action()` in milliseconds over `runs` runs after `warm` unmeasured ones."""
    for _ in range(warm):
        action()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def _pg_admin(base: str):
    """An autocommit connection to the PostgreSQL server's maintenance database."""
    url = make_url(database_url(base)).set(drivername="postgresql", database="postgres")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def _drop(conn) -> None:
    """Drop the benchmark database, ending any connection still open to it."""
    conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                 "AND pid <> pg_backend_pid()", (PG_NAME,))
    conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}"')


def _seed(app, responses: int, ratings: int, agencies: int, months: int) -> dict:
    """Load the large demo and time it, and time one more rebuild of the summary on its own."""
    figures = {}
    with app.app_context():
        upgrade()
        began = time.perf_counter()
        seed_demo(responses=responses, months=months, agencies=agencies, ratings=ratings,
                  progress=_progress(responses))
        db.session.commit()
        figures["seed_s"] = time.perf_counter() - began
        print(file=sys.stderr)
        began = time.perf_counter()
        summary.rebuild()
        db.session.commit()
        figures["rebuild_s"] = time.perf_counter() - began
    return figures


def _progress(total: int):
    """A progress callback printing the share written so far on one line."""
    done = [0]

    def update(n: int) -> None:
        """Count `n` more responses written."""
        done[0] += n
        print(f"\r  seeding: {done[0]:,} / {total:,} responses", end="", file=sys.stderr, flush=True)

    return update


def _analyze(app) -> None:
    """Fresh planner statistics after the load, as autovacuum would give a live database."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))


def _signed_in_client(app):
    """A test client signed in as the province leader through the real sign-in form."""
    client = app.test_client()
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post("/login", data={"email": LEADER[0], "password": LEADER[1], "csrf_token": token})
    assert answer.status_code == 302, "the demo leader could not sign in"
    return client


def _raw_overview(scope, window, previous) -> None:
    """The overview without summary tables: index sums per agency over the period and the one
    before it (the change tile)."""
    metrics.raw_agency_indices(scope, **window)
    metrics.raw_agency_indices(scope, **previous)


def _raw_agency(scope, window, previous) -> None:
    """One agency's drill-down without summary tables: index sums (its children's rows and the
    change tile), dimension sums and question counts."""
    _raw_overview(scope, window, previous)
    metrics.raw_dimension_rates(scope, **window)
    metrics.raw_question_rates(scope, **window)


def _raw_trend(scope, window, previous) -> None:
    """The trend without summary tables: index sums per agency and month."""
    trend.raw_index_trend(scope, grain=trend.MONTH, **window)


def _raw_dimensions(scope, window, previous) -> None:
    """The heatmap and weakest questions without summary tables."""
    answers.raw_agency_dimension_rates(scope, **window)
    metrics.raw_question_rates(scope, **window)


def _raw_questions(scope, window, previous) -> None:
    """Every question's answer counts without summary tables."""
    answers.raw_answer_counts(scope, **window)


def _raw_comments(scope, window, previous) -> None:
    """The comments page without comment_summary: comments per agency counted from the answers,
    and the first page of comments."""
    chosen = comments.CommentFilter()
    comments.raw_comment_counts(scope, comments=chosen, **window)
    comments.list_comments(scope, comments=chosen, **window)


def _raw_officers(scope, window, previous) -> None:
    """The officers' ranking without the counter summary: counted ratings per officer."""
    db.session.execute(
        select(CounterRating.officer_id, func.count(), func.sum(case((CounterRating.satisfied, 1), else_=0)))
        .join(Agency, Agency.id == CounterRating.agency_id)
        .where(scope, CounterRating.excluded.is_(False), CounterRating.given_at >= window["start"],
               CounterRating.given_at < window["end"])
        .group_by(CounterRating.officer_id)
    ).all()


def _measure(app, runs: int, with_raw: bool = True) -> list[tuple]:
    """(page, server ms, raw SQL ms) for each dashboard page."""
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    today = datetime.now(zone).date()
    two_years = date(today.year - 2, today.month, 1)
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.code == "TTHCC"))
        busiest = db.session.scalar(
            select(Agency.code).join(Response, Response.agency_id == Agency.id)
            .group_by(Agency.code).order_by(func.count().desc()).limit(1))
        agency_code, agency_id, agency_path = agency.code, agency.id, agency.path
    long = {"from": str(two_years), "to": str(today)}
    pages = [
        ("/dashboard/ (last 12 months)", "/dashboard/?lang=vi", {}, None, _raw_overview),
        ("/dashboard/ (24 months)", f"/dashboard/?lang=vi&from={two_years}&to={today}", long, None,
         _raw_overview),
        (f"/dashboard/agencies/{agency_code}", f"/dashboard/agencies/{agency_code}?lang=vi", {},
         Agency.id == agency_id, _raw_agency),
        (f"/dashboard/agencies/{agency_code}?sub=1", f"/dashboard/agencies/{agency_code}?sub=1&lang=vi", {},
         Agency.in_subtree(agency_path), _raw_agency),
        (f"/dashboard/agencies/{busiest} (busiest)", f"/dashboard/agencies/{busiest}?lang=vi", {},
         Agency.code == busiest, _raw_agency),
        ("/dashboard/trend (24 months)", f"/dashboard/trend?lang=vi&from={two_years}&to={today}", long, None,
         _raw_trend),
        ("/dashboard/dimensions", "/dashboard/dimensions?lang=vi", {}, None, _raw_dimensions),
        ("/dashboard/questions", "/dashboard/questions?lang=vi", {}, None, _raw_questions),
        ("/dashboard/comments", "/dashboard/comments?lang=vi", {}, None, _raw_comments),
        # The attention list and the monthly report read the overview's figures for two periods.
        ("/dashboard/attention", "/dashboard/attention?lang=vi", {}, None, _raw_overview),
        ("/dashboard/report", "/dashboard/report?lang=vi", {}, None, _raw_overview),
        ("/dashboard/officers", "/dashboard/officers?lang=vi", {}, None, _raw_officers),
    ]
    client = _signed_in_client(app)
    rows = []
    for label, url, args, own, raw_sql in pages:
        assert client.get(url).status_code == 200, url

        def page(url=url):
            """One request for the page."""
            assert client.get(url).status_code == 200

        server = _median_ms(page, runs)
        with app.app_context():
            leader = db.session.scalar(select(User).where(User.email == LEADER[0]))
            scope = agency_filter(leader, Role.LEADER)
            if own is not None:
                scope = and_(scope, own)
            filters = parse_filters(args, today)
            start, end = filters.period(zone)
            before, after = filters.previous().period(zone)
            window = {"start": start, "end": end, "code_only": False}
            previous = {"start": before, "end": after, "code_only": False}
            raw = _median_ms(partial(raw_sql, scope, window, previous), runs) if with_raw else float("nan")
            db.session.rollback()
        rows.append((label, server, raw))
    return rows


def _merge_ten(app, runs: int) -> dict:
    """Merge 10 generated communes (the busiest ones) into a new commune and time it; then check
    that nothing was lost or counted twice and time the overview and the trend again."""
    figures = {}
    with app.app_context():
        province = Agency.code.is_not(None)
        before = sum(i.n for i in metrics.agency_indices(province))
        ten = list(db.session.scalars(
            select(Agency).join(Response, Response.agency_id == Agency.id)
            .where(Agency.kind == "commune", Agency.valid_to.is_(None), Agency.code.like("X%"))
            .group_by(Agency.id).order_by(func.count().desc()).limit(10)))
        figures["merged_responses"] = db.session.scalar(
            select(func.count()).select_from(Response).where(Response.agency_id.in_([a.id for a in ten])))
        on = datetime.now(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])).date()
        began = time.perf_counter()
        # A new code each run: a kept database (--keep) is merged again, and codes are never reused.
        code = f"XBM{datetime.now():%y%m%d%H%M%S}"
        reorganize.merge(ten, on, new=reorganize.NewAgency(code, "UBND xã Hợp Nhất"))
        db.session.commit()
        figures["merge_s"] = time.perf_counter() - began
        after = sum(i.n for i in metrics.agency_indices(province))
        assert after == before, (before, after)
        figures["counted"] = after
        db.session.rollback()
    client = _signed_in_client(app)
    for name, url in (("overview_ms", "/dashboard/?lang=vi"), ("trend_ms", "/dashboard/trend?lang=vi"),
                      ("overview_as_it_was_ms", "/dashboard/?lang=vi&tree=as_it_was")):
        figures[name] = _median_ms(lambda url=url: client.get(url), runs)
    return figures


def _report(backend: str, responses: int, agencies: int, months: int, figures: dict, rows) -> None:
    """Print the figures as a Markdown table."""
    print(f"\n{backend}: {responses:,} responses, {figures['ratings']:,} counter ratings, "
          f"{agencies} agencies, {months} months; "
          f"seed {figures.get('seed_s', float('nan')):.0f} s (summary included), "
          f"summary rebuild alone {figures.get('rebuild_s', float('nan')):.1f} s")
    print("| page | server ms (median) | raw SQL ms (median) | server / raw |")
    print("|---|---:|---:|---:|")
    for label, server, raw in rows:
        print(f"| `{label}` | {server:,.0f} | {raw:,.0f} | {server / raw:.2f} |")


def _run(backend: str, url: str, args, fresh: bool) -> None:
    """Seed (when `fresh`), analyze, measure and print one backend."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    gc.freeze()  # as wsgi.py does in production, after building the app
    figures = {}
    if fresh:
        postgresql = backend == "postgresql"
        figures = _seed(app, args.responses if postgresql else args.sqlite_responses,
                        args.ratings if postgresql else args.sqlite_ratings, args.agencies, args.months)
    else:
        with app.app_context():
            upgrade()  # a kept database follows the migrations added since it was seeded
    _analyze(app)
    rows = _measure(app, args.runs, not args.no_raw)
    merged = _merge_ten(app, args.runs)
    with app.app_context():
        responses = db.session.scalar(select(func.count()).select_from(Response))
        agencies = db.session.scalar(select(func.count()).select_from(Agency))
        figures["ratings"] = db.session.scalar(select(func.count()).select_from(CounterRating))
        db.engine.dispose()
    _report(backend, responses, agencies, args.months, figures, rows)
    print(f"\nmerge of 10 communes ({merged['merged_responses']:,} responses of theirs): "
          f"{merged['merge_s']:.2f} s including the commit, no summary rebuilt; "
          f"{merged['counted']:,} counted responses before and after")
    print(f"after the merge: overview {merged['overview_ms']:.0f} ms, trend {merged['trend_ms']:.0f} ms, "
          f"overview as it was {merged['overview_as_it_was_ms']:.0f} ms (medians)")


def main() -> int:
    """Run the benchmark on the chosen backends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000, help="responses on PostgreSQL")
    parser.add_argument("--sqlite-responses", type=int, default=100_000, help="responses on SQLite")
    parser.add_argument("--ratings", type=int, default=1_000_000, help="counter ratings on PostgreSQL")
    parser.add_argument("--sqlite-ratings", type=int, default=100_000, help="counter ratings on SQLite")
    parser.add_argument("--agencies", type=int, default=700)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--runs", type=int, default=7, help="measured runs per figure (median)")
    parser.add_argument("--backend", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--no-raw", action="store_true",
                        help="time the pages only, not the raw SQL (which takes minutes at 1,000,000)")
    parser.add_argument("--keep", action="store_true",
                        help=f"keep the PostgreSQL database {PG_NAME} afterwards, and reuse it if present")
    args = parser.parse_args()
    print(f"# dashboard benchmark, {date.today()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")

    if args.backend in ("postgresql", "both"):
        base = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        with _pg_admin(base) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_NAME,)).fetchone()
            fresh = not (args.keep and exists)
            if fresh:
                _drop(conn)
                conn.execute(f'CREATE DATABASE "{PG_NAME}"')
        url = make_url(database_url(base)).set(database=PG_NAME).render_as_string(hide_password=False)
        try:
            _run("postgresql", url, args, fresh)
        finally:
            if not args.keep:
                with _pg_admin(base) as conn:
                    _drop(conn)

    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            _run("sqlite", f"sqlite:///{tmp}/bench.db", args, True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
