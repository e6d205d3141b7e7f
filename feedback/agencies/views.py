"""Admin view of the agency tree."""

from flask import Blueprint, render_template

from feedback.accounts.authz import roles_required
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.extensions import db

bp = Blueprint("agencies", __name__)


@bp.route("/admin/agencies")
@roles_required(Role.ADMIN)
def tree():
    """Every agency, in tree order and indented by depth."""
    agencies = db.session.scalars(db.select(Agency).order_by(Agency.path)).all()
    return render_template("agencies/tree.html", agencies=agencies)
