"""Reads and writes for surveys: finding the live deployment, storing a scored response."""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import bindparam, insert, or_, select
from sqlalchemy.orm import joinedload

from feedback.agencies.models import Agency
from feedback.agencies.services import find_agency
from feedback.audit.services import record
from feedback.core.events import response_stored
from feedback.core.hashing import daily_hash
from feedback.core.text import fold_for_search
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.answers import ParsedAnswer
from feedback.surveys.codes import day_start, live_deployments
from feedback.surveys.drafts import Draft, is_draft_id
from feedback.surveys.frozen import AgencyName, DeploymentLike, FrozenVersion, LiveDeployment, frozen_version
from feedback.surveys.models import (
    QUESTION_FIELDS,
    SHORT_LABEL_FIELDS,
    AccessMode,
    Answer,
    Deployment,
    DeploymentStatus,
    Question,
    QuestionType,
    Response,
    ResponseScore,
    Survey,
    SurveyDraft,
    SurveyVersion,
    VersionStatus,
    question_values,
)

DEFAULT_SURVEY_FILE = Path(__file__).resolve().parent / "data" / "sipas.json"
DEFAULT_SURVEY_KEY = "sipas"


def open_survey_agencies() -> list[Agency]:
    """Active agencies with a live open-link survey, in tree order (for the home page)."""
    live = live_deployments().where(Deployment.access_mode == AccessMode.OPEN).subquery()
    return list(db.session.scalars(
        select(Agency).join(live, live.c.agency_id == Agency.id)
        .where(Agency.active.is_(True)).order_by(Agency.path).distinct()
    ))


def default_survey_version() -> SurveyVersion | None:
    """The newest published version of the built-in questionnaire, if it has been loaded."""
    return db.session.scalar(
        select(SurveyVersion).join(Survey).where(Survey.key == DEFAULT_SURVEY_KEY,
                                                 SurveyVersion.status == VersionStatus.PUBLISHED)
        .order_by(SurveyVersion.number.desc()).limit(1)
    )


def load_default_survey() -> SurveyVersion:
    """The SIPAS questionnaire's newest published version, as its JSON file describes it.

    The first call creates version 1; when the file changed since the newest version was
    published (new page breaks, a reworded question), the file is published as the next
    version, which new deployments then offer. Otherwise the existing version is returned. The
    caller commits.
    """
    data = json.loads(DEFAULT_SURVEY_FILE.read_text(encoding="utf-8"))
    fresh = SurveyVersion(
        status=VersionStatus.PUBLISHED, title_vi=data["title_vi"], title_en=data["title_en"],
        intro_vi=data["intro_vi"], intro_en=data["intro_en"],
        dimension_weights=data.get("dimension_weights") or {},
    )
    for position, item in enumerate(data["questions"]):
        fields = {name: item[name] for name in QUESTION_FIELDS if name in item}
        fields["type"] = QuestionType(fields["type"])
        fields.setdefault("options", {})
        fresh.questions.append(Question(position=position, **fields))
    existing = default_survey_version()
    if existing is not None and _same_content(existing, fresh):
        _take_short_labels(existing, fresh)
        return existing
    survey = existing.survey if existing is not None else db.session.scalar(
        select(Survey).where(Survey.key == data["key"]))
    if survey is None:
        survey = Survey(key=data["key"])
        db.session.add(survey)
    fresh.number = max((v.number for v in survey.versions), default=0) + 1
    fresh.published_at = utcnow()
    fresh.survey = survey
    db.session.add(fresh)
    db.session.flush()
    record("survey.publish", fresh, survey=survey.key, number=fresh.number, source="default")
    return fresh


def _same_content(one: SurveyVersion, other: SurveyVersion) -> bool:
    """Whether two versions ask the same things the same way (texts, questions, page breaks);
    short labels are not part of what citizens are asked."""
    texts = ("title_vi", "title_en", "intro_vi", "intro_en")
    asked = tuple(name for name in QUESTION_FIELDS if name not in SHORT_LABEL_FIELDS)
    return ([getattr(one, t) for t in texts] == [getattr(other, t) for t in texts]
            and [question_values(q, asked) for q in one.questions]
            == [question_values(q, asked) for q in other.questions])


