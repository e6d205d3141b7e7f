"""Flask extensions, created unbound and attached to the app in create_app()."""

from flask import request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
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


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
compress = Compress()
login_manager = LoginManager()
limiter = Limiter(key_func=client_address, default_limits=[])
