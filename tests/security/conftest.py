"""A world for the security tests: the same objects in department A and in department B, their free
texts carrying hostile payloads, and helpers to walk every route of the url_map."""

import itertools
import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from werkzeug.routing import AnyConverter

from feedback.accounts.models import Role
from feedback.accounts.services import grant_role
from feedback.agencies.models import Agency
from feedback.agencies.procedures import Procedure
from feedback.api.services import create_key
from feedback.core.codes import new_unique_code
from feedback.dialogues.models import (
    ConferenceMode,
    ConferenceStatus,
    PetitionAction,
    PetitionSource,
    PetitionStatus,
    Registration,
    RegistrationStatus,
    Topic,
)
from feedback.dialogues.petitions.services import create_petition, record_event
from feedback.dialogues.topics import load_default_topics
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys import codes as survey_codes
from feedback.surveys.manage.operations import create_survey
from feedback.surveys.models import Deployment
from feedback.surveys.services import submit_response
from tests.conftest import AuthActions, csrf_token
from tests.dialogues.helpers import make_conference
from tests.factories import make_user
from tests.surveys.helpers import deploy_default, likert_keys

# Every free text carries these; none may reach a page unescaped.
XSS = '<script>alert(1)</script>"><img src=x onerror=alert(1)>{{7*7}}'
JS_URL = "javascript:alert(1)"
# Spreadsheet formulas typed as text: exports must keep them as text.
FORMULAS = ('=HYPERLINK("http://evil.example","x")', "+1+1", "-1+1", "@SUM(1)")
RAW_MARKERS = ("<script>alert(1)</script>", "<img src=x onerror", 'href="javascript:', "href='javascript:")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@dataclass
class Side:
    """The objects one department owns, and the marker its free texts start with."""

    agency: Agency
    marker: str
    ids: dict = field(default_factory=dict)


@dataclass
class World:
    """Department A's and department B's objects, and a staff member who works only over A."""

    tree: object
    a: Side
    b: Side
    staff_a_email: str = "staff.a@example.vn"


def hostile(marker: str, limit: int = 300) -> str:
    """A free text: the department's marker, then every XSS payload (cut to `limit`)."""
    return f"{marker} {XSS}"[:limit]


