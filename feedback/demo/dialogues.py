"""Demo dialogue conferences in every state, with registrants, check-ins and petitions."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from feedback.agencies.models import Agency
from feedback.dialogues.models import (
    Conference,
    ConferenceMode,
    ConferenceStatus,
    Petition,
    PetitionAction,
    PetitionSource,
    PetitionStatus,
    Registration,
    RegistrationStatus,
    Representing,
    Topic,
)
from feedback.dialogues.petitions.services import create_petition, default_due_date, record_event
from feedback.dialogues.registrations import register
from feedback.dialogues.topics import load_default_topics
from feedback.extensions import db
from feedback.models import utcnow

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quang", "Thu", "Đức", "Kim"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Long", "Mai",
         "Nam", "Nga", "Phúc", "Quyên", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vy", "Yến"]
LOCALITIES = ["Tổ dân phố 3, phường Hòa Bình", "Thôn Đông, xã An Bình", "Khu phố 5, phường Tân Phong",
              "Thôn Phú Mỹ, xã Phú Lộc", "Tổ dân phố 1, phường Hòa Bình", "Thôn Trung, xã Tân Lập"]

# (topic code, question) raised by citizens; the texts are what such conferences really hear.
# (topic code, question, the answer an agency gives) raised by citizens; the texts are what such
# conferences really hear.
QUESTIONS = [
    ("dat-dai", "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất của gia đình tôi nộp từ tháng 3 đến nay "
                "chưa có kết quả. Đề nghị cho biết lý do và thời hạn giải quyết.",
     "Sở đã kiểm tra hồ sơ: hồ sơ thiếu trích đo địa chính, đã bổ sung; kết quả được trả trước ngày 15 "
     "tháng sau. Xin lỗi Ông/Bà vì sự chậm trễ."),
    ("dat-dai", "Đề nghị công khai phương án bồi thường, hỗ trợ tái định cư dự án mở rộng đường tỉnh 741.",
     "Phương án đã được niêm yết tại UBND phường và đăng trên cổng thông tin điện tử của tỉnh."),
    ("moi-truong", "Bãi tập kết rác ở đầu thôn Đông gây ô nhiễm, đề nghị di dời hoặc thu gom hằng ngày.",
     "UBND đã chỉ đạo thu gom rác hằng ngày từ tuần này và khảo sát vị trí tập kết mới."),
    ("giao-thong", "Đoạn đường từ chợ Tân Phong vào trường tiểu học xuống cấp, mùa mưa ngập sâu.",
     "Tuyến đường đã được đưa vào kế hoạch sửa chữa năm nay; thi công trong quý tới."),
    ("giao-duc", "Đề nghị bố trí thêm phòng học bán trú cho trường mầm non xã An Bình.",
     "Sở Giáo dục và Đào tạo đã bố trí kinh phí xây thêm 2 phòng học bán trú, hoàn thành trước năm học mới."),
    ("y-te", "Trạm y tế xã thiếu thuốc cấp cho người có thẻ bảo hiểm y tế, đề nghị bổ sung.",
     "Trạm y tế đã được cấp bổ sung thuốc theo danh mục bảo hiểm y tế."),
    ("an-sinh", "Gia đình tôi thuộc hộ cận nghèo nhưng chưa được cấp thẻ bảo hiểm y tế năm nay.",
     "Thẻ bảo hiểm y tế của hộ gia đình đã được cấp; Ông/Bà nhận tại UBND xã."),
    ("thu-tuc", "Thủ tục chứng thực trên cổng dịch vụ công hay bị lỗi, đề nghị hướng dẫn cụ thể hơn.",
     "Lỗi đã được khắc phục; hướng dẫn từng bước được đăng trên cổng dịch vụ công và tại quầy một cửa."),
    ("thu-tuc", "Đề nghị giảm thời gian giải quyết thủ tục cấp phép xây dựng nhà ở riêng lẻ.",
     "Thời gian giải quyết đã được rút từ 15 xuống 10 ngày làm việc kể từ tháng này."),
    ("an-ninh", "Tình trạng xe tải chạy quá tốc độ qua khu dân cư vào ban đêm, đề nghị kiểm tra xử lý.",
     "Công an phường đã tăng cường tuần tra ban đêm và lắp biển hạn chế tốc độ."),
    ("kinh-te", "Đề nghị hỗ trợ vốn vay ưu đãi cho hộ kinh doanh nhỏ sau đợt mưa lũ.",
     "Ngân hàng Chính sách xã hội đã mở gói vay ưu đãi; hồ sơ nhận tại UBND xã đến hết tháng sau."),
    ("xay-dung", "Công trình xây dựng bên cạnh nhà tôi lấn chiếm vỉa hè, đề nghị kiểm tra.",
     "Đoàn kiểm tra đã lập biên bản, yêu cầu chủ công trình trả lại vỉa hè trong 5 ngày."),
]


@dataclass
class DialogueSummary:
    """What the dialogue part of the demo loaded."""

    conferences: int
    registrations: int
    petitions: int


def _person(rng: random.Random, n: int) -> dict:
    """A believable registrant; phone numbers are distinct within the demo."""
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    return {
        "full_name": name,
        "phone": f"0912 {n // 1000:03d} {n % 1000:03d}",
        "email": f"nguoidan{n}@example.vn" if rng.random() < 0.4 else None,
        "locality": rng.choice(LOCALITIES),
        "representing": rng.choices(list(Representing), weights=[70, 20, 7, 3])[0],
        "locale": "en" if rng.random() < 0.05 else "vi",
    }


class _Builder:
    """Adds conferences, sign-ups and petitions, numbering phones so none repeats."""

    def __init__(self, rng: random.Random, topics: dict[str, Topic]):
        self.rng = rng
        self.topics = topics
        self.phone_counter = 100
        self.conferences = 0
        self.registrations = 0
        self.petitions = 0

    def conference(self, host: Agency, title_vi: str, title_en: str, *, starts: datetime, hours: float,
                   capacity: int, topics: list[str], mode: ConferenceMode = ConferenceMode.IN_PERSON,
                   venue: str = "", online_url: str = "", leaders: list[dict] | None = None,
                   status: ConferenceStatus = ConferenceStatus.PUBLISHED) -> Conference:
        """A conference whose sign-up opened a month before it and closes the day before."""
        conference = Conference(
            title_vi=title_vi, title_en=title_en,
            description_vi=("Người đứng đầu cấp ủy, chính quyền đối thoại trực tiếp với Nhân dân; "
                            "Ông/Bà có thể gửi câu hỏi trước khi đăng ký."),
            description_en=("The heads of the Party committee and the government meet citizens in "
                            "person; you can send questions when you sign up."),
            host_agency_id=host.id, leaders=leaders or [], mode=mode, venue=venue, online_url=online_url,
            agenda=[{"time": "08:00", "item_vi": "Đón tiếp, điểm danh", "item_en": "Welcome and check-in"},
                    {"time": "08:30", "item_vi": "Báo cáo tình hình, kết quả giải quyết kiến nghị",
                     "item_en": "Report on petitions handled"},
                    {"time": "09:00", "item_vi": "Đối thoại trực tiếp", "item_en": "Open dialogue"},
                    {"time": "11:00", "item_vi": "Kết luận của người chủ trì",
                     "item_en": "Conclusions of the chair"}],
            starts_at=starts, ends_at=starts + timedelta(hours=hours), capacity=capacity,
            registration_opens_at=starts - timedelta(days=30),
            registration_closes_at=starts - timedelta(days=1),
            status=ConferenceStatus.PUBLISHED, published_at=starts - timedelta(days=30),
            created_at=starts - timedelta(days=35),
        )
        conference.topics = [self.topics[code] for code in topics]
        db.session.add(conference)
        db.session.flush()
        self.conferences += 1
        if status != ConferenceStatus.PUBLISHED:
            conference.status = status
        return conference

    def sign_ups(self, conference: Conference, count: int, *, questions: float = 0.3) -> list[Registration]:
        """`count` sign-ups through the real seat rules, spread over the registration window."""
        added = []
        was = conference.status
        conference.status = ConferenceStatus.PUBLISHED
        window = conference.registration_closes_at - conference.registration_opens_at
        for i in range(count):
            self.phone_counter += 1
            when = conference.registration_opens_at + window * (i + 1) / (count + 2)
            registration, _new = register(conference, **_person(self.rng, self.phone_counter), now=when)
            added.append(registration)
            if self.rng.random() < questions:
                topic, text, _answer_text = self.rng.choice(QUESTIONS)
                self.petition(conference, text, topic, when, registration=registration,
                              consent=self.rng.random() < 0.7)
        conference.status = was
        self.registrations += count
        return added

    def petition(self, conference: Conference, text: str, topic: str, when: datetime, *,
                 source: PetitionSource = PetitionSource.ADVANCE, registration: Registration | None = None,
                 consent: bool = False, agency: Agency | None = None, due=None) -> Petition:
        """A petition received on `when` (and assigned then when `agency` is given)."""
        self.petitions += 1
        petition = create_petition(text=text, source=source, conference=conference,
                                   registration=registration, topic=self.topics[topic],
                                   consent_to_publish=consent, agency=agency, due_date=due)
        petition.created_at = when
        for event in petition.events:
            event.at = when
        return petition


def _assign(petition: Petition, agency: Agency, due, when: datetime) -> None:
    """Route `petition` to `agency` on `when`, due on `due`."""
    petition.agency = agency
    petition.due_date = due
    petition.status = PetitionStatus.ASSIGNED
    record_event(petition, PetitionAction.ASSIGNED).at = when


def _answer(petition: Petition, text: str, when: datetime) -> None:
    """Record an answer given on `when` and publish it an hour later."""
    petition.answer_text = text
    petition.answered_by = f"Lãnh đạo {petition.agency.name_vi}"
    petition.answered_at = when
    record_event(petition, PetitionAction.ANSWERED).at = when
    petition.status = PetitionStatus.ANSWERED
    petition.answer_published_at = when + timedelta(hours=1)
    record_event(petition, PetitionAction.ANSWER_PUBLISHED).at = petition.answer_published_at


def _publish_question(petition: Petition, when: datetime) -> None:
    """Show the question on the conference page (the asker allowed it)."""
    petition.question_published_at = when
    record_event(petition, PetitionAction.QUESTION_PUBLISHED).at = when


def seed_dialogues(rng: random.Random, agencies: dict[str, Agency]) -> DialogueSummary:
    """Conferences in every state; the caller commits."""
    load_default_topics()
    topics = {t.code: t for t in db.session.scalars(select(Topic))}
    build = _Builder(rng, topics)
    today = utcnow().replace(hour=1, minute=0, second=0, microsecond=0)  # 08:00 in Việt Nam
    chair = {"name": "Nguyễn Văn Hòa", "title": "Chủ tịch UBND tỉnh"}
    deputy = {"name": "Trần Minh Quang", "title": "Phó Chủ tịch UBND tỉnh"}
    ward_chair = {"name": "Lê Thị Thu Hà", "title": "Chủ tịch UBND phường Hòa Bình"}

    # Upcoming and open: plenty of seats.
    land = build.conference(
        agencies["BA"], "Đối thoại của Chủ tịch UBND tỉnh với Nhân dân về đất đai và bồi thường",
        "Dialogue of the Provincial Chair with citizens on land and compensation",
        starts=today + timedelta(days=12), hours=3.5, capacity=150, topics=["dat-dai", "xay-dung"],
        venue="Hội trường UBND tỉnh, 12 Trần Hưng Đạo", leaders=[chair, deputy])
    build.sign_ups(land, 48)
    # Upcoming: only a few seats left.
    ward = build.conference(
        agencies["PHOABINH"], "Đối thoại với Nhân dân phường Hòa Bình quý IV",
        "Hoa Binh Ward dialogue with residents, fourth quarter",
        starts=today + timedelta(days=6), hours=3, capacity=40, topics=["moi-truong", "giao-thong"],
        venue="Nhà văn hóa tổ dân phố 3, phường Hòa Bình", leaders=[ward_chair])
    build.sign_ups(ward, 37)
    # Upcoming and full, with a waiting list.
    health = build.conference(
        agencies["SYT"], "Đối thoại về khám chữa bệnh bảo hiểm y tế", "Dialogue on health-insurance care",
        starts=today + timedelta(days=9), hours=2.5, capacity=25, topics=["y-te", "an-sinh"],
        mode=ConferenceMode.HYBRID, venue="Hội trường Bệnh viện Đa khoa tỉnh",
        online_url="https://hop.binhan.gov.vn/doi-thoai-y-te",
        leaders=[{"name": "Phạm Thị Mai", "title": "Giám đốc Sở Y tế"}])
    build.sign_ups(health, 31)
    # Online only, next month.
    build.sign_ups(build.conference(
        agencies["TTHCC"], "Đối thoại trực tuyến về thủ tục hành chính trên cổng dịch vụ công",
        "Online dialogue on administrative procedures on the public service portal",
        starts=today + timedelta(days=26), hours=2, capacity=300, topics=["thu-tuc"],
        mode=ConferenceMode.ONLINE, online_url="https://hop.binhan.gov.vn/dich-vu-cong",
        leaders=[{"name": "Võ Thanh Sơn", "title": "Giám đốc Trung tâm Phục vụ hành chính công"}]), 14)
    # A draft still being prepared, and a cancelled one.
    build.conference(agencies["SGDDT"], "Đối thoại về tuyển sinh đầu cấp năm học mới",
                     "Dialogue on school admissions for the new school year",
                     starts=today + timedelta(days=40), hours=2, capacity=80, topics=["giao-duc"],
                     venue="Hội trường Sở Giáo dục và Đào tạo", status=ConferenceStatus.DRAFT)
    cancelled = build.conference(
        agencies["XTANLAP"], "Đối thoại với Nhân dân xã Tân Lập", "Tan Lap Commune dialogue",
        starts=today + timedelta(days=4), hours=2, capacity=60, topics=["kinh-te"],
        venue="Hội trường UBND xã Tân Lập")
    for registration in build.sign_ups(cancelled, 9, questions=0):
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = today - timedelta(days=1)
    cancelled.status = ConferenceStatus.CANCELLED
    cancelled.cancelled_at = today - timedelta(days=1)

    # Held ten days ago: check-ins and petitions in every status, those still open now overdue.
    held = build.conference(
        agencies["BA"], "Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền tỉnh với Nhân dân",
        "Dialogue of the province's leaders with citizens",
        starts=today - timedelta(days=10), hours=4, capacity=120,
        topics=["dat-dai", "moi-truong", "thu-tuc", "y-te"], venue="Hội trường UBND tỉnh",
        leaders=[chair, deputy])
    people = build.sign_ups(held, 96, questions=0)
    for registration in people:
        if registration.status == RegistrationStatus.CONFIRMED and rng.random() < 0.82:
            registration.status = RegistrationStatus.ATTENDED
            registration.checked_in_at = held.starts_at - timedelta(minutes=rng.randint(0, 40))
    held.status = ConferenceStatus.HELD
    due = default_due_date(held)
    departments = [agencies[c] for c in ("SNNMT", "SXD", "SYT", "TTHCC", "PTANPHONG")]
    first = None
    for i, (topic, text, answer) in enumerate(QUESTIONS):
        asker = people[i * 7]
        raised = asker.created_at if i % 2 else held.starts_at + timedelta(hours=1)
        petition = build.petition(held, text, topic, raised, registration=asker, consent=i % 3 != 2,
                                  source=PetitionSource.ADVANCE if i % 2 else PetitionSource.FLOOR)
        first = first or petition
        state = i % 6
        if state == 0:
            continue  # received, waiting for moderation
        if state == 5:
            petition.status = PetitionStatus.HIDDEN
            record_event(petition, PetitionAction.HIDDEN,
                         "Nội dung trùng lặp, không thuộc thẩm quyền.").at = held.ends_at + timedelta(hours=3)
            continue
        if petition.consent_to_publish:
            _publish_question(petition, held.ends_at + timedelta(hours=2))
        _assign(petition, departments[i % len(departments)], due, held.ends_at + timedelta(hours=3))
        if state in (2, 3, 4):
            _answer(petition, answer, held.ends_at + timedelta(days=3 + i % 3))
        if state == 3:
            petition.rating_satisfied = i % 2 == 1
            petition.rated_at = held.ends_at + timedelta(days=6)
            record_event(petition, PetitionAction.RATED).at = petition.rated_at
        if state == 4:
            petition.status = PetitionStatus.CLOSED
            record_event(petition, PetitionAction.CLOSED).at = held.ends_at + timedelta(days=7)
    duplicate = build.petition(held, QUESTIONS[0][1], QUESTIONS[0][0], held.starts_at + timedelta(hours=2),
                               source=PetitionSource.FLOOR)
    duplicate.status = PetitionStatus.MERGED
    duplicate.merged_into_id = first.id
    record_event(duplicate, PetitionAction.MERGED).at = held.ends_at + timedelta(hours=3)

    # Reported forty days ago, with commitments mostly answered and one overdue.
    reported = build.conference(
        agencies["PTANPHONG"], "Đối thoại với Nhân dân phường Tân Phong quý III",
        "Tan Phong Ward dialogue with residents, third quarter",
        starts=today - timedelta(days=40), hours=3, capacity=70, topics=["giao-thong", "an-ninh"],
        venue="Hội trường UBND phường Tân Phong",
        leaders=[{"name": "Đỗ Quang Trung", "title": "Chủ tịch UBND phường Tân Phong"}])
    for registration in build.sign_ups(reported, 58, questions=0):
        if registration.status == RegistrationStatus.CONFIRMED and rng.random() < 0.9:
            registration.status = RegistrationStatus.ATTENDED
            registration.checked_in_at = reported.starts_at
    reported.status = ConferenceStatus.REPORTED
    reported.attendee_count = 55
    reported.report_summary = ("55 người dân dự; 9 ý kiến phát biểu tại hội nghị. Chủ tịch UBND phường "
                               "kết luận 3 nội dung giao các cơ quan giải quyết.")
    reported.reported_at = reported.ends_at + timedelta(days=2)
    commitments = [
        ("giao-thong", "Sửa chữa đoạn đường từ chợ Tân Phong vào trường tiểu học trước mùa mưa.",
         agencies["SXD"], "Đã hoàn thành sửa chữa 600 m đường, thoát nước tốt trong đợt mưa vừa qua."),
        ("an-ninh", "Lắp biển hạn chế tốc độ và tăng cường tuần tra ban đêm trên tuyến qua khu dân cư.",
         agencies["PTANPHONG"], "Đã lắp 4 biển hạn chế tốc độ; công an phường tuần tra hằng đêm."),
        ("moi-truong", "Bố trí điểm tập kết rác mới cách xa khu dân cư.", agencies["SNNMT"], None),
    ]
    commitment_due = (reported.ends_at + timedelta(days=30)).date()
    for topic, text, agency, answered in commitments:
        petition = build.petition(reported, text, topic, reported.reported_at,
                                  source=PetitionSource.COMMITMENT, agency=agency, consent=True,
                                  due=commitment_due)
        if answered:
            _answer(petition, answered, reported.ends_at + timedelta(days=20))
    db.session.flush()
    return DialogueSummary(conferences=build.conferences, registrations=build.registrations,
                           petitions=build.petitions)
