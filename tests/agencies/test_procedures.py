"""The procedures list kept per agency: CSV import (page and command), inheritance down the tree,
the organizer's page, and deployments offering the list."""

import io

from sqlalchemy import select

from feedback.agencies.procedures import Procedure, import_procedures, procedures_for
from feedback.extensions import db
from feedback.surveys.deployments.services import create_deployments, deployable_versions, local_today
from feedback.surveys.models import AccessMode, Deployment
from feedback.surveys.services import load_default_survey
from tests.conftest import csrf_token

CSV = ("code,name_vi,name_en,active\n"
       "1.001193,Đăng ký khai sinh,Birth registration,1\n"
       ",Chứng thực bản sao,,\n"
       "2.000986,Cấp phiếu lý lịch tư pháp,,0\n")


def test_import_creates_then_updates_and_makes_missing_codes(app, tree):
    report = import_procedures(tree.province, io.StringIO(CSV))
    assert report.errors == [] and (report.created, report.updated) == (3, 0)
    report = import_procedures(tree.province, io.StringIO(
        "code,name_vi,name_en\n1.001193,Đăng ký khai sinh (sửa),Birth\n,Chứng thực bản sao,Copies\n"))
    assert report.errors == [] and (report.created, report.updated) == (0, 2)
    rows = {p.code: p for p in db.session.scalars(select(Procedure))}
    assert set(rows) == {"1.001193", "chung_thuc_ban_sao", "2.000986"}
    assert rows["1.001193"].name_vi == "Đăng ký khai sinh (sửa)"
    assert rows["chung_thuc_ban_sao"].name_en == "Copies" and not rows["2.000986"].active


def test_a_bad_row_stops_the_whole_import_and_every_bad_row_is_named(app, tree):
    report = import_procedures(tree.dept_a, io.StringIO(
        "code,name_vi\nok,Một\nmã sai,Hai\nok,Ba\nx,\n"))
    assert report.errors == ["line 3: code 'mã sai' must be 1–64 letters, digits, ., - or _",
                             "line 4: code 'ok' appears twice (first on line 2)",
                             "line 5: name_vi is empty"]
    assert import_procedures(tree.dept_a, io.StringIO("code,name\n")).errors[0].startswith(
        "header: missing column(s) name_vi")
    db.session.rollback()
    assert db.session.scalars(select(Procedure)).all() == []


def test_an_agency_offers_its_own_list_and_those_above_it_nearest_first(app, tree):
    import_procedures(tree.province, io.StringIO("code,name_vi\nA,Tỉnh A\nB,Tỉnh B\n"))
    import_procedures(tree.dept_a, io.StringIO("code,name_vi\nB,Sở B\nC,Sở C\n"))
    db.session.commit()
    offered = {p.code: p.name_vi for p in procedures_for(tree.counter_a)}
    assert offered == {"A": "Tỉnh A", "B": "Sở B", "C": "Sở C"}
    assert {p.code for p in procedures_for(tree.dept_b)} == {"A", "B"}


def test_the_command_imports_or_lists_every_problem(app, tree, runner, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("\ufeff" + CSV, encoding="utf-8")
    result = runner.invoke(args=["agencies", "procedures", tree.dept_a.code, str(good)])
    assert result.exit_code == 0 and "3 created, 0 updated" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name_vi\nx,\n", encoding="utf-8")
    result = runner.invoke(args=["agencies", "procedures", tree.dept_a.code, str(bad)])
    assert result.exit_code == 1 and "line 2: name_vi is empty" in result.output
    result = runner.invoke(args=["agencies", "procedures", "NOPE", str(good)])
    assert result.exit_code == 1 and "No agency" in result.output


def test_the_page_adds_imports_and_takes_off_within_the_organizers_subtree(app, tree, organizer_a_client):
    url = f"/manage/procedures/{tree.dept_a.code}"
    page = organizer_a_client.get(url + "?lang=en")
    assert page.status_code == 200
    token = csrf_token(page.get_data(as_text=True))
    response = organizer_a_client.post(url, data={"csrf_token": token, "code": "",
                                                  "name_vi": "Đăng ký kết hôn", "name_en": ""})
    assert response.status_code == 303
    response = organizer_a_client.post(url + "/import?lang=en", data={
        "csrf_token": token, "text": "code,name_vi\nx,\n"})
    assert response.status_code == 422 and "line 2: name_vi is empty" in response.get_data(as_text=True)
    response = organizer_a_client.post(url + "/import", data={
        "csrf_token": token, "file": (io.BytesIO(CSV.encode("utf-8-sig")), "list.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    codes = {p.code: p for p in db.session.scalars(select(Procedure))}
    assert set(codes) == {"dang_ky_ket_hon", "1.001193", "chung_thuc_ban_sao", "2.000986"}
    response = organizer_a_client.post(f"{url}/{codes['1.001193'].id}/active",
                                       data={"csrf_token": token, "active": "0"})
    assert response.status_code == 303
    db.session.expire_all()
    assert not db.session.get(Procedure, codes["1.001193"].id).active
    assert organizer_a_client.get(f"/manage/procedures/{tree.dept_b.code}").status_code == 404
    assert tree.dept_b.name_vi not in organizer_a_client.get("/manage/procedures/").get_data(as_text=True)


def test_a_deployment_offers_the_agencys_list_and_the_names_typed(app, tree, organizer_a_client):
    load_default_survey()
    import_procedures(tree.province, io.StringIO("code,name_vi\n1.001193,Đăng ký khai sinh\n"))
    version = deployable_versions(tree.organizer_a)[0]
    [deployment] = create_deployments(
        version, tree.counter_a, subtree=False, access_mode=AccessMode.OPEN, starts_on=local_today(),
        ends_on=None, services=[{"code": "x", "name_vi": "Khác", "name_en": ""}],
        actor=tree.organizer_a, use_procedures=True)
    db.session.commit()
    assert [s["code"] for s in db.session.get(Deployment, deployment.id).services] == ["1.001193", "x"]