def _take_short_labels(version: SurveyVersion, source: SurveyVersion) -> None:
    """Give a published `version` the short labels of `source` (the same questions), in place: they
    only name questions in the dashboards, so new ones need no new version."""
    for question, new in zip(version.questions, source.questions, strict=True):
        for name in SHORT_LABEL_FIELDS:
            if getattr(question, name) != getattr(new, name):
                setattr(question, name, getattr(new, name))


def deploy(version: SurveyVersion, agency: Agency, *, subtree: bool = False,
           access_mode: AccessMode = AccessMode.OPEN, starts_at: datetime | None = None,
           ends_at: datetime | None = None, actor=None) -> list[Deployment]:
    """Offer a published `version` at `agency` (or at every active agency of its subtree).

    Any other active or paused deployment at those agencies ends now, so an agency has one
    survey at a time and a paused one cannot be resumed beside it. The caller commits.
    """
    if version.status != VersionStatus.PUBLISHED:
        raise ValueError("only a published survey version can be deployed")
    now = utcnow()
    starts_at = starts_at or now
    if ends_at is not None and ends_at <= starts_at:
        raise ValueError("a deployment must end after it starts")
    if subtree:
        agencies = list(db.session.scalars(
            select(Agency).where(Agency.in_subtree(agency.path), Agency.active.is_(True))
            .order_by(Agency.path)
        ))
    else:
        agencies = [agency] if agency.active else []
    if not agencies:
        raise ValueError(f"agency {agency.code} is not active")

    ids = [a.id for a in agencies]
    earlier = db.session.scalars(select(Deployment).where(
        Deployment.agency_id.in_(ids),
        Deployment.status.in_([DeploymentStatus.ACTIVE, DeploymentStatus.PAUSED]),
    ))
    ended = []
    for deployment in earlier:
        deployment.status = DeploymentStatus.ENDED
        # An end date already past is the true end; do not move it forward.
        if deployment.ends_at is None or deployment.ends_at > now:
            deployment.ends_at = now
        ended.append(deployment.id)

    deployments = [
        Deployment(version=version, agency=a, access_mode=access_mode, status=DeploymentStatus.ACTIVE,
                   starts_at=starts_at, ends_at=ends_at, created_by_id=getattr(actor, "id", None))
        for a in agencies
    ]
    db.session.add_all(deployments)
    db.session.flush()
    record("survey.deploy", version, actor=actor, agencies=[a.code for a in agencies],
           deployments=[d.id for d in deployments], ended=ended, subtree=subtree,
           access_mode=access_mode.value)
    return deployments


_NOW = bindparam("now")
# The newest live open-link deployment at an active agency, picked by agency code or id, with what
# the survey pages need. Built once: it runs on every page of the citizen survey.
_LIVE_OPEN = (
    select(Deployment.id, Deployment.version_id, Deployment.agency_id, Deployment.access_mode,
           Deployment.services, Agency.code, Agency.name_vi, Agency.name_en,
           SurveyVersion.published_at)
    .join(Agency, Agency.id == Deployment.agency_id)
    .join(SurveyVersion, SurveyVersion.id == Deployment.version_id)
    .where(Deployment.status == DeploymentStatus.ACTIVE, Deployment.starts_at <= _NOW,
           or_(Deployment.ends_at.is_(None), Deployment.ends_at > _NOW),
           Agency.active.is_(True), Deployment.access_mode == AccessMode.OPEN)
    .order_by(Deployment.starts_at.desc(), Deployment.id.desc()).limit(1)
)
_LIVE_AT_CODE = _LIVE_OPEN.where(Agency.code == bindparam("code"))
_LIVE_AT_AGENCY = _LIVE_OPEN.where(Agency.id == bindparam("agency_id"))
# The same with the draft named in the address, if it exists: the next page of a survey in one query.
_DRAFT = SurveyDraft.__table__
_LIVE_AT_CODE_WITH_DRAFT = (_LIVE_AT_CODE.add_columns(*_DRAFT.c)
                            .outerjoin(_DRAFT, _DRAFT.c.id == bindparam("draft_id")))
_LIVE_COLUMNS = len(_LIVE_OPEN.selected_columns)


@dataclass
class LiveSurvey:
    """What every page of the citizen survey starts from: the live deployment at an agency, its
    version, and the draft named in the address (`draft_id`) as read with them, if it exists."""

    deployment: LiveDeployment
    version: FrozenVersion
    draft_id: str | None = None
    draft: Draft | None = None


