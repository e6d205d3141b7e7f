"""The filters every dashboard page shares: agency subtree, survey, service, and what the lists
offer. A leader never learns of another subtree's agencies, surveys or services, even by typing."""

import pytest

from feedback.extensions import db
from feedback.surveys.models import Deployment
from tests.dashboards.helpers import add_response, make_version


@pytest.fixture
def surveys(app, tree):
    """Two surveys at department A (one with services), one at department B."""
    first, second, other = make_version(), make_version(), make_version()
    first.title_en, second.title_en, other.title_en = "Justice survey", "Counter survey", "Health survey"
    db.session.add_all([
        Deployment(version_id=first.id, agency_id=tree.dept_a.id, status="ended", services=[
            {"code": "KS-01", "name_vi": "Đăng ký khai sinh", "name_en": "Birth registration"},
            {"code": "LLTP", "name_vi": "Lý lịch tư pháp", "name_en": "Criminal record"}]),
        Deployment(version_id=second.id, agency_id=tree.counter_a.id),
        Deployment(version_id=other.id, agency_id=tree.dept_b.id,
                   services=[{"code": "YT-SECRET", "name_vi": "Cấp phép hành nghề y"}]),
    ])
    for _ in range(12):
        add_response(first, tree.dept_a, scores={"access": 1.0}, service="KS-01")
        add_response(first, tree.dept_a, scores={"access": 0.0}, service="LLTP")
        add_response(second, tree.counter_a, scores={"access": 0.5})
        add_response(other, tree.dept_b, scores={"access": 0.25}, service="YT-SECRET")
    db.session.commit()
    return first, second, other


def _page(client, url: str) -> str:
    """The page at `url`, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _overall(html: str) -> str:
    """The "all these agencies together" card of the overview."""
    start = html.index('id="overall-heading"')
    return html[start:html.index("</section>", start)]


def test_lists_offer_only_what_the_leader_may_see(leader_a_client, surveys):
    html = _page(leader_a_client, "/dashboard/?lang=en")
    assert "Justice survey" in html and "Counter survey" in html
    assert "Health survey" not in html
    assert "Birth registration" in html and "Criminal record" in html
    assert "YT-SECRET" not in html and "Cấp phép hành nghề y" not in html
    assert 'value="A1"' in html and 'value="B"' not in html and 'value="P"' not in html


def test_survey_and_service_filters_count_only_their_responses(leader_a_client, surveys):
    everything = _overall(_page(leader_a_client, "/dashboard/?lang=en"))
    assert "36" in everything  # 24 at A and 12 at A1
    one_survey = _overall(_page(leader_a_client, f"/dashboard/?lang=en&survey={surveys[0].survey.key}"))
    assert "24" in one_survey and "36" not in one_survey
    birth = _overall(_page(leader_a_client, "/dashboard/?lang=en&service=KS-01"))
    assert "100.0" in birth and "12" in birth
    # The filters ride along in the page navigation and the links to each agency.
    html = _page(leader_a_client, "/dashboard/?lang=en&service=KS-01&period=year&year=2026")
    assert "service=KS-01" in html and "year=2026" in html


@pytest.mark.parametrize("param", ["agency=B", "agency=ZZZ", "survey={other}", "survey=nope",
                                   "service=YT-SECRET", "service=nope"])
def test_another_subtree_is_answered_like_an_unknown_code(leader_a_client, surveys, param):
    html = _page(leader_a_client, "/dashboard/?lang=en&" + param.format(other=surveys[2].survey.key))
    assert "Unknown" in html and "shown instead" in html
    assert "Department of Health" not in html and "Health survey" not in html
    assert "36" in _overall(html)  # everything the leader may see, nothing more


def test_an_agency_filter_narrows_to_its_subtree(leader_a_client, surveys):
    html = _page(leader_a_client, "/dashboard/?lang=en&agency=A1")
    assert "Justice one-stop counter and the agencies under it" in html
    overall = _overall(html)
    assert "12" in overall and "50.0" in overall


def test_an_admin_may_choose_any_agency(admin_client, surveys):
    html = _page(admin_client, "/dashboard/?lang=en&agency=B")
    assert "Unknown" not in html and "Health survey" in html
    assert "25.0" in _overall(html)
