"""Shared helpers for the survey tests: the deployed default survey, a filled-in form, and a
small synthetic questionnaire using every question type."""

import html as htmllib
import re
from pathlib import Path

from babel.messages.pofile import read_po

from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.models import Question, QuestionType, Survey, SurveyVersion, VersionStatus
from feedback.surveys.services import deploy, load_default_survey

ROOT = Path(__file__).resolve().parents[2]
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')


def deploy_default(agency, **kwargs) -> SurveyVersion:
    """Load the default survey, deploy it at `agency`, commit; returns the version."""
    version = load_default_survey()
    deploy(version, agency, **kwargs)
    db.session.commit()
    return version


def form_token(html: str) -> str:
    """The survey form token embedded in a page."""
    match = TOKEN_RE.search(html)
    assert match, "no form token on the page"
    return match.group(1)


def likert_keys(version: SurveyVersion) -> list[str]:
    """Keys of the version's Likert questions, in order."""
    return [q.key for q in version.questions if q.type == QuestionType.LIKERT5]


def q(key, kind, **fields) -> Question:
    """A transient question."""
    return Question(key=key, type=kind, text_vi=key, text_en=key, **fields)


def questions() -> list[Question]:
    """A small synthetic version using every type and a chain of show-if conditions."""
    return [
        q("intro", QuestionType.SECTION),
        q("visited", QuestionType.YESNO, required=True),
        q("why_not", QuestionType.SHORT_TEXT, required=True,
          show_if={"question": "visited", "op": "equals", "value": "no"}),
        q("rating", QuestionType.LIKERT5, required=True, allow_na=True,
          show_if={"question": "visited", "op": "equals", "value": "yes"}),
        q("what_went_wrong", QuestionType.MULTIPLE, options={"max_choices": 2, "choices": [
            {"value": "slow", "label_vi": "Chậm", "label_en": "Slow"},
            {"value": "rude", "label_vi": "Thiếu lịch sự", "label_en": "Rude"},
            {"value": "fees", "label_vi": "Phí", "label_en": "Fees"}]},
          show_if={"question": "rating", "op": "in", "value": [1, 2]}),
        q("detail", QuestionType.LONG_TEXT, options={"max_length": 10},
          show_if={"question": "what_went_wrong", "op": "answered"}),
        q("channel", QuestionType.SINGLE, options={"choices": [
            {"value": "counter", "label_vi": "Quầy"}, {"value": "online", "label_vi": "Trực tuyến"}]}),
        q("recommend", QuestionType.RATING10),
        q("waited", QuestionType.NUMBER, options={"min": 0, "max": 600}),
        q("visit_date", QuestionType.DATE),
    ]


# --- walking through a paged survey with the test client -------------------------------------

ACTION_RE = re.compile(r'<form method="post" action="([^"]+)"')
PAGE_RE = re.compile(r'name="page" value="(\d+)"')
FIELD_RE = re.compile(r'name="(q-[^"]+)"')
PROGRESS_RE = re.compile(r'<progress class="survey-progress" max="\d+" value="\d+" aria-label="([^"]+)"')


# --- walking through a paged survey with the test client -------------------------------------

def action(html: str) -> str:
    """Where the page's form posts."""
    return htmllib.unescape(ACTION_RE.search(html).group(1))


def page_number(html: str) -> int:
    """The page number the form says it is (1-based, among all pages)."""
    return int(PAGE_RE.search(html).group(1))


def progress(html: str) -> str | None:
    """The "Page n of N" text, if the survey has several pages."""
    match = PROGRESS_RE.search(html)
    return match.group(1) if match else None


def fields(html: str) -> list[str]:
    """Question keys with inputs on the page, in order."""
    return list(dict.fromkeys(name[2:] for name in FIELD_RE.findall(html)))


def page_data(html: str, answers: dict, nav: str = "next", **extra) -> dict:
    """The form data a citizen sends from this page: the answers to the questions on it."""
    data = {"token": form_token(html), "page": str(page_number(html)), "nav": nav, "website": ""}
    for key in fields(html):
        if answers.get(key) is not None:
            data[f"q-{key}"] = answers[key]
    data.update(extra)
    return data


def send_page(client, html: str, answers: dict, nav: str = "next", **extra):
    """Post this page (Next or Back) to where its form points."""
    return client.post(action(html), data=page_data(html, answers, nav, **extra))


def walk(client, path: str, answers: dict, *, max_pages: int = 20, **extra):
    """Open `path` and press Next on every page with `answers` until something other than the
    next page comes back (the thanks redirect, or a page with errors); returns (response, pages
    seen as (progress, keys))."""
    page = client.get(path)
    seen = []
    for _ in range(max_pages):
        html = page.get_data(as_text=True)
        seen.append((progress(html), fields(html)))
        sent = send_page(client, html, answers, **extra)
        if sent.status_code != 303 or "d=" not in sent.headers["Location"]:
            return sent, seen
        page = client.get(sent.headers["Location"])
        assert page.status_code == 200, page.status_code
    raise AssertionError("the survey never ended")


def all_fours(version, **overrides) -> dict:
    """Every Likert question answered 4, with `overrides` (None leaves a question out)."""
    answers = {key: "4" for key in likert_keys(version)}
    answers.update(overrides)
    return answers


def vietnamese(msgid: str) -> str | None:
    """The Vietnamese catalog's translation of `msgid`, if it has one yet."""
    with open(ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po", "rb") as po:
        message = read_po(po, locale="vi").get(msgid)
    return message.string if message is not None and message.string else None


def page_of(n: int, total: int) -> str:
    """The progress text a Vietnamese page shows ("Trang 2/6" once translated)."""
    return (vietnamese("Page %(n)s of %(total)s") or "Page %(n)s of %(total)s") % {"n": n, "total": total}


def deploy_one_page(agency) -> SurveyVersion:
    """A published one-page survey (a single required Likert question) live at `agency`: the
    citizen's first POST is also the last, so no draft is stored before the response."""
    version = SurveyVersion(survey=Survey(key="one-page"), number=1, status=VersionStatus.PUBLISHED,
                            published_at=utcnow(), title_vi="Một trang", title_en="One page")
    version.questions.append(Question(position=0, key="overall", type=QuestionType.LIKERT5,
                                      text_vi="Hài lòng?", text_en="Satisfied?", required=True,
                                      allow_na=False, options={}))
    db.session.add(version)
    deploy(version, agency)
    db.session.commit()
    return version
