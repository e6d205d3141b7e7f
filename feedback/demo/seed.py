"""Building the demo: agencies, staff logins, the default survey deployed, a year of responses."""

import itertools
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import func, insert, select, text

from feedback.accounts.models import Role
from feedback.accounts.services import create_user, grant_role
from feedback.agencies.models import Agency
from feedback.agencies.services import add_agency
from feedback.core.text import fold_for_search
from feedback.dashboards import summary
from feedback.demo.counters import CounterDemo, seed_counters
from feedback.demo.data import (
    AGENCIES,
    CHANNEL_WEIGHTS,
    COMMENTS_EN,
    COMMENTS_VI,
    DIMENSION_SHIFT,
    PLACE_FIRST,
    PLACE_SECOND,
    PROVINCE_EXTRA_QUESTIONS,
    PROVINCE_SURVEY_TITLE,
    SOURCE_CHANCES,
)
from feedback.demo.dialogues import DialogueSummary, seed_dialogues
from feedback.demo.reorganization import SUCCESSOR, seed_merge
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.codes import generate_batch
from feedback.surveys.manage.operations import add_question, copy_survey, publish
from feedback.surveys.models import (
    AccessMode,
    Answer,
    Deployment,
    QuestionType,
    Response,
    ResponseFlag,
    ResponseScore,
    SurveyVersion,
)
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
    counters: CounterDemo


