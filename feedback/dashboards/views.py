"""Dashboard pages."""

from flask import Blueprint, abort

from feedback.accounts.authz import roles_required
from feedback.accounts.models import Role

bp = Blueprint("dashboards", __name__, url_prefix="/dashboard")


@bp.route("/")
@roles_required(Role.LEADER)
def index():
    """Agency indices of the viewer's subtrees (implemented by the dashboards work)."""
    abort(404)
