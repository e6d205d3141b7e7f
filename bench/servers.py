"""What the load benchmarks share: a throwaway migrated PostgreSQL database, and gunicorn on a port."""

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
SERVER = "postgresql://postgres@127.0.0.1:5432"


def fresh_database(name: str) -> str:
    """Drop and create database `name`, migrate it, and point this process at it; returns its URL."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    url = f"{SERVER}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi.py", "APP_ENV": "development"}
    subprocess.run([BIN / "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ["DATABASE_URL"] = url
    # The seeding below runs in this process (the servers get production settings of their own).
    os.environ.setdefault("APP_ENV", "development")
    return url


def drop_database(name: str) -> None:
    """Drop database `name`, even with connections still open."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def survey_database(name: str) -> dict:
    """A fresh migrated database `name` with the default survey deployed at agency BENCH; what the
    load generators and the bare app need to know about the survey."""
    fresh_database(name)
    from feedback import create_app
    from feedback.agencies.services import add_agency
    from feedback.extensions import db
    from feedback.surveys.answers import HEADINGS
    from feedback.surveys.drafts import split_pages
    from feedback.surveys.models import QuestionType
    from feedback.surveys.services import deploy, load_default_survey

    app = create_app()
    with app.app_context():
        agency = add_agency("BENCH", "Bộ phận một cửa thử tải", name_en="Load test counter",
                            kind="department")
        version = load_default_survey()
        deployment, = deploy(version, agency)
        db.session.commit()
        pages = [[q.key for q in page if q.type not in HEADINGS]
                 for page in split_pages(list(version.questions))]
        survey = {
            "pages": [p for p in pages if p], "agency_id": agency.id, "version_id": version.id,
            "deployment_id": deployment.id,
            "likert": {q.key: q.dimension for q in version.questions if q.type == QuestionType.LIKERT5},
            "weights": {d: version.weight(d)
                        for d in {q.dimension for q in version.questions if q.dimension}},
        }
        db.session.remove()
        db.engine.dispose()
    return survey


def start_gunicorn(target: str, *, port: int, workers: int, env: dict, log: Path, probe: str,
                   extra: tuple[str, ...] = ()) -> subprocess.Popen:
    """gunicorn serving `target` on `port`; returns once `probe` (a path) answers."""
    process = subprocess.Popen(
        [BIN / "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         *extra, target], cwd=ROOT, env=env, stdout=open(log, "a"), stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn {target} did not start; see {log}")


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn gracefully."""
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
