"""Admin pages for staff accounts: find a user, deactivate or reactivate them, grant and revoke
roles, and make a one-time link to choose a new password."""

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from feedback.accounts.access import deactivate_user, reactivate_user, revoke_grant
from feedback.accounts.authz import roles_required, visible_agencies
from feedback.accounts.forms import GrantForm
from feedback.accounts.models import Role, RoleGrant, User
from feedback.accounts.reset import reset_link
from feedback.accounts.services import AccountError, grant_role, search_users
from feedback.agencies.models import Agency
from feedback.agencies.services import find_agency
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.extensions import db

bp = Blueprint("user_admin", __name__, url_prefix="/admin/users")

PAGE_SIZE = 30
MAX_SEARCH = 200


def _grant_form() -> GrantForm:
    """The grant form, its roles and (active) agencies in tree order filled in."""
    form = GrantForm()
    form.role.choices = [("", _("Choose a role")), (Role.ADMIN.value, _("Administrator (whole system)")),
                         (Role.ORGANIZER.value, _("Organizer")), (Role.LEADER.value, _("Leader"))]
    agencies = db.session.scalars(
        visible_agencies(current_user, Role.ADMIN).where(Agency.active.is_(True)))
    form.agency.choices = [("", _("None (administrator)"))] + [
        (a.code, f"{'— ' * a.depth}{a.name(current_locale())} ({a.code})") for a in agencies]
    return form


def _reset_minutes() -> int:
    """How long a reset link works, in minutes (said on the page)."""
    return max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)


def _user_or_404(user_id: int) -> User:
    """The user with this id, or 404."""
    return db.session.get(User, user_id) or abort(404)


def _actor() -> User:
    """The signed-in admin, as a plain object for the services' audit records."""
    return current_user._get_current_object()


def _back(user: User):
    """303 back to the user's page (after a POST)."""
    return redirect(url_for(".detail", user_id=user.id), code=303)


def _apply(user: User, change: Callable[[], bool | None], done: str):
    """Make a change to `user`'s account, commit it, say `done` and go back to their page.

    A refusal (the last active administrator, say) is rolled back and flashed instead; a change
    that had nothing to do (it returns False) is not announced.
    """
    try:
        changed = change()
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back(user)
    db.session.commit()
    if changed is not False:
        flash(done, "success")
    return _back(user)


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    """Every staff account, searched by email or name (accents ignored), a page at a time."""
    term = request.args.get("q", "").strip()[:MAX_SEARCH]
    raw_page = request.args.get("page", "1")
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and 0 < int(raw_page) < 10**6 else 1
    users = search_users(term)
    shown = users[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return render_template("accounts/admin/users.html", users=shown, total=len(users), page=page,
                           page_size=PAGE_SIZE, term=term)


def _render_detail(user: User, form: GrantForm | None = None, status: int = 200):
    """The user's page: status, roles, the forms that change them."""
    return render_template("accounts/admin/user.html", user=user, form=form or _grant_form(),
                           reset_minutes=_reset_minutes()), status


@bp.route("/<int:user_id>")
@roles_required(Role.ADMIN)
def detail(user_id: int):
    """One user: whether they may sign in, their roles, and the actions on them."""
    return _render_detail(_user_or_404(user_id))


@bp.post("/<int:user_id>/<any(deactivate, reactivate):step>")
@roles_required(Role.ADMIN)
def sign_in(user_id: int, step: str):
    """Stop the user signing in (their open sessions end at once), or let a deactivated user sign in
    again."""
    user = _user_or_404(user_id)
    if step == "deactivate":
        return _apply(user, lambda: deactivate_user(user, actor=_actor()),
                      _("%(email)s can no longer sign in; their open sessions have ended.", email=user.email))
    return _apply(user, lambda: reactivate_user(user, actor=_actor()),
                  _("%(email)s can sign in again.", email=user.email))


@bp.route("/<int:user_id>/grants", methods=["POST"])
@roles_required(Role.ADMIN)
def grant(user_id: int):
    """Give the user a role: admin (global) or organizer/leader over an agency's subtree."""
    user = _user_or_404(user_id)
    form = _grant_form()
    if not form.validate_on_submit():
        return _render_detail(user, form, 422)
    role = Role(form.role.data)
    agency = find_agency(form.agency.data) if form.agency.data else None
    if role == Role.ADMIN and agency is not None:
        form.agency.errors.append(_("The administrator role covers the whole system: choose no agency."))
        return _render_detail(user, form, 422)
    if role != Role.ADMIN and agency is None:
        form.agency.errors.append(_("Choose the agency whose subtree this role covers."))
        return _render_detail(user, form, 422)
    grant_role(user, role, agency, actor=_actor())
    db.session.commit()
    flash(_("The role is given to %(email)s.", email=user.email), "success")
    return _back(user)


@bp.route("/<int:user_id>/grants/<int:grant_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN)
def revoke(user_id: int, grant_id: int):
    """Take one role away; the user's open sessions end at once."""
    user = _user_or_404(user_id)
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.user_id != user.id:
        abort(404)
    return _apply(user, lambda: revoke_grant(grant, actor=_actor()),
                  _("The role is taken away from %(email)s; their open sessions have ended.",
                    email=user.email))


@bp.route("/<int:user_id>/reset-link", methods=["POST"])
@roles_required(Role.ADMIN)
def make_reset_link(user_id: int):
    """Show a one-time link for the user to choose a new password, to hand over to them."""
    user = _user_or_404(user_id)
    if not user.active:
        flash(_("Reactivate %(email)s first: an inactive user cannot use a link.", email=user.email), "error")
        return _back(user)
    link = reset_link(user, actor=_actor())
    db.session.commit()
    # Rendered, not redirected: the link must not sit in a session cookie or a URL.
    response = make_response(render_template("accounts/admin/reset_link.html", user=user, link=link,
                                             reset_minutes=_reset_minutes()))
    response.headers["Cache-Control"] = "no-store"
    return response
