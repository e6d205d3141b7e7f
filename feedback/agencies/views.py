"""Admin view of the agency tree."""

from flask import Blueprint, render_template
from flask_login import current_user

from feedback.accounts.authz import roles_required, visible_agencies
from feedback.accounts.models import Role
from feedback.extensions import db

bp = Blueprint("agencies", __name__)


@bp.route("/admin/agencies")
@roles_required(Role.ADMIN)
def tree():
    """Every agency, in tree order and indented by depth."""
    agencies = db.session.scalars(visible_agencies(current_user, Role.ADMIN)).all()
    return render_template("agencies/tree.html", agencies=agencies)
