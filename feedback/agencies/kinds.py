"""Agency kinds as data: the default list of today's administration (since mid-2025: provinces,
then communes, wards and special zones; districts kept for history), the kinds admins add, their
labels, and the peer group the dashboards compare an agency within."""

from dataclasses import dataclass

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from feedback.agencies.models import AgencyKind
from feedback.audit.services import record
from feedback.core.text import clean_text, fold_for_search
from feedback.extensions import db

# The peer groups the dashboards compare agencies within, in the order they are shown, and what
# each is called (on the dashboards and in the admin's kind form alike): one table for both.
_PEER_GROUP_NAMES = (
    ("province", _l("Provinces")),
    ("department", _l("Departments")),
    ("local", _l("Communes, wards and special zones")),
    ("service", _l("Service centres and one-stop sections")),
    ("counter", _l("Service counters")),
    ("other", _l("Other agencies")),
)
PEER_GROUPS = tuple(code for code, _name in _PEER_GROUP_NAMES)
PEER_GROUP_LABELS = dict(_PEER_GROUP_NAMES)


def peer_group_label(group: str) -> str:
    """A peer group's name in the page's language (an unknown group is one of the other agencies)."""
    return str(PEER_GROUP_LABELS.get(group, PEER_GROUP_LABELS["other"]))


@dataclass(frozen=True)
class Kind:
    """A kind as the code reads it."""

    code: str
    name_vi: str
    name_en: str
    peer_group: str
    historic: bool = False


# The default list (the migration 0013_agency_lineage writes the same rows into agency_kind).
DEFAULT_KINDS = (
    Kind("province", "Tỉnh, thành phố", "Province or city", "province"),
    Kind("department", "Sở, ban, ngành", "Department", "department"),
    Kind("commune", "Xã", "Commune", "local"),
    Kind("ward", "Phường", "Ward", "local"),
    Kind("special_zone", "Đặc khu", "Special zone", "local"),
    Kind("service_center", "Trung tâm phục vụ hành chính công", "Public administrative service centre",
         "service"),
    Kind("one_stop", "Bộ phận một cửa", "One-stop section", "service"),
    Kind("counter", "Quầy tiếp nhận", "Service counter", "counter"),
    Kind("other", "Khác", "Other", "other"),
    Kind("district", "Huyện (trước 2025)", "District (before 2025)", "local", historic=True),
)
_DEFAULTS = {kind.code: kind for kind in DEFAULT_KINDS}


def all_kinds() -> list[Kind]:
    """Every kind: the stored ones in their order, then any default the table lacks."""
    stored = [Kind(row.code, row.name_vi, row.name_en or "", row.peer_group, row.historic)
              for row in db.session.scalars(select(AgencyKind).order_by(AgencyKind.position,
                                                                        AgencyKind.code))]
    codes = {kind.code for kind in stored}
    return stored + [kind for kind in DEFAULT_KINDS if kind.code not in codes]


def find_kind(code: str) -> Kind | None:
    """The kind with this code (stored or default), or None."""
    row = db.session.get(AgencyKind, code)
    if row is not None:
        return Kind(row.code, row.name_vi, row.name_en or "", row.peer_group, row.historic)
    return _DEFAULTS.get(code)


def peer_group(kind_code: str) -> str:
    """The peer group of a kind (province, department, local, service, counter, other): the
    dashboards compare agencies of one group only. An unknown kind is "other"."""
    kind = find_kind(kind_code)
    return kind.peer_group if kind is not None else "other"


def kind_label(kind_code: str) -> str:
    """The kind's name in the page's language (its code when unknown)."""
    kind = find_kind(kind_code)
    if kind is None:
        return kind_code
    locale = str(get_locale() or "vi") if has_request_context() else "vi"
    return kind.name_en if locale.startswith("en") and kind.name_en else kind.name_vi


def kind_lookup() -> dict[str, str]:
    """{folded code or label: kind code} for every kind, the way an import matches a typed kind:
    its code or its Vietnamese (or English) label, case and accents aside."""
    lookup: dict[str, str] = {}
    for kind in all_kinds():
        for name in (kind.name_en, kind.name_vi, kind.code):
            if name:
                lookup[fold_for_search(name)] = kind.code
    return lookup


def resolve_kind(typed: str, lookup: dict[str, str] | None = None) -> str | None:
    """The kind code `typed` names (a code or a label, case and accents aside), or None."""
    lookup = kind_lookup() if lookup is None else lookup
    return lookup.get(fold_for_search(typed.strip()) or "")


def add_kind(code: str, name_vi: str, name_en: str, peer: str, *, actor=None) -> AgencyKind:
    """Store a new kind (admins add kinds the default list lacks), audited; the caller commits.
    Raises ValueError when the code is taken or the peer group unknown."""
    if find_kind(code) is not None:
        raise ValueError(f"kind {code!r} exists")
    if peer not in PEER_GROUPS:
        raise ValueError(f"peer group {peer!r} is not one of {', '.join(PEER_GROUPS)}")
    position = 100 + len(all_kinds())
    row = AgencyKind(code=code, name_vi=clean_text(name_vi), name_en=clean_text(name_en),
                     peer_group=peer, position=position)
    db.session.add(row)
    record("agency_kind.add", actor=actor, kind=code, peer_group=peer)
    db.session.flush()
    return row