def seed_demo(responses: int = 3000, months: int = 12, seed: int = 2026, agencies: int | None = None,
              progress: Callable[[int], None] | None = None, ratings: int | None = None) -> DemoSummary:
    """Load the demo province; the caller commits.

    With `agencies`, a large demo: that many agencies (the named ones, then generated communes
    with their one-stop shops) and responses written in bulk (COPY on PostgreSQL), `progress`
    being told how many responses each batch wrote; the summary is then rebuilt in SQL.
    """
    rng = random.Random(seed)
    named: dict[str, Agency] = {}
    for code, parent, name_vi, name_en, kind, _level, _weight in AGENCIES:
        named[code] = add_agency(code, name_vi, name_en=name_en, kind=kind,
                                 parent=named[parent] if parent else None)
    generated = _add_generated_agencies(rng, named["BA"], agencies - len(AGENCIES)) if agencies else []
    for email, password, role, agency_code in DEMO_USERS:
        user = create_user(email, password, name=email.split("@")[0])
        grant_role(user, role, named[agency_code] if agency_code else None)
    # The large demo keeps the plain SIPAS questionnaire, whose answers it writes in bulk.
    version = load_default_survey() if agencies else _province_survey(named["BA"])
    deployments = deploy(version, named["BA"], subtree=True,
                         starts_at=utcnow() - timedelta(days=31 * months + 1))
    by_agency = {d.agency_id: d for d in deployments}
    if agencies:
        total = _bulk_add_responses(rng, version, _visited(named, generated, by_agency), responses,
                                   months, progress=progress)
    else:
        total = _add_responses(rng, named, by_agency, responses, months)
    seed_merge(named, version)  # two communes merged in the last year: the trend's seam
    summary.rebuild()
    # A batch of one-time codes, as the Justice counter would print on its receipts.
    _batch, codes = generate_batch(by_agency[named["TTHCC-STP"].id], 20,
                                   expires_at=utcnow() + timedelta(days=90))
    dialogues = seed_dialogues(rng, named)
    desks = [(named[row[0]], row[5]) for row in AGENCIES if row[4] in ("counter", "one_stop")]
    counters = seed_counters(rng, desks, max(200, responses // 2) if ratings is None else ratings, months)
    return DemoSummary(agencies=len(named) + len(generated), responses=total, sample_code=codes[0].code,
                       dialogues=dialogues, counters=counters)


def _province_survey(province: Agency) -> SurveyVersion:
    """The province's copy of the SIPAS questionnaire with three questions of its own (a 0–10
    recommendation, a single and a multiple choice), published."""
    survey = copy_survey(load_default_survey(), province, title_vi=PROVINCE_SURVEY_TITLE[0],
                         title_en=PROVINCE_SURVEY_TITLE[1])
    version = survey.versions[0]
    # The designer's checks word their (here impossible) problems in a language: no request here.
    with force_locale("vi"):
        for raw in PROVINCE_EXTRA_QUESTIONS:
            add_question(version, raw)
        publish(version)
    return version


def _ascii(text: str) -> str:
    """`text` without diacritics, for agency codes and English names (Đ becomes D)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _place_names():
    """Generated place names, all different: every syllable pair, then numbered rounds of them."""
    pairs = [f"{a} {b}" for a in PLACE_FIRST for b in PLACE_SECOND if a != b]
    for round_number in itertools.count(1):
        for name in pairs:
            yield name if round_number == 1 else f"{name} {round_number}"


def _add_generated_agencies(rng: random.Random, province: Agency, count: int) -> list[tuple]:
    """`count` more agencies under the province: communes and wards, each with its one-stop shop
    below it (a believable third level). Returns (agency, share of 4–5 answers, visits weight)."""
    taken = {row[0] for row in AGENCIES} | {SUCCESSOR.code}  # the demo merge's commune comes later
    added: list[tuple] = []
    names = _place_names()
    while len(added) < count:
        name = next(names)
        ward = rng.random() < 0.2
        code = ("P" if ward else "X") + _ascii(name).upper().replace(" ", "")
        if code in taken:
            continue
        taken.add(code)
        kind_vi, kind_en = ("phường", "Ward") if ward else ("xã", "Commune")
        level, weight = rng.uniform(0.55, 0.93), rng.uniform(0.3, 3.0)
        commune = add_agency(code, f"UBND {kind_vi} {name}", kind="ward" if ward else "commune",
                             parent=province, name_en=f"{_ascii(name)} {kind_en} People's Committee")
        added.append((commune, level, weight * 0.3))
        if len(added) < count:
            counter = add_agency(f"{code}-MC", f"Bộ phận Một cửa {kind_vi} {name}", kind="one_stop",
                                 parent=commune, name_en=f"{_ascii(name)} {kind_en} one-stop shop")
            added.append((counter, min(0.97, level + rng.uniform(-0.05, 0.08)), weight))
    return added


def _visited(named: dict[str, Agency], generated: list[tuple],
             deployments: dict[int, Deployment]) -> list[tuple]:
    """(deployment, level, visits weight) of every agency citizens answer at."""
    rows = [(deployments[named[code].id], level, weight)
            for code, _parent, _vi, _en, _kind, level, weight in AGENCIES if weight > 0]
    return rows + [(deployments[agency.id], level, weight) for agency, level, weight in generated]


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
            summary.add(batch)  # the dashboards' summary, as every submission updates it
            batch.clear()
    db.session.add_all(batch)
    db.session.flush()
    summary.add(batch)
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
        elif question.type == QuestionType.RATING10 and rng.random() < 0.85:
            # Around 10 × the agency's level: satisfied citizens recommend it.
            score = round(min(10.0, max(0.0, rng.gauss(10 * (level + mood) + 0.5, 1.8))))
            answers.append(Answer(question_key=question.key, number=score))
        elif question.type == QuestionType.SINGLE and rng.random() < 0.9:
            values = [c["value"] for c in question.options["choices"]]
            answers.append(Answer(question_key=question.key,
                                  text=rng.choices(values, weights=CHANNEL_WEIGHTS[:len(values)])[0]))
        elif question.type == QuestionType.MULTIPLE and rng.random() < 0.8:
            picked = [c["value"] for c in question.options["choices"]
                      if rng.random() < SOURCE_CHANCES.get(c["value"], 0.3)]
            if picked:
                answers.append(Answer(question_key=question.key, choices=picked))
        elif question.type == QuestionType.LONG_TEXT and rng.random() < 0.12:
            pool = COMMENTS_EN if locale == "en" else COMMENTS_VI
            comment = rng.choice(pool)
            answers.append(Answer(question_key=question.key, text=comment,
                                  search_text=fold_for_search(comment)))
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


# --- Large demos: responses written in bulk ------------------------------------------------------

BULK_BATCH = 10_000
RESPONSE_COLUMNS = ("id", "version_id", "deployment_id", "agency_id", "service", "channel", "locale",
                    "started_at", "submitted_at", "flags", "excluded", "client_hash")
ANSWER_COLUMNS = ("response_id", "question_key", "number", "text", "choices", "not_applicable",
                  "search_text")
SCORE_COLUMNS = ("response_id", "dimension", "score", "weight", "valid_answers")


def _bulk_add_responses(rng: random.Random, version: SurveyVersion, visited: list[tuple], count: int,
                        months: int, progress: Callable[[int], None] | None = None) -> int:
    """Simulate `count` citizens as _add_responses does, written in batches without the ORM:
    COPY on PostgreSQL, executemany elsewhere. The caller rebuilds the summary and commits."""
    questions = [(q.key, q.dimension, q.allow_na, DIMENSION_SHIFT.get(q.dimension or "", 0.0))
                 for q in version.questions if q.type == QuestionType.LIKERT5]
    comment_key = next((q.key for q in version.questions if q.type == QuestionType.LONG_TEXT), None)
    folded = {comment: fold_for_search(comment) for comment in COMMENTS_VI + COMMENTS_EN}
    weights = {d: version.weight(d) for _key, d, _na, _shift in questions if d}
    cumulative = list(itertools.accumulate(weight for _d, _level, weight in visited))
    next_id = (db.session.scalar(select(func.max(Response.id))) or 0) + 1
    now = utcnow()
    span = timedelta(days=30.4 * months)
    write = _copy_rows if db.session.get_bind().dialect.name == "postgresql" else _insert_rows
    written = 0
    while written < count:
        size = min(BULK_BATCH, count - written)
        responses, answers, scores = [], [], []
        for deployment, level, _weight in rng.choices(visited, cum_weights=cumulative, k=size):
            age = span * rng.random()
            when = now - age
            mood = rng.gauss(0, 0.08)
            base = level - 0.04 * (age / span) + mood
            locale = "en" if rng.random() < 0.03 else "vi"
            tally: dict[str, list[int]] = {}
            for key, dimension, allow_na, shift in questions:
                if allow_na and rng.random() < 0.35:
                    answers.append((next_id, key, None, None, None, True, None))
                    continue
                p = min(0.99, max(0.05, base + shift))
                if rng.random() < p:
                    value = 5 if rng.random() < 0.45 else 4
                else:
                    u = rng.random()
                    value = 1 if u < 0.1 else 2 if u < 0.4 else 3
                answers.append((next_id, key, float(value), None, None, False, None))
                if dimension:
                    counts = tally.setdefault(dimension, [0, 0])
                    counts[0] += value >= 4
                    counts[1] += 1
            if comment_key and rng.random() < 0.12:
                pool = COMMENTS_EN if locale == "en" else COMMENTS_VI
                comment = rng.choice(pool)
                answers.append((next_id, comment_key, None, comment, None, False, folded[comment]))
            scores.extend((next_id, d, positive / valid, weights[d], valid)
                          for d, (positive, valid) in tally.items())
            flagged = rng.random() < 0.015
            responses.append((next_id, version.id, deployment.id, deployment.agency_id, None,
                              AccessMode.OPEN.value, locale, when - timedelta(seconds=rng.randint(40, 300)),
                              when, int(ResponseFlag.TOO_FAST) if flagged else 0, flagged, None))
            next_id += 1
        write(Response, RESPONSE_COLUMNS, responses)
        write(Answer, ANSWER_COLUMNS, answers)
        write(ResponseScore, SCORE_COLUMNS, scores)
        written += size
        if progress is not None:
            progress(size)
    if db.session.get_bind().dialect.name == "postgresql":
        # Rows came with their ids; the sequence must continue after them.
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('response', 'id'), "
                                "(SELECT max(id) FROM response))"))
    return count


def _copy_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """COPY `rows` into `model`'s table through the session's own connection (same transaction)."""
    connection = db.session.connection().connection.driver_connection
    statement = f"COPY {model.__tablename__} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT `rows` into `model`'s table with one executemany."""
    db.session.execute(insert(model.__table__), [dict(zip(columns, row, strict=True)) for row in rows])
