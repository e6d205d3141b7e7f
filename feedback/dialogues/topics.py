"""The managed list of dialogue topics, and the standard list a new installation starts with."""

from sqlalchemy import select

from feedback.dialogues.models import Topic
from feedback.extensions import db

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


def active_topics() -> list[Topic]:
    """Topics that can be chosen for new conferences and questions, in list order."""
    return list(db.session.scalars(select(Topic).where(Topic.active).order_by(Topic.code)))
