"""Rate limits hold across workers: production refuses per-worker counts, and two gunicorn workers
sharing Redis refuse the sixth failed sign-in whichever worker answers it."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from config import TestConfig
from feedback import create_app
from feedback.core.rate_limits import RateLimitStorageError
from feedback.extensions import db, limiter
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WRONG = "not the password at all"


def _redis_or_skip():
    """A client of the suite's Redis database (TEST_REDIS_URL), or skip when none answers."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({error}); start it or set TEST_REDIS_URL")
    return client


@pytest.fixture
def own_limiter(app):
    """Give the shared limiter back to the test app after a test built other apps (each
    create_app binds the one limiter to its own storage)."""
    yield
    limiter.init_app(app)


def test_production_refuses_to_count_in_each_worker_s_memory(app, own_limiter):
    production = {"APP_ENV": "production", "PRODUCTION": True, "TESTING": False,
                  "SECRET_KEY": "a-long-random-production-key"}
    with pytest.raises(RateLimitStorageError, match="RATELIMIT_STORAGE_URI is memory:// in production"):
        create_app(TestConfig, **production, RATELIMIT_STORAGE_URI="memory://")
    # One single process may say so; a shared Redis is always accepted.
    create_app(TestConfig, **production, RATELIMIT_STORAGE_URI="memory://",
               RATELIMIT_ALLOW_MEMORY_STORAGE=True)
    create_app(TestConfig, **production, RATELIMIT_STORAGE_URI=REDIS_URL)
    # Development and tests keep working without Redis.
    create_app(TestConfig, RATELIMIT_STORAGE_URI="memory://")


def test_an_unreachable_redis_falls_back_to_counting_in_memory(app, own_limiter):
    # Nothing listens on port 1: the limiter counts in memory instead of failing every request.
    down = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                      RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", DIALOGUE_CODE_RATE_LIMIT="3 per minute")
    client = down.test_client()
    try:
        assert [client.get("/tickets/ACEFGHJK").status_code for _ in range(5)] == [404, 404, 404, 429, 429]
    finally:
        with down.app_context():
            db.engine.dispose()  # its pooled connections, before the garbage collector finds them


# ---- two gunicorn workers ------------------------------------------------------------------------

def _free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn(env: dict, port: int, log: Path, access_log: Path, *extra: str) -> subprocess.Popen:
    """gunicorn with two sync workers serving wsgi:app, as bench/servers.py starts it, each request
    written to `access_log` with the id of the worker process that answered it."""
    with open(log, "a") as output:  # the child keeps its own copy of the file
        return subprocess.Popen(
            [GUNICORN, "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
             "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
             *extra, "wsgi:app"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def _wait_until_up(process: subprocess.Popen, base: str, log: Path) -> None:
    """Return once the server answers /healthz; fail with its log when it died or never answered."""
    for _ in range(150):
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited: {log.read_text()}")
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer: {log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    """Stop gunicorn at once (SIGINT: its quick shutdown), killing it if it does not stop in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _failed_sign_in(base: str, email: str) -> int:
    """Open the sign-in page and send it with a wrong password, as a browser would; the status."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{base}/login", timeout=30) as page:
        token = CSRF_RE.search(page.read().decode()).group(1)
    form = urllib.parse.urlencode({"email": email, "password": WRONG, "csrf_token": token}).encode()
    try:
        with opener.open(f"{base}/login", data=form, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as answer:
        with answer:
            return answer.code


def test_failed_sign_ins_beyond_the_limit_are_refused_by_every_gunicorn_worker(app, tree, tmp_path):
    if PG_URL and app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the limits do not depend on the database: run once, on PostgreSQL")
    redis = _redis_or_skip()
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": "gunicorn-test-" + uuid.uuid4().hex,
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SESSION_COOKIE_SECURE": "0",
           "LOGIN_RATE_LIMIT": "5 per minute", "RATELIMIT_STORAGE_URI": "memory://"}
    log, access_log = tmp_path / "gunicorn.log", tmp_path / "access.log"

    # Counting in each worker's memory: production does not start, and says why.
    # --preload: the app is built once, in the arbiter, which then exits at once.
    refused = _gunicorn(env, _free_port(), log, access_log, "--preload")
    try:
        refused.wait(timeout=45)
    except subprocess.TimeoutExpired:
        pytest.fail("gunicorn started in production with rate limits counted per worker")
    finally:
        _stop(refused)
    assert refused.returncode != 0
    assert "RATELIMIT_STORAGE_URI is memory:// in production" in log.read_text()

    # Counting in Redis: five failed sign-ins in all, then every worker refuses.
    env |= {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_REDIS_KEY_PREFIX": prefix}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _gunicorn(env, port, log, access_log)
    try:
        _wait_until_up(server, base, log)
        statuses = [_failed_sign_in(base, tree.leader_a.email) for _ in range(16)]
    finally:
        _stop(server)
        keys = list(redis.scan_iter(f"{prefix}:*"))
        if keys:
            redis.delete(*keys)
    assert statuses == [401] * 5 + [429] * 11
    posts = [line.split() for line in access_log.read_text().splitlines() if " POST /login " in line]
    refusing_workers = {pid for pid, _method, _path, status in posts if status == "429"}
    assert len(refusing_workers) == 2, posts  # both workers refused, each having seen fewer than five
    assert keys, "the counts were kept in Redis"
