"""Helpers every template may call: role checks, form error lists, labels for stored codes."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from feedback.accounts import authz
from feedback.accounts.models import Role

AGENCY_KIND_LABELS = {
    "province": _l("Province"),
    "department": _l("Department"),
    "district": _l("District"),
    "commune": _l("Commune"),
    "counter": _l("Service counter"),
    "other": _l("Other"),
}


def agency_kind_label(kind: str) -> str:
    """The localized name of an agency kind."""
    return str(AGENCY_KIND_LABELS.get(kind, kind))


def form_error_list(form) -> list[tuple[str, str]]:
    """(field id, message) for every error of a WTForms form, in field order."""
    return [(field.id, str(message)) for field in form for message in field.errors
            if field.type != "CSRFTokenField"]


def init_app(app: Flask) -> None:
    """Make the helpers available in every template."""
    app.jinja_env.globals.update(
        has_role=lambda user, *roles: authz.has_role(user, *(Role(r) for r in roles)),
        is_admin=authz.is_admin,
        form_error_list=form_error_list,
        agency_kind_label=agency_kind_label,
    )
