"""/admin/agencies: merge, split, rename, move and dissolve with a confirmation step; kinds."""

from sqlalchemy import select

from feedback.accounts.models import RoleGrant
from feedback.agencies.services import add_agency, find_agency
from feedback.extensions import db
from tests.conftest import csrf_token


def _post(client, url, data):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_merge_page_previews_grants_then_records_on_confirmation(admin_client, tree):
    data = {"agencies": "A, B", "into": "AB", "name_vi": "Sở Tư pháp và Y tế", "name_en": "",
            "kind": "", "on": "2025-07-01"}
    preview = _post(admin_client, "/admin/agencies/merge?lang=en", data)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Please confirm" in html and "leader.a@example.vn" in html
    db.session.expire_all()
    assert find_agency("AB") is None and find_agency("A").valid_to is None  # nothing written yet
    done = _post(admin_client, "/admin/agencies/merge?lang=en", {**data, "confirm": "1", "move_grants": "y"})
    assert done.status_code == 303
    db.session.expire_all()
    ab = find_agency("AB")
    assert ab is not None and find_agency("A").heir_id == ab.id
    held = db.session.scalar(select(RoleGrant.agency_id).where(RoleGrant.user_id == tree.leader_a.id))
    assert held == ab.id


def test_a_refused_change_says_why_in_the_page_language_and_keeps_the_form(admin_client, tree):
    data = {"agencies": "A B", "into": "P", "name_vi": "Trùng", "on": "2025-07-01", "confirm": "1"}
    refused = _post(admin_client, "/admin/agencies/merge?lang=en", data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "is taken by P (codes are never reused)" in html
    assert 'value="A B"' in html
    unknown = _post(admin_client, "/admin/agencies/merge?lang=en", {**data, "agencies": "A NOPE"})
    assert unknown.status_code == 422 and "No agency has the code NOPE" in unknown.get_data(as_text=True)


def test_split_rename_move_dissolve_pages(admin_client, tree):
    add_agency("X1", "Xã Một", kind="commune", parent=tree.province)
    db.session.commit()
    split = _post(admin_client, "/admin/agencies/X1/split?lang=en",
                  {"parts": "S1 Xã Bắc\nS2 Xã Nam", "history": "S2", "on": "2025-07-01", "confirm": "1"})
    assert split.status_code == 303, split.get_data(as_text=True)
    renamed = _post(admin_client, "/admin/agencies/S1/rename?lang=en",
                    {"name_vi": "Phường Bắc", "name_en": "North Ward", "on": "2025-08-01", "confirm": "1"})
    assert renamed.status_code == 303
    moved = _post(admin_client, "/admin/agencies/S1/move?lang=en",
                  {"parent": "A", "on": "2025-08-01", "confirm": "1"})
    assert moved.status_code == 303
    gone = _post(admin_client, "/admin/agencies/S2/dissolve?lang=en",
                 {"successor": "S1", "on": "2025-09-01", "confirm": "1"})
    assert gone.status_code == 303
    db.session.expire_all()
    s1 = find_agency("S1")
    assert s1.name_vi == "Phường Bắc" and s1.parent.code == "A" and find_agency("S2").valid_to is not None
    assert admin_client.get("/admin/agencies/S2/rename").status_code == 404  # ended: nothing to change
    tree_page = admin_client.get("/admin/agencies?lang=en").get_data(as_text=True)
    assert "Ended on" in tree_page


def test_kinds_page_adds_a_kind_and_only_admins_reach_it(admin_client, leader_a_client, tree):
    added = _post(admin_client, "/admin/agencies/kinds?lang=en",
                  {"code": "hamlet", "name_vi": "Thôn", "name_en": "Hamlet", "peer_group": "local"})
    assert added.status_code == 303
    page = admin_client.get("/admin/agencies/kinds?lang=en").get_data(as_text=True)
    assert "hamlet" in page and "Thôn" in page and "kept for history" in page
    again = _post(admin_client, "/admin/agencies/kinds?lang=en",
                  {"code": "ward", "name_vi": "Phường", "peer_group": "local"})
    assert again.status_code == 422
    assert leader_a_client.get("/admin/agencies/kinds").status_code == 403
    assert leader_a_client.get("/admin/agencies/merge").status_code == 403
