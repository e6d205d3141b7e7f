"""Handling counts per agency (on time, late, overdue, satisfaction): SQL against a plain-Python reference."""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from feedback.dialogues.models import Petition, PetitionSource, PetitionStatus
from feedback.dialogues.petitions.services import create_petition, local_today
from feedback.dialogues.petitions.stats import handling_by_agency
from feedback.extensions import db

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FIGURES = ("total", "on_time", "late", "overdue", "pending", "satisfied", "not_satisfied", "handled_well")


def at_local(day, hour, minute=0):
    """A UTC-aware moment at a local wall-clock time."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(ZoneInfo("UTC"))


def reference(petitions, today):
    """The docs/statistics.md figures per agency, computed row by row."""
    out = {}
    for p in petitions:
        if p.agency_id is None or p.status not in (PetitionStatus.ASSIGNED, PetitionStatus.ANSWERED,
                                                   PetitionStatus.CLOSED):
            continue
        row = out.setdefault(p.agency_id, dict.fromkeys(FIGURES, 0))
        row["total"] += 1
        published_day = p.answer_published_at.astimezone(ZONE).date() if p.answer_published_at else None
        on_time = published_day is not None and published_day <= p.due_date
        late = published_day is not None and published_day > p.due_date
        overdue = published_day is None and p.due_date < today
        row["on_time"] += on_time
        row["late"] += late
        row["overdue"] += overdue
        row["pending"] += published_day is None and p.due_date >= today
        row["satisfied"] += p.rating_satisfied is True
        row["not_satisfied"] += p.rating_satisfied is False
        row["handled_well"] += not (p.rating_satisfied is False or late or overdue)
    return out


def test_local_day_decides_on_time_at_midnight(app, tree, setting):
    today = local_today()
    due = today - timedelta(days=5)
    just_in_time = create_petition(text="a", source=PetitionSource.FLOOR, conference=setting.conference,
                                   agency=tree.counter_a, due_date=due)
    just_late = create_petition(text="b", source=PetitionSource.FLOOR, conference=setting.conference,
                                agency=tree.counter_a, due_date=due)
    # 23:30 on the due day in Việt Nam is still that day; 00:30 the next day is late, although
    # both moments fall on the due day in UTC.
    for petition, moment in ((just_in_time, at_local(due, 23, 30)),
                             (just_late, at_local(due + timedelta(days=1), 0, 30))):
        petition.status = PetitionStatus.ANSWERED
        petition.answer_published_at = moment
    overdue = create_petition(text="c", source=PetitionSource.FLOOR, conference=setting.conference,
                              agency=tree.counter_a, due_date=today - timedelta(days=1))
    overdue.rating_satisfied = None
    create_petition(text="d", source=PetitionSource.FLOOR, conference=setting.conference,
                    agency=tree.counter_a, due_date=today)  # due today: pending, not overdue
    just_in_time.rating_satisfied = False
    db.session.commit()
    [row] = handling_by_agency()
    assert (row.total, row.on_time, row.late, row.overdue, row.pending) == (4, 1, 1, 1, 1)
    assert row.due == 3 and row.on_time_rate == 1 / 3
    # All 4 − not satisfied (the on-time one) − overdue (the late one and the overdue one) = 1.
    assert row.handled_well == 1 and row.satisfaction_rate == 1 / 4


def test_handling_counts_match_the_reference_on_random_petitions(app, tree, setting):
    rng = random.Random(4)
    today = local_today()
    agencies = [tree.counter_a, tree.commune_a, tree.dept_b]
    for n in range(120):
        due = today + timedelta(days=rng.randint(-20, 10))
        petition = create_petition(text=f"q{n}", source=PetitionSource.FLOOR, conference=setting.conference,
                                   agency=rng.choice(agencies), due_date=due)
        fate = rng.random()
        if fate < 0.5:
            petition.status = rng.choice([PetitionStatus.ANSWERED, PetitionStatus.CLOSED])
            petition.answer_published_at = at_local(due + timedelta(days=rng.randint(-4, 3)),
                                                    rng.randint(0, 23), rng.randint(0, 59))
            petition.rating_satisfied = rng.choice([True, False, None])
        elif fate < 0.6:
            petition.status = rng.choice([PetitionStatus.HIDDEN, PetitionStatus.MERGED])
    db.session.commit()
    expected = reference(db.session.query(Petition).all(), today)
    got = {row.agency_id: {key: getattr(row, key) for key in expected[row.agency_id]}
           for row in handling_by_agency()}
    assert got == expected
    # Extra conditions narrow the set, in SQL.
    only_b = handling_by_agency(Petition.agency_id == tree.dept_b.id)
    assert [row.agency_id for row in only_b] == [tree.dept_b.id]


def test_no_petitions_no_rates(app, tree, setting):
    assert handling_by_agency() == []
    create_petition(text="a", source=PetitionSource.FLOOR, conference=setting.conference,
                    agency=tree.counter_a, due_date=local_today() + timedelta(days=3))
    db.session.commit()
    [row] = handling_by_agency()
    assert row.on_time_rate is None and row.satisfaction_rate == 1.0
