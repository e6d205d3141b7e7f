"""`flask users create` and `flask users grant`."""

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
