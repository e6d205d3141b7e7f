"""/dialogues/past: the archive of conferences that took place, with their published questions and
answers, filtered by agency, topic and year; late answers keep their mark; the tracking page links
its conference."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from feedback.dialogues.models import ConferenceStatus, PetitionSource, PetitionStatus, Topic
from feedback.dialogues.petitions.services import create_petition
from feedback.extensions import db
from feedback.models import utcnow
from tests.dialogues.helpers import make_conference
from tests.dialogues.public.util import topics


def _held(agency, title: str, start: datetime, **fields):
    """A conference that took place at `start` (reported)."""
    return make_conference(agency, title_vi=title, title_en="", status=ConferenceStatus.REPORTED,
                           starts_at=start, ends_at=start + timedelta(hours=3), registration_opens_at=None,
                           registration_closes_at=None, **fields)


def _answered(conference, text: str, *, due_days: int, published_days: int, answer: str):
    """A published question of `conference`, its answer published `published_days` after the
    conference, due `due_days` after it."""
    petition = create_petition(text=text, source=PetitionSource.ADVANCE, conference=conference,
                               consent_to_publish=True)
    petition.question_published_at = conference.ends_at
    petition.agency_id = conference.host_agency_id
    petition.due_date = (conference.starts_at + timedelta(days=due_days)).date()
    petition.answer_text = answer
    published = conference.starts_at + timedelta(days=published_days)
    petition.answered_at = petition.answer_published_at = published
    petition.status = PetitionStatus.ANSWERED
    db.session.commit()
    return petition


def test_past_conferences_with_their_questions_and_late_marks(app, client, tree):
    topics()
    land = db.session.scalar(select(Topic).where(Topic.code == "dat-dai"))
    old = _held(tree.dept_a, "Đối thoại năm 2025", datetime(2025, 5, 10, 1, tzinfo=UTC), topics=[land])
    recent = _held(tree.dept_b, "Đối thoại năm 2026", utcnow() - timedelta(days=30))
    make_conference(tree.dept_a, title_vi="Sắp diễn ra", title_en="")
    make_conference(tree.dept_a, title_vi="Đã hủy", title_en="", status=ConferenceStatus.CANCELLED,
                    starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=3))
    late = _answered(old, "Khi nào làm đường?", due_days=7, published_days=12, answer="Tháng sau.")
    _answered(recent, "Giờ làm việc?", due_days=7, published_days=2, answer="Từ 7 giờ.")

    html = client.get("/dialogues/past?lang=en").get_data(as_text=True)
    assert html.index("Đối thoại năm 2026") < html.index("Đối thoại năm 2025")  # most recent first
    for absent in ("Sắp diễn ra", "Đã hủy"):
        assert absent not in html
    assert "Khi nào làm đường?" in html and "Tháng sau." in html
    assert html.count("Answered 5 days late") == 1  # the on-time answer has no mark
    assert 'aria-current="page"' in html and 'href="/dialogues/"' in html

    by_year = client.get("/dialogues/past?year=2025&lang=en").get_data(as_text=True)
    assert "Đối thoại năm 2025" in by_year and "Đối thoại năm 2026" not in by_year
    by_agency = client.get("/dialogues/past?agency=B").get_data(as_text=True)
    assert "Đối thoại năm 2026" in by_agency and "Đối thoại năm 2025" not in by_agency
    by_topic = client.get("/dialogues/past?topic=dat-dai").get_data(as_text=True)
    assert "Đối thoại năm 2025" in by_topic and "Đối thoại năm 2026" not in by_topic

    # The conference page and the tracking page keep the mark; the tracking page links its conference.
    assert "Answered 5 days late" in client.get(f"/dialogues/{old.id}?lang=en").get_data(as_text=True)
    track = client.get(f"/track/{late.tracking_code}?lang=en").get_data(as_text=True)
    assert "Answered 5 days late" in track and f'href="/dialogues/{old.id}"' in track


def test_a_bad_year_is_ignored_with_a_message(app, client, tree):
    response = client.get("/dialogues/past?year=20x5&lang=en")
    assert response.status_code == 400
    assert "four digits" in response.get_data(as_text=True)
    assert client.get("/dialogues/past?lang=en").status_code == 200
