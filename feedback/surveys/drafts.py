"""Paged surveys: splitting a version into short pages, and the server-side draft between pages."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import bindparam, delete, exists, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.datastructures import MultiDict

from feedback.core.text import CONTROL_CHARS
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.answers import (
    HEADINGS,
    HONEYPOT_FIELD,
    SERVICE_FIELD,
    Evaluation,
    ParsedAnswer,
    evaluate,
    field_name,
    is_shown,
)
from feedback.surveys.models import Deployment, Question, QuestionType, SurveyDraft, UsedFormToken

if TYPE_CHECKING:
    from feedback.surveys.frozen import DeploymentLike

# A phone screen or two of questions: short enough not to scroll forever, few enough page loads.
MAX_QUESTIONS_PER_PAGE = 6
# Bounds on what a draft keeps of one field, so a bot cannot park megabytes in the table.
MAX_VALUE_LENGTH = 20_000
MAX_VALUES = 50

Page = list[Question]


def split_pages(questions: list[Question], per_page: int = MAX_QUESTIONS_PER_PAGE) -> list[Page]:
    """The version's items cut into pages. When the designer placed page breaks, the pages are
    theirs: each item marked `page_break` starts one, however many questions a page then holds.
    Otherwise each section starts a page, and a page holds at most `per_page` answerable
    questions (a longer section continues on the next page).

    Headings with no question after them stay with the page before, so no page is only headings
    unless the whole survey is.
    """
    by_designer = any(q.page_break for q in questions)
    pages: list[Page] = [[]]
    count = 0
    for question in questions:
        answerable = question.type not in HEADINGS
        if by_designer:
            breaks = question.page_break and bool(pages[-1])
        else:
            breaks = (question.type == QuestionType.SECTION and count) or (
                answerable and count >= per_page)
        if breaks:
            pages.append([])
            count = 0
        pages[-1].append(question)
        count += answerable
    if len(pages) > 1 and not any(q.type not in HEADINGS for q in pages[-1]):
        pages[-2].extend(pages.pop())
    return [page for page in pages if page]


def page_is_shown(page: Page, answers: dict) -> bool:
    """Whether a page has anything to ask, given the answers so far (all hidden: it is skipped)."""
    answerable = [q for q in page if q.type not in HEADINGS]
    return any(is_shown(q, answers) for q in (answerable or page))


def shown_pages(pages: list[Page], answers: dict[str, ParsedAnswer]) -> list[int]:
    """Indexes (0-based) of the pages a citizen with these answers (forms.evaluate) sees, in order."""
    return [i for i, page in enumerate(pages) if page_is_shown(page, answers)]


def counted_pages(pages: list[Page], answers: dict[str, ParsedAnswer], current: int) -> list[int]:
    """The pages to count in "Page n of N" while the citizen is on page `current`: those shown,
    plus later ones hinging on a question not answered yet on this page or after it (they may
    still come), so the total shrinks as answers rule pages out rather than grows. `answers` are
    the citizen's answers so far (forms.evaluate)."""
    page_of = {q.key: i for i, page in enumerate(pages) for q in page}

    def undecided(question: Question) -> bool:
        """Whether the question hinges on an answer the citizen may still give."""
        source = question.show_if.get("question") if isinstance(question.show_if, dict) else None
        return source not in answers and page_of.get(source, -1) >= current

    return [i for i, page in enumerate(pages)
            if page_is_shown(page, answers) or (i > current and any(undecided(q) for q in page))]


def as_multidict(stored: dict) -> MultiDict:
    """A draft's stored answers (field name → list of strings) as a submitted form."""
    return MultiDict([(name, value) for name, values in (stored or {}).items()
                      if isinstance(values, list) for value in values if isinstance(value, str)])


def _kept(form: MultiDict, name: str) -> list[str]:
    """The non-empty values sent for a field, bounded in number and length, without the control
    characters validation would drop anyway (PostgreSQL refuses NUL)."""
    values = (CONTROL_CHARS.sub("", v[:MAX_VALUE_LENGTH]) for v in form.getlist(name) if isinstance(v, str))
    return [v for v in values if v][:MAX_VALUES]


def merge_page(stored: dict, form: MultiDict, page: Page, *, with_service: bool) -> dict:
    """The draft's answers with this page's fields replaced by what was just sent.

    A field sent empty is removed (the citizen cleared it). A filled honeypot is remembered for the
    whole survey, since a bot may fill it on any page.
    """
    merged = dict(stored or {})
    names = [field_name(q) for q in page if q.type not in HEADINGS]
    if with_service:
        names.append(SERVICE_FIELD)
    for name in names:
        values = _kept(form, name)
        if values:
            merged[name] = values
        else:
            merged.pop(name, None)
    honeypot = _kept(form, HONEYPOT_FIELD)
    if honeypot:
        merged[HONEYPOT_FIELD] = honeypot[:1]
    return merged


