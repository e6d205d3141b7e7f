"""/dialogues/<id>: details, seats, state, and published questions without anyone's name or phone."""

from datetime import timedelta

from sqlalchemy import select

from feedback.dialogues.models import ConferenceStatus, Petition, PetitionStatus, Topic
from feedback.extensions import db
from feedback.models import utcnow
from tests.dialogues.helpers import make_conference
from tests.dialogues.public.util import NAME, sign_up, ticket_code, topics

LEADERS = [{"name": "Phạm Thị Mai", "title": "Giám đốc Sở Tư pháp"}]
AGENDA = [{"time": "08:00", "item_vi": "Đón tiếp đại biểu", "item_en": "Welcome"}]


def test_details_seats_and_register_button(app, client, tree):
    topics()
    land = db.session.scalar(select(Topic).where(Topic.code == "dat-dai"))
    conference = make_conference(tree.dept_a, capacity=2, leaders=LEADERS, agenda=AGENDA, topics=[land],
                                 description_vi="Mô tả hội nghị", venue="Hội trường Sở Tư pháp",
                                 title_en="")
    html = client.get(f"/dialogues/{conference.id}").get_data(as_text=True)
    for text in ("Đối thoại với Nhân dân", "Mô tả hội nghị", "Phạm Thị Mai", "Giám đốc Sở Tư pháp",
                 "Đón tiếp đại biểu", "Đất đai", "Hội trường Sở Tư pháp", "Sở Tư pháp"):
        assert text in html
    assert f'href="/dialogues/{conference.id}/register"' in html
    for n in (1, 2, 3):
        sign_up(client, conference.id, n)
    html = client.get(f"/dialogues/{conference.id}?lang=en").get_data(as_text=True)
    assert "Full — waiting list open" in html and "1 person on the waiting list" in html
    assert "Join the waiting list" in html


def test_draft_is_not_found_cancelled_and_past_are_shown_without_sign_up(app, client, tree):
    draft = make_conference(tree.dept_a, status=ConferenceStatus.DRAFT)
    assert client.get(f"/dialogues/{draft.id}").status_code == 404
    assert client.get("/dialogues/999999").status_code == 404
    cancelled = make_conference(tree.dept_a, status=ConferenceStatus.CANCELLED)
    html = client.get(f"/dialogues/{cancelled.id}?lang=en").get_data(as_text=True)
    assert "This conference was cancelled." in html and "/register" not in html
    for status in (ConferenceStatus.HELD, ConferenceStatus.REPORTED):
        now = utcnow()
        past = make_conference(tree.dept_a, status=status, starts_at=now - timedelta(days=3),
                               ends_at=now - timedelta(days=3) + timedelta(hours=2))
        html = client.get(f"/dialogues/{past.id}?lang=en").get_data(as_text=True)
        assert "This conference has already taken place." in html and "/register" not in html


def test_published_questions_and_answers_never_show_who_asked(app, client, tree):
    topics()
    conference = make_conference(tree.dept_a, title_en="")
    visible = "Đề nghị sửa chữa cầu dân sinh ở ấp 3."
    response = sign_up(client, conference.id, 4, email="ngoc@example.vn", **{
        "q1-text": visible, "q1-topic": "giao-thong", "q1-publish": "yes",
        "q2-text": "Câu hỏi không cho công bố", "q2-topic": "khac",
        "q3-text": "Câu hỏi chưa duyệt", "q3-topic": "khac", "q3-publish": "yes"})
    code = ticket_code(response)
    sign_up(client, conference.id, 5, **{"q1-text": "Câu hỏi bị ẩn", "q1-topic": "khac", "q1-publish": "yes"})
    petitions = {p.text: p for p in db.session.scalars(select(Petition))}
    now = utcnow()
    # A moderator publishes: the consenting one, the non-consenting one (must stay hidden anyway),
    # and one later hidden.
    for text in (visible, "Câu hỏi không cho công bố", "Câu hỏi bị ẩn"):
        petitions[text].question_published_at = now
    petitions["Câu hỏi bị ẩn"].status = PetitionStatus.HIDDEN
    petitions[visible].answer_text = "Sở Giao thông sẽ sửa trong quý I."
    petitions[visible].answered_by = "Nguyễn Văn Bình, Giám đốc"
    petitions[visible].answered_at = now
    db.session.commit()

    html = client.get(f"/dialogues/{conference.id}").get_data(as_text=True)
    assert visible in html and "Giao thông" in html
    assert "Sở Giao thông sẽ sửa" not in html  # recorded, not published yet
    for hidden in ("Câu hỏi không cho công bố", "Câu hỏi chưa duyệt", "Câu hỏi bị ẩn"):
        assert hidden not in html
    petitions[visible].answer_published_at = now
    db.session.commit()
    html = client.get(f"/dialogues/{conference.id}").get_data(as_text=True)
    assert "Sở Giao thông sẽ sửa trong quý I." in html and "Nguyễn Văn Bình, Giám đốc" in html

    # Nowhere public: the asker's name, phone digits, email or ticket code.
    listing = client.get("/dialogues/").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    for page in (html, listing, home):
        for secret in (NAME, "0912 000 004", "912000004", "000 004", "ngoc@example.vn", code):
            assert secret not in page
