"""Role grants in a reorganization: the grants on agencies that ended are listed, and moved to the
successor only when the admin confirms (a grant on the successor covers more than the old one:
moving it widens what its holder sees)."""

from dataclasses import dataclass

from sqlalchemy import select

from feedback.accounts.models import RoleGrant
from feedback.agencies import reorganize
from feedback.agencies.models import Agency
from feedback.agencies.services import find_agency
from feedback.audit.services import record
from feedback.extensions import db


@dataclass(frozen=True)
class GrantMove:
    """One grant on an ended agency and where it would go."""

    grant: RoleGrant
    successor: Agency
    duplicate: bool  # the holder already has this role on the successor


def grant_moves(ended: list[Agency], successor: Agency) -> list[GrantMove]:
    """The grants on `ended` agencies, each with whether moving it would repeat one on `successor`."""
    ids = [a.id for a in ended if a.id != successor.id]
    grants = list(db.session.scalars(select(RoleGrant).where(RoleGrant.agency_id.in_(ids))
                                     .order_by(RoleGrant.agency_id, RoleGrant.user_id)))
    held = {(g.user_id, g.role) for g in db.session.scalars(
        select(RoleGrant).where(RoleGrant.agency_id == successor.id))}
    return [GrantMove(g, successor, (g.user_id, g.role) in held) for g in grants]


def describe(move: GrantMove) -> str:
    """One line for the command's list: who holds what where, and where it would go."""
    where = "already held there, left as is" if move.duplicate else f"→ {move.successor.code}"
    return f"{move.grant.user.email}: {move.grant.role.value} on {move.grant.agency.code} {where}"


def move_grants(moves: list[GrantMove], *, actor=None) -> int:
    """Move the listed grants to their successor (those the holder has there already stay on the
    ended agency: nothing is deleted), audited; how many moved. The caller commits."""
    moved = 0
    for move in moves:
        if move.duplicate:
            continue
        before = move.grant.agency.code
        move.grant.agency = move.successor
        record("role.move", move.grant.user, actor=actor, role=move.grant.role.value, before=before,
               after=move.successor.code)
        moved += 1
    db.session.flush()
    return moved


def grants_on(agencies: list[Agency]) -> list[RoleGrant]:
    """The role grants on `agencies` (what a reorganization that ends them would list)."""
    return list(db.session.scalars(select(RoleGrant).where(RoleGrant.agency_id.in_([a.id for a in agencies]))
                                   .order_by(RoleGrant.agency_id, RoleGrant.user_id)))


def typed_agency(code: str) -> Agency:
    """The agency a code typed on the admin page names, or a ReorganizationError saying none does."""
    agency = find_agency(code.strip()) if code.strip() else None
    if agency is None:
        raise reorganize.ReorganizationError(reorganize.N_("No agency has the code %(code)s."),
                                             code=code.strip())
    return agency


def typed_parts(text: str) -> list:
    """The parts of a split typed one per line: "CODE Name of a new agency", or an existing
    agency's code alone."""
    parts: list = []
    for line in text.splitlines():
        code, _space, name = line.strip().partition(" ")
        if code:
            parts.append(reorganize.NewAgency(code, name.strip()) if name.strip() else typed_agency(code))
    return parts


def split_codes(text: str) -> list[str]:
    """Codes typed separated by spaces, commas or semicolons."""
    return [c for c in text.replace(",", " ").replace(";", " ").split() if c]
