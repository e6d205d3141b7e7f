"""Rating sets: the default one, the set that applies at an agency, and new versions of a used set."""

import copy

from sqlalchemy import or_, select

from feedback.agencies.models import Agency
from feedback.counters.models import RatingSet
from feedback.extensions import db

QUESTION_VI = "Ông/Bà hài lòng thế nào với việc giải quyết thủ tục hành chính vừa rồi?"
QUESTION_EN = "How satisfied are you with the service you just received?"
# Best first; the first two count as satisfied, the last (and, with 5 levels, the last two) asks why.
LEVELS = {
    3: [
        {"vi": "Hài lòng", "en": "Satisfied"},
        {"vi": "Bình thường", "en": "Neutral"},
        {"vi": "Không hài lòng", "en": "Not satisfied"},
    ],
    4: [
        {"vi": "Rất hài lòng", "en": "Very satisfied"},
        {"vi": "Hài lòng", "en": "Satisfied"},
        {"vi": "Bình thường", "en": "Neutral"},
        {"vi": "Không hài lòng", "en": "Not satisfied"},
    ],
    5: [
        {"vi": "Rất hài lòng", "en": "Very satisfied"},
        {"vi": "Hài lòng", "en": "Satisfied"},
        {"vi": "Bình thường", "en": "Neutral"},
        {"vi": "Không hài lòng", "en": "Not satisfied"},
        {"vi": "Rất không hài lòng", "en": "Very dissatisfied"},
    ],
}
# The reason that raises the confidential alert to the parent agency's leaders.
ALERT_REASON = "extra_demand"
REASONS = [
    {"key": "waited", "vi": "Phải chờ quá lâu", "en": "Waited too long"},
    {"key": "come_back", "vi": "Bị hẹn quay lại", "en": "Asked to come back"},
    {"key": "unclear", "vi": "Hướng dẫn không rõ ràng", "en": "Unclear guidance"},
    {"key": "impolite", "vi": "Thái độ thiếu lịch sự", "en": "Impolite"},
    {
        "key": ALERT_REASON,
        "vi": "Bị yêu cầu thêm giấy tờ hoặc tiền",
        "en": "Asked for extra papers or money",
        "alert": True,
    },
    {"key": "other", "vi": "Lý do khác", "en": "Other"},
]


def default_values(levels: int = 4) -> dict:
    """The columns of the default set with `levels` levels (3, 4 or 5)."""
    if levels not in LEVELS:
        raise ValueError("a rating set has 3, 4 or 5 levels")
    low = [1, 2] if levels == 5 else [1]
    satisfied = [levels, levels - 1] if levels > 3 else [levels]
    return {
        "question_vi": QUESTION_VI,
        "question_en": QUESTION_EN,
        "levels": copy.deepcopy(LEVELS[levels]),
        "satisfied": satisfied,
        "low_levels": low,
        "reasons": copy.deepcopy(REASONS),
    }


def default_set() -> RatingSet:
    """The platform's default set (agency None), created on first use; the caller commits."""
    found = db.session.scalar(
        select(RatingSet).where(RatingSet.agency_id.is_(None)).order_by(RatingSet.number.desc()).limit(1)
    )
    if found is None:
        found = RatingSet(agency_id=None, number=1, **default_values())
        db.session.add(found)
        db.session.flush()
    return found


def set_for(agency: Agency) -> RatingSet:
    """The newest set of the nearest agency on the path from `agency` up to the root that has one;
    the default set when none has. One query over the ancestors' ids and the default (the default
    sorts last), so a rating at an agency without a set of its own costs one round trip, not two."""
    ids = [int(part) for part in agency.path.strip("/").split("/") if part] or [agency.id]
    found = db.session.scalar(
        select(RatingSet)
        .outerjoin(Agency, Agency.id == RatingSet.agency_id)
        .where(or_(RatingSet.agency_id.in_(ids), RatingSet.agency_id.is_(None)))
        .order_by(Agency.depth.desc().nulls_last(), RatingSet.number.desc())
        .limit(1)
    )
    return found if found is not None else default_set()


def save_set(agency: Agency, values: dict) -> RatingSet:
    """Give `agency` a set with `values`: the newest own set is edited while no rating used it,
    otherwise a new version is added (frozen sets never change). The caller commits."""
    levels = len(values["levels"])
    if levels not in LEVELS:
        raise ValueError("a rating set has 3, 4 or 5 levels")
    if not set(values["satisfied"]) <= set(range(1, levels + 1)):
        raise ValueError("satisfied levels must lie between 1 and the number of levels")
    current = db.session.scalar(
        select(RatingSet).where(RatingSet.agency_id == agency.id).order_by(RatingSet.number.desc()).limit(1)
    )
    if current is not None and not current.frozen:
        for name, value in values.items():
            setattr(current, name, value)
        return current
    new = RatingSet(agency_id=agency.id, number=(current.number + 1) if current else 1, **values)
    db.session.add(new)
    db.session.flush()
    return new


def reason_keys(rating_set: RatingSet) -> set[str]:
    """The keys of the reasons a set offers."""
    return {reason["key"] for reason in rating_set.reasons}


def reason_label(rating_set: RatingSet, key: str, locale: str) -> str:
    """A reason's label in `locale` (the key itself for a reason the set no longer has)."""
    for reason in rating_set.reasons:
        if reason["key"] == key:
            return reason.get(locale) or reason["vi"]
    return key


def applying_sets(agencies: list[Agency]) -> dict[int, RatingSet | None]:
    """For each agency, the newest set of the nearest agency on its path that has one (None: the
    platform default). One query for all of them, so a list of a whole subtree stays cheap."""
    paths = {a.id: [int(part) for part in a.path.strip("/").split("/") if part] or [a.id] for a in agencies}
    ids = {i for path in paths.values() for i in path}
    newest: dict[int, RatingSet] = {}
    for found in db.session.scalars(
        select(RatingSet).where(RatingSet.agency_id.in_(ids)).order_by(RatingSet.number)
    ):
        newest[found.agency_id] = found
    return {
        agency_id: next((newest[i] for i in reversed(path) if i in newest), None)
        for agency_id, path in paths.items()
    }


def versions_of(agency: Agency) -> list[RatingSet]:
    """The agency's own sets, newest first."""
    return list(
        db.session.scalars(
            select(RatingSet).where(RatingSet.agency_id == agency.id).order_by(RatingSet.number.desc())
        )
    )
