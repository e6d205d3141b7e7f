"""Building the demo: agencies, staff logins, the default survey deployed, a year of responses."""

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from feedback.accounts.models import Role
from feedback.accounts.services import create_user, grant_role
from feedback.agencies.models import Agency
from feedback.agencies.services import add_agency
from feedback.demo.data import AGENCIES, COMMENTS_EN, COMMENTS_VI, DIMENSION_SHIFT
from feedback.demo.dialogues import DialogueSummary, seed_dialogues
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.codes import generate_batch
from feedback.surveys.models import Answer, Deployment, QuestionType, Response, ResponseFlag
from feedback.surveys.services import deploy, load_default_survey, score_response

# Demo logins: (email, password, role, agency code or None). Printed by `flask seed-demo`.
DEMO_USERS = [
    ("admin@langnghe.vn", "demo-admin-2026", Role.ADMIN, None),
    ("lanhdao@langnghe.vn", "demo-lanhdao-2026", Role.LEADER, "BA"),
    ("tochuc@langnghe.vn", "demo-tochuc-2026", Role.ORGANIZER, "BA"),
    ("lanhdao.hoabinh@langnghe.vn", "demo-hoabinh-2026", Role.LEADER, "PHOABINH"),
]
DEMO_USER_LABELS = {
    "admin@langnghe.vn": "admin (whole system)",
    "lanhdao@langnghe.vn": "leader of the province (every agency)",
    "tochuc@langnghe.vn": "organizer for the province",
    "lanhdao.hoabinh@langnghe.vn": "leader of Hoa Binh ward only (its one-stop shop included)",
}


def database_is_empty() -> bool:
    """True when no agency exists yet (the demo is only loaded into an empty database)."""
    return not db.session.scalar(select(func.count()).select_from(Agency))


@dataclass
class DemoSummary:
    """What the demo loaded."""

    agencies: int
    responses: int
    sample_code: str
    dialogues: DialogueSummary


def seed_demo(responses: int = 3000, months: int = 12, seed: int = 2026) -> DemoSummary:
    """Load the demo province; the caller commits."""
    rng = random.Random(seed)
    agencies: dict[str, Agency] = {}
    for code, parent, name_vi, name_en, kind, _level, _weight in AGENCIES:
        agencies[code] = add_agency(code, name_vi, name_en=name_en, kind=kind,
                                    parent=agencies[parent] if parent else None)
    for email, password, role, agency_code in DEMO_USERS:
        user = create_user(email, password, name=email.split("@")[0])
        grant_role(user, role, agencies[agency_code] if agency_code else None)
    version = load_default_survey()
    deployments = deploy(version, agencies["BA"], subtree=True,
                         starts_at=utcnow() - timedelta(days=31 * months + 1))
    by_agency = {d.agency_id: d for d in deployments}
    total = _add_responses(rng, agencies, by_agency, responses, months)
    # A batch of one-time codes, as the Justice counter would print on its receipts.
    _batch, codes = generate_batch(by_agency[agencies["TTHCC-STP"].id], 20,
                                   expires_at=utcnow() + timedelta(days=90))
    dialogues = seed_dialogues(rng, agencies)
    return DemoSummary(agencies=len(agencies), responses=total, sample_code=codes[0].code,
                       dialogues=dialogues)


def _add_responses(rng: random.Random, agencies: dict[str, Agency], deployments: dict[int, Deployment],
                   count: int, months: int) -> int:
    """Simulate citizens answering over the past months, agency by agency."""
    weights = [row[6] for row in AGENCIES]
    codes = [row[0] for row in AGENCIES]
    levels = {row[0]: row[5] for row in AGENCIES}
    now = utcnow()
    span = timedelta(days=30.4 * months)
    batch = []
    for _ in range(count):
        code = rng.choices(codes, weights=weights)[0]
        deployment = deployments[agencies[code].id]
        age = span * rng.random()
        # Services improve slowly: a response a year old is about four points less satisfied.
        level = levels[code] - 0.04 * (age / span)
        response = _simulated_response(rng, deployment, level, now - age)
        batch.append(response)
        if len(batch) == 500:
            db.session.add_all(batch)
            db.session.flush()
            batch.clear()
    db.session.add_all(batch)
    db.session.flush()
    return count


def _likert(rng: random.Random, level: float) -> int:
    """One 1–5 answer: 4 or 5 with probability `level`, otherwise mostly 3."""
    if rng.random() < level:
        return 5 if rng.random() < 0.45 else 4
    return rng.choices([1, 2, 3], weights=[1, 3, 6])[0]


def _simulated_response(rng: random.Random, deployment: Deployment, level: float, when) -> Response:
    """A plausible response: answers around the agency's level, a comment now and then."""
    version = deployment.version
    mood = rng.gauss(0, 0.08)  # some citizens are more generous than others
    locale = "en" if rng.random() < 0.03 else "vi"
    answers = []
    for question in version.questions:
        if question.type == QuestionType.LIKERT5:
            if question.allow_na and rng.random() < 0.35:
                answers.append(Answer(question_key=question.key, not_applicable=True))
                continue
            shift = DIMENSION_SHIFT.get(question.dimension or "", 0.0)
            p = min(0.99, max(0.05, level + shift + mood))
            answers.append(Answer(question_key=question.key, number=_likert(rng, p)))
        elif question.type == QuestionType.LONG_TEXT and rng.random() < 0.12:
            pool = COMMENTS_EN if locale == "en" else COMMENTS_VI
            answers.append(Answer(question_key=question.key, text=rng.choice(pool)))
    flags = ResponseFlag.TOO_FAST if rng.random() < 0.015 else ResponseFlag(0)
    response = Response(
        version_id=version.id, deployment_id=deployment.id, agency_id=deployment.agency_id,
        channel=deployment.access_mode, locale=locale,
        started_at=when - timedelta(seconds=rng.randint(40, 300)), submitted_at=when,
        flags=int(flags), excluded=bool(flags), client_hash=None,
    )
    response.answers = answers
    response.scores = score_response(version, answers)
    return response
