"""How long a survey takes, as its first page promises it ("about N minutes").

The promise must never be less than what people take: once a version has MIN_TIMED stored
responses, it is their median completion time (responses flagged or left out do not count);
before that, an estimate from its questions. Read at most once per EXPIRES seconds per version and
process, from the newest RECENT responses, so the first page costs no query in the common case.
"""

import math
import statistics
import time

from sqlalchemy import select

from feedback.extensions import db
from feedback.surveys.answers import HEADINGS
from feedback.surveys.frozen import FrozenVersion, Kept
from feedback.surveys.models import QuestionType, Response

MIN_TIMED = 30
RECENT = 1000
EXPIRES = 600
# Seconds a question takes when nothing is measured yet: a tap, or typing.
CLOSED_SECONDS = 6
TYPED_SECONDS = 30
TYPED = {QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT, QuestionType.NUMBER, QuestionType.DATE}

_promises = Kept(256)


def estimated_seconds(questions) -> int:
    """The time the questions should take: 6 s a closed question, 30 s a typed one."""
    return sum(TYPED_SECONDS if q.type in TYPED else CLOSED_SECONDS
               for q in questions if q.type not in HEADINGS)


def measured_seconds(version_id: int) -> float | None:
    """The median completion time of the version's newest counted responses, None under MIN_TIMED."""
    rows = db.session.execute(
        select(Response.started_at, Response.submitted_at)
        .where(Response.version_id == version_id, Response.started_at.is_not(None),
               Response.flags == 0, Response.excluded.is_(False))
        .order_by(Response.id.desc()).limit(RECENT)).all()
    durations = [(done - began).total_seconds() for began, done in rows if done and began]
    if len(durations) < MIN_TIMED:
        return None
    return statistics.median(durations)


def promised_minutes(version: FrozenVersion) -> int:
    """Whole minutes to promise, rounded up, at least one."""
    # Keyed as the frozen versions are: an id alone may name another version in another database.
    key = (version.id, version.published_at)
    kept = _promises.get(key)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    seconds = measured_seconds(version.id)
    if seconds is None:
        seconds = estimated_seconds(version.questions)
    minutes = max(1, math.ceil(seconds / 60))
    _promises.put(key, (time.monotonic() + EXPIRES, minutes))
    return minutes