def drop_hidden(stored: dict, questions: list[Question], evaluation: Evaluation | None = None) -> dict:
    """The answers without those to questions now hidden (an earlier answer changed): a hidden
    question's answer is never kept, not even in the draft. `evaluation` is forms.evaluate of
    `stored` when the caller has it already."""
    shown = (evaluation or evaluate(as_multidict(stored), questions)).shown
    known = {field_name(q): q.key for q in questions if q.type not in HEADINGS}
    return {name: values for name, values in stored.items()
            if name not in known or known[name] in shown}


def draft_max_age() -> timedelta:
    """How long an untouched draft is kept (setting SURVEY_DRAFT_MAX_AGE, in hours)."""
    return timedelta(hours=float(current_app.config["SURVEY_DRAFT_MAX_AGE"]))


# The draft table, read and written with prebuilt Core statements: the survey pages touch it on
# every request, and a plain row costs a fraction of what an ORM object does.
_DRAFT = SurveyDraft.__table__
_LOAD = select(_DRAFT).where(_DRAFT.c.id == bindparam("draft_id"))
_LATEST_FOR_CODE = (select(_DRAFT).where(_DRAFT.c.code_id == bindparam("code_id"))
                    .order_by(_DRAFT.c.updated_at.desc()).limit(1))
_INSERT = insert(_DRAFT)
_UPDATE = (update(_DRAFT).where(_DRAFT.c.id == bindparam("draft_id"))
           .values(answers=bindparam("answers"), page=bindparam("page"),
                   updated_at=bindparam("updated_at"), deployment_id=bindparam("deployment_id")))
_DELETE = delete(_DRAFT).where(_DRAFT.c.id == bindparam("draft_id"))


@dataclass
class Draft:
    """A citizen's unfinished answers as the survey pages hold them (a survey_draft row as plain
    data). `stored` is False for a draft made in this request, until save_draft inserts it."""

    id: str
    deployment_id: int
    code_id: int | None
    answers: dict
    page: int
    started_at: datetime
    updated_at: datetime
    nonce: str | None = None
    stored: bool = True


def create_draft(deployment: "DeploymentLike", *, nonce: str, started_at: datetime,
                 code_id: int | None = None, answers: dict | None = None, page: int = 1) -> Draft:
    """A new draft with a random, unguessable id, begun by the form token with `nonce`;
    save_draft stores it (one INSERT).

    `started_at` is when the token says the form was shown: it times a one-page survey, whose
    draft is never stored. A stored draft is timed from when the server stored it (save_draft).
    """
    now = utcnow()
    return Draft(id=secrets.token_urlsafe(32), deployment_id=deployment.id, code_id=code_id,
                 answers=answers or {}, page=page, started_at=min(started_at, now), updated_at=now,
                 nonce=nonce, stored=False)


# What secrets.token_urlsafe(32) gives; anything else in an address or a form names no draft.
_DRAFT_ID = re.compile(r"[A-Za-z0-9_-]{20,43}")


def is_draft_id(value) -> bool:
    """Whether `value` could name a draft (checked before it goes into a query)."""
    return isinstance(value, str) and _DRAFT_ID.fullmatch(value) is not None


def usable_draft(row, deployment: "DeploymentLike", code_id: int | None) -> Draft | None:
    """The draft in `row` (a survey_draft row, or a Draft) if it is live and belongs to this
    deployment and code, or carries over to this deployment; else None."""
    if row is None or row.code_id != code_id:
        return None
    if row.updated_at < utcnow() - draft_max_age():
        return None
    if row.deployment_id != deployment.id:
        earlier = db.session.get(Deployment, row.deployment_id)
        if earlier is None or earlier.agency_id != deployment.agency_id:
            return None
    return Draft(row.id, row.deployment_id, row.code_id, row.answers or {}, row.page, row.started_at,
                 row.updated_at, row.nonce or row.id)


def load_draft(draft_id, deployment: "DeploymentLike", *, code_id: int | None = None) -> Draft | None:
    """The live draft `draft_id` for this deployment (and code), or None when it is gone.

    A draft of an earlier deployment at the same agency is carried over to this one (the survey was
    redeployed while the citizen was typing): answers are kept by question key, and whatever no
    longer fits the new version is dropped by validation. A draft past its age is gone.
    """
    if not is_draft_id(draft_id):
        return None
    row = db.session.connection().execute(_LOAD, {"draft_id": draft_id}).first()
    return usable_draft(row, deployment, code_id)


