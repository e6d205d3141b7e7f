"""Sign-in throttling shared across workers through Redis (RATELIMIT_STORAGE_URI).

Redis: TEST_REDIS_URL (default redis://127.0.0.1:6379/15). The test writes only keys under a prefix of
its own, unique to the run, and deletes them afterwards; it never empties the database, so runs that
share one Redis (parallel workers, two checkouts) do not reset each other's counts. Skipped when Redis
does not answer.
"""

import os
import uuid

import pytest

from config import TestConfig
from feedback import create_app
from feedback.extensions import db, limiter
from tests.conftest import AuthActions, IsolatedClient

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip():
    """Check the suite's own Redis database (TEST_REDIS_URL) answers. It is not emptied: each test
    writes under its own key prefix, so tests running at the same time do not reset each other."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({error}); start it or set TEST_REDIS_URL")


def test_failed_sign_ins_count_across_two_workers_sharing_redis(app, database_urls, tree):
    _redis_or_skip()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    workers = [create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, RATELIMIT_STORAGE_URI=REDIS_URL,
                          RATELIMIT_REDIS_KEY_PREFIX=prefix) for _ in range(2)]
    try:
        clients = []
        for worker in workers:
            worker.test_client_class = IsolatedClient
            clients.append(AuthActions(worker.test_client()))
        statuses = [clients[i % 2].login(tree.leader_a.email, "wrong password!").status_code
                    for i in range(5)]
        assert statuses == [401] * 5
        assert clients[0].login(tree.leader_a.email).status_code == 429
        assert clients[1].login(tree.leader_a.email).status_code == 429
    finally:
        limiter.reset()  # this test's keys only (its prefix)
        for worker in workers:
            with worker.app_context():
                db.engine.dispose()
        limiter.init_app(app)  # the one shared limiter counts in the test app's memory again
