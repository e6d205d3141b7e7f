"""Admin pages for API keys: list them, create one (its secret shown once), revoke one."""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from feedback.accounts.authz import roles_required, visible_agencies
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.agencies.services import find_agency
from feedback.api.forms import ApiKeyForm
from feedback.api.models import ApiKey
from feedback.api.services import create_key, list_keys, revoke_key
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.extensions import db

bp = Blueprint("api_keys", __name__, url_prefix="/admin/api-keys")


def _form() -> ApiKeyForm:
    """The creation form, its agency list filled in tree order."""
    form = ApiKeyForm()
    agencies = db.session.scalars(
        visible_agencies(current_user, Role.ADMIN).where(Agency.active.is_(True)))
    form.agency.choices = [("", _("Choose an agency"))] + [
        (a.code, f"{'— ' * a.depth}{a.name(current_locale())} ({a.code})") for a in agencies]
    return form


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    """Every key with its agency and last use; on POST, create a key and show its secret once."""
    form = _form()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            key, secret = create_key(form.name.data, find_agency(form.agency.data),
                                     actor=current_user._get_current_object())
            db.session.commit()
            # Rendered, not redirected: the secret must not sit in a session or a URL.
            response = make_response(render_template("api/key_created.html", key=key, secret=secret), 201)
            response.headers["Cache-Control"] = "no-store"
            return response
        status = 422
    return render_template("api/keys.html", form=form, keys=list_keys()), status


@bp.route("/<int:key_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN)
def revoke(key_id: int):
    """Revoke a key at once; requests with it get 401 from now on."""
    key = db.session.get(ApiKey, key_id) or abort(404)
    if revoke_key(key, actor=current_user._get_current_object()):
        db.session.commit()
        flash(_("The key “%(name)s” (%(prefix)s…) is revoked.", name=key.name, prefix=key.prefix), "success")
    else:
        flash(_("The key “%(name)s” was already revoked.", name=key.name), "info")
    return redirect(url_for(".index"), code=303)
