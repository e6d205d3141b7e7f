"""The organizer's deployment list and the deploy form: scoped to the subtree, every mistake explained."""

from datetime import timedelta
from html import unescape

from sqlalchemy import select

from feedback.extensions import db
from feedback.surveys.deployments.services import local_today
from feedback.surveys.models import AccessMode, Deployment, DeploymentStatus, VersionStatus
from feedback.surveys.services import deploy, load_default_survey
from tests.conftest import csrf_token
from tests.surveys.deployments.helpers import add_responses, make_survey, post_create

LIST = "/manage/deployments/"


def _deployments() -> list[tuple[str, str, str]]:
    """(agency code, status, access mode) of every deployment, oldest first."""
    return [(d.agency.code, d.status.value, d.access_mode.value)
            for d in db.session.scalars(select(Deployment).order_by(Deployment.id))]


def test_the_list_shows_only_the_organizers_subtree_with_response_counts(organizer_a_client, tree):
    version = load_default_survey()
    at_a = deploy(version, tree.dept_a)[0]
    deploy(version, tree.counter_a, access_mode=AccessMode.CODE)
    deploy(version, tree.dept_b)
    db.session.commit()
    add_responses(at_a, 3, excluded=1)
    page = organizer_a_client.get(LIST + "?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Department of Justice" in html and "Justice one-stop counter" in html
    assert "Department of Health" not in html  # department B is another subtree
    assert "2 deployments<" in html
    row = html.split(f'id="deployment-{at_a.id}"')[1].split("</tr>")[0]
    assert ">3<" in row and "1 flagged" in row
    assert "Open link and QR code" in row and "/manage/deployments/agencies/A/poster" in row


def test_the_list_filters_by_status_and_agency(organizer_a_client, tree):
    version = load_default_survey()
    deploy(version, tree.dept_a, subtree=True)
    paused = db.session.scalar(select(Deployment).join(Deployment.agency).where(
        Deployment.agency_id == tree.commune_a.id))
    paused.status = DeploymentStatus.PAUSED
    db.session.commit()
    only_paused = organizer_a_client.get(LIST + "?lang=en&status=paused").get_data(as_text=True)
    assert "1 deployment<" in only_paused and "An Binh Commune" in only_paused.split("<tbody>")[1]
    under_counter = organizer_a_client.get(LIST + "?lang=en&agency=A1").get_data(as_text=True)
    assert "1 deployment<" in under_counter
    under_a = organizer_a_client.get(LIST + "?lang=en&agency=A").get_data(as_text=True)
    assert "3 deployments<" in under_a
    # Another subtree's agency does not exist as far as this organizer can tell.
    assert organizer_a_client.get(LIST + "?agency=B").status_code == 404
    bad = organizer_a_client.get(LIST + "?lang=en&status=running")
    assert bad.status_code == 400 and "Unknown status" in bad.get_data(as_text=True)


def test_only_organizers_reach_the_pages(client, leader_a_client, tree):
    assert leader_a_client.get(LIST).status_code == 403
    assert leader_a_client.get("/manage/deployments/new").status_code == 403
    anonymous = client.get(LIST)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_deploy_at_one_agency_with_code_access_and_services(organizer_a_client, tree):
    version = load_default_survey()
    db.session.commit()
    response = post_create(organizer_a_client, version=str(version.id), agency="A1", access_mode="code",
                           services="HT-01 | Đăng ký khai sinh | Birth registration\nCT-02 | Chứng thực")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert _deployments() == [("A1", "active", "code")]
    deployment = db.session.scalar(select(Deployment))
    assert deployment.services == [
        {"code": "HT-01", "name_vi": "Đăng ký khai sinh", "name_en": "Birth registration"},
        {"code": "CT-02", "name_vi": "Chứng thực", "name_en": ""},
    ]
    assert deployment.ends_at is None and deployment.created_by_id == tree.organizer_a.id
    listed = organizer_a_client.get(LIST + "?lang=en").get_data(as_text=True)
    assert "The survey is deployed at Justice one-stop counter." in listed
    assert "2 services" in listed


def test_deploy_at_a_whole_subtree_for_a_period(organizer_a_client, tree):
    version = make_survey("local", tree.commune_a)  # a survey of an agency in the subtree
    today = local_today()
    response = post_create(organizer_a_client, version=str(version.id), agency="A", subtree="y",
                           starts_on=(today + timedelta(days=1)).isoformat(),
                           ends_on=(today + timedelta(days=30)).isoformat())
    assert response.status_code == 303, response.get_data(as_text=True)
    assert sorted(code for code, *_ in _deployments()) == ["A", "A1", "A2"]
    deployment = db.session.scalars(select(Deployment)).first()
    assert (deployment.ends_at - deployment.starts_at) == timedelta(days=30)
    listed = organizer_a_client.get(LIST + "?lang=en").get_data(as_text=True)
    assert "The survey is deployed at 3 agencies." in listed and "Scheduled" in listed


def test_the_form_offers_only_published_versions_the_organizer_may_use(organizer_a_client, tree):
    sipas = load_default_survey()
    db.session.commit()
    make_survey("ours", tree.dept_a, title="Ours")
    make_survey("draft", tree.dept_a, status=VersionStatus.DRAFT, title="Draft")
    make_survey("theirs", tree.dept_b, title="Theirs")
    html = unescape(organizer_a_client.get("/manage/deployments/new?lang=en").get_data(as_text=True))
    assert "Ours (version 1)" in html and f"{sipas.title('en')} (version 1)" in html
    assert "Draft" not in html and "Theirs" not in html
    agencies = html.split('name="agency"')[1].split("</select>")[0]
    assert all(f"({code})" in agencies for code in ("A", "A1", "A2"))
    assert "(B)" not in agencies and "(P)" not in agencies


def test_a_draft_version_is_refused_and_what_was_typed_is_kept(organizer_a_client, tree):
    draft = make_survey("draft", tree.dept_a, status=VersionStatus.DRAFT)
    response = post_create(organizer_a_client, version=str(draft.id), agency="A",
                           services="HT-01 | Khai sinh")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please choose a published survey version from the list." in html
    assert 'href="#version"' in html  # the error summary links to the field
    assert "HT-01 | Khai sinh</textarea>" in html
    assert _deployments() == []


def test_another_subtrees_agency_or_survey_is_refused(organizer_a_client, tree):
    version = load_default_survey()
    theirs = make_survey("theirs", tree.dept_b)
    refused = post_create(organizer_a_client, version=str(version.id), agency="B")
    assert refused.status_code == 422
    assert "Please choose an agency from the list." in refused.get_data(as_text=True)
    assert "Department of Health" not in refused.get_data(as_text=True)
    other_survey = post_create(organizer_a_client, version=str(theirs.id), agency="A")
    assert other_survey.status_code == 422
    assert _deployments() == []


def test_every_mistake_gets_a_message(organizer_a_client, tree):
    version = load_default_survey()
    db.session.commit()
    today = local_today()
    response = post_create(organizer_a_client, version=str(version.id), agency="A",
                           starts_on=(today + timedelta(days=5)).isoformat(),
                           ends_on=(today + timedelta(days=2)).isoformat(),
                           access_mode="sms", services="a | b | c | d\nX | ")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("The end date must be on or after the start date.",
                    "Please choose how citizens reach the survey.",
                    "Line 1: write the service", "Line 2: the Vietnamese name is missing."):
        assert message in html, message
    past = post_create(organizer_a_client, version=str(version.id), agency="A",
                       starts_on=(today - timedelta(days=1)).isoformat(), ends_on="31/12/2030")
    html = past.get_data(as_text=True)
    assert past.status_code == 422
    assert "The start date cannot be in the past." in html
    assert "Please enter the date as year-month-day" in html
    empty = post_create(organizer_a_client, starts_on="")
    html = empty.get_data(as_text=True)
    assert "Please enter the start date." in html and "Please choose an agency from the list." in html
    assert _deployments() == []


def test_the_form_needs_its_csrf_token(organizer_a_client, tree):
    version = load_default_survey()
    db.session.commit()
    response = organizer_a_client.post("/manage/deployments/new", data={
        "version": str(version.id), "agency": "A", "access_mode": "open",
        "starts_on": local_today().isoformat()})
    assert response.status_code == 400
    assert _deployments() == []
    assert csrf_token(organizer_a_client.get("/manage/deployments/new").get_data(as_text=True))
