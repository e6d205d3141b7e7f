"""The demo's counter ratings: officers on every counter with desk plates, a paired kiosk, and a
year of ratings (some low, with reasons), written in bulk with their summary."""

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert

from feedback.agencies.models import Agency
from feedback.counters.kiosks import new_pairing, pair
from feedback.counters.models import Channel, CounterRating, Officer, OfficerShift
from feedback.counters.officers import set_pin, start_shift
from feedback.counters.ratesets import default_set
from feedback.counters.ratings import RatingFacts
from feedback.dashboards import counter_summary
from feedback.extensions import db
from feedback.models import utcnow

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLE = ("Thị", "Văn", "Minh", "Thu", "Quang", "Ngọc", "Hữu")
GIVEN = ("Lan", "Hùng", "Mai", "Dũng", "Hương", "Tuấn", "Hà", "Nam", "Thảo", "Sơn", "Linh", "Phúc")
TITLES = ("Chuyên viên", "Chuyên viên chính", "Cán sự", "Phó trưởng bộ phận")
DEMO_PIN = "2026"
# Reasons a dissatisfied citizen ticks, most often first (the alert reason stays rare).
LOW_REASONS = ("waited", "come_back", "unclear", "impolite", "other", "extra_demand")
REASON_WEIGHTS = (40, 25, 20, 8, 5, 2)


@dataclass
class CounterDemo:
    """What the counter part of the demo loaded."""

    officers: int
    ratings: int
    sample_officer: str


def seed_counters(
    rng: random.Random, counters: list[tuple[Agency, float]], ratings: int, months: int
) -> CounterDemo:
    """Officers (PIN 2026) on each of `counters` (agency, share satisfied), a shift each, a paired
    kiosk on the first counter, and `ratings` ratings spread over `months` months; the caller commits."""
    rating_set = default_set()
    rating_set.frozen = True
    officers: list[tuple[Officer, float]] = []
    number = 0
    for agency, level in counters:
        for _ in range(rng.randint(2, 4)):
            number += 1
            officer = Officer(
                code=f"CB{number:03d}",
                agency_id=agency.id,
                active=True,
                title=rng.choice(TITLES),
                full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            )
            set_pin(officer, DEMO_PIN)
            db.session.add(officer)
            officers.append((officer, min(0.98, max(0.4, level + rng.uniform(-0.12, 0.08)))))
    db.session.flush()
    start = utcnow() - timedelta(days=31 * months)
    for officer, _level in officers:
        db.session.add(OfficerShift(officer_id=officer.id, agency_id=officer.agency_id, started_at=start))
    device, code = new_pairing(counters[0][0], "Máy tính bảng quầy 1")
    pair(code)
    db.session.flush()
    first = next(o for o, _ in officers if o.agency_id == counters[0][0].id)
    start_shift(first, device)
    shifts = {
        s.officer_id: s.id for s in db.session.query(OfficerShift).filter(OfficerShift.started_at == start)
    }
    rows, facts = _ratings(rng, officers, rating_set, shifts, ratings, months)
    db.session.execute(insert(CounterRating.__table__), rows)
    counter_summary.add_many(facts)
    return CounterDemo(officers=len(officers), ratings=len(rows), sample_officer=officers[0][0].code)


def _ratings(rng, officers, rating_set, shifts, count, months):
    """`count` rating rows and their summary facts: each officer's share of satisfied levels near
    their own, the low ones with one or two reasons and now and then a comment."""
    now = utcnow()
    weights = [rng.uniform(0.5, 2.0) for _ in officers]
    top = len(rating_set.levels)
    rows, facts = [], []
    for _ in range(count):
        officer, level = rng.choices(officers, weights)[0]
        when = now - timedelta(minutes=rng.randint(5, 31 * months * 24 * 60))
        if rng.random() < level:
            chosen = top if rng.random() < 0.55 else top - 1
        else:
            chosen = 2 if rng.random() < 0.5 else 1
        reasons = (
            sorted(set(rng.choices(LOW_REASONS, REASON_WEIGHTS, k=rng.randint(1, 2)))) if chosen == 1 else []
        )
        satisfied = chosen in rating_set.satisfied
        channel = rng.choice((Channel.KIOSK, Channel.KIOSK, Channel.PLATE, Channel.API))
        rows.append(
            {
                "client_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "agency_id": officer.agency_id,
                "officer_id": officer.id,
                "shift_id": shifts.get(officer.id),
                "device_id": None,
                "rating_set_id": rating_set.id,
                "level": chosen,
                "satisfied": satisfied,
                "reasons": reasons,
                "comment": "Phải chờ hơn một tiếng." if reasons and rng.random() < 0.2 else None,
                "service_code": None,
                "channel": channel.value,
                "given_at": when,
                "received_at": when,
                "flags": 0,
                "excluded": False,
                "address_hash": None,
            }
        )
        facts.append(RatingFacts(officer.agency_id, officer.id, when, satisfied, tuple(reasons)))
    return rows, facts
