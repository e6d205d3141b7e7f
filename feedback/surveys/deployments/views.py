"""Organizer pages for deployments (/manage/deployments) and the agencies' printable QR posters."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from feedback.accounts.authz import get_agency_or_404, roles_required
from feedback.accounts.models import Role
from feedback.core import qr
from feedback.core.actions import commit_and_redirect
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.extensions import db
from feedback.surveys import posters
from feedback.surveys.deployments import services
from feedback.surveys.deployments.forms import DeploymentForm
from feedback.surveys.models import AccessMode, DeploymentStatus

bp = Blueprint("deployments", __name__, url_prefix="/manage/deployments")

STATUS_FILTERS = tuple(s.value for s in DeploymentStatus)
MAX_PAGE = 100_000


def _page_number() -> int:
    """The ?page= of the list; anything but a plain positive number means the first page."""
    raw = request.args.get("page", "1")
    # isascii() first: "²".isdigit() is true but int() refuses it; the cap keeps OFFSET in range.
    return min(int(raw), MAX_PAGE) if raw.isascii() and raw.isdigit() and int(raw) > 0 else 1


def _render_list(*, error: str | None = None, status_code: int = 200):
    """The list page with its filters; `error` is shown at the top (a refused action)."""
    agencies = services.organizer_agencies(current_user)
    status_arg = request.args.get("status", "")
    agency_arg = request.args.get("agency", "")
    filter_errors = []
    status = None
    if status_arg:
        if status_arg in STATUS_FILTERS:
            status = DeploymentStatus(status_arg)
        else:
            filter_errors.append(_("Unknown status; showing every status."))
    under = None
    if agency_arg:
        under = get_agency_or_404(agency_arg, Role.ORGANIZER)
    page = _page_number()
    rows, total = services.deployment_rows(current_user, status=status, under=under, page=page)
    if filter_errors and status_code == 200:
        status_code = 400
    # Kept on every link and action of the page, so pausing a row does not reset the filters.
    filters = {key: value for key, value in (("status", status.value if status else ""),
                                             ("agency", under.code if under else "")) if value}
    return render_template(
        "surveys/deployments/list.html", rows=rows, total=total, page=page,
        page_size=services.PAGE_SIZE, agencies=agencies, filters=filters,
        status_arg=status.value if status else "", agency_arg=under.code if under else "",
        statuses=STATUS_FILTERS, filter_errors=filter_errors,
        error=error, locale=current_locale(),
    ), status_code


@bp.route("/")
@roles_required(Role.ORGANIZER)
def index():
    """The deployments at the organizer's agencies, filtered by status and agency."""
    return _render_list()


def _form_choices(form: DeploymentForm) -> None:
    """Offer the published versions and active agencies this organizer may use."""
    locale = current_locale()
    form.version.choices = [SelectChoice("", _("Choose a survey…"))] + [
        SelectChoice(str(v.id), _("%(title)s (version %(number)s)", title=v.title(locale),
                                   number=v.number))
        for v in services.deployable_versions(current_user)
    ]
    form.agency.choices = [SelectChoice("", _("Choose an agency…"))] + [
        SelectChoice(a.code, "\u00a0\u00a0" * a.depth + f"{a.name(locale)} ({a.code})")
        for a in services.organizer_agencies(current_user, active_only=True)
    ]


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def create():
    """Deploy a published version at an agency or its subtree; mistakes re-show the form as typed."""
    form = DeploymentForm()
    _form_choices(form)
    if request.method == "GET":
        form.starts_on.data = services.local_today()
        if request.args.get("agency"):
            form.agency.data = request.args["agency"]
        return render_template("surveys/deployments/new.html", form=form)
    # The placeholder options carry "", which validate_version and validate_agency refuse.
    if not form.validate():
        return render_template("surveys/deployments/new.html", form=form), 422
    version = next(v for v in services.deployable_versions(current_user) if str(v.id) == form.version.data)
    agency = get_agency_or_404(form.agency.data, Role.ORGANIZER)
    deployments = services.create_deployments(
        version, agency, subtree=form.subtree.data, access_mode=AccessMode(form.access_mode.data),
        starts_on=form.starts_on.data, ends_on=form.ends_on.data, services=form.parsed_services,
        use_procedures=bool(form.use_procedures.data),
        actor=current_user)
    db.session.commit()
    flash(_("The survey is deployed at %(count)s agencies.", count=len(deployments))
          if len(deployments) != 1 else
          _("The survey is deployed at %(agency)s.", agency=agency.name(current_locale())), "success")
    return redirect(url_for("deployments.index"), code=303)


def _change(deployment_id: int, action, done: str):
    """Apply `action` (pause, resume or end) to a deployment of the organizer's, then show the list."""
    deployment = services.get_deployment(deployment_id, current_user)
    if deployment is None:
        abort(404)
    try:
        action(deployment, current_user)
    except services.DeploymentRefused as refused:
        db.session.rollback()
        return _render_list(error=str(refused), status_code=409)
    filters = {key: request.args[key] for key in ("status", "agency") if request.args.get(key)}
    return commit_and_redirect(done, url_for("deployments.index", **filters))


# The lifecycle's steps: what each does and what the organizer is told after it.
CHANGES = {
    "pause": (services.pause, _l("The deployment is paused.")),
    "resume": (services.resume, _l("The deployment is active again.")),
    "end": (services.end, _l("The deployment has ended.")),
}


@bp.post("/<int:deployment_id>/<any(pause, resume, end):step>")
@roles_required(Role.ORGANIZER)
def change(deployment_id: int, step: str):
    """Pause a deployment (no responses for now), resume a paused one, or end one for good."""
    action, done = CHANGES[step]
    return _change(deployment_id, action, str(done))


# ---- posters -----------------------------------------------------------------------------------

@bp.route("/agencies/<code>/poster")
@roles_required(Role.ORGANIZER)
def poster(code: str):
    """The A4 poster of an agency: its name, a large QR code, the short URL, two lines of help.

    The poster hangs in a Vietnamese office, so its body is always Vietnamese; the tools around it
    speak the organizer's language.
    """
    agency = get_agency_or_404(code, Role.ORGANIZER)
    url = posters.short_url(agency.code)
    with force_locale("vi"):
        # The SVG is generated by segno from our own URL (its title escaped by segno), not user input.
        symbol = Markup(qr.qr_svg_inline(url))
        body = render_template("surveys/posters/_body.html", agency=agency, url=url,
                               display_url=posters.display_url(url), qr=symbol)
    return render_template("surveys/posters/poster.html", agency=agency, url=url, body=Markup(body),
                           live=services.live_open_deployment(agency), locale=current_locale())


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    """A file answer that the browser saves rather than shows."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/agencies/<code>/poster.svg")
@roles_required(Role.ORGANIZER)
def poster_svg(code: str):
    """The agency's QR code as an SVG file (vector, for any print size)."""
    agency = get_agency_or_404(code, Role.ORGANIZER)
    url = posters.short_url(agency.code)
    return _download(qr.qr_svg_file(url, url), "image/svg+xml", f"qr-{agency.code}.svg")


@bp.route("/agencies/<code>/poster.png")
@roles_required(Role.ORGANIZER)
def poster_png(code: str):
    """The agency's QR code as a PNG at print resolution."""
    agency = get_agency_or_404(code, Role.ORGANIZER)
    return _download(qr.qr_png_file(posters.short_url(agency.code)), "image/png",
                     f"qr-{agency.code}.png")
