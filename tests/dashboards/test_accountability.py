"""Dialogue accountability: SQL aggregates against plain Python, scoping, CSV, escaping."""

import csv
import io
import json
import random
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from feedback.accounts.authz import agency_filter
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.core.codes import grouped
from feedback.dashboards import accountability
from feedback.dashboards import accountability_charts as charts
from feedback.dialogues import registrations
from feedback.dialogues.models import (
    Conference,
    ConferenceStatus,
    Petition,
    PetitionSource,
    PetitionStatus,
    Registration,
    RegistrationStatus,
    Topic,
)
from feedback.dialogues.petitions.services import create_petition, local_today
from feedback.extensions import db
from feedback.models import utcnow
from tests.dialogues.helpers import make_conference, phone

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/dashboard/accountability/"
HOSTILE_TOPIC = '<script>alert("topic")</script>'
FORMULA_TOPIC = '=HYPERLINK("http://evil.example","x")'
HOSTILE_AGENCY = '"><img src=x onerror=alert(1)>'
FIGURES = ("total", "on_time", "late", "overdue", "pending", "satisfied", "not_satisfied", "handled_well")
_phones = iter(range(1, 100_000))


# ---- building data ------------------------------------------------------------------------------

def held(agency, *, capacity, seated, attended, waitlisted=0, days_ago=5, title="Đối thoại") -> Conference:
    """A conference of `agency` signed up through `registrations.register`, then held `days_ago`:
    `seated` got a seat, `attended` of them came, `waitlisted` more wait for a seat."""
    conference = make_conference(agency, capacity=capacity, title_vi=title, title_en=title)
    for _ in range(seated + waitlisted):
        registrations.register(conference, full_name="Trần Thị Lan", phone=phone(next(_phones)))
    seats = db.session.query(Registration).filter_by(conference_id=conference.id,
                                                     status=RegistrationStatus.CONFIRMED).all()
    for registration in seats[:attended]:
        registration.status = RegistrationStatus.ATTENDED
        registration.checked_in_at = utcnow()
    now = utcnow()
    conference.status = ConferenceStatus.HELD
    conference.starts_at = now - timedelta(days=days_ago, hours=3)
    conference.ends_at = now - timedelta(days=days_ago)
    db.session.commit()
    return conference


def petition(conference, *, agency=None, topic=None, days_ago=3, due_in=None, answered_days_ago=None,
             rating=None, status=None, text="Đề nghị sửa đường") -> Petition:
    """A petition received `days_ago` at `conference`, routed to `agency` (due in `due_in` days from
    today) and answered `answered_days_ago` if given."""
    today = local_today()
    due_date = today + timedelta(days=due_in) if due_in is not None else None
    p = create_petition(text=text, source=PetitionSource.FLOOR, conference=conference, topic=topic,
                        agency=agency, due_date=due_date)
    p.created_at = utcnow() - timedelta(days=days_ago)
    if answered_days_ago is not None:
        p.status = PetitionStatus.ANSWERED
        p.answer_text = "Đã trả lời"
        p.answer_published_at = utcnow() - timedelta(days=answered_days_ago)
    p.rating_satisfied = rating
    if status is not None:
        p.status = status
    db.session.flush()
    return p


