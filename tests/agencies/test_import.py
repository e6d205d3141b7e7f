"""`flask agencies import FILE.csv`: all rows or none, with a clear report."""

import unicodedata

from sqlalchemy import func, select

from feedback.agencies.models import Agency
from feedback.extensions import db

GOOD = """code,parent_code,name_vi,name_en,kind
TINH,,Tỉnh Bình An,Binh An Province,province
XA1,HUYEN,Xã Tân Lập,Tan Lap Commune,commune
HUYEN,TINH,Huyện Đông Sơn,Dong Son District,district
"""


def _import(runner, tmp_path, text):
    path = tmp_path / "agencies.csv"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["agencies", "import", str(path)])


def test_import_builds_the_tree_whatever_the_row_order(app, runner, tmp_path):
    result = _import(runner, tmp_path, GOOD)
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    xa = db.session.scalar(select(Agency).where(Agency.code == "XA1"))
    assert xa.parent.code == "HUYEN" and xa.parent.parent.code == "TINH" and xa.depth == 2
    tinh = db.session.scalar(select(Agency).where(Agency.code == "TINH"))
    below = db.session.scalars(select(Agency.code).where(Agency.in_subtree(tinh.path))).all()
    assert sorted(below) == ["HUYEN", "TINH", "XA1"]


def test_importing_again_updates_names(app, runner, tmp_path):
    _import(runner, tmp_path, GOOD)
    result = _import(runner, tmp_path, GOOD.replace("Xã Tân Lập", "Xã Tân Lập Mới"))
    assert result.exit_code == 0 and "0 created, 3 updated" in result.output
    assert db.session.scalar(select(Agency.name_vi).where(Agency.code == "XA1")) == "Xã Tân Lập Mới"


def test_bad_rows_are_reported_and_nothing_is_imported(app, runner, tmp_path):
    bad = GOOD + "bad code!,TINH,Tên,Name,commune\nX2,MISSING,Xã,Commune,commune\nX3,TINH,,N,commune\n" \
        "X4,TINH,Xã 4,,planet\nXA1,TINH,Trùng,Dup,commune\n"
    result = _import(runner, tmp_path, bad)
    assert result.exit_code != 0
    out = result.output
    assert "line 5: code 'bad code!'" in out
    assert "line 6: parent 'MISSING'" in out
    assert "line 7: name_vi is empty" in out
    assert "line 8: kind 'planet'" in out
    assert "line 9: code 'XA1' appears twice (first on line 3)" in out
    assert "nothing was imported" in out
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 0


def test_cycles_and_missing_columns_are_refused(app, runner, tmp_path):
    cycle = "code,parent_code,name_vi,name_en,kind\nA,B,Một,,department\nB,A,Hai,,department\n"
    assert "its own ancestor" in _import(runner, tmp_path, cycle).output
    header = _import(runner, tmp_path, "code,name\nA,B\n")
    assert header.exit_code != 0 and "missing column(s) parent_code, name_vi" in header.output
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 0


def test_admin_sees_the_tree_and_others_do_not(admin_client, leader_a_client):
    assert "Sở Tư pháp" in admin_client.get("/admin/agencies").get_data(as_text=True)
    assert leader_a_client.get("/admin/agencies").status_code == 403


def test_names_typed_decomposed_are_stored_composed(app, runner, tmp_path):
    """Some keyboards type Vietnamese decomposed (base letter + combining marks); stored NFC, a
    search in the usual form finds it."""
    decomposed = unicodedata.normalize("NFD", "Phường Thủy Châu")
    result = _import(runner, tmp_path, f"code,parent_code,name_vi,name_en,kind\nTC,,{decomposed} ,,commune\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Agency.name_vi).where(Agency.code == "TC")) == "Phường Thủy Châu"


TODAY = """code,parent_code,name_vi,name_en,kind
HN,,Thành phố Hà Nội,Hanoi,province
P1,HN,Phường Ba Đình,Ba Dinh Ward,PHƯỜNG
TT,HN,Trung tâm Phục vụ hành chính công,Service centre,service_center
DK,HN,Đặc khu Cô Tô,Co To,dac khu
X1,HN,Xã Sóc Sơn,Soc Son,Xa
"""


def test_today_kinds_are_accepted_by_code_or_vietnamese_label(app, runner, tmp_path):
    result = _import(runner, tmp_path, TODAY)
    assert result.exit_code == 0, result.output
    kinds = dict(db.session.execute(select(Agency.code, Agency.kind)).all())
    assert kinds == {"HN": "province", "P1": "ward", "TT": "service_center", "DK": "special_zone",
                     "X1": "commune"}
    again = _import(runner, tmp_path, TODAY)
    assert again.exit_code == 0 and "0 created, 5 updated" in again.output
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 5


def test_every_problem_of_every_row_and_children_of_a_refused_row(app, runner, tmp_path):
    text = ("code,parent_code,name_vi,name_en,kind\n"
            "HN,,Hà Nội,,province\n"
            "Q1,HN,,Quận,planet\n"            # line 3: two problems
            "P1,Q1,Phường 1,,ward\n"           # line 4: blocked by line 3
            "C1,P1,Quầy 1,,counter\n"          # line 5: blocked, through P1
            "P2,NOWHERE,Phường 2,,ward\n")     # line 6: a real missing parent
    result = _import(runner, tmp_path, text)
    assert result.exit_code != 0
    out = result.output
    assert "line 3: name_vi is empty; kind 'planet' is not a known kind" in out
    assert "line 4: parent 'Q1' refused above, line 3" in out
    assert "line 5: parent 'P1' refused above, line 3" in out
    assert "line 6: parent 'NOWHERE' is neither in the file nor in the database" in out
    assert "neither" not in out.split("line 6")[0]


def test_admins_add_kinds(app, runner, tmp_path):
    result = runner.invoke(args=["agencies", "kinds", "--add", "hamlet", "--name-vi", "Thôn",
                                 "--name-en", "Hamlet", "--peer-group", "local"])
    assert result.exit_code == 0, result.output
    assert "hamlet\tlocal\tThôn / Hamlet" in result.output
    assert "district\tlocal\tHuyện (trước 2025) / District (before 2025) (history)" in result.output
    imported = _import(runner, tmp_path, "code,parent_code,name_vi,name_en,kind\nT1,,Thôn 1,,thon\n")
    assert imported.exit_code == 0, imported.output
    from feedback.agencies.kinds import peer_group
    assert peer_group("hamlet") == "local" and peer_group("ward") == "local"
    assert peer_group("one_stop") == "service" and peer_group("nonsense") == "other"
