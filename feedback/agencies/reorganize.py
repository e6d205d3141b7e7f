"""Reorganizations of the agency tree: merge, split, rename, move, dissolve, each on an effective
date and audited. Nothing is deleted: an ended agency keeps its rows (responses, ratings, grants,
deployments) and gets `valid_to` and its successors; its code is never used again.

History follows `heir_id`: the agency of today's tree that carries an agency's history. A merge
or split points the ended agencies (and every agency whose history they carried) at one heir with
a single UPDATE, so the dashboards roll history up with one join and no summary is rebuilt. Each
ended agency is announced with `core.events.agency_ended`, and each succession with
`core.events.agency_succeeded`, in the caller's transaction after the flush, so the features that
own rows tied to an agency (petitions, deployments, officers and kiosks) move or end them.
The caller commits.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update

from feedback.agencies.kinds import find_kind
from feedback.agencies.models import PATH_SEPARATOR, Agency, Succession
from feedback.agencies.services import CODE_PATTERN, add_agency
from feedback.audit.services import record
from feedback.core import events
from feedback.core.dates import local_zone
from feedback.core.text import clean_text
from feedback.extensions import db


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it here (the caller picks the language:
    English on the command line, the page's language on /admin)."""
    return message


class ReorganizationError(ValueError):
    """A reorganization that cannot be made as asked: `message` (an English catalog entry with
    %(name)s fields) and its `params`; str() is the English text."""

    def __init__(self, message: str, **params) -> None:
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


@dataclass(frozen=True)
class NewAgency:
    """An agency a merge or split creates: its code, names and kind (None: the kind of the agency
    it comes from)."""

    code: str
    name_vi: str
    name_en: str = ""
    kind: str | None = None


def _check_live(agencies: list[Agency]) -> None:
    """Refuse ended agencies and repeats."""
    codes = [a.code for a in agencies]
    if len(set(codes)) != len(codes):
        raise ReorganizationError(N_("An agency is named twice."))
    for agency in agencies:
        if agency.valid_to is not None:
            raise ReorganizationError(N_("%(code)s ended on %(day)s."), code=agency.code,
                                      day=agency.valid_to.isoformat())


def _check_date(on: date, agencies: list[Agency]) -> None:
    """An effective date not in the future (a reorganization is recorded once it has happened)
    and not before an agency it changes began."""
    if on > datetime.now(local_zone()).date():
        raise ReorganizationError(N_("The effective date %(day)s is in the future: record a "
                                     "reorganization on or after the day it takes effect."),
                                  day=on.isoformat())
    for agency in agencies:
        if agency.valid_from is not None and on <= agency.valid_from:
            raise ReorganizationError(N_("%(code)s began on %(begun)s, not before %(day)s."),
                                      code=agency.code, begun=agency.valid_from.isoformat(),
                                      day=on.isoformat())


def _check_new_code(code: str) -> None:
    """A code that is well formed and was never used, whatever the case."""
    if not CODE_PATTERN.match(code):
        raise ReorganizationError(N_("The code %(code)s must be 1–32 letters, digits, - or _."),
                                  code=code)
    taken = db.session.scalar(select(Agency.code).where(func.upper(Agency.code) == code.upper()))
    if taken is not None:
        raise ReorganizationError(N_("The code %(code)s is taken by %(taken)s (codes are never "
                                     "reused)."), code=code, taken=taken)


def _create(new: NewAgency, parent: Agency | None, like: Agency, on: date) -> Agency:
    """A new agency for a merge or split, beginning on `on`."""
    _check_new_code(new.code)
    name_vi = clean_text(new.name_vi)
    if not name_vi:
        raise ReorganizationError(N_("The new agency %(code)s needs a Vietnamese name."),
                                  code=new.code)
    kind = new.kind or like.kind
    if find_kind(kind) is None:
        raise ReorganizationError(N_("%(kind)s is not a known kind."), kind=kind)
    return add_agency(new.code, name_vi, name_en=clean_text(new.name_en), kind=kind, parent=parent,
                      valid_from=on)


