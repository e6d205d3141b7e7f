"""Admin view of the agency tree, and each agency's own networks (blueprint "agencies", as before)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from feedback.accounts.authz import get_agency_or_404, roles_required, visible_agencies
from feedback.accounts.models import Role
from feedback.agencies.forms import NetworksForm
from feedback.agencies.services import set_networks
from feedback.core.i18n import gettext as _
from feedback.extensions import db

bp = Blueprint("agencies", __name__)


@bp.route("/admin/agencies")
@roles_required(Role.ADMIN)
def tree():
    """Every agency, in tree order and indented by depth."""
    agencies = db.session.scalars(visible_agencies(current_user, Role.ADMIN)).all()
    return render_template("agencies/tree.html", agencies=agencies)


@bp.route("/admin/agencies/<code>/networks", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def networks(code: str):
    """Set the networks of an agency's Wi-Fi and counters: open-link responses from them are
    exempt from the daily per-client and per-address limits (audited)."""
    agency = get_agency_or_404(code, Role.ADMIN)
    form = NetworksForm()
    if form.validate_on_submit():
        if set_networks(agency, form.parsed(), actor=current_user):
            db.session.commit()
            flash(_("The own networks of %(agency)s are saved.", agency=agency.code), "success")
        else:
            flash(_("Nothing changed: the agency already had these networks."), "info")
        return redirect(url_for("agencies.tree"), code=303)
    if not form.is_submitted():
        form.networks.data = "\n".join(agency.networks or [])
    status = 422 if form.errors else 200
    return render_template("agencies/networks.html", agency=agency, form=form), status
