"""Taking staff access back: deactivating and reactivating users, revoking roles, never leaving
the system without an active administrator."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from feedback.accounts.models import Role, RoleGrant, User
from feedback.accounts.services import AccountError
from feedback.accounts.sessions import end_all_sessions
from feedback.agencies.models import Agency
from feedback.audit.services import record
from feedback.extensions import db


def _active_admins() -> list[int]:
    """Ids of the active admins, their rows locked until the transaction ends (PostgreSQL), so two
    admins removing each other at the same moment cannot both succeed."""
    query = (select(User.id).join(RoleGrant, RoleGrant.user_id == User.id)
             .where(RoleGrant.role == Role.ADMIN, User.active.is_(True)).order_by(User.id))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=User)
    return list(db.session.scalars(query))


def _keep_one_admin(user: User) -> None:
    """Refuse to take away the last active admin: nobody could then manage users any more."""
    admins = _active_admins()
    if admins == [user.id]:
        raise AccountError(_l("%(email)s is the last active administrator: make another user an "
                              "administrator first.", email=user.email))


def deactivate_user(user: User, *, actor: User | None = None) -> bool:
    """Stop `user` signing in, ending every session at once; False if already inactive."""
    if not user.active:
        return False
    _keep_one_admin(user)
    user.active = False
    end_all_sessions(user)
    record("user.deactivate", user, actor=actor)
    return True


def reactivate_user(user: User, *, actor: User | None = None) -> bool:
    """Let `user` sign in again (with the password they had); False if already active."""
    if user.active:
        return False
    user.active = True
    db.session.flush()
    record("user.reactivate", user, actor=actor)
    return True


def find_grant(user: User, role: Role, agency: Agency | None) -> RoleGrant | None:
    """`user`'s grant of `role` over `agency` (admins: no agency), if they hold it."""
    agency_id = None if role == Role.ADMIN else getattr(agency, "id", None)
    return next((g for g in user.grants if g.role == role and g.agency_id == agency_id), None)


def revoke_grant(grant: RoleGrant, *, actor: User | None = None) -> None:
    """Take `grant` away and end its holder's sessions (pages already open were shown with it)."""
    user = grant.user
    if grant.role == Role.ADMIN and user.active:
        _keep_one_admin(user)
    record("role.revoke", user, actor=actor, role=grant.role.value,
           agency=grant.agency.code if grant.agency else None)
    user.grants.remove(grant)  # delete-orphan: the row goes with it
    end_all_sessions(user)


def revoke_role(user: User, role: Role, agency: Agency | None, *, actor: User | None = None) -> None:
    """Take `role` over `agency` away from `user`; AccountError if they do not hold it."""
    if role != Role.ADMIN and agency is None:
        raise AccountError(_l("The %(role)s role needs an agency.", role=role.value))
    grant = find_grant(user, role, agency)
    if grant is None:
        raise AccountError(_l("%(email)s does not hold that role.", email=user.email))
    revoke_grant(grant, actor=actor)

