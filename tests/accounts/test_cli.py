"""`flask users create` and `flask users grant`."""

import unicodedata

from feedback.accounts.services import find_user
from feedback.agencies.services import add_agency
from feedback.extensions import db


def test_create_leader_reading_the_password_from_stdin(app, runner):
    add_agency("STP", "Sở Tư pháp")
    db.session.commit()
    result = runner.invoke(args=["users", "create", "lan@example.vn", "--role", "leader",
                                 "--agency", "STP"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "Created lan@example.vn as leader over STP" in result.output
    db.session.expire_all()
    user = find_user("lan@example.vn")
    assert [(g.role.value, g.agency.code) for g in user.grants] == [("leader", "STP")]


def test_a_name_typed_decomposed_is_stored_composed(app, runner):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Thủy")
    result = runner.invoke(args=["users", "create", "thuy@example.vn", "--role", "admin", "--name",
                                 f" {decomposed}"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert find_user("thuy@example.vn").name == "Nguyễn Thị Thủy"


def test_create_refuses_unknown_agency_short_password_and_duplicates(app, runner):
    add_agency("STP", "Sở Tư pháp")
    db.session.commit()
    unknown = runner.invoke(args=["users", "create", "a@example.vn", "--role", "leader",
                                  "--agency", "NOPE"], input="a long enough password\n")
    assert unknown.exit_code != 0 and "no agency with code 'NOPE'" in unknown.output
    short = runner.invoke(args=["users", "create", "a@example.vn", "--role", "admin"], input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    no_agency = runner.invoke(args=["users", "create", "a@example.vn", "--role", "organizer"],
                              input="a long enough password\n")
    assert no_agency.exit_code != 0 and "needs --agency" in no_agency.output
    ok = runner.invoke(args=["users", "create", "a@example.vn", "--role", "admin"],
                       input="a long enough password\n")
    assert ok.exit_code == 0
    again = runner.invoke(args=["users", "create", "A@example.vn", "--role", "admin"],
                          input="a long enough password\n")
    assert again.exit_code != 0 and "already exists" in again.output


def test_grant_adds_a_role(app, runner, tree):
    result = runner.invoke(args=["users", "grant", tree.leader_b.email, "--role", "organizer",
                                 "--agency", "A"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    roles = sorted((g.role.value, g.agency.code) for g in find_user(tree.leader_b.email).grants)
    assert roles == [("leader", "B"), ("organizer", "A")]


def test_revoke_deactivate_and_reactivate_are_audited(app, runner, tree):
    from sqlalchemy import select

    from feedback.audit.models import AuditEvent

    revoked = runner.invoke(args=["users", "revoke", tree.leader_b.email, "--role", "leader",
                                 "--agency", "B"])
    assert revoked.exit_code == 0, revoked.output
    assert runner.invoke(args=["users", "deactivate", tree.leader_b.email]).exit_code == 0
    again = runner.invoke(args=["users", "deactivate", tree.leader_b.email])
    assert again.exit_code == 0 and "already inactive" in again.output
    assert runner.invoke(args=["users", "reactivate", tree.leader_b.email]).exit_code == 0
    db.session.expire_all()
    user = find_user(tree.leader_b.email)
    assert user.active and user.grants == []
    actions = list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_id == str(user.id), AuditEvent.object_type == "User").order_by(AuditEvent.id)))
    assert actions[-3:] == ["role.revoke", "user.deactivate", "user.reactivate"]


def test_users_commands_give_clear_errors(app, runner, tree):
    cases = {
        ("deactivate", "nobody@example.vn"): "no user with email nobody@example.vn",
        ("grant", tree.leader_b.email, "--role", "leader", "--agency", "NOPE"): "no agency with code 'NOPE'",
        ("grant", tree.leader_b.email, "--role", "chief", "--agency", "A"): "'chief' is not one of",
        ("grant", tree.leader_b.email, "--role", "admin", "--agency", "A"): "the admin role is global",
        ("revoke", tree.leader_b.email, "--role", "organizer"): "needs --agency",
        ("revoke", tree.leader_b.email, "--role", "organizer", "--agency", "A"): "does not hold that role",
        ("revoke", "nobody@example.vn", "--role", "admin"): "no user with email",
    }
    for args, message in cases.items():
        result = runner.invoke(args=["users", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)


def test_passwords_typed_at_the_cli_follow_the_rules(app, runner, tree):
    cases = {"short pass": "at least 12 characters", "password123456": "too common",
             "qwertyuiop123": "too common", "new.user@example.vn": "must not be your email",
             "New.User2026!": "must not be your email"}
    for password, message in cases.items():
        result = runner.invoke(args=["users", "create", "new.user@example.vn", "--role", "admin"],
                               input=password + "\n")
        assert result.exit_code != 0 and message in result.output, (password, result.output)
        own = password.replace("new.user", "leader.b").replace("New.User", "Leader.B")
        result = runner.invoke(args=["users", "set-password", tree.leader_b.email], input=own + "\n")
        assert result.exit_code != 0 and message in result.output, (own, result.output)
    assert find_user("new.user@example.vn") is None
    ok = runner.invoke(args=["users", "set-password", tree.leader_b.email],
                       input="bốn con mèo trên mái nhà\n")
    assert ok.exit_code == 0, ok.output
