"""`flask agencies merge | split | rename | move | dissolve`: history kept, codes never reused,
petitions, deployments and grants follow as the issue asks."""

from datetime import date, timedelta

from sqlalchemy import select

from feedback.accounts.models import RoleGrant
from feedback.agencies.models import Agency, Succession
from feedback.agencies.services import add_agency, find_agency
from feedback.audit.models import AuditEvent
from feedback.extensions import db

ON = "2025-07-01"


def _communes(tree, *codes):
    """Communes under the province, committed."""
    made = [add_agency(code, f"Xã {code}", kind="commune", parent=tree.province) for code in codes]
    db.session.commit()
    return made


def _run(runner, *args):
    result = runner.invoke(args=["agencies", *args])
    db.session.expire_all()
    return result


def test_merge_into_a_new_commune_keeps_history_and_codes(app, runner, tree):
    _communes(tree, "X1", "X2")
    result = _run(runner, "merge", "X1", "X2", "--into", "X9", "--name-vi", "Xã Mới", "--on", ON)
    assert result.exit_code == 0, result.output
    x1, x2, x9 = find_agency("X1"), find_agency("X2"), find_agency("X9")
    assert x1.valid_to == date(2025, 7, 1) and not x1.active and x9.valid_from == date(2025, 7, 1)
    assert x1.heir_id == x9.id and x2.heir_id == x9.id and x9.heir_id == x9.id
    assert x9.parent.code == "P" and x9.kind == "commune"
    edges = db.session.scalars(select(Succession).order_by(Succession.id)).all()
    assert [(e.predecessor.code, e.successor.code, e.carries_history) for e in edges] == [
        ("X1", "X9", True), ("X2", "X9", True)]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agency.merge")) is not None
    reused = _run(runner, "merge", "X9", "B", "--into", "x1", "--name-vi", "Lại", "--on", "2025-08-01")
    assert reused.exit_code != 0 and "never reused" in reused.output


def test_merge_keeping_one_code_and_a_chain_of_merges(app, runner, tree):
    _communes(tree, "X1", "X2", "X3")
    assert _run(runner, "merge", "X1", "X2", "--into", "X1", "--on", "2025-07-01").exit_code == 0
    assert find_agency("X1").valid_to is None and find_agency("X2").heir_id == find_agency("X1").id
    result = _run(runner, "merge", "X1", "X3", "--into", "X3", "--on", "2025-08-01")
    assert result.exit_code == 0, result.output
    x3 = find_agency("X3")
    assert {a.code for a in db.session.scalars(select(Agency).where(Agency.heir_id == x3.id))} == {
        "X1", "X2", "X3"}


def test_split_names_one_history_successor(app, runner, tree):
    _communes(tree, "X1", "X2")
    result = _run(runner, "split", "X1", "--part", "S1", "Xã Bắc", "--part", "X2", "-",
                  "--history", "S1", "--on", ON)
    assert result.exit_code == 0, result.output
    x1, s1 = find_agency("X1"), find_agency("S1")
    assert x1.heir_id == s1.id and find_agency("X2").heir_id == find_agency("X2").id
    edges = {(e.successor.code, e.carries_history) for e in db.session.scalars(select(Succession))}
    assert edges == {("S1", True), ("X2", False)}


def test_rename_move_and_dissolve(app, runner, tree):
    assert _run(runner, "rename", "A", "--name-vi", "Sở Tư pháp mới", "--on", ON).exit_code == 0
    assert find_agency("A").name_vi == "Sở Tư pháp mới" and find_agency("A").code == "A"
    moved = _run(runner, "move", "A", "--parent", "B", "--on", ON)
    assert moved.exit_code == 0, moved.output
    a, b, a1 = find_agency("A"), find_agency("B"), find_agency("A1")
    assert a.path == b.path + f"{a.id}/" and a1.path == a.path + f"{a1.id}/" and a1.depth == 3
    loop = _run(runner, "move", "B", "--parent", "A1", "--on", ON)
    assert loop.exit_code != 0 and "lies under" in loop.output
    gone = _run(runner, "dissolve", "A", "--successor", "P", "--on", ON)
    assert gone.exit_code == 0, gone.output
    assert all(find_agency(c).valid_to == date(2025, 7, 1) for c in ("A", "A1", "A2"))
    assert find_agency("A").heir_id == find_agency("A").id  # a dissolution hands on no history


def test_future_dates_and_ended_agencies_are_refused(app, runner, tree):
    _communes(tree, "X1", "X2")
    future = (date.today() + timedelta(days=3)).isoformat()
    result = _run(runner, "merge", "X1", "X2", "--into", "X1", "--on", future)
    assert result.exit_code != 0 and "in the future" in result.output
    assert _run(runner, "merge", "X1", "X2", "--into", "X1", "--on", ON).exit_code == 0
    again = _run(runner, "rename", "X2", "--name-vi", "Tên", "--on", ON)
    assert again.exit_code != 0 and "ended on 2025-07-01" in again.output


def test_grants_are_listed_and_moved_only_when_asked(app, runner, tree):
    listed = _run(runner, "merge", "A", "B", "--into", "AB", "--name-vi", "Sở Tư pháp và Y tế",
                  "--kind", "department", "--on", ON)
    assert listed.exit_code == 0, listed.output
    assert "leader.a@example.vn: leader on A → AB" in listed.output and "--move-grants" in listed.output
    assert db.session.scalar(select(RoleGrant.agency_id).where(
        RoleGrant.user_id == tree.leader_a.id)) == tree.dept_a.id


def test_grants_move_on_confirmation(app, runner, tree):
    result = _run(runner, "merge", "A", "B", "--into", "B", "--on", ON, "--move-grants")
    assert result.exit_code == 0, result.output
    assert "Moved 2 grant(s) to B" in result.output
    assert db.session.scalar(select(RoleGrant.agency_id).where(
        RoleGrant.user_id == tree.leader_a.id)) == tree.dept_b.id
    # The merged department's counter and commune now hang under B.
    assert find_agency("A1").path.startswith(find_agency("B").path)