def _live_at_code(agency_code: str, draft_id: str | None = None
                  ) -> tuple[LiveDeployment, datetime | None, Draft | None] | None:
    """The live open-link deployment at the active agency with this code (any letter case), when
    its version was published, and the draft `draft_id` if it exists (whoever's it is: the caller
    checks). The usual case (the code as stored, from a QR code's link) is one query; a code typed
    in another case costs one more, and the draft is then not read."""
    connection = db.session.connection()
    now = utcnow()
    if draft_id is None:
        row = connection.execute(_LIVE_AT_CODE, {"now": now, "code": agency_code}).first()
    else:
        row = connection.execute(_LIVE_AT_CODE_WITH_DRAFT,
                                 {"now": now, "code": agency_code, "draft_id": draft_id}).first()
    if row is None:
        agency = find_agency(agency_code)
        if agency is None or agency.code == agency_code:
            return None
        row = connection.execute(_LIVE_AT_AGENCY, {"now": now, "agency_id": agency.id}).first()
        if row is None:
            return None
    (deployment_id, version_id, agency_id, access_mode, services, code, name_vi, name_en,
     published_at) = row[:_LIVE_COLUMNS]
    drafted = dict(zip(_DRAFT.c.keys(), row[_LIVE_COLUMNS:], strict=False))
    draft = Draft(**drafted) if drafted.get("id") is not None else None
    return (LiveDeployment(deployment_id, version_id, agency_id, AccessMode(access_mode), services or [],
                           AgencyName(agency_id, code, name_vi, name_en or "")), published_at, draft)


def live_deployment_for(agency_code: str) -> Deployment | None:
    """The live open-link deployment row at the active agency with this code (any letter case)."""
    found = _live_at_code(agency_code)
    return db.session.get(Deployment, found[0].id) if found is not None else None


def live_survey_for(agency_code: str, draft_id: str | None = None) -> LiveSurvey | None:
    """The live open-link deployment at the active agency with this code (any letter case) and its
    version, as plain data, with the draft `draft_id` (when it is one) read in the same query."""
    if not is_draft_id(draft_id):
        draft_id = None
    found = _live_at_code(agency_code, draft_id)
    if found is None:
        return None
    deployment, published_at, draft = found
    version = frozen_version(deployment.version_id, published_at)
    if version is None:
        return None
    return LiveSurvey(deployment, version, draft_id, draft)


def code_deployment(code) -> tuple[LiveDeployment, FrozenVersion, bool]:
    """A one-time code's deployment and its version, as plain data, and whether it is live now."""
    deployment, published_at = db.session.execute(
        select(Deployment, SurveyVersion.published_at).join(Deployment.version)
        .where(Deployment.id == code.deployment_id).options(joinedload(Deployment.agency))
    ).one()
    live = db.session.scalar(
        live_deployments().with_only_columns(Deployment.id).where(Deployment.id == code.deployment_id)
    ) is not None
    version = frozen_version(deployment.version_id, published_at)
    return LiveDeployment.of(deployment), version, live and deployment.agency.active


def score_response(version: SurveyVersion, answers: Iterable) -> list[ResponseScore]:
    """One score per dimension: the share of the response's valid Likert answers that are 4 or 5.

    "Not applicable" is left out of the denominator; a dimension with no valid answer gets no row,
    so it does not pull the dimension's rate down. `answers` are Answer rows (or alike).
    """
    dimension_of = {q.key: q.dimension for q in version.questions
                    if q.type == QuestionType.LIKERT5 and q.dimension}
    tally: dict[str, list[int]] = {}
    for dimension in dimension_of.values():
        tally.setdefault(dimension, [0, 0])
    for answer in answers:
        dimension = dimension_of.get(answer.question_key)
        if dimension is None or answer.not_applicable or answer.number is None:
            continue
        tally[dimension][1] += 1
        if answer.number >= 4:
            tally[dimension][0] += 1
    return [
        ResponseScore(dimension=dimension, score=positive / valid, valid_answers=valid,
                      weight=version.weight(dimension))
        for dimension, (positive, valid) in tally.items() if valid
    ]


def client_hash(ip: str, user_agent: str, *, day: date | None = None) -> str:
    """A hash of the client (address and browser) that changes every UTC day; the raw address is
    never stored (the salting is core.hashing's, shared with the audit log)."""
    return daily_hash(ip, user_agent, day=day)


