"""Text people typed is shown bidi-isolated: a right-to-left override typed in a comment, a name,
a question or a conference title cannot reorder the words around it ("gnp.exe" read "exe.png")."""

import re

import pytest

from feedback.dialogues.models import PetitionSource, PetitionStatus
from feedback.dialogues.petitions.services import create_petition
from feedback.dialogues.registrations import register
from feedback.extensions import db
from tests.dashboards.helpers import add_response, make_version
from tests.dialogues.helpers import make_conference, phone

# U+202E RIGHT-TO-LEFT OVERRIDE: "Ảnh gnp.exe" is displayed as "Ảnh exe.png".
RLO = "Ảnh \u202egnp.exe"


def _only_isolated(html: str, typed: str) -> int:
    """How many times `typed` is shown in the page's body; fails if any of them is not a whole
    <bdi> element or between isolate characters. (Scripts hold data, not text shown.)"""
    html = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
    found = [m.start() for m in re.finditer(re.escape(typed), html)]
    for at in found:
        before, after = html[:at], html[at + len(typed):]
        # <bdi> in element content; isolate characters (FSI … PDI) where no element may stand.
        assert ((before.endswith("<bdi>") and after.startswith("</bdi>"))
                or (before.endswith("\u2068") and after.startswith("\u2069"))), \
            html[max(at - 120, 0):at + len(typed) + 40]
    return len(found)


@pytest.fixture
def typed_everywhere(app, tree):
    """A conference, a registrant, a petition and a survey comment, each typed with U+202E."""
    conference = make_conference(tree.dept_a, title_vi=RLO, venue=RLO,
                                 leaders=[{"name": RLO, "title": RLO}])
    registration, _ = register(conference, full_name=RLO, phone=phone(1), locality=RLO)
    petition = create_petition(text=RLO, source=PetitionSource.FLOOR, conference=conference,
                               agency=tree.dept_a)
    petition.answer_text, petition.answered_by = RLO, RLO
    petition.status = PetitionStatus.ANSWERED
    version = make_version()
    add_response(version, tree.dept_a, answers={"comment": RLO})
    db.session.commit()
    return conference, registration, petition


def test_typed_text_is_bidi_isolated_on_staff_pages(app, typed_everywhere, leader_a_client,
                                                   organizer_a_client):
    conference, registration, petition = typed_everywhere
    pages = {
        "/dashboard/comments": leader_a_client,
        f"/manage/dialogues/{conference.id}/registrants": organizer_a_client,
        f"/manage/dialogues/{conference.id}": organizer_a_client,
        "/manage/dialogues/": organizer_a_client,
        "/manage/petitions/": organizer_a_client,
        f"/manage/petitions/{petition.id}": organizer_a_client,
        f"/dialogues/{conference.id}": organizer_a_client,
        "/dialogues/": organizer_a_client,
    }
    for url, client in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert _only_isolated(response.get_data(as_text=True), RLO) > 0, url
    response_id = add_response(make_version(), registration.conference.host_agency,
                               answers={"comment": RLO}).id
    db.session.commit()
    html = leader_a_client.get(f"/manage/responses/{response_id}").get_data(as_text=True)
    assert _only_isolated(html, RLO) == 1


def test_the_tracking_page_isolates_the_question_and_answer(app, client, typed_everywhere):
    _conference, _registration, petition = typed_everywhere
    html = client.get(f"/track/{petition.tracking_code}").get_data(as_text=True)
    assert _only_isolated(html, RLO) >= 1