@pytest.fixture
def topics(app):
    """Three topics, two of them with names that try to inject markup and a spreadsheet formula."""
    rows = [Topic(code="dat-dai", name_vi="Đất đai", name_en="Land"),
            Topic(code="hostile", name_vi=HOSTILE_TOPIC, name_en=HOSTILE_TOPIC),
            Topic(code="formula", name_vi=FORMULA_TOPIC, name_en=FORMULA_TOPIC)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


@pytest.fixture
def built(app, tree, topics):
    """A small known world: conferences and petitions in department A (and A1, A2) and B."""
    land, hostile, formula = topics
    tree.counter_a.name_vi = tree.counter_a.name_en = HOSTILE_AGENCY
    conf_a = held(tree.dept_a, capacity=8, seated=8, attended=5, waitlisted=2, title="Hội nghị Sở Tư pháp")
    conf_a2 = held(tree.commune_a, capacity=4, seated=2, attended=1, title="Hội nghị xã An Bình")
    conf_b = held(tree.dept_b, capacity=20, seated=6, attended=6, title="Hội nghị Sở Y tế")
    make_conference(tree.dept_a, status=ConferenceStatus.DRAFT, title_vi="Bản nháp bí mật")
    old = held(tree.dept_a, capacity=50, seated=3, attended=3, days_ago=500, title="Hội nghị năm ngoái")
    # Department A: one on time, one late, one overdue (rated not satisfied), one pending.
    petition(conf_a, agency=tree.dept_a, topic=land, due_in=-5, answered_days_ago=6, rating=True)
    petition(conf_a, agency=tree.dept_a, topic=land, due_in=-5, answered_days_ago=1)
    petition(conf_a, agency=tree.counter_a, topic=hostile, due_in=-4, rating=False)
    petition(conf_a, agency=tree.counter_a, topic=formula, due_in=5)
    petition(conf_a2, agency=tree.commune_a, due_in=-1)                     # overdue, no topic
    petition(conf_a, topic=land)                                           # not routed yet: host A
    petition(conf_a, agency=tree.dept_a, topic=land, status=PetitionStatus.HIDDEN, due_in=-3)
    petition(old, agency=tree.dept_a, topic=land, days_ago=480, due_in=-470)  # outside the period
    # Department B, which A's leader must never see.
    petition(conf_b, agency=tree.dept_b, topic=land, due_in=-2, text="Kiến nghị của Sở Y tế",
             rating=False)
    petition(conf_b, topic=land)
    db.session.commit()
    return {"conf_a": conf_a, "conf_a2": conf_a2, "conf_b": conf_b}


def window():
    """The default period of the page (last 12 months) in UTC, as the view computes it."""
    from feedback.dashboards.filters import DashboardFilters, default_period
    return DashboardFilters(*default_period(local_today())).period(ZONE)


# ---- plain-Python reference ---------------------------------------------------------------------

def in_scope(agency_id, scope_ids):
    """Whether an agency id is in the set of scoped ids."""
    return agency_id in scope_ids


def reference(scope_ids, start, end, today):
    """Every figure of the page computed row by row from the ORM objects."""
    conferences = [c for c in db.session.query(Conference).all()
                   if c.host_agency_id in scope_ids and start <= c.starts_at < end]
    held_ids = [c.id for c in conferences
                if c.status in (ConferenceStatus.HELD, ConferenceStatus.REPORTED)]
    regs = [r for r in db.session.query(Registration).all() if r.conference_id in held_ids]
    seated = [r for r in regs if r.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)]
    received, by_topic, handling, overdue = 0, {}, {}, []
    for p in db.session.query(Petition).all():
        if p.status in (PetitionStatus.HIDDEN, PetitionStatus.MERGED) or not start <= p.created_at < end:
            continue
        owner = p.agency_id if p.agency_id is not None else (p.conference.host_agency_id if p.conference
                                                             else None)
        if owner in scope_ids:
            received += 1
            key = p.topic.code if p.topic else None
            by_topic[key] = by_topic.get(key, 0) + 1
        if p.agency_id not in scope_ids or p.status == PetitionStatus.RECEIVED or p.due_date is None:
            continue
        row = handling.setdefault(p.agency_id, dict.fromkeys(FIGURES, 0))
        day = p.answer_published_at.astimezone(ZONE).date() if p.answer_published_at else None
        late = day is not None and day > p.due_date
        is_overdue = day is None and p.due_date < today
        row["total"] += 1
        row["on_time"] += day is not None and day <= p.due_date
        row["late"] += late
        row["overdue"] += is_overdue
        row["pending"] += day is None and p.due_date >= today
        row["satisfied"] += p.rating_satisfied is True
        row["not_satisfied"] += p.rating_satisfied is False
        row["handled_well"] += not (p.rating_satisfied is False or late or is_overdue)
        if is_overdue:
            overdue.append((p.tracking_code, (today - p.due_date).days))
    return {
        "conferences": sorted(c.id for c in conferences if c.status != ConferenceStatus.DRAFT),
        "held": len(held_ids), "capacity": sum(c.capacity for c in conferences if c.id in held_ids),
        "registered": len(seated), "attended": sum(r.status == RegistrationStatus.ATTENDED for r in seated),
        "received": received, "by_topic": by_topic, "handling": handling, "overdue": sorted(overdue),
    }


