"""What accounts attach to the app: how Flask-Login finds the signed-in user, and the role checks
every template may call."""

from flask import Flask, g
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError

from feedback.accounts import authz
from feedback.accounts.models import Role
from feedback.accounts.sessions import load_signed_in
from feedback.extensions import db, login_manager


def init_app(app: Flask) -> None:
    """Tell Flask-Login how to load users and where the sign-in page is; add the role checks to
    the templates."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    app.jinja_env.globals.update(
        has_role=lambda user, *roles: authz.has_role(user, *(Role(r) for r in roles)),
        is_admin=authz.is_admin,
    )


def load_user(session_id: str):
    """The user this session (or remember cookie) still signs in, if any."""
    try:
        return load_signed_in(session_id)
    except OperationalError:
        db.session.rollback()
        if g.get("database_down"):
            # Drawing the 503 page, whose header asks who is signed in: anonymous for this
            # one page; the session is kept for when the database is back.
            return None
        raise
