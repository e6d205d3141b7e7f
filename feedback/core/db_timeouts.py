"""How long the app waits for PostgreSQL: a connect timeout everywhere, a statement timeout for
web requests only (a page answers the 503 in seconds; the CLI, migrations and maintenance
commands may run as long as they need). SQLite has its own busy timeout (extensions.prepare_sqlite).
"""

from flask import has_request_context
from sqlalchemy import event

from feedback.extensions import db


def _is_postgresql(app) -> bool:
    """Whether the app's database is PostgreSQL."""
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def prepare_connect_timeout(app) -> None:
    """Give up opening a PostgreSQL connection after DATABASE_CONNECT_TIMEOUT seconds, also when
    the server accepts the connection and never answers. Call before db.init_app."""
    seconds = app.config["DATABASE_CONNECT_TIMEOUT"]
    if not _is_postgresql(app) or not seconds:
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["connect_args"] = {"connect_timeout": seconds, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def limit_request_statements(app) -> None:
    """A statement run for a web request is cancelled by PostgreSQL after
    DATABASE_STATEMENT_TIMEOUT seconds; outside a request a connection has no limit.

    Set when a connection is checked out, and only when it changes: in a web worker every
    checkout is a request's, so each connection pays one SET in its life, not one per request.
    The SET is committed at once, so a request that rolls back does not undo it. Call after
    db.init_app.
    """
    seconds = app.config["DATABASE_STATEMENT_TIMEOUT"]
    if not _is_postgresql(app) or not seconds:
        return
    milliseconds = int(seconds * 1000)
    with app.app_context():
        engine = db.engine

    def on_checkout(dbapi_connection, record, _proxy) -> None:
        """Give the connection the limit of the use it is checked out for."""
        wanted = milliseconds if has_request_context() else 0
        if record.info.get("statement_timeout", 0) == wanted:
            return
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {wanted}")
        dbapi_connection.commit()
        record.info["statement_timeout"] = wanted

    event.listen(engine, "checkout", on_checkout)