def computed(clause, start, end, today):
    """The same figures from the SQL aggregates."""
    totals = accountability.conference_totals(clause, start, end)
    return {
        "conferences": sorted(c.id for c in accountability.conferences(clause, start, end)),
        "held": totals.held, "capacity": totals.capacity, "registered": totals.registered,
        "attended": totals.attended,
        "received": accountability.petitions_received(clause, start, end),
        "by_topic": {t.code: t.count for t in accountability.petitions_by_topic(clause, start, end)},
        "handling": {db.session.scalar(db.select(Agency.id).where(Agency.code == r.code)):
                     {f: getattr(r.handling, f) for f in FIGURES}
                     for r in accountability.handling(clause, start, end, today)},
        "overdue": sorted((p.tracking_code, p.days_overdue)
                          for p in accountability.overdue_petitions(clause, start, end, today)),
    }


def scope_ids(clause):
    """The ids of the agencies matching `clause`."""
    return set(db.session.scalars(db.select(Agency.id).where(clause)))


# ---- aggregates ---------------------------------------------------------------------------------

def test_aggregates_equal_a_plain_python_computation(app, tree, built):
    start, end = window()
    today = local_today()
    for clause in (agency_filter(tree.leader_a, Role.LEADER), agency_filter(tree.leader_b, Role.LEADER),
                   agency_filter(tree.admin, Role.LEADER), Agency.in_subtree(tree.commune_a.path)):
        assert computed(clause, start, end, today) == reference(scope_ids(clause), start, end, today)
    figures = computed(agency_filter(tree.leader_a, Role.LEADER), start, end, today)
    # Known values of the built world, so the reference itself is checked too.
    seats = (figures["held"], figures["capacity"], figures["registered"], figures["attended"])
    assert seats == (2, 12, 10, 6)
    assert figures["received"] == 6
    assert figures["handling"][tree.dept_a.id] == {"total": 2, "on_time": 1, "late": 1, "overdue": 0,
                                                   "pending": 0, "satisfied": 1, "not_satisfied": 0,
                                                   "handled_well": 1}


def test_aggregates_on_random_data_match_the_reference(app, tree, topics):
    rng = random.Random(20260505)
    agencies = [tree.dept_a, tree.counter_a, tree.commune_a, tree.dept_b, tree.province]
    conferences = []
    for agency in agencies:
        conference = held(agency, capacity=rng.randint(1, 6), seated=rng.randint(0, 8),
                          attended=rng.randint(0, 3), days_ago=rng.randint(1, 400))
        conference.status = rng.choice([ConferenceStatus.HELD, ConferenceStatus.REPORTED,
                                        ConferenceStatus.CANCELLED, ConferenceStatus.PUBLISHED])
        conferences.append(conference)
    for _ in range(60):
        routed = rng.random() < .8
        answered = routed and rng.random() < .6
        petition(rng.choice(conferences), agency=rng.choice(agencies) if routed else None,
                 topic=rng.choice([None, *topics]), days_ago=rng.randint(0, 420),
                 due_in=rng.randint(-30, 10) if routed else None,
                 answered_days_ago=rng.randint(0, 40) if answered else None,
                 rating=rng.choice([None, True, False]) if answered else None,
                 status=rng.choice([None, None, None, PetitionStatus.HIDDEN, PetitionStatus.CLOSED]))
    db.session.commit()
    today = local_today()
    for start, end in (window(), (utcnow() - timedelta(days=30), utcnow() + timedelta(days=1)),
                       (utcnow() - timedelta(days=900), utcnow() - timedelta(days=800))):
        for user in (tree.leader_a, tree.leader_b, tree.admin):
            clause = agency_filter(user, Role.LEADER)
            assert computed(clause, start, end, today) == reference(scope_ids(clause), start, end, today)


