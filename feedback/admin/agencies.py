"""Admin view of the agency tree, and each agency's own networks (blueprint "agencies", as before)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from feedback.accounts.authz import get_agency_or_404, roles_required, visible_agencies
from feedback.accounts.models import Role
from feedback.admin.reorganize import (
    grant_moves,
    grants_on,
    move_grants,
    split_codes,
    typed_agency,
    typed_parts,
)
from feedback.admin.reorganize_forms import FORMS, KindForm, kind_choices
from feedback.agencies import reorganize
from feedback.agencies.forms import NetworksForm
from feedback.agencies.kinds import PEER_GROUP_LABELS, add_kind, all_kinds
from feedback.agencies.models import Agency
from feedback.agencies.reorganize import NewAgency, ReorganizationError
from feedback.agencies.services import set_networks
from feedback.core.i18n import current_locale
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


# --- Reorganizations (agencies.reorganize), on an effective date, with a confirmation step ----

def _ending(change: str, form, agency: Agency | None) -> list[Agency]:
    """The agencies the change would end, as typed (for the confirmation step)."""
    if change == "merge":
        typed = [typed_agency(code) for code in split_codes(form.agencies.data)]
        return [a for a in typed if a.code.upper() != (form.into.data or "").upper()]
    if change == "split":
        return [agency]
    if change == "dissolve":
        return list(db.session.scalars(select(Agency).where(Agency.in_subtree(agency.path),
                                                            Agency.valid_to.is_(None))))
    return []


def _perform(change: str, form, agency: Agency | None) -> tuple[Agency | None, list[Agency]]:
    """Run the change; (the successor that carries on, the agencies ended)."""
    on = form.on.data
    if change == "merge":
        typed = [typed_agency(code) for code in split_codes(form.agencies.data)]
        keep = next((a for a in typed if a.code.upper() == form.into.data.upper()), None)
        new = None if keep else NewAgency(form.into.data, form.name_vi.data or "", form.name_en.data or "",
                                          form.kind.data or None)
        successor = reorganize.merge(typed, on, keep=keep, new=new)
        return successor, [a for a in typed if a is not successor]
    if change == "split":
        successors = reorganize.split(agency, on, typed_parts(form.parts.data), history=form.history.data)
        return next(s for s in successors if s.code == form.history.data), [agency]
    if change == "dissolve":
        successor = typed_agency(form.successor.data) if form.successor.data else None
        return successor, reorganize.dissolve(agency, on, successor=successor)
    if change == "rename":
        reorganize.rename(agency, on, form.name_vi.data, form.name_en.data or "")
    else:
        parent = typed_agency(form.parent.data) if form.parent.data else None
        reorganize.move(agency, parent, on)
    return None, []


def _confirmed(change: str, form, agency: Agency | None):
    """Run a confirmed change, move the grants if asked, commit; the redirect to the tree."""
    successor, ended = _perform(change, form, agency)
    moved = 0
    if successor is not None and getattr(form, "move_grants", None) is not None and form.move_grants.data:
        moved = move_grants(grant_moves(ended, successor), actor=current_user)
    db.session.commit()
    flash(_("The change is recorded.") + (" " + _("%(n)s role grant(s) moved.", n=moved) if moved else ""),
          "success")
    return redirect(url_for("agencies.tree"), code=303)


def _reorganization_page(change: str, agency: Agency | None):
    """The form of one change; a valid first submission shows what it will end and the grants
    concerned, the confirmation runs it."""
    form = FORMS[change]()
    if change == "merge":
        form.kind.choices = kind_choices(current_locale())
        if not form.is_submitted() and request.args.get("agency"):
            form.agencies.data = request.args["agency"]
    elif change == "rename" and not form.is_submitted():
        form.name_vi.data, form.name_en.data = agency.name_vi, agency.name_en
    preview, problem = None, None
    if form.validate_on_submit():
        try:
            if request.form.get("confirm"):
                return _confirmed(change, form, agency)
            ending = _ending(change, form, agency)
            preview = {"ending": ending, "grants": grants_on(ending)}
        except ReorganizationError as error:
            db.session.rollback()
            problem = _(error.message, **error.params)
    status = 422 if form.errors or problem else 200
    return render_template("agencies/reorganize.html", change=change, agency=agency, form=form,
                           preview=preview, problem=problem), status


@bp.route("/admin/agencies/merge", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def merge():
    """Merge agencies into one of them or into a new agency, on an effective date (audited)."""
    return _reorganization_page("merge", None)


@bp.route("/admin/agencies/<code>/<any(split, rename, move, dissolve):change>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def reorganize_one(code: str, change: str):
    """Split, rename, move or dissolve one live agency, on an effective date (audited)."""
    agency = get_agency_or_404(code, Role.ADMIN)
    if agency.valid_to is not None:
        abort(404)
    return _reorganization_page(change, agency)


@bp.route("/admin/agencies/kinds", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def kinds():
    """The agency kinds and their peer groups; admins add the kinds the default list lacks."""
    form = KindForm()
    form.peer_group.choices = [(value, str(label)) for value, label in PEER_GROUP_LABELS.items()]
    problem = None
    if form.validate_on_submit():
        try:
            add_kind(form.code.data, form.name_vi.data, form.name_en.data or "", form.peer_group.data,
                     actor=current_user)
        except ValueError:
            problem = _("A kind with this code exists already.")
        else:
            db.session.commit()
            flash(_("The kind %(kind)s is added.", kind=form.code.data), "success")
            return redirect(url_for("agencies.kinds"), code=303)
    status = 422 if form.errors or problem else 200
    return render_template("agencies/kinds.html", kinds=all_kinds(), form=form, problem=problem), status
