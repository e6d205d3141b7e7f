"""Role grants cover an agency's whole subtree and nothing else."""

from sqlalchemy import select

from feedback.accounts.authz import agency_filter, can_access, has_role, visible_agencies
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.extensions import db


def _codes(user, *roles):
    return [a.code for a in db.session.scalars(visible_agencies(user, *roles))]


def test_leader_sees_the_subtree_of_the_granted_agency(tree):
    assert sorted(_codes(tree.leader_a, Role.LEADER)) == ["A", "A1", "A2"]
    assert _codes(tree.leader_b, Role.LEADER) == ["B"]


def test_admin_sees_everything(tree):
    assert sorted(_codes(tree.admin, Role.LEADER)) == ["A", "A1", "A2", "B", "P"]


def test_a_role_does_not_stand_in_for_another(tree):
    assert _codes(tree.organizer_a, Role.LEADER) == []
    assert not has_role(tree.organizer_a, Role.LEADER)
    assert has_role(tree.organizer_a, Role.ORGANIZER)


def test_can_access_follows_the_tree(tree):
    assert can_access(tree.leader_a, tree.counter_a, Role.LEADER)
    assert not can_access(tree.leader_a, tree.dept_b, Role.LEADER)
    assert not can_access(tree.leader_a, tree.province, Role.LEADER)


def test_subtree_query_is_exact_for_ids_sharing_a_prefix(app, tree):
    # /1/2/ must not swallow /1/20/: build enough siblings that ids reach two digits.
    from feedback.agencies.services import add_agency

    siblings = [add_agency(f"S{i}", f"Sở {i}", parent=tree.province) for i in range(20)]
    db.session.commit()
    low_id = tree.dept_a.id
    assert any(str(s.id).startswith(str(low_id)) for s in siblings)
    inside = db.session.scalars(select(Agency.code).where(Agency.in_subtree(tree.dept_a.path))).all()
    assert sorted(inside) == ["A", "A1", "A2"]


def test_two_grants_add_up(app, tree):
    from feedback.accounts.services import grant_role

    grant_role(tree.leader_a, Role.LEADER, tree.dept_b)
    db.session.commit()
    assert sorted(_codes(tree.leader_a, Role.LEADER)) == ["A", "A1", "A2", "B"]
    assert agency_filter(tree.leader_a, Role.ORGANIZER) is not None
