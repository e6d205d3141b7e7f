"""The managed list of dialogue topics, and the standard list a new installation starts with."""

import re

from sqlalchemy import func, select

from feedback.audit.services import record
from feedback.core.i18n import gettext as _
from feedback.dialogues.models import Topic
from feedback.extensions import db

TOPIC_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
TOPIC_NAME_MAX = 120

# The catch-all topic ("Khác"): offered last, after every real subject.
OTHER_TOPIC_CODE = "khac"


class TopicRefused(Exception):
    """A topic change that cannot be made; (field name, localized message)."""

    def __init__(self, field: str, message: str):
        """Refuse, blaming `field`."""
        super().__init__(message)
        self.field = field

# (code, Vietnamese name, English name): the subjects citizens raise most at dialogue conferences.
DEFAULT_TOPICS = (
    ("dat-dai", "Đất đai", "Land"),
    ("moi-truong", "Môi trường", "Environment"),
    ("giao-duc", "Giáo dục", "Education"),
    ("y-te", "Y tế", "Health"),
    ("an-sinh", "An sinh xã hội", "Social security"),
    ("giao-thong", "Giao thông", "Transport"),
    ("thu-tuc", "Thủ tục hành chính", "Administrative procedures"),
    ("xay-dung", "Xây dựng, đô thị", "Construction and urban planning"),
    ("kinh-te", "Kinh tế, việc làm", "Economy and jobs"),
    ("an-ninh", "An ninh, trật tự", "Public order and safety"),
    ("khac", "Khác", "Other"),
)


def load_default_topics() -> int:
    """Add the standard topics that are missing (matched by code); returns how many were added."""
    have = set(db.session.scalars(select(Topic.code)))
    added = 0
    for code, name_vi, name_en in DEFAULT_TOPICS:
        if code not in have:
            db.session.add(Topic(code=code, name_vi=name_vi, name_en=name_en, active=True))
            added += 1
    db.session.flush()
    return added


def find_topic(code: str | None) -> Topic | None:
    """The topic with `code`, if any (a NUL is never in a code, and PostgreSQL refuses it)."""
    if not code or "\x00" in code:
        return None
    return db.session.scalar(select(Topic).where(Topic.code == code))


def active_topics() -> list[Topic]:
    """Topics that can be chosen for new conferences and questions, in list order, "Khác" (other) last."""
    return list(db.session.scalars(
        select(Topic).where(Topic.active).order_by((Topic.code == OTHER_TOPIC_CODE).asc(), Topic.code)))


def all_topics() -> list[Topic]:
    """Every topic, active ones first, in list order (for the managed list)."""
    return list(db.session.scalars(select(Topic).order_by(Topic.active.desc(), Topic.code)))


def missing_default_topics() -> int:
    """How many standard topics the list lacks (matched by code)."""
    have = set(db.session.scalars(select(Topic.code)))
    return sum(1 for code, _vi, _en in DEFAULT_TOPICS if code not in have)


def _check_names(name_vi: str, name_en: str) -> tuple[str, str]:
    """The names trimmed; refuses an empty Vietnamese name or names too long."""
    name_vi, name_en = (name_vi or "").strip(), (name_en or "").strip()
    if not name_vi:
        raise TopicRefused("name_vi", _("Please enter the Vietnamese name."))
    if len(name_vi) > TOPIC_NAME_MAX or len(name_en) > TOPIC_NAME_MAX:
        raise TopicRefused("name_vi" if len(name_vi) > TOPIC_NAME_MAX else "name_en",
                           _("A name may have at most %(max)s characters.", max=TOPIC_NAME_MAX))
    return name_vi, name_en


def add_topic(code: str, name_vi: str, name_en: str = "", *, actor=None) -> Topic:
    """A new active topic; refuses a malformed or taken code. Flushes and audits."""
    code = (code or "").strip().lower()
    if not TOPIC_CODE.match(code):
        raise TopicRefused("code", _("The code must be 1 to 32 lower-case letters, digits or “-”, "
                                     "for example dat-dai."))
    name_vi, name_en = _check_names(name_vi, name_en)
    if db.session.scalar(select(func.count(Topic.id)).where(Topic.code == code)):
        raise TopicRefused("code", _("The code %(code)s is already used by another topic.", code=code))
    topic = Topic(code=code, name_vi=name_vi, name_en=name_en, active=True)
    db.session.add(topic)
    db.session.flush()
    record("topic.created", topic, actor=actor, code=code)
    return topic


def rename_topic(topic: Topic, name_vi: str, name_en: str, *, actor=None) -> None:
    """Change a topic's names (its code, used in links, stays). Flushes and audits."""
    name_vi, name_en = _check_names(name_vi, name_en)
    topic.name_vi, topic.name_en = name_vi, name_en
    db.session.flush()
    record("topic.renamed", topic, actor=actor, name_vi=name_vi, name_en=name_en)


def set_topic_active(topic: Topic, active: bool, *, actor=None) -> None:
    """Offer a topic again, or stop offering it for new choices (past conferences keep it)."""
    topic.active = active
    db.session.flush()
    record("topic.activated" if active else "topic.deactivated", topic, actor=actor)
