"""Sign-in, sign-out (here or everywhere), a reset link's page and the signed-in user's own page."""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Blueprint, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from feedback.accounts.authz import has_role
from feedback.accounts.forms import LoginForm, ResetPasswordForm
from feedback.accounts.models import Role, User
from feedback.accounts.passwords import MIN_PASSWORD_LENGTH
from feedback.accounts.reset import user_for_reset
from feedback.accounts.services import AccountError, authenticate, record_failed_sign_in, set_password
from feedback.accounts.sessions import end_all_sessions, end_sign_in, start_sign_in
from feedback.audit.services import record
from feedback.core.i18n import gettext as _
from feedback.core.rate_limits import configured
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
@limiter.limit(configured("LOGIN_RATE_LIMIT"), methods=["POST"],
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
            start_sign_in(user)
            login_user(user, remember=form.remember.data)
            record("auth.login", user, actor=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or _landing_page())
        g.login_failed = True
        record_failed_sign_in(form.email.data)
        db.session.commit()
        form.password.errors.append(_("The email or password is not correct."))
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


def _sign_out(end: Callable[[User], object], action: str) -> None:
    """End the signed-in user's sign-in(s) with `end`, audit it as `action`, commit, forget the login."""
    user = current_user._get_current_object()
    end(user)
    record(action, user)
    db.session.commit()
    logout_user()


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST only, so that a link elsewhere cannot sign anyone out). The sign-in is
    deleted, so this browser's session and remember cookie stop working even if copied."""
    if current_user.is_authenticated:
        _sign_out(end_sign_in, "auth.logout")
    else:
        logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("home.home"))


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


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    """End every session and remember cookie of the signed-in user, on every device (a lost phone)."""
    _sign_out(end_all_sessions, "auth.logout_everywhere")
    flash(_("You have signed out on every device."), "info")
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through a one-time link an administrator made (it then stops working)."""
    user = user_for_reset(token)
    if user is None:
        response = make_response(render_template("accounts/reset_invalid.html"), 410)
    else:
        form = ResetPasswordForm()
        status = 200
        if form.validate_on_submit():
            try:
                set_password(user, form.password.data, actor=user)
            except AccountError as error:
                db.session.rollback()
                form.password.errors.append(str(error))
                status = 422
            else:
                db.session.commit()
                if current_user.is_authenticated and current_user.id == user.id:
                    logout_user()  # that session has just ended: drop its cookies too
                flash(_("Your new password is set. Sign in with it."), "success")
                return redirect(url_for("accounts.login"), code=303)
        elif request.method == "POST":
            status = 422
        response = make_response(render_template("accounts/reset.html", form=form, user=user,
                                                 min_password_length=MIN_PASSWORD_LENGTH), status)
    # The address holds the link's secret: keep it out of caches and Referer headers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