def latest_draft_for_code(code_id: int, deployment: "DeploymentLike") -> Draft | None:
    """The most recently touched live draft of a one-time code (the citizen came back later)."""
    row = db.session.connection().execute(_LATEST_FOR_CODE, {"code_id": code_id}).first()
    return usable_draft(row, deployment, code_id)


def save_draft(draft: Draft, deployment: "DeploymentLike", answers: dict, page: int) -> bool:
    """Store a draft's answers and furthest page, moving it to `deployment` if it was redeployed;
    False if it was deleted meanwhile (sent from another tab). One statement, in the caller's
    transaction: an INSERT for a draft made in this request, else an UPDATE.

    The INSERT records now as the draft's start: from here on the citizen's time is measured
    from the server's own record, never from the token (which a client may keep and send again).
    """
    now = utcnow()
    draft.answers, draft.page, draft.deployment_id, draft.updated_at = answers, page, deployment.id, now
    connection = db.session.connection()
    if not draft.stored:
        draft.started_at = now
        connection.execute(_INSERT, {"id": draft.id, "deployment_id": draft.deployment_id,
                                     "code_id": draft.code_id, "answers": answers, "page": page,
                                     "started_at": now, "updated_at": now, "nonce": draft.nonce})
        draft.stored = True
        return True
    result = connection.execute(_UPDATE, {"draft_id": draft.id, "answers": answers, "page": page,
                                          "updated_at": now, "deployment_id": deployment.id})
    return result.rowcount == 1


def consume_draft(draft_id: str) -> bool:
    """Delete a draft as its response is stored, in the caller's transaction; False if another
    request consumed it first (a double click on "Send"), so one draft makes one response."""
    return db.session.connection().execute(_DELETE, {"draft_id": draft_id}).rowcount == 1


def _claim_statement(dialect: str):
    """INSERT … ON CONFLICT DO NOTHING of a used nonce, in the dialect's words."""
    module = postgresql if dialect == "postgresql" else sqlite
    return (module.insert(UsedFormToken)
            .values(nonce=bindparam("nonce"), used_at=bindparam("used_at"))
            .on_conflict_do_nothing(index_elements=["nonce"])
            # RETURNING says whether a row went in (psycopg reports no rowcount for this statement).
            .returning(UsedFormToken.nonce))


_CLAIM = {name: _claim_statement(name) for name in ("postgresql", "sqlite")}


def claim_nonce(nonce: str) -> bool:
    """Use up a form's nonce as its response is stored, in the caller's transaction; False if it
    was used already (a replayed token, or another draft the same form began).

    The primary key decides, not a read before the write: of two requests with the same nonce at
    once, the second waits for the first's transaction and inserts nothing if it committed."""
    statement = _CLAIM[db.engine.dialect.name]
    inserted = db.session.connection().execute(statement, {"nonce": nonce, "used_at": utcnow()})
    return inserted.first() is not None


def nonce_used(nonce: str | None) -> bool:
    """Whether a form's nonce has already given a response."""
    return nonce is not None and db.session.get(UsedFormToken, nonce) is not None


def purge_drafts(now: datetime | None = None) -> int:
    """Delete drafts not touched for SURVEY_DRAFT_MAX_AGE hours; returns how many. Caller commits."""
    cutoff = (now or utcnow()) - draft_max_age()
    result = db.session.execute(delete(SurveyDraft).where(SurveyDraft.updated_at < cutoff)
                                .execution_options(synchronize_session=False))
    return result.rowcount


def purge_used_nonces(now: datetime | None = None) -> int:
    """Delete the used nonces no valid token can carry any more; returns how many. Caller commits.

    A used nonce is kept while a draft still carries it (that draft's pages are still served with
    it) and for SURVEY_FORM_MAX_AGE seconds after its use (the last token carrying it stays valid
    that long). Drafts are purged only after SURVEY_DRAFT_MAX_AGE untouched, longer than a token
    lives, so the tokens of a purged draft have expired too.
    """
    cutoff = (now or utcnow()) - timedelta(seconds=int(current_app.config["SURVEY_FORM_MAX_AGE"]))
    result = db.session.execute(
        delete(UsedFormToken).where(UsedFormToken.used_at < cutoff,
                                    ~exists().where(SurveyDraft.nonce == UsedFormToken.nonce))
        .execution_options(synchronize_session=False))
    return result.rowcount
