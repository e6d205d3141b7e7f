"""An agency's own networks (its Wi-Fi and counters), set by the CLI or the admin's form: checked
with the ipaddress module, refused with a clear message when wrong, audited."""

from sqlalchemy import select

from feedback.agencies.services import in_networks, parse_networks
from feedback.audit.models import AuditEvent
from feedback.extensions import db


def _events() -> list[AuditEvent]:
    """The audit events of network changes, oldest first."""
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "agency.networks")
                                   .order_by(AuditEvent.id)))


def test_addresses_and_networks_are_parsed_and_matched():
    assert parse_networks(["203.0.113.7, 198.51.100.0/24\n2001:db8::/48 203.0.113.7"]) == (
        ["203.0.113.7/32", "198.51.100.0/24", "2001:db8::/48"], [])
    assert parse_networks(["192.168.1.5/24", "nope", "10.0.0.0/33"])[1] == [
        "192.168.1.5/24", "nope", "10.0.0.0/33"]
    assert in_networks("198.51.100.20", ["198.51.100.0/24"])
    assert not in_networks("198.51.101.20", ["198.51.100.0/24"])
    assert not in_networks("unknown", ["198.51.100.0/24"]) and not in_networks("1.2.3.4", [])


def test_the_cli_sets_shows_and_clears_an_agencys_networks(app, runner, tree):
    result = runner.invoke(args=["agencies", "networks", "A", "198.51.100.0/24", "203.0.113.7"])
    assert result.exit_code == 0, result.output
    assert "A: 198.51.100.0/24 203.0.113.7/32" in result.output
    db.session.expire_all()
    assert tree.dept_a.networks == ["198.51.100.0/24", "203.0.113.7/32"]
    shown = runner.invoke(args=["agencies", "networks", "a"]).output.strip()
    assert shown == "A: 198.51.100.0/24 203.0.113.7/32"
    bad = runner.invoke(args=["agencies", "networks", "A", "192.168.1.5/24"])
    assert bad.exit_code != 0
    assert "Not an address or network: '192.168.1.5/24'" in bad.output and "Nothing changed" in bad.output
    assert runner.invoke(args=["agencies", "networks", "NOPE", "10.0.0.0/8"]).exit_code != 0
    assert runner.invoke(args=["agencies", "networks", "A", "--clear"]).exit_code == 0
    db.session.expire_all()
    assert tree.dept_a.networks == []
    assert [e.details["after"] for e in _events()] == [["198.51.100.0/24", "203.0.113.7/32"], []]


def test_the_admin_sets_them_on_the_agency_page_with_mistakes_explained(admin_client, leader_a_client, tree):
    tree_page = admin_client.get("/admin/agencies?lang=en").get_data(as_text=True)
    assert 'href="/admin/agencies/A/networks"' in tree_page
    form = admin_client.get("/admin/agencies/A/networks?lang=en")
    assert form.status_code == 200
    token = form.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    wrong = admin_client.post("/admin/agencies/A/networks?lang=en",
                              data={"csrf_token": token, "networks": "198.51.100.0/24\n192.168.1.5/24"})
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert "Not an address or network: 192.168.1.5/24" in html and 'aria-invalid="true"' in html
    assert "198.51.100.0/24\n192.168.1.5/24" in html  # what was typed is kept
    saved = admin_client.post("/admin/agencies/A/networks?lang=en",
                              data={"csrf_token": token, "networks": "198.51.100.0/24 10.1.0.0/16"})
    assert saved.status_code == 303
    db.session.expire_all()
    assert tree.dept_a.networks == ["198.51.100.0/24", "10.1.0.0/16"]
    [event] = _events()
    assert event.actor_id == tree.admin.id and event.details["agency"] == "A"
    assert "<code>10.1.0.0/16</code>" in admin_client.get("/admin/agencies").get_data(as_text=True)
    assert leader_a_client.get("/admin/agencies/A/networks").status_code == 403
    assert admin_client.get("/admin/agencies/NOPE/networks").status_code == 404