def _end(agency: Agency, on: date) -> None:
    """Close `agency` on `on` and tell the features that own rows tied to it."""
    agency.valid_to = on
    agency.active = False
    db.session.flush()
    events.agency_ended.send(agency, agency=agency, on=on)


def _succeed(predecessor: Agency, successor: Agency, change: str, on: date, carries_history: bool) -> None:
    """Record one succession and announce it; with history, every agency whose history
    `predecessor` carried now has `successor` as its heir."""
    db.session.add(Succession(predecessor=predecessor, successor=successor, change=change,
                              effective_on=on, carries_history=carries_history))
    if carries_history:
        db.session.execute(update(Agency).where(Agency.heir_id == predecessor.id)
                           .values(heir_id=successor.id).execution_options(synchronize_session="fetch"))
    db.session.flush()
    events.agency_succeeded.send(predecessor, predecessor=predecessor, successor=successor, on=on,
                                 carries_history=carries_history)


def _live_children(agency: Agency) -> list[Agency]:
    """The agencies directly under `agency` that still exist."""
    return list(db.session.scalars(select(Agency).where(Agency.parent_id == agency.id,
                                                        Agency.valid_to.is_(None)).order_by(Agency.id)))


def merge(agencies: list[Agency], on: date, *, keep: Agency | None = None, new: NewAgency | None = None,
          actor=None) -> Agency:
    """Merge `agencies` on `on` into `keep` (one of them, which stays with its code) or into a new
    agency `new` under the first one's parent. The others end; the successor carries their
    history, and their live sub-agencies (one-stop sections, counters) move under it."""
    if (keep is None) == (new is None):
        raise ReorganizationError(N_("Merge into one of the merged agencies or into a new one."))
    if len(agencies) < 2:
        raise ReorganizationError(N_("A merge needs at least two agencies."))
    _check_live(agencies)
    _check_date(on, agencies)
    if keep is not None and keep not in agencies:
        raise ReorganizationError(N_("%(code)s is not among the merged agencies."), code=keep.code)
    successor = keep if keep is not None else _create(new, agencies[0].parent, agencies[0], on)
    ended = [a for a in agencies if a is not successor]
    for agency in ended:
        for child in _live_children(agency):
            _place(child, successor)
        _end(agency, on)
        _succeed(agency, successor, "merge", on, carries_history=True)
    record("agency.merge", successor, actor=actor, merged=[a.code for a in agencies],
           into=successor.code, kept=keep is not None, on=on.isoformat())
    return successor


def split(agency: Agency, on: date, parts: list[NewAgency | Agency], *, history: str,
          actor=None) -> list[Agency]:
    """Split `agency` on `on` into `parts` (new agencies under its parent, or live agencies that
    take a share of it). The part coded `history` carries its history and its live sub-agencies;
    the others start fresh, so nothing is counted twice."""
    _check_live([agency])
    _check_date(on, [agency])
    if len(parts) < 2:
        raise ReorganizationError(N_("A split needs at least two parts."))
    if history not in [p.code for p in parts]:
        raise ReorganizationError(N_("The part that carries the history (%(code)s) is not one of "
                                     "the parts."), code=history)
    successors = []
    for part in parts:
        if isinstance(part, Agency):
            _check_live([part])
            if part is agency:
                raise ReorganizationError(N_("An agency is not a part of its own split."))
            successors.append(part)
        else:
            successors.append(_create(part, agency.parent, agency, on))
    heir = next(s for s in successors if s.code == history)
    for child in _live_children(agency):
        _place(child, heir)
    _end(agency, on)
    # The heir first: a receiver that moves open work moves it to the first successor it hears of.
    for successor in sorted(successors, key=lambda s: s is not heir):
        _succeed(agency, successor, "split", on, carries_history=successor is heir)
    record("agency.split", agency, actor=actor, agency=agency.code, into=[s.code for s in successors],
           history=heir.code, on=on.isoformat())
    return successors