# ---- the page -----------------------------------------------------------------------------------

def figure(html: str, element_id: str) -> dict:
    """The Plotly figure embedded in the page under `element_id`."""
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert match, f"no figure {element_id}"
    return json.loads(match.group(1))


def test_leader_sees_tiles_charts_tables_and_overdue_links(leader_a_client, tree, built):
    response = leader_a_client.get(URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "60,0%" in html            # attendance 6 / 10
    assert "83,3%" in html            # registrations 10 / 12 seats
    assert "Hội nghị Sở Tư pháp" in html and "Hội nghị xã An Bình" in html
    assert "Hội nghị năm ngoái" not in html and "Bản nháp bí mật" not in html
    on_time = figure(html, "on-time-figure")
    bars = {code: x for trace in on_time["data"] for code, x in zip(trace["y"], trace["x"], strict=True)}
    assert bars == {"A": 50.0, "A1": 0.0, "A2": 0.0}
    overdue = accountability.overdue_petitions(agency_filter(tree.leader_a, Role.LEADER), *window())
    assert [p.agency_code for p in overdue] == ["A1", "A2"]
    for p in overdue:
        assert f'href="/manage/petitions/{p.id}"' in html
    assert "Hội nghị Sở Y tế" not in html and "Sở Y tế" not in html


def test_hostile_names_are_escaped_in_the_page_and_hover_text(leader_a_client, built):
    html = leader_a_client.get(URL).get_data(as_text=True)
    assert HOSTILE_TOPIC not in html and HOSTILE_AGENCY not in html
    assert "&lt;script&gt;alert(&#34;topic&#34;)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    topics = figure(html, "topic-figure")
    hover = " ".join(t for trace in topics["data"] for t in trace["hovertext"])
    labels = " ".join(a["text"] for a in topics["layout"]["annotations"])
    assert "&lt;script&gt;" in hover and "<script>" not in hover
    assert "&lt;script&gt;" in labels and "<script>" not in labels
    on_time = figure(html, "on-time-figure")
    hover = " ".join(t for trace in on_time["data"] for t in trace["hovertext"])
    assert "&lt;img src=x" in hover and "<img" not in hover


def read_csv(response) -> list[list[str]]:
    """The rows of a CSV response, after checking its BOM and type."""
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_downloads_hold_exactly_the_chart_numbers(leader_a_client, built):
    rows = read_csv(leader_a_client.get(URL, query_string={"format": "csv", "chart": "on-time"}))
    assert rows[1:] == [["A", "Sở Tư pháp", "1", "2", "50.0"], ["A1", HOSTILE_AGENCY, "0", "1", "0.0"],
                        ["A2", "UBND xã An Bình", "0", "1", "0.0"]]
    assert len(rows[0]) == 5
    topics = read_csv(leader_a_client.get(URL, query_string={"format": "csv", "chart": "topics"}))
    # Most petitions first, ties by topic code, petitions without a topic last.
    assert topics[1:] == [["Đất đai", "3"], ["'" + FORMULA_TOPIC, "1"], [HOSTILE_TOPIC, "1"],
                          ["Không chọn lĩnh vực", "1"]]
    agencies = read_csv(leader_a_client.get(URL, query_string={"format": "csv", "chart": "agencies"}))
    assert [r[0] for r in agencies[1:]] == ["A", "A1", "A2"]
    assert agencies[1][2:] == ["2", "1", "1", "0", "0", "0", "2", "50.0", "50.0"]
    overdue = read_csv(leader_a_client.get(URL, query_string={"format": "csv", "chart": "overdue"}))
    assert [(r[0], r[4]) for r in overdue[1:]] == [("A1", "4"), ("A2", "1")]
    conferences = read_csv(leader_a_client.get(URL, query_string={"format": "csv", "chart": "conferences"}))
    assert sorted(r[0] for r in conferences[1:]) == ["Hội nghị Sở Tư pháp", "Hội nghị xã An Bình"]
    assert leader_a_client.get(URL, query_string={"format": "csv", "chart": "nope"}).status_code == 404


def test_a_formula_in_an_agency_name_is_neutralized_in_csv(leader_a_client, tree, built):
    tree.commune_a.name_vi = "@SUM(1+1)*cmd|' /C calc'!A0"
    db.session.commit()
    rows = read_csv(leader_a_client.get(URL, query_string={"format": "csv", "chart": "agencies"}))
    assert ["A2", "'@SUM(1+1)*cmd|' /C calc'!A0"] == rows[3][:2]


# ---- scoping ------------------------------------------------------------------------------------

A_SECRETS = ("Sở Tư pháp", "UBND xã An Bình", "Hội nghị Sở Tư pháp", "Hội nghị xã An Bình", "onerror")


def test_leader_of_b_never_sees_department_a(leader_b_client, tree, built):
    html = leader_b_client.get(URL).get_data(as_text=True)
    for secret in A_SECRETS:
        assert secret not in html
    assert "Sở Y tế" in html and "Hội nghị Sở Y tế" in html
    assert 'value="A"' not in html and 'value="A1"' not in html and 'value="B"' in html
    others = db.session.query(Petition).filter(Petition.conference_id != built["conf_b"].id).all()
    for other in others:
        assert grouped(other.tracking_code) not in html and f"/manage/petitions/{other.id}\"" not in html
    for chart in accountability_views_csv_names():
        body = leader_b_client.get(URL, query_string={"format": "csv", "chart": chart}).get_data(as_text=True)
        for secret in A_SECRETS:
            assert secret not in body, (chart, secret)
        for other in others:
            assert grouped(other.tracking_code) not in body


def accountability_views_csv_names():
    """The CSV names the page offers."""
    from feedback.dashboards.accountability_views import CSV_NAMES
    return CSV_NAMES


def test_another_subtree_in_the_filter_is_refused_like_an_unknown_code(leader_b_client, built):
    for code in ("A", "A1", "NOPE"):
        response = leader_b_client.get(URL, query_string={"agency": code})
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "role=\"alert\"" in html
        for secret in A_SECRETS:
            assert secret not in html
        body = leader_b_client.get(URL, query_string={"agency": code, "format": "csv", "chart": "agencies"})
        assert "Sở Tư pháp" not in body.get_data(as_text=True)


def test_a_subtree_filter_narrows_every_figure(leader_a_client, built):
    html = leader_a_client.get(URL, query_string={"agency": "A2"}).get_data(as_text=True)
    assert "Hội nghị xã An Bình" in html and "Hội nghị Sở Tư pháp" not in html
    rows = read_csv(leader_a_client.get(URL, query_string={"agency": "A2", "format": "csv",
                                                           "chart": "agencies"}))
    assert [r[0] for r in rows[1:]] == ["A2"]


def test_only_leaders_and_admins(client, organizer_a_client, admin_client, built):
    assert client.get(URL).status_code == 302
    assert organizer_a_client.get(URL).status_code == 403
    html = admin_client.get(URL).get_data(as_text=True)
    assert "Hội nghị Sở Y tế" in html and "Hội nghị Sở Tư pháp" in html


# ---- charts -------------------------------------------------------------------------------------

def test_on_time_chart_leaves_out_agencies_with_nothing_due_and_greys_small_ones():
    text = charts.OnTimeText(axis_title="x", enough="Enough", few="Few", on_time="On time", due="Due")
    figure_ = charts.on_time_chart([("A", "<b>A</b>", 9, 12), ("B", "B", 0, 0), ("C", "C", 1, 2)],
                                   text=text, min_due=10)
    assert [(t["name"], t["y"], t["x"]) for t in figure_["data"]] == [("Enough", ["A"], [75.0]),
                                                                      ("Few", ["C"], [50.0])]
    assert figure_["layout"]["annotations"][0]["text"] == "&lt;b&gt;A&lt;/b&gt; (n = 12)"
    assert figure_["data"][0]["hovertext"][0].startswith("&lt;b&gt;A&lt;/b&gt;<br>")
