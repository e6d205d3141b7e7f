"""Fixtures: the app on every database backend, clients, signed-in users, a small agency tree.

Every test that takes `app` runs on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set.
The suite creates its own databases (a file for SQLite, a fresh database on the PostgreSQL server)
and builds them with the Alembic migrations, so the migrations are exercised on every run.
"""

import contextvars
import os
import re
import uuid

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import make_url, text

from config import TestConfig, database_url
from feedback import create_app
from feedback.extensions import db, limiter
from tests.factories import Tree, make_tree

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_report_header(config):
    """Say which databases the suite runs on, so a missing PostgreSQL run is visible."""
    if PG_URL:
        return "database backends: sqlite, postgresql (TEST_DATABASE_URL)"
    return "database backends: sqlite only (set TEST_DATABASE_URL to add PostgreSQL)"


def _admin_connection(url: str):
    """An autocommit psycopg connection to the server's maintenance database."""
    import psycopg

    server = make_url(database_url(url)).set(drivername="postgresql", database="postgres")
    return psycopg.connect(server.render_as_string(hide_password=False), autocommit=True)


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory):
    """One throwaway database per backend, created for this run and dropped after it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"}
    name = None
    if PG_URL:
        name = f"langnghe_test_{worker}_{uuid.uuid4().hex[:8]}"
        with _admin_connection(PG_URL) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        urls["postgresql"] = make_url(database_url(PG_URL)).set(database=name).render_as_string(
            hide_password=False)
    try:
        for url in urls.values():
            app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
            with app.app_context():
                upgrade()
                if db.engine.dialect.name == "postgresql":
                    _keep_insertion_order()
                db.engine.dispose()
        yield urls
    finally:
        if name:
            with _admin_connection(PG_URL) as conn:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = %s", (name,))
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _keep_insertion_order() -> None:
    """No autovacuum on the test database's tables. Tests empty them with DELETE; a vacuum would
    then hand the freed space to new rows, and a query without ORDER BY would stop returning rows
    in the order they were written, which some assertions read as the order of events."""
    with db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            conn.execute(text(f'ALTER TABLE "{table.name}" SET (autovacuum_enabled = false)'))


def _empty_all_tables() -> None:
    """Delete every row, so each test starts from an empty schema, with ids counting from 1 again.

    DELETE, children first, rather than TRUNCATE: a test leaves a few rows, and PostgreSQL's
    TRUNCATE of some fifty tables costs about 200 ms whatever they hold (DELETE: about 10 ms).
    """
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        for table in reversed(tables):
            conn.execute(text(f'DELETE FROM "{table}"'))
        if db.engine.dialect.name == "postgresql":
            conn.execute(text(
                "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                "c.relnamespace WHERE c.relkind = 'S' AND n.nspname = current_schema()"))
        # SQLite (no AUTOINCREMENT tables here) numbers a new row max(rowid) + 1: 1 again.


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as on a real server.

    Tests hold an app context for setup and assertions; without this, Flask would reuse it for
    every request, sharing `g` and the database session between requests and the test.
    """

    def open(self, *args, **kwargs):
        """Send the request from an empty context, so it pushes its own app context."""
        return contextvars.Context().run(super().open, *args, **kwargs)


class EnglishClient(IsolatedClient):
    """An isolated client whose browser asks for English (Accept-Language: en)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def english(app):
    """Every client made from now on reads the English pages (tests that match English texts)."""
    app.test_client_class = EnglishClient


@pytest.fixture(scope="session")
def built_apps():
    """One application per backend for the whole run of a worker: building one (compiling its
    five hundred URL rules) takes longer than most tests. `app` hands it to each test as new."""
    apps: dict = {}
    yield apps
    for app in apps.values():
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(params=BACKENDS)
def app(request, database_urls, built_apps):
    """The application on one backend, inside an app context, with empty tables, its settings as
    built (a test's changes are undone after it) and no rate-limit counts left from another test."""
    backend = request.param
    if backend not in built_apps:
        built_apps[backend] = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_urls[backend])
    app = built_apps[backend]
    app.test_client_class = IsolatedClient
    settings = dict(app.config)
    with app.app_context():
        limiter.reset()
        _empty_all_tables()
        yield app
        db.session.remove()
    app.config.clear()
    app.config.update(settings)


@pytest.fixture
def client(app):
    """A test client (cookies kept between its requests)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for `flask …` commands."""
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in `html`."""
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class AuthActions:
    """Sign a test client in and out through the real sign-in form."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = "correct horse battery"):
        """Post the sign-in form with its CSRF token; returns the response."""
        token = csrf_token(self.client.get("/login").get_data(as_text=True))
        return self.client.post("/login", data={"email": email, "password": password,
                                                "csrf_token": token})

    def logout(self):
        """Post the sign-out form."""
        token = csrf_token(self.client.get("/account").get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    """Sign-in helper bound to `client`."""
    return AuthActions(client)


@pytest.fixture
def tree(app) -> Tree:
    """A province with two departments (A with a counter and a commune under it, and B), and
    users: an admin, a leader and an organizer over A, and a leader over B."""
    return make_tree()


def _signed_in(app, email):
    """A new client of `app`, signed in as `email` through the form."""
    client = app.test_client()
    response = AuthActions(client).login(email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def admin_client(app, tree):
    """A client signed in as the admin."""
    return _signed_in(app, tree.admin.email)


@pytest.fixture
def leader_a_client(app, tree):
    """A client signed in as the leader of department A."""
    return _signed_in(app, tree.leader_a.email)


@pytest.fixture
def leader_b_client(app, tree):
    """A client signed in as the leader of department B."""
    return _signed_in(app, tree.leader_b.email)


@pytest.fixture
def organizer_a_client(app, tree):
    """A client signed in as an organizer of department A."""
    return _signed_in(app, tree.organizer_a.email)

