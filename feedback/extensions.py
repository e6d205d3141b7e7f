"""Flask extensions, created unbound and attached to the app in create_app()."""

import time

from flask import request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event, exc
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def client_address() -> str:
    """The caller's address as seen through the trusted proxies (ProxyFix already applied)."""
    return get_remote_address() or request.remote_addr or "unknown"


def prepare_sqlite(app) -> None:
    """On SQLite, a write waits up to SQLITE_BUSY_TIMEOUT seconds for another writer (several
    gunicorn workers, the notification worker, a CLI command) instead of failing at once with
    "database is locked". Call before db.init_app; `enable_wal` after it."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["connect_args"] = {**options.get("connect_args", {}),
                               "timeout": app.config["SQLITE_BUSY_TIMEOUT"]}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _write_ahead_log(dbapi_connection, _record) -> None:
    """Readers never block the writer nor the writer the readers (the mode is kept in the file)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def enable_wal(app) -> None:
    """Every new connection of a file SQLite database uses the write-ahead log."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        if db.engine.url.database not in (None, "", ":memory:"):
            event.listen(db.engine, "connect", _write_ahead_log)


# A pooled connection idle longer than this is pinged before use (PostgreSQL only).
PING_AFTER_IDLE_SECONDS = 2.0


def _mark_used(_dbapi_connection, record, *_args) -> None:
    """Remember when a pooled connection was last handed back (or opened)."""
    record.info["idle_since"] = time.monotonic()


def ping_when_idle(app) -> None:
    """Check a PostgreSQL connection before use when it sat idle in the pool for a while.

    The pool's own pre-ping costs a round trip on every request; under load every connection is
    used again within milliseconds, and a database restarted meanwhile makes that one request fail
    (503, and the pool is renewed) as it would during the outage anyway. A connection that has been
    idle (the first request of the morning after a nightly restart) is pinged, and on failure
    every older connection is replaced before the request goes on. Call after db.init_app.
    """
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    def check(dbapi_connection, record, _proxy) -> None:
        """Ping a connection idle for PING_AFTER_IDLE_SECONDS or more; a dead one is replaced."""
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.InvalidatePoolError(str(error)) from error
        if not alive:
            raise exc.InvalidatePoolError("ping failed")

    event.listen(engine, "connect", _mark_used)
    event.listen(engine, "checkin", _mark_used)
    event.listen(engine, "checkout", check)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
compress = Compress()
login_manager = LoginManager()
limiter = Limiter(key_func=client_address, default_limits=[])
