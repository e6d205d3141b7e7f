"""Typed text is stored NFC-normalized wherever it comes in, and staff searches find it typed the
usual way or without accents; the migration normalizes what was stored before."""

import importlib.util
import unicodedata
from pathlib import Path

from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict

from feedback.dialogues.models import Conference, Petition, Registration
from feedback.extensions import db
from feedback.surveys.answers import evaluate
from feedback.surveys.models import Question, QuestionType
from tests.dialogues.helpers import make_conference
from tests.dialogues.public.util import sign_up, topics

MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0012_nfc_text.py"
NAME = "Nguyễn Thị Thủy"
QUESTION = "Đường lên Thủy Lợi hư hỏng"


def nfd(text: str) -> str:
    """`text` as some phones type it: base letters followed by combining marks."""
    return unicodedata.normalize("NFD", text)


def test_nfd_differs_from_nfc():
    assert nfd(NAME) != NAME and unicodedata.normalize("NFC", nfd(NAME)) == NAME


def _listed(client, url: str, **args) -> str:
    """The page at `url` with the query `args`, as text."""
    response = client.get(url, query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_decomposed_sign_up_is_stored_nfc_and_found_by_staff_searches(app, tree, client,
                                                                          organizer_a_client):
    topics()
    conference = make_conference(tree.dept_a)
    response = sign_up(client, conference.id, full_name=nfd(NAME), locality=nfd("Thủ Dầu Một"),
                       **{"q1-text": nfd(QUESTION), "q1-topic": "giao-thong", "q1-publish": "yes"})
    assert response.status_code == 303
    registration = db.session.scalars(select(Registration)).one()
    petition = db.session.scalars(select(Petition)).one()
    assert registration.full_name == NAME and registration.locality == "Thủ Dầu Một"
    assert petition.text == QUESTION
    registrants = f"/manage/dialogues/{conference.id}/registrants"
    for typed in ("Thủy", "thủy", "Thuy", "THUY", nfd("Thủy")):
        html = _listed(organizer_a_client, registrants, q=typed)
        assert f'id="registration-{registration.id}"' in html, typed
        html = _listed(organizer_a_client, "/manage/petitions/", q=typed)
        assert f'id="petition-{petition.id}"' in html, typed
    assert f'id="registration-{registration.id}"' not in _listed(organizer_a_client, registrants, q="Thao")
    assert f'id="petition-{petition.id}"' not in _listed(organizer_a_client, "/manage/petitions/", q="Thao")


def test_staff_form_fields_are_stored_nfc(app, tree):
    from feedback.dialogues.manage.forms import ConferenceForm, TopicForm

    with app.test_request_context(method="POST"):
        form = TopicForm(formdata=MultiDict({"code": "thuy-loi", "name_vi": f"  {nfd('Thủy lợi')}\x00 ",
                                             "name_en": "Irrigation"}), meta={"csrf": False})
        assert form.name_vi.data == "Thủy lợi"
        conference = ConferenceForm(formdata=MultiDict({"title_vi": nfd("Đối thoại Thủy Lợi"),
                                                        "leaders-0-name": nfd(NAME)}), meta={"csrf": False})
        assert conference.title_vi.data == "Đối thoại Thủy Lợi"
        assert conference.leaders[0].form.name.data == NAME  # rows of a form are cleaned too
        # Several forms on a page (a petition's): the CSRF field repeats no id.
        assert 'id="csrf_token"' not in str(TopicForm().csrf_token)


def test_survey_answers_are_stored_nfc():
    question = Question(key="comment", type=QuestionType.LONG_TEXT, text_vi="Góp ý", position=1)
    result = evaluate(MultiDict({"q-comment": nfd("Thời gian chờ quá lâu\r\n")}), [question])
    assert result.answers["comment"].text == "Thời gian chờ quá lâu"


def test_the_migration_normalizes_stored_rows_and_fills_the_folded_columns(app, tree):
    topics()
    conference = make_conference(tree.dept_a, leaders=[{"name": nfd(NAME), "title": "Chủ tịch"}])
    from feedback.dialogues.models import PetitionSource
    from feedback.dialogues.petitions.services import create_petition
    from feedback.dialogues.registrations import register
    from tests.dialogues.helpers import phone
    people = [register(conference, full_name=f"Người {n}", phone=phone(n))[0] for n in range(3)]
    petition = create_petition(text="Câu hỏi", source=PetitionSource.FLOOR, conference=conference)
    db.session.commit()
    # Rows as they were stored before: decomposed, and no folded copies yet.
    db.session.execute(update(Registration).where(Registration.id == people[1].id)
                       .values(full_name=nfd(NAME), search_name=None))
    db.session.execute(update(Registration).values(search_name=None))
    db.session.execute(update(Petition).values(text=nfd(QUESTION), search_text=""))
    db.session.execute(update(Conference).values(title_vi=nfd("Đối thoại Thủy Lợi")))
    db.session.commit()
    spec = importlib.util.spec_from_file_location("migration_0012", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration.BATCH = 1  # several batches, to check the paging by id
    connection = db.session.connection()
    for table in ("registration", "petition", "conference"):
        migration.normalize_table(connection, table)
    db.session.commit()
    db.session.expire_all()
    names = dict(db.session.execute(select(Registration.id, Registration.full_name)).all())
    folded = dict(db.session.execute(select(Registration.id, Registration.search_name)).all())
    assert names[people[1].id] == NAME and folded[people[1].id] == "nguyen thi thuy"
    assert folded[people[0].id] == "nguoi 0"
    assert db.session.get(Petition, petition.id).text == QUESTION
    assert db.session.get(Petition, petition.id).search_text == "duong len thuy loi hu hong"
    stored = db.session.get(Conference, conference.id)
    assert stored.title_vi == "Đối thoại Thủy Lợi" and stored.leaders == [{"name": NAME, "title": "Chủ tịch"}]
    # A second run finds nothing left to write.
    assert migration.normalize_table(db.session.connection(), "registration") == 0
