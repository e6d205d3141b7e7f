"""Dashboards as today's tree: for random trees and random sequences of merges and splits, the
figures equal those computed from the raw responses mapped through the successor relation; no
response is counted twice or lost. As it was, each response stays at its own agency."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, true

from feedback.agencies import reorganize
from feedback.agencies.models import Agency, Succession
from feedback.agencies.services import add_agency
from feedback.dashboards import lineage, metrics, summary, trend
from feedback.extensions import db
from feedback.surveys.models import Answer, Response, ResponseScore
from tests.dashboards.helpers import add_response, make_version

FIRST_CHANGE = date(2025, 7, 1)
SCORES = (0.0, 0.5, 1.0)

operations = st.lists(st.tuples(st.sampled_from(["merge", "merge_keep", "split"]),
                                st.lists(st.integers(0, 50), min_size=2, max_size=3, unique=True),
                                st.integers(2, 3), st.integers(0, 2)),
                      max_size=4)
responses = st.lists(st.tuples(st.integers(0, 50), st.sampled_from(SCORES)), max_size=12)


def _clean(tree) -> None:
    """Undo the previous example: its responses, summaries, successions and agencies."""
    for table in (Answer, ResponseScore, Response, *summary.TABLES, Succession):
        db.session.execute(delete(table))
    db.session.execute(delete(Agency).where(Agency.id > tree.dept_b.id))
    db.session.commit()


def _respond(version, live: list[Agency], picks, day: date, given: list) -> None:
    """Responses at live agencies on `day`, remembered as (agency code, score) in `given`."""
    for index, score in picks:
        agency = live[index % len(live)]
        add_response(version, agency, scores={"access": score},
                     submitted_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=5))
        given.append((agency.code, score))


def _apply(op, live: list[Agency], on: date, heir: dict, serial: list) -> None:
    """One random reorganization through the services, mirrored in the plain `heir` map."""
    kind, picks, parts, history = op
    chosen = list(dict.fromkeys(live[i % len(live)] for i in picks))
    if kind.startswith("merge") and len(chosen) >= 2:
        serial.append(0)
        keep = chosen[0] if kind == "merge_keep" else None
        new = None if keep else reorganize.NewAgency(f"M{len(serial)}-{on:%m%d}", "Xã gộp")
        successor = reorganize.merge(chosen, on, keep=keep, new=new)
        for code, held in heir.items():
            if held in {a.code for a in chosen}:
                heir[code] = successor.code
        heir.setdefault(successor.code, successor.code)
    elif kind == "split":
        agency = chosen[0]
        news = [reorganize.NewAgency(f"S{len(serial)}{n}-{on:%m%d}", "Xã tách") for n in range(parts)]
        serial.append(0)
        carrier = news[history % parts].code
        made = reorganize.split(agency, on, news, history=carrier)
        for code, held in heir.items():
            if held == agency.code:
                heir[code] = carrier
        for each in made:
            heir.setdefault(each.code, each.code)


def _figures(mode: str) -> dict[str, tuple[int, float]]:
    """{agency code: (n, sum)} of the dashboards' per-agency indices in `mode`'s tree."""
    lineage.use_tree(mode)
    rows = metrics.agency_indices(true())
    return {i.code: (i.n, round(i.total, 6)) for i in rows if i.n}


def _expected(given, place) -> dict[str, tuple[int, float]]:
    """{agency code: (n, sum)} of the raw responses placed by `place`."""
    sums: dict = defaultdict(lambda: [0, 0.0])
    for code, score in given:
        cell = sums[place(code)]
        cell[0] += 1
        cell[1] += score
    return {code: (n, round(total, 6)) for code, (n, total) in sums.items()}


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(communes=st.integers(2, 6), parents=st.lists(st.integers(0, 2), min_size=6, max_size=6),
       before=responses, ops=operations, after=responses)
def test_todays_tree_equals_raw_responses_mapped_through_successors(app, tree, communes, parents,
                                                                    before, ops, after):
    _clean(tree)
    version = make_version()
    holders = [tree.province, tree.dept_a, tree.dept_b]
    made = [add_agency(f"X{n}", f"Xã {n}", kind="commune", parent=holders[parents[n]])
            for n in range(communes)]
    heir = {a.code: a.code for a in made}
    given: list = []
    _respond(version, made, before, date(2025, 3, 10), given)
    serial: list = []
    for step, op in enumerate(ops):
        live = list(db.session.scalars(select(Agency).where(Agency.valid_to.is_(None),
                                                            Agency.id > tree.dept_b.id)
                                       .order_by(Agency.id)))
        _apply(op, live, FIRST_CHANGE + timedelta(days=10 * step), heir, serial)
    live = list(db.session.scalars(select(Agency).where(Agency.valid_to.is_(None),
                                                        Agency.id > tree.dept_b.id).order_by(Agency.id)))
    _respond(version, live, after, FIRST_CHANGE + timedelta(days=60), given)
    db.session.commit()

    today = _figures(lineage.TODAY)
    assert today == _expected(given, lambda code: heir[code])
    assert sum(n for n, _ in today.values()) == len(given)  # nothing lost, nothing counted twice
    assert all(heir[code] == code for code in today)  # only today's agencies hold figures
    as_it_was = _figures(lineage.AS_IT_WAS)
    assert as_it_was == _expected(given, lambda code: code)
    # The raw reference path of the metrics and the trend's monthly sums agree with the summary.
    lineage.use_tree(lineage.TODAY)
    raw = {i.code: (i.n, round(i.total, 6)) for i in metrics.raw_agency_indices(true()) if i.n}
    assert raw == today
    monthly = defaultdict(int)
    for agency_id, _month, n, _total, _sq in trend.raw_month_sums(true(), None, None, False):
        monthly[agency_id] += n
    assert sum(monthly.values()) == len(given)