def address_hash(ip: str, *, day: date | None = None) -> str:
    """A hash of the address alone, with the same daily salt: counts what one address sends
    whichever browser it claims to be."""
    return daily_hash(ip, day=day)


FREE_TEXT_TYPES = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)


def free_text_keys(version: SurveyVersion) -> set[str]:
    """Keys of the version's free-text questions, whose answers are folded for the comments search."""
    return {q.key for q in version.questions if q.type in FREE_TEXT_TYPES}


@dataclass
class NewAnswer:
    """An answer about to be stored: the columns of its row (what the summary and scoring read)."""

    question_key: str
    number: float | None
    text: str | None
    choices: list | None
    not_applicable: bool
    search_text: str | None


@dataclass
class NewResponse:
    """A response about to be stored, with its answers and scores, as the summary reads it."""

    version_id: int
    agency_id: int
    channel: AccessMode
    service: str | None
    submitted_at: datetime
    excluded: bool
    answers: list[NewAnswer]
    scores: list[ResponseScore]


# Prebuilt: they run for every response sent.
_INSERT_RESPONSE = insert(Response.__table__).returning(Response.__table__.c.id)
_INSERT_ANSWERS = insert(Answer.__table__)
_INSERT_SCORES = insert(ResponseScore.__table__)


def store_response(deployment: DeploymentLike, answers: Mapping[str, ParsedAnswer], *, locale: str,
                   started_at: datetime | None, flags: int, client_hash: str | None,
                   service: str | None = None, channel: AccessMode | None = None,
                   version: SurveyVersion | FrozenVersion | None = None,
                   address_hash: str | None = None) -> int:
    """Insert a response with its answers and dimension scores; returns its id. The caller commits.

    `channel` is how the citizen came (a one-time code may also open an open-link deployment);
    by default the deployment's access mode. `version` is the deployment's version when the caller
    holds it already (the survey pages hold it frozen), so it is not read again. A flagged response
    is stored all the same, marked excluded, so it can be reviewed. A counted one is added to the
    dashboards' summary in the same transaction (the `response_stored` event). Three INSERTs through
    Core (the survey's busiest write: no ORM objects to track), then the summary upserts.
    """
    version = version or deployment.version
    channel = AccessMode(channel or deployment.access_mode)
    submitted_at = utcnow()
    if channel == AccessMode.CODE:
        # A code-verified response keeps no time finer than its code's day (docs/security.md).
        submitted_at, started_at = day_start(submitted_at), None
    free_text = free_text_keys(version)
    given = [NewAnswer(key, a.number, a.text, a.choices, a.not_applicable,
                       fold_for_search(a.text) if key in free_text else None)
             for key, a in answers.items()]
    new = NewResponse(
        version_id=deployment.version_id, agency_id=deployment.agency_id,
        channel=channel, service=service,
        submitted_at=submitted_at, excluded=int(flags) != 0,
        answers=given, scores=score_response(version, given),
    )
    connection = db.session.connection()
    response_id = connection.execute(_INSERT_RESPONSE, {
        "version_id": new.version_id, "deployment_id": deployment.id, "agency_id": new.agency_id,
        "service": service, "channel": new.channel, "locale": locale, "started_at": started_at,
        "submitted_at": new.submitted_at, "flags": int(flags), "excluded": new.excluded,
        "client_hash": client_hash, "address_hash": address_hash,
    }).scalar_one()
    if new.answers:
        connection.execute(_INSERT_ANSWERS, [{"response_id": response_id, **vars(a)} for a in new.answers])
    if new.scores:
        connection.execute(_INSERT_SCORES, [
            {"response_id": response_id, "dimension": s.dimension, "score": s.score, "weight": s.weight,
             "valid_answers": s.valid_answers} for s in new.scores])
    response_stored.send(responses=[new], version=version)
    return response_id


def submit_response(deployment: DeploymentLike, answers: Mapping[str, ParsedAnswer], *, locale: str,
                    started_at: datetime | None, flags: int, client_hash: str | None,
                    service: str | None = None, channel: AccessMode | None = None,
                    version: SurveyVersion | FrozenVersion | None = None) -> Response:
    """store_response, returning the stored response as a row of the session (for callers that go
    on working with it: seeding, imports, tests)."""
    response_id = store_response(deployment, answers, locale=locale, started_at=started_at, flags=flags,
                                 client_hash=client_hash, service=service, channel=channel,
                                 version=version)
    return db.session.get(Response, response_id)
