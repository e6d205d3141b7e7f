"""Published versions read once per process (surveys/frozen.py): never a stale survey on screen."""

import re
from datetime import timedelta

from sqlalchemy import update

from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.drafts import split_pages
from feedback.surveys.frozen import FrozenVersion
from feedback.surveys.models import QuestionType, Survey, SurveyVersion, VersionStatus
from feedback.surveys.services import deploy
from tests.surveys.helpers import q


def _publish(key: str, title: str, items) -> SurveyVersion:
    """A published version titled `title` made of `items`."""
    version = SurveyVersion(survey=Survey(key=key), number=1, status=VersionStatus.PUBLISHED,
                            published_at=utcnow(), title_vi=title, title_en=title)
    for position, item in enumerate(items):
        item.position = position
        item.options = item.options or {}
        version.questions.append(item)
    db.session.add(version)
    db.session.flush()
    return version


def test_a_new_deployment_is_on_screen_at_once(app, client, tree):
    first = _publish("first", "Khảo sát thứ nhất", [q("a", QuestionType.LIKERT5, required=True)])
    deploy(first, tree.dept_a)
    db.session.commit()
    assert "Khảo sát thứ nhất" in client.get("/s/A").get_data(as_text=True)

    second = _publish("second", "Khảo sát thứ hai", [q("b", QuestionType.YESNO, required=True)])
    deploy(second, tree.dept_a)
    db.session.commit()
    page = client.get("/s/A").get_data(as_text=True)
    assert "Khảo sát thứ hai" in page and 'name="q-b"' in page
    assert "Khảo sát thứ nhất" not in page and 'name="q-a"' not in page


def test_a_version_published_again_under_the_same_id_is_read_again(app, client, tree):
    """A database restored or rebuilt reuses ids: the copy in memory must not outlive it."""
    version = _publish("same", "Bản cũ", [q("a", QuestionType.LIKERT5, required=True)])
    deploy(version, tree.dept_a)
    db.session.commit()
    assert "Bản cũ" in client.get("/s/A").get_data(as_text=True)

    db.session.execute(update(SurveyVersion).where(SurveyVersion.id == version.id).values(
        title_vi="Bản mới", published_at=version.published_at + timedelta(seconds=1)))
    db.session.commit()
    page = client.get("/s/A").get_data(as_text=True)
    assert "Bản mới" in page and "Bản cũ" not in page


def test_the_frozen_copy_says_what_the_rows_say(app):
    version = _publish("copy", "Bản sao", [
        q("s", QuestionType.SECTION),
        q("a", QuestionType.LIKERT5, required=True, allow_na=True, dimension="access",
          help_vi="Gợi ý", help_en="Hint"),
        q("c", QuestionType.SINGLE, options={"choices": [{"value": "x", "label_vi": "X"}]},
          show_if={"question": "a", "op": "in", "value": [1, 2]}),
    ])
    version.dimension_weights = {"access": 2}
    frozen = FrozenVersion.of(version)
    assert frozen.title("en") == version.title("en") and frozen.weight("access") == 2.0
    assert [(f.key, f.type, f.required, f.allow_na, f.dimension, f.options, f.show_if, f.help("en"))
            for f in frozen.questions] == [
        (r.key, r.type, bool(r.required), bool(r.allow_na), r.dimension, r.options, r.show_if,
         r.help("en")) for r in version.questions]
    assert [[f.key for f in page] for page in frozen.pages] == [
        [r.key for r in page] for page in split_pages(list(version.questions))]
    # Changing the row afterwards (a draft being edited in the same session) leaves the copy alone.
    version.questions[2].options["choices"].append({"value": "y", "label_vi": "Y"})
    assert len(frozen.questions[2].options["choices"]) == 1


def _questions_part(html: str) -> str:
    """The questions of a survey page: from the first question to the buttons."""
    start = html.index('<fieldset class="question')
    return html[start:html.index('<div class="survey-nav">', start)]


def test_a_blank_page_drawn_once_reads_the_same_and_answers_are_never_taken_from_it(app, tree):
    """Pages nobody has typed into are drawn once and kept (views.page_questions): the kept copy is
    the page as drawn, in the reader's language, and a page with answers or errors is drawn anew."""
    version = _publish("kept", "Khảo sát", [
        q("a", QuestionType.LIKERT5, required=True),
        q("b", QuestionType.YESNO, required=True),
    ])
    version.questions[1].text_en = "Did you wait?"
    deploy(version, tree.dept_a)
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    drawn = first.get("/s/A?lang=vi").get_data(as_text=True)
    kept = second.get("/s/A?lang=vi").get_data(as_text=True)
    assert _questions_part(kept) == _questions_part(drawn)
    english = second.get("/s/A?lang=en").get_data(as_text=True)
    assert "Did you wait?" in english and "Did you wait?" not in drawn

    # Send the page with one answer missing: the error page keeps the answer given.
    token = re.search(r'name="token" value="([^"]+)"', kept).group(1)
    sent = second.post("/s/A?lang=en", data={"token": token, "page": "1", "nav": "next", "q-a": "2"})
    assert sent.status_code == 422
    page = sent.get_data(as_text=True)
    assert re.search(r'value="2" checked', page) and "Please answer this question." in page
    # And the next citizen still gets the blank page.
    assert "checked" not in _questions_part(app.test_client().get("/s/A?lang=en").get_data(as_text=True))
