"""Builders for test data, written through the same services the app uses."""

from dataclasses import dataclass

from feedback.accounts.models import Role, User
from feedback.accounts.services import create_user, grant_role
from feedback.agencies.models import Agency
from feedback.agencies.services import add_agency
from feedback.extensions import db

PASSWORD = "correct horse battery"


def make_user(email: str, role: Role | None = None, agency: Agency | None = None) -> User:
    """A committed user with the test password and, optionally, one role."""
    user = create_user(email, PASSWORD, name=email.split("@")[0])
    if role is not None:
        grant_role(user, role, agency)
    db.session.commit()
    return user


@dataclass
class Tree:
    """The agencies and users of the standard test tree."""

    province: Agency
    dept_a: Agency
    counter_a: Agency
    commune_a: Agency
    dept_b: Agency
    admin: User
    leader_a: User
    organizer_a: User
    leader_b: User


def make_tree() -> Tree:
    """Province P → department A (→ counter A1, commune A2) and department B, plus four users."""
    province = add_agency("P", "Tỉnh Thử Nghiệm", name_en="Test Province", kind="province")
    dept_a = add_agency("A", "Sở Tư pháp", name_en="Department of Justice", parent=province)
    counter_a = add_agency("A1", "Bộ phận Một cửa Sở Tư pháp", name_en="Justice one-stop counter",
                           kind="counter", parent=dept_a)
    commune_a = add_agency("A2", "UBND xã An Bình", name_en="An Binh Commune", kind="commune",
                           parent=dept_a)
    dept_b = add_agency("B", "Sở Y tế", name_en="Department of Health", parent=province)
    db.session.commit()
    return Tree(
        province=province, dept_a=dept_a, counter_a=counter_a, commune_a=commune_a, dept_b=dept_b,
        admin=make_user("admin@example.vn", Role.ADMIN),
        leader_a=make_user("leader.a@example.vn", Role.LEADER, dept_a),
        organizer_a=make_user("organizer.a@example.vn", Role.ORGANIZER, dept_a),
        leader_b=make_user("leader.b@example.vn", Role.LEADER, dept_b),
    )
