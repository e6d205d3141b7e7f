"""The one authorization helper: who may do what, over which agency subtrees."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import false, or_, select, true

from feedback.accounts.models import Role, User
from feedback.agencies.models import Agency
from feedback.agencies.services import find_agency


def is_admin(user: User) -> bool:
    """Whether `user` holds the global admin role."""
    return user.is_authenticated and any(g.role == Role.ADMIN for g in user.grants)


def has_role(user: User, *roles: Role) -> bool:
    """Whether `user` is an admin or holds any of `roles` somewhere."""
    return is_admin(user) or (user.is_authenticated and any(g.role in roles for g in user.grants))


def agency_filter(user: User, *roles: Role):
    """SQL condition on Agency: the agencies `user` may see through `roles` (admins see all)."""
    if is_admin(user):
        return true()
    paths = [g.agency.path for g in user.grants if g.role in roles and g.agency is not None]
    if not paths:
        return false()
    return or_(*(Agency.in_subtree(path) for path in paths))


def visible_agencies(user: User, *roles: Role):
    """A Select of the agencies `user` may see through `roles`, ordered along the tree."""
    return select(Agency).where(agency_filter(user, *roles)).order_by(Agency.path)


def can_access(user: User, agency: Agency, *roles: Role) -> bool:
    """Whether `agency` lies in one of the subtrees `user` holds `roles` over."""
    if is_admin(user):
        return True
    return any(
        g.role in roles and g.agency is not None and agency.path.startswith(g.agency.path)
        for g in user.grants
    )


def reachable_agency(user: User, code: str, *roles: Role) -> Agency | None:
    """The agency with `code` if it lies in a subtree `user` holds `roles` over; None otherwise, for
    an unknown agency and an unreachable one alike (existence not leaked)."""
    agency = find_agency(code)
    return agency if agency is not None and can_access(user, agency, *roles) else None


def get_agency_or_404(code: str, *roles: Role) -> Agency:
    """The agency with `code` if the current user may see it; 404 otherwise (existence not leaked)."""
    agency = reachable_agency(current_user, code, *roles)
    if agency is None:
        abort(404)
    return agency


def roles_required(*roles: Role) -> Callable:
    """View decorator: sign-in required, then 403 unless the user holds one of `roles` (or admin)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not has_role(current_user, *roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
