"""A reorganized agency's deployments end, its open petitions move to the successor with their due
dates, and its QR posters and printed codes lead to a page naming the successor and its survey."""

from datetime import date

from sqlalchemy import select

from feedback.agencies import reorganize
from feedback.agencies.services import add_agency
from feedback.dialogues.models import PetitionSource, PetitionStatus
from feedback.dialogues.petitions.services import create_petition
from feedback.extensions import db
from feedback.surveys import codes
from feedback.surveys.models import AccessMode, Deployment, DeploymentStatus
from feedback.surveys.services import deploy
from tests.dashboards.helpers import make_version

ON = date(2025, 7, 1)


def _two_communes(tree):
    version = make_version()
    x1 = add_agency("X1", "Xã Cũ Một", kind="commune", parent=tree.province)
    x2 = add_agency("X2", "Xã Cũ Hai", kind="commune", parent=tree.province)
    deploy(version, x1)
    coded = deploy(version, x2, access_mode=AccessMode.CODE)[0]
    printed = codes.add_codes(coded, 1)[0]
    return version, x1, x2, printed


def test_merge_ends_deployments_and_posters_name_the_successor(app, client, tree):
    version, x1, x2, printed = _two_communes(tree)
    successor = reorganize.merge([x1, x2], ON, new=reorganize.NewAgency("XM", "Xã Hợp Nhất"))
    deploy(version, successor)
    db.session.commit()
    statuses = db.session.scalars(select(Deployment.status).where(
        Deployment.agency_id.in_([x1.id, x2.id]))).all()
    assert statuses and set(statuses) == {DeploymentStatus.ENDED}
    page = client.get("/s/X1?lang=vi")
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "Xã Hợp Nhất" in html and 'href="/s/XM"' in html
    receipt = client.get(f"/r/{printed.code}?lang=vi")
    assert receipt.status_code == 410 and 'href="/s/XM"' in receipt.get_data(as_text=True)


def test_a_dissolved_agency_without_successor_says_so(app, client, tree):
    _version, x1, _x2, _printed = _two_communes(tree)
    reorganize.dissolve(x1, ON)
    db.session.commit()
    page = client.get("/s/X1?lang=en")
    assert page.status_code == 410 and "No agency has taken over" in page.get_data(as_text=True)


def test_open_petitions_move_with_their_due_dates(app, tree):
    x1 = add_agency("X1", "Xã Cũ", kind="commune", parent=tree.province)
    x2 = add_agency("X2", "Xã Mới", kind="commune", parent=tree.province)
    due = date(2025, 7, 20)
    open_one = create_petition(text="Đề nghị sửa đường.", source=PetitionSource.FLOOR, agency=x1,
                               due_date=due)
    answered = create_petition(text="Đề nghị lắp đèn.", source=PetitionSource.FLOOR, agency=x1,
                               due_date=due)
    answered.status = PetitionStatus.ANSWERED
    db.session.flush()
    reorganize.split(x1, ON, [x2, reorganize.NewAgency("X3", "Xã Ba")], history="X3")
    db.session.commit()
    db.session.expire_all()
    x3 = reorganize.live_successors(x1)[0]
    assert x3.code == "X3"
    assert open_one.agency_id == x3.id and open_one.due_date == due  # to the history successor
    assert answered.agency_id == x1.id  # answered by the old commune: stays its record