def rename(agency: Agency, on: date, name_vi: str, name_en: str = "", *, actor=None) -> None:
    """Give `agency` a new name from `on`; the code, and so every poster and grant, stays."""
    _check_live([agency])
    _check_date(on, [])
    name_vi = clean_text(name_vi)
    if not name_vi:
        raise ReorganizationError(N_("The Vietnamese name is empty."))
    before = {"name_vi": agency.name_vi, "name_en": agency.name_en}
    agency.name_vi, agency.name_en = name_vi, clean_text(name_en)
    record("agency.rename", agency, actor=actor, agency=agency.code, before=before,
           after={"name_vi": agency.name_vi, "name_en": agency.name_en}, on=on.isoformat())
    db.session.flush()


def move(agency: Agency, parent: Agency | None, on: date, *, actor=None) -> None:
    """Put `agency` and its subtree under `parent` (None: top level) from `on`; it keeps its code
    and its history."""
    _check_live([agency] + ([parent] if parent is not None else []))
    _check_date(on, [])
    if parent is not None and parent.path.startswith(agency.path):
        raise ReorganizationError(N_("%(parent)s lies under %(code)s."), parent=parent.code,
                                  code=agency.code)
    before = agency.parent.code if agency.parent else ""
    _place(agency, parent)
    record("agency.move", agency, actor=actor, agency=agency.code, before=before,
           after=parent.code if parent else "", on=on.isoformat())


def dissolve(agency: Agency, on: date, *, successor: Agency | None = None, actor=None) -> list[Agency]:
    """End `agency` and every live agency under it on `on`. A `successor` takes over its open
    work (petitions, the survey its posters lead to) but not its history, which stays its own and
    is still counted in its former parent's subtree. Returns the ended agencies."""
    _check_live([agency] + ([successor] if successor is not None else []))
    _check_date(on, [agency])
    if successor is not None and successor.path.startswith(agency.path):
        raise ReorganizationError(N_("%(successor)s lies under %(code)s and ends with it."),
                                  successor=successor.code, code=agency.code)
    ended = list(db.session.scalars(select(Agency).where(Agency.in_subtree(agency.path),
                                                         Agency.valid_to.is_(None))
                                    .order_by(Agency.path.desc())))
    for each in ended:
        _end(each, on)
    if successor is not None:
        _succeed(agency, successor, "dissolve", on, carries_history=False)
    record("agency.dissolve", agency, actor=actor, agency=agency.code,
           ended=[a.code for a in ended], successor=successor.code if successor else None,
           on=on.isoformat())
    return ended


def _place(agency: Agency, parent: Agency | None) -> None:
    """Re-hang `agency` under `parent`: its path, and every path and depth under it, in one UPDATE."""
    old_path = agency.path
    new_path = (parent.path if parent else PATH_SEPARATOR) + f"{agency.id}{PATH_SEPARATOR}"
    shift = (parent.depth + 1 if parent else 0) - agency.depth
    db.session.flush()
    db.session.execute(
        update(Agency).where(Agency.in_subtree(old_path))
        .values(path=new_path + func.substr(Agency.path, len(old_path) + 1), depth=Agency.depth + shift)
        .execution_options(synchronize_session=False))
    agency.parent = parent
    db.session.flush()
    db.session.expire_all()


def successors_of(agency: Agency) -> list[Succession]:
    """The successions that lead away from `agency`, history first."""
    return list(db.session.scalars(
        select(Succession).where(Succession.predecessor_id == agency.id)
        .order_by(Succession.carries_history.desc(), Succession.id)))


def live_successors(agency: Agency) -> list[Agency]:
    """The agencies of today's tree that took `agency`'s place, following successions through
    later reorganizations (history successor first); empty when it lives or ended without one."""
    found: list[Agency] = []
    seen: set[int] = set()
    queue = [agency]
    while queue:
        current = queue.pop(0)
        for succession in successors_of(current):
            successor = succession.successor
            if successor.id in seen:
                continue
            seen.add(successor.id)
            if successor.valid_to is None:
                found.append(successor)
            else:
                queue.append(successor)
    return found