def _build_side(agency: Agency, marker: str, topic: Topic, staff) -> Side:
    """Conferences, registrations, petitions, a survey, a response, a code batch and an API key of
    `agency`, their texts hostile."""
    side = Side(agency, marker)
    now = utcnow()
    words = hostile(marker)
    conference = make_conference(
        agency, title_vi=hostile(marker), title_en=hostile(marker), description_vi=words,
        description_en=words, venue=hostile(marker), online_url=JS_URL, mode=ConferenceMode.HYBRID,
        leaders=[{"name": hostile(marker, 100), "title": hostile(marker, 100)}],
        agenda=[{"time": "08:00", "item_vi": words, "item_en": words}])
    conference.topics.append(topic)
    registrations = []
    for n, name in enumerate([hostile(marker, 200), *FORMULAS]):
        registration = Registration(
            conference_id=conference.id, ticket_code=new_unique_code(Registration.ticket_code),
            full_name=name, phone=f"+8491200{n:04d}" if marker.startswith("A") else f"+8498800{n:04d}",
            email=f"{marker.lower()}{n}@example.vn", locality=FORMULAS[n % 4] if n else hostile(marker, 200),
            consent_at=now, status=RegistrationStatus.CONFIRMED, locale="vi")
        db.session.add(registration)
        registrations.append(registration)
    db.session.flush()
    held = make_conference(
        agency, status=ConferenceStatus.REPORTED, title_vi=hostile(marker), report_summary=words,
        starts_at=now - timedelta(days=3, hours=3), ends_at=now - timedelta(days=3),
        registration_opens_at=now - timedelta(days=20), registration_closes_at=now - timedelta(days=4),
        published_at=now - timedelta(days=20), reported_at=now - timedelta(days=1), attendee_count=3)
    asker = Registration(
        conference_id=held.id, ticket_code=new_unique_code(Registration.ticket_code),
        full_name=hostile(marker, 200), phone="+84912999000" if marker.startswith("A") else "+84988999000",
        email=f"asker.{marker.lower()}@example.vn", locality=hostile(marker, 200), consent_at=now,
        status=RegistrationStatus.ATTENDED, checked_in_at=now - timedelta(days=3), locale="vi")
    db.session.add(asker)
    db.session.flush()
    answered = create_petition(text=words, source=PetitionSource.ADVANCE, conference=held, registration=asker,
                               topic=topic, consent_to_publish=True, agency=agency)
    answered.status = PetitionStatus.ANSWERED
    answered.question_published_at = now
    answered.answer_text, answered.answered_by = words, hostile(marker, 200)
    answered.answered_at = answered.answer_published_at = now
    answered.rating_satisfied, answered.rating_comment, answered.rated_at = False, words, now
    record_event(answered, PetitionAction.ANSWERED, words)
    hidden = create_petition(text=words, source=PetitionSource.FLOOR, conference=held, topic=topic)
    hidden.status = PetitionStatus.HIDDEN
    record_event(hidden, PetitionAction.HIDDEN, words)
    received = create_petition(text=words, source=PetitionSource.FLOOR, conference=held, topic=topic)

    survey = create_survey(agency, {"title_vi": hostile(marker), "title_en": hostile(marker),
                                    "intro_vi": words, "questions": [{
                                        "key": "opinion", "type": "long_text", "text_vi": words,
                                        "text_en": words, "help_vi": words, "help_en": "", "required": False,
                                        "dimension": None, "allow_na": False, "options": {},
                                        "show_if": None}]})
    deployment = db.session.scalars(select(Deployment).where(Deployment.agency_id == agency.id)).one()
    deployment.services = [{"code": "svc", "name_vi": hostile(marker, 100), "name_en": ""}]
    version = deployment.version
    answers = {key: _answer(key, 4.0) for key in likert_keys(version)}
    answers["comment"] = _answer("comment", text=words)
    response = submit_response(deployment, answers, locale="vi", started_at=now, flags=0, client_hash=None)
    formula_answers = dict(answers, comment=_answer("comment", text=FORMULAS[0]))
    submit_response(deployment, formula_answers, locale="vi", started_at=now, flags=0, client_hash=None)
    batch, batch_codes = survey_codes.generate_batch(deployment, 2, created_by_id=staff.id)
    key, _secret = create_key(hostile(marker, 100), agency)
    officer, device, rating_uuid = _counter_side(agency, marker)
    procedure = Procedure(agency=agency, code="1.001193", name_vi=hostile(marker, 100), name_en="")
    db.session.add(procedure)
    db.session.flush()
    side.ids = {
        "conference_id": conference.id, "held_id": held.id, "registration_id": registrations[0].id,
        "ticket": registrations[0].ticket_code, "petition_id": answered.id, "hidden_id": hidden.id,
        "received_id": received.id, "tracking": answered.tracking_code, "survey_id": survey.id,
        "deployment_id": deployment.id, "response_id": response.id, "batch": batch,
        "survey_code": batch_codes[0].code, "key_id": key.id, "code": agency.code,
        "user_id": staff.id, "grant_id": staff.grants[0].id,
        "officer": officer.code, "device_id": device.id, "rating_uuid": rating_uuid,
        "procedure_id": procedure.id,
    }
    return side


def _counter_side(agency: Agency, marker: str):
    """An officer with a hostile name and title, a paired kiosk and a rating with hostile reasons text."""
    import uuid

    from feedback.counters.kiosks import new_pairing
    from feedback.counters.models import Channel, Officer
    from feedback.counters.ratesets import set_for
    from feedback.counters.ratings import NewRating, store_rating

    officer = Officer(code=f"OFF{marker[0]}", full_name=hostile(marker, 200), title=hostile(marker, 200),
                      agency_id=agency.id)
    db.session.add(officer)
    db.session.flush()
    device, _code = new_pairing(agency, hostile(marker, 100))
    rating_uuid = str(uuid.uuid4())
    store_rating(NewRating(agency=agency, rating_set=set_for(agency), level=1, channel=Channel.API,
                           client_uuid=rating_uuid, given_at=utcnow(), officer_id=officer.id,
                           reasons=["waited"], comment=hostile(marker)))
    return officer, device, rating_uuid


def _answer(key: str, number: float | None = None, text: str = ""):
    """A parsed answer as the survey form would give it."""
    from feedback.surveys.answers import ParsedAnswer

    return ParsedAnswer(key, number=number, text=text) if number is not None else ParsedAnswer(key, text=text)


