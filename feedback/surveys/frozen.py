"""What the citizen survey reads, as plain data: published versions (kept per process) and the
live deployment of a request. This module starts the survey's hot path, explained here as a whole.

Why a second data model: the citizen survey is the busiest path of the site (a six-page survey is
13 requests a submission), and the ORM's per-request cost was most of its time. Measured with
bench/submissions.py on 2 cores (figures in bench/README.md): 7.5–8.8 submissions/s through the
ORM alone, 18–21/s after the first pass below, 23–27/s after the Core writes; a page GET went from
6 database round trips to 1, a page POST from 13 statements to BEGIN, one query, UPDATE, COMMIT.
The pieces, in the order a request meets them:

- Frozen copies (this module). A published version never changes (the designer edits drafts
  only, and publishing freezes them), so its questions are read once per process into frozen
  dataclasses (FrozenVersion, FrozenQuestion, with the same attributes as the rows, derived from
  the Question columns) and kept in a small per-process LRU (`Kept`), keyed by the version's id and
  the moment it was published: a database rebuilt with the same ids (tests, a restored backup)
  never serves an older copy. A version that is not published is read from the database each time.
  views.page_questions keeps, the same way, the HTML of pages nobody has typed into yet.
- The live deployment is one prebuilt Core query (services.live_survey_for), which also reads the
  draft named in the address; it is read fresh on every request (it may be paused at any time)
  into a LiveDeployment. `DeploymentLike` (below) is what the survey's reads and writes accept: a
  Deployment row (staff pages, seeding, tests) or that plain copy (the citizen pages).
- A GET runs without a transaction on PostgreSQL (views.read_only_unless_posted), and a POST keeps
  its rows loaded across commits (views.keep_rows_after_commit switches the session's
  expire_on_commit off): nothing is read twice within a request.
- Drafts are plain rows read and written with prebuilt Core statements (drafts.py); the response,
  its answers and scores are three Core INSERTs (services.store_response), not the unit of work.
- One form, one response: the last page claims its form's nonce (drafts.claim_nonce) with an
  INSERT that only the first of two concurrent requests can make, in the transaction that stores
  the response; a replayed form is stored flagged, and counted nowhere.

Anything on this path that needs a new attribute of a question gets it from the Question columns
(models.QUESTION_FIELDS); anything that changes a published version must change `published_at`,
or the per-process copies will not see it.
"""

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, make_dataclass
from datetime import datetime
from typing import get_args

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from feedback.core.i18n import BilingualName
from feedback.extensions import db
from feedback.surveys.drafts import Page, split_pages
from feedback.surveys.models import (
    QUESTION_FIELDS,
    AccessMode,
    Deployment,
    Question,
    QuestionTexts,
    SurveyVersion,
    VersionTexts,
    question_values,
)

# Versions live at once across a province are few; this bounds the memory all the same.
CACHE_SIZE = 64


# What a frozen question holds: its id and place, and every field of a question (QUESTION_FIELDS).
_FROZEN_QUESTION_FIELDS = ("id", "position", *QUESTION_FIELDS)


def _copy_question(cls, question: Question) -> "FrozenQuestion":
    """A copy of `question` that shares nothing with the session's row."""
    return cls(**question_values(question, _FROZEN_QUESTION_FIELDS))


# A question of a published version, read once: the same attributes as a Question row, derived
# from its columns so that a new column needs no edit here.
FrozenQuestion = make_dataclass(
    "FrozenQuestion",
    [(name, get_args(Question.__annotations__[name])[0]) for name in _FROZEN_QUESTION_FIELDS],
    bases=(QuestionTexts,), frozen=True, eq=False,
    namespace={"of": classmethod(_copy_question), "__module__": __name__,
               "__doc__": "A question of a published version, read once: the same attributes as "
                          "a Question row."},
)


@dataclass(frozen=True, eq=False)
class FrozenVersion(VersionTexts):
    """A published version with its questions and pages: what the citizen survey reads."""

    id: int
    survey_id: int
    number: int
    title_vi: str
    title_en: str
    intro_vi: str
    intro_en: str
    dimension_weights: dict
    published_at: datetime | None
    questions: tuple[FrozenQuestion, ...]
    pages: tuple[Page, ...] = field(init=False)

    def __post_init__(self):
        # The version cut into pages once (at least one page, even for an empty version).
        object.__setattr__(self, "pages", tuple(split_pages(list(self.questions)) or [[]]))

    @classmethod
    def of(cls, version: SurveyVersion) -> "FrozenVersion":
        """A copy of `version` and its questions that shares nothing with the session's rows."""
        return cls(id=version.id, survey_id=version.survey_id, number=version.number,
                   title_vi=version.title_vi, title_en=version.title_en or "",
                   intro_vi=version.intro_vi or "", intro_en=version.intro_en or "",
                   dimension_weights=copy.deepcopy(version.dimension_weights or {}),
                   published_at=version.published_at,
                   questions=tuple(FrozenQuestion.of(q) for q in version.questions))


class Kept:
    """A bounded map kept per process (least recently used first out), safe across threads."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The value kept under `key`, or None."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key, value) -> None:
        """Keep `value` under `key`, forgetting the least recently used beyond the size."""
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_versions = Kept(CACHE_SIZE)


def _load(version_id: int) -> FrozenVersion | None:
    """Read a version and its questions from the database."""
    version = db.session.scalar(select(SurveyVersion).where(SurveyVersion.id == version_id)
                                .options(selectinload(SurveyVersion.questions)))
    return FrozenVersion.of(version) if version is not None else None


def frozen_version(version_id: int, published_at: datetime | None) -> FrozenVersion | None:
    """The version `version_id`, published at `published_at` (None: not published, not cached)."""
    if published_at is None:
        return _load(version_id)
    key = (version_id, published_at)
    found = _versions.get(key)
    if found is not None:
        return found
    loaded = _load(version_id)
    if loaded is None or loaded.published_at != published_at:
        return loaded  # changed under us: serve what the database says, keep nothing
    _versions.put(key, loaded)
    return loaded


@dataclass(frozen=True)
class AgencyName(BilingualName):
    """The agency a survey is deployed at, as its pages show it."""

    id: int
    code: str
    name_vi: str
    name_en: str
    active: bool = True


@dataclass(frozen=True)
class LiveDeployment:
    """A deployment as one request of the citizen survey reads it (the same attributes as the row
    for what the survey needs); read fresh on every request, since it may be paused at any time."""

    id: int
    version_id: int
    agency_id: int
    access_mode: AccessMode
    services: list
    agency: AgencyName

    @classmethod
    def of(cls, deployment: Deployment) -> "LiveDeployment":
        """A plain copy of a deployment row and its agency."""
        agency = deployment.agency
        return cls(deployment.id, deployment.version_id, deployment.agency_id,
                   AccessMode(deployment.access_mode), deployment.services or [],
                   AgencyName(agency.id, agency.code, agency.name_vi, agency.name_en or "",
                              agency.active))


# What the survey's reads and writes accept: a deployment row, or the plain copy a request holds.
DeploymentLike = Deployment | LiveDeployment
