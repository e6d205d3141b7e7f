"""Helpers every template may call: form error lists, labels for stored codes (the role checks are
the accounts' own: feedback.accounts.setup)."""

from flask import Flask
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

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


def bidi_isolated(text) -> Markup:
    """`text` (escaped) inside <bdi>, so a right-to-left or override character typed in it (U+202E
    makes "gnp.exe" read "exe.png") cannot reorder the words around it. For text people typed,
    shown as element content: `{{ comment.text|bdi }}`. None shows as nothing."""
    return Markup("<bdi>%s</bdi>") % escape("" if text is None else text)


def bidi_isolated_text(text) -> str:
    """`text` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE (U+2068, U+2069): the same
    isolation as <bdi> where no element may stand, in <title>, <option> and attribute values.
    `{{ conference.title(locale)|bdi_text }}`."""
    return "\u2068%s\u2069" % ("" if text is None else text)


def form_error_list(form) -> list[tuple[str, str]]:
    """(field id, message) for every error of a WTForms form, in field order."""
    return [(field.id, str(message)) for field in form for message in field.errors
            if field.type != "CSRFTokenField"]


def init_app(app: Flask) -> None:
    """Make the helpers available in every template."""
    app.jinja_env.globals.update(
        form_error_list=form_error_list,
        agency_kind_label=agency_kind_label,
    )
    app.jinja_env.filters["bdi"] = bidi_isolated
    app.jinja_env.filters["bdi_text"] = bidi_isolated_text