@pytest.fixture
def world(app, tree) -> World:
    """The default survey live everywhere, and the same hostile objects in departments A and B; a
    staff member holding both organizer and leader roles over A only."""
    deploy_default(tree.province, subtree=True)
    load_default_topics()
    topic = db.session.scalars(select(Topic).order_by(Topic.id)).first()
    topic.name_vi = hostile("TOPIC", 120)
    staff = make_user("staff.a@example.vn", Role.ORGANIZER, tree.dept_a)
    grant_role(staff, Role.LEADER, tree.dept_a)
    a = _build_side(tree.dept_a, "AMARK", topic, staff)
    b = _build_side(tree.dept_b, "BMARK", topic, staff)
    db.session.commit()
    return World(tree, a, b)


def sign_in(app, email: str):
    """A new client of `app` signed in as `email`."""
    client = app.test_client()
    assert AuthActions(client).login(email).status_code == 302
    return client


@pytest.fixture
def staff_a_client(app, world):
    """Signed in as the staff member over department A (organizer and leader)."""
    return sign_in(app, world.staff_a_email)


def session_token(client) -> str:
    """A CSRF token of `client`'s session."""
    return csrf_token(client.get("/account").get_data(as_text=True))


# ---- walking the url_map ---------------------------------------------------------------------------

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Parameters by name, then by endpoint where one name means different things.
ENDPOINT_PARAMS = {
    "dialogues.ticket": {"code": "ticket"}, "dialogues.ticket_ics": {"code": "ticket"},
    "dialogues.cancel": {"code": "ticket"}, "track.show": {"code": "tracking"},
    "track.rate": {"code": "tracking"}, "surveys.code_survey": {"code": "survey_code"},
    "petitions.floor_new": {"conference_id": "held_id"}, "petitions.report": {"conference_id": "held_id"},
    "counters.rate": {"code": "officer"}, "counters.thanks": {"code": "officer"},
    "counters_manage.officer": {"code": "officer"}, "counters_manage.plate": {"code": "officer"},
}
SIMPLE_PARAMS = {"number": 1, "key": "opinion", "fmt": "csv", "version": "x", "filename": "css/site.css",
                 "agency_code": None, "topic_id": None, "token": "not-a-reset-token", "change": "rename"}


def fill(rule, side: Side, topic_id: int, **overrides) -> str:
    """The rule's path with its parameters naming `side`'s objects."""
    special = ENDPOINT_PARAMS.get(rule.endpoint, {})
    values = {}
    for name in rule.arguments:
        if name in overrides:
            values[name] = overrides[name]
        elif name in special:
            values[name] = side.ids[special[name]]
        elif name == "agency_code":
            values[name] = side.agency.code
        elif name == "topic_id":
            values[name] = topic_id
        elif name in side.ids:
            values[name] = side.ids[name]
        else:
            values[name] = SIMPLE_PARAMS[name]
    path = rule.rule
    for name, value in values.items():
        path = re.sub(r"<(?:[^:<>]+:)?" + name + ">", str(value), path)
    return path


@dataclass(frozen=True)
class Walked:
    """One address pattern of the url_map as the walks try it: a rule whose `<any(…):name>` parts
    are each fixed to one of their choices (a rule with such a part is walked once per choice)."""

    endpoint: str
    rule: str
    arguments: frozenset
    methods: frozenset


def _walked(rule) -> list[Walked]:
    """The patterns `rule` stands for, one per combination of its `any` choices."""
    choices = [[(name, item) for item in sorted(converter.items)]
               for name, converter in rule._converters.items() if isinstance(converter, AnyConverter)]
    walked = []
    for combination in itertools.product(*choices):
        pattern = rule.rule
        for name, item in combination:
            pattern = re.sub(r"<any\([^>]*\):" + name + ">", item, pattern)
        fixed = {name for name, _item in combination}
        walked.append(Walked(rule.endpoint, pattern, frozenset(rule.arguments - fixed),
                             frozenset(rule.methods)))
    return walked


def rules(app, methods: set[str]) -> list[Walked]:
    """The url_map's patterns accepting any of `methods`, in a stable order."""
    return sorted((w for r in app.url_map.iter_rules() if r.methods & methods for w in _walked(r)),
                  key=lambda w: w.rule)


def snapshot() -> dict:
    """Every row of every table (except the audit trail and sessions' bookkeeping), to prove a refused
    request changed nothing."""
    skipped = {"audit_event", "audit_log"}
    state = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in skipped:
                continue
            rows = conn.execute(text(f'SELECT * FROM "{table.name}"')).all()
            state[table.name] = sorted(repr(tuple(row)) for row in rows)
    return state


def first_topic_id() -> int:
    """The id of the first topic (topics are shared by every department)."""
    return db.session.scalars(select(Topic.id).order_by(Topic.id)).first()
