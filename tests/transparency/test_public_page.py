"""The public transparency page: off by default, and when on only ranked agencies and two figures."""

import re
from datetime import timedelta

import pytest

from feedback.dashboards import metrics
from feedback.dialogues.models import PetitionSource, PetitionStatus
from feedback.dialogues.petitions.services import create_petition, local_today
from feedback.extensions import db
from feedback.models import utcnow
from tests.dashboards.helpers import add_response, add_responses, make_version
from tests.dialogues.helpers import make_conference

URL = "/public/"
SECRET_COMMENT = "Cán bộ Nguyễn Văn Tâm gây khó dễ"
SECRET_PETITION = "Kiến nghị riêng của ông Lê Văn Hùng"


@pytest.fixture
def public(app):
    """The app with the public page switched on."""
    app.config["PUBLIC_TRANSPARENCY"] = True
    return app


@pytest.fixture
def scored(app, tree):
    """A and B ranked (30+ responses), A1 thin (12), A2 hidden (3); A has 10 petitions due, B 2."""
    version = make_version()
    for i in range(30):
        add_response(version, tree.dept_a, scores={"access": (i % 4) / 3},
                     answers={"comment": SECRET_COMMENT} if i == 0 else None)
    add_responses(version, tree.dept_b, 31, 0.6)
    add_responses(version, tree.counter_a, 12, 1.0)
    add_responses(version, tree.commune_a, 3, 1.0)
    # Responses older than 12 months do not count.
    add_responses(version, tree.commune_a, 40, 1.0, submitted_at=utcnow() - timedelta(days=400))
    conference = make_conference(tree.dept_a)
    today = local_today()
    for i in range(10):
        petition = create_petition(text=SECRET_PETITION, source=PetitionSource.FLOOR, conference=conference,
                                   agency=tree.dept_a, due_date=today - timedelta(days=3))
        if i < 7:  # 7 of 10 answered by the due date
            petition.status = PetitionStatus.ANSWERED
            petition.answer_published_at = utcnow() - timedelta(days=5)
    for _ in range(2):
        create_petition(text=SECRET_PETITION, source=PetitionSource.FLOOR, conference=conference,
                        agency=tree.dept_b, due_date=today - timedelta(days=1))
    db.session.commit()


def test_off_by_default_answers_404(client, tree, scored):
    assert client.get(URL).status_code == 404


def rows(html: str) -> dict[str, str]:
    """{agency name: the text of its card, figures only} of the public list."""
    found = {}
    card_pattern = r'<li class="public-agency">\s*<h3>(?:<bdi>)?(.*?)(?:</bdi>)?</h3>(.*?)</li>'
    for name, card in re.findall(card_pattern, html, re.S):
        text = re.sub(r"<dt>.*?</dt>", " ", card, flags=re.S)
        found[name] = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return found


def test_agencies_with_too_few_due_petitions_are_named_once(public, client, tree, scored):
    html = client.get(URL, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html.count("Too few petitions were due") == 1
    few = re.search(r'<p class="public-few"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "Department of Health" in few and "Department of Justice" not in few
    # The intervals are explained before the first figure.
    assert html.index("How to read the figures") < html.index('class="public-agency"')


def test_only_ranked_agencies_with_their_index_and_on_time_rate(public, client, tree, scored):
    response = client.get(URL, headers={"Accept-Language": "vi"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    table = rows(html)
    assert set(table) == {"Sở Tư pháp", "Sở Y tế"}  # A1 thin, A2 hidden over the last 12 months
    index_a = next(i for i in metrics.agency_indices(db.true()) if i.code == "A")
    assert table["Sở Tư pháp"].startswith(f"{index_a.mean:.1f}".replace(".", ","))
    row_a = table["Sở Tư pháp"]
    assert "n = 30" in row_a and "70,0%" in row_a and "n = 10" in row_a
    assert table["Sở Y tế"].startswith("60,0") and "n = 31" in table["Sở Y tế"]
    assert "%" not in table["Sở Y tế"].split("n = 31")[1]  # 2 petitions due: no rate shown
    assert list(table) == ["Sở Y tế", "Sở Tư pháp"]  # highest index first: 60 before A's 48
    for private in (SECRET_COMMENT, SECRET_PETITION, "Nguyễn", "Đối thoại với Nhân dân"):
        assert private not in html


def test_inactive_agencies_are_left_out(public, client, tree, scored):
    tree.dept_b.active = False
    db.session.commit()
    assert set(rows(client.get(URL).get_data(as_text=True))) == {"Sở Tư pháp"}


def test_localized_and_cacheable_for_a_few_minutes(public, client, tree, scored):
    response = client.get(URL, headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert set(rows(html)) == {"Department of Justice", "Department of Health"}
    assert response.cache_control.public and response.cache_control.max_age == 300
    assert "Accept-Language" in response.headers["Vary"]


def test_a_signed_in_visitors_copy_is_kept_private(public, leader_b_client, scored):
    response = leader_b_client.get(URL)
    assert response.status_code == 200
    assert response.cache_control.private and not response.cache_control.public


def test_no_agency_ranked_yet_says_so(public, client, tree):
    html = client.get(URL, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert rows(html) == {}
    assert "No agency has enough survey responses" in html
