"""Sign-in, sign-out and the signed-in user's own page."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from feedback.accounts.authz import has_role
from feedback.accounts.forms import LoginForm
from feedback.accounts.models import Role
from feedback.accounts.services import authenticate
from feedback.audit.services import record
from feedback.core.i18n import gettext as _
from feedback.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, so sign-in never redirects elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _landing_page() -> str:
    """Where a user goes after signing in when no page was asked for."""
    if has_role(current_user, Role.LEADER) and not has_role(current_user, Role.ORGANIZER):
        return url_for("dashboards.index")
    return url_for("accounts.workspace")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"],
               deduct_when=lambda response: g.get("login_failed", False))
def login():
    """Show the sign-in form; sign the user in when the credentials match."""
    if current_user.is_authenticated:
        return redirect(_landing_page())
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            record("auth.login", user, actor=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or _landing_page())
        g.login_failed = True
        record("auth.login_failed", email=form.email.data.strip().lower()[:254])
        db.session.commit()
        form.password.errors.append(_("The email or password is not correct."))
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST only, so that a link elsewhere cannot sign anyone out)."""
    if current_user.is_authenticated:
        record("auth.logout", current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/account")
@login_required
def me():
    """The signed-in user's roles and the areas they open."""
    return render_template("accounts/me.html")


@bp.route("/manage/")
@login_required
def workspace():
    """The staff home: every area the signed-in user's roles open, in one list."""
    return render_template("accounts/workspace.html")
