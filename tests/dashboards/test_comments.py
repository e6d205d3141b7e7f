"""The comments page: search without accents or case, filters, flagged responses, paging, role
scoping, escaping in the page, the chart's hover text and the CSV, and the migration's backfill."""

import csv
import importlib.util
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from feedback.agencies.models import Agency
from feedback.core.text import fold_for_search, like_pattern
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.answers import ParsedAnswer
from feedback.surveys.models import (
    AccessMode,
    Answer,
    Deployment,
    DeploymentStatus,
    Question,
    QuestionType,
    SurveyVersion,
)
from feedback.surveys.services import submit_response
from tests.dashboards.helpers import add_response, make_version

URL = "/dashboard/comments"
FIGURE_RE = re.compile(r'<script type="application/json" id="comments-figure">(.*?)</script>', re.S)
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SERVICES = [{"code": "khai-sinh", "name_vi": "Đăng ký khai sinh", "name_en": "Birth registration"}]
MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0006_answer_search.py"


# ---- data -----------------------------------------------------------------------------------------

def _version(with_suggestion: bool = True, key: str | None = None) -> SurveyVersion:
    """make_version's survey, with a second free-text question ("suggestion") when asked."""
    version = make_version()
    if key:
        version.survey.key = key
    if with_suggestion:
        version.questions.append(Question(position=7, key="suggestion", type=QuestionType.SHORT_TEXT,
                                          text_vi="Đề xuất cải tiến", text_en="Suggested improvement"))
    db.session.flush()
    return version


def _deploy(version: SurveyVersion, agency, status=DeploymentStatus.ACTIVE) -> None:
    """A deployment of `version` at `agency` offering one service (the filters list it)."""
    db.session.add(Deployment(version=version, agency=agency, services=SERVICES, status=status))
    db.session.flush()


def comment(version, agency, text: str, *, key: str = "comment", days_ago: float = 1,
            service: str | None = None, **kwargs):
    """A response at `agency` whose only answer is the comment `text`, folded as on submit."""
    return add_response(version, agency, answers={key: text}, service=service,
                        submitted_at=utcnow() - timedelta(days=days_ago), **kwargs)


@pytest.fixture
def survey(app, tree):
    """A survey with two free-text questions deployed at A, A1 and A2; another survey at B."""
    version = _version(key="khao-sat-a")
    for agency in (tree.dept_a, tree.counter_a, tree.commune_a):
        _deploy(version, agency)
    other = _version(with_suggestion=False, key="khao-sat-b")
    _deploy(other, tree.dept_b)
    db.session.commit()
    return version


def _html(client, url: str) -> str:
    """The page at `url`, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _texts(html: str) -> list[str]:
    """The comment texts listed on the page, in order."""
    return [re.sub(r"\s+", " ", t).strip()
            for t in re.findall(r'<p class="comment-text"><bdi>(.*?)</bdi></p>', html, re.S)]


def _csv(client, url: str) -> list[list[str]]:
    """The CSV at `url` as rows (header first)."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


# ---- folding and patterns -------------------------------------------------------------------------

def test_folding_drops_accents_case_and_extra_spaces():
    assert fold_for_search("  Thủ   TỤC\nhành chính  ") == "thu tuc hanh chinh"
    assert fold_for_search("ĐƯỜNG đi") == "duong di"
    assert fold_for_search("Nguyễn Ngọc Ánh") == "nguyen ngoc anh"
    assert fold_for_search(None) is None
    assert fold_for_search("a\x00b\tc\x1fd") == "a b c d"
    assert like_pattern("50%_a\\") == "%50\\%\\_a\\\\%"


# ---- search -------------------------------------------------------------------------------------

def test_search_ignores_accents_and_capitals(leader_a_client, survey, tree):
    comment(survey, tree.dept_a, "Thủ tục còn rườm rà, nhiều giấy tờ.", days_ago=3)
    comment(survey, tree.counter_a, "Cán bộ TẬN TÌNH, chu đáo.", days_ago=2)
    comment(survey, tree.commune_a, "Đường vào trụ sở khó tìm.", days_ago=1)
    db.session.commit()
    assert len(_texts(_html(leader_a_client, URL))) == 3
    for query, expected in [("thu tuc", "Thủ tục còn rườm rà, nhiều giấy tờ."),
                            ("THỦ TỤC", "Thủ tục còn rườm rà, nhiều giấy tờ."),
                            ("Thu   Tuc", "Thủ tục còn rườm rà, nhiều giấy tờ."),
                            ("tận tình", "Cán bộ TẬN TÌNH, chu đáo."),
                            ("tan tinh", "Cán bộ TẬN TÌNH, chu đáo."),
                            ("duong", "Đường vào trụ sở khó tìm."),
                            ("giay to thu tuc", "Thủ tục còn rườm rà, nhiều giấy tờ.")]:
        assert _texts(_html(leader_a_client, f"{URL}?q={query}")) == [expected], query
    html = _html(leader_a_client, f"{URL}?q=bệnh+viện&lang=en")
    assert _texts(html) == [] and "No comment matches this search" in html


def test_like_metacharacters_are_literal(leader_a_client, survey, tree):
    for i, text in enumerate(["Giảm 50% lệ phí", "Giảm 50 lệ phí", "mã a_b", "mã axb",
                              "đường dẫn c\\d", "đường dẫn cd"]):
        comment(survey, tree.dept_a, text, days_ago=i + 1)
    db.session.commit()
    assert _texts(_html(leader_a_client, f"{URL}?q=50%25")) == ["Giảm 50% lệ phí"]
    assert _texts(_html(leader_a_client, f"{URL}?q=a_b")) == ["mã a_b"]
    assert _texts(_html(leader_a_client, f"{URL}?q=c%5Cd")) == ["đường dẫn c\\d"]
    assert _texts(_html(leader_a_client, f"{URL}?q=%25")) == ["Giảm 50% lệ phí"]


# ---- flagged, paging ----------------------------------------------------------------------------

def test_flagged_responses_are_hidden_unless_asked_for_and_then_marked(english, leader_a_client,
                                                                       survey, tree):
    comment(survey, tree.dept_a, "Phản hồi thật", days_ago=2)
    comment(survey, tree.dept_a, "Gửi quá nhanh", days_ago=1, excluded=True)
    db.session.commit()
    html = _html(leader_a_client, URL)
    assert _texts(html) == ["Phản hồi thật"] and "Flagged: not counted" not in html
    html = _html(leader_a_client, f"{URL}?flagged=1")
    assert _texts(html) == ["Gửi quá nhanh", "Phản hồi thật"]
    flagged = re.search(r'<li class="comment comment-flagged">(.*?)</li>', html, re.S).group(1)
    assert "Gửi quá nhanh" in flagged and "Flagged: not counted" in flagged
    assert 'name="flagged" value="1" checked' in html
    rows = _csv(leader_a_client, f"{URL}?format=csv&chart=comments&flagged=1")
    assert [(r[5], r[6]) for r in rows[1:]] == [("Gửi quá nhanh", "yes"), ("Phản hồi thật", "")]
    assert [r[5] for r in _csv(leader_a_client, f"{URL}?format=csv&chart=comments")[1:]] == ["Phản hồi thật"]


def test_pages_of_25_newest_first_keep_the_filters(english, leader_a_client, survey, tree):
    for i in range(30):
        comment(survey, tree.dept_a, f"Góp ý số {i}", days_ago=1 + i / 10)
    comment(survey, tree.dept_a, "Góp ý không khớp", days_ago=0.01)
    db.session.commit()
    html = _html(leader_a_client, f"{URL}?q=gop+y+so&channel=all&flagged=1")
    assert _texts(html) == [f"Góp ý số {i}" for i in range(25)]
    assert "Page 1 of 2" in html
    older = re.search(r'<a class="button button-secondary" href="([^"]+)">Older comments</a>', html)
    link = older.group(1).replace("&amp;", "&")
    for part in ("page=2", "q=gop+y+so", "flagged=1"):
        assert part in link
    html = _html(leader_a_client, link)
    assert _texts(html) == [f"Góp ý số {i}" for i in range(25, 30)] and "Page 2 of 2" in html
    # Past the end is the last page; a page that is not a number is the first.
    assert _texts(_html(leader_a_client, f"{URL}?q=gop+y+so&page=99")) == _texts(html)
    assert len(_texts(_html(leader_a_client, f"{URL}?q=gop+y+so&page=abc"))) == 25
    # The CSV holds every page of the list, newest first.
    rows = _csv(leader_a_client, f"{URL}?format=csv&chart=comments&q=gop+y+so")
    assert [r[5] for r in rows[1:]] == [f"Góp ý số {i}" for i in range(30)]


# ---- filters ------------------------------------------------------------------------------------

def test_filters_by_question_survey_service_channel_and_period(english, leader_a_client, survey, tree):
    other = _version(with_suggestion=False, key="khao-sat-c")
    _deploy(other, tree.dept_a, DeploymentStatus.ENDED)  # an earlier survey at A
    comment(survey, tree.dept_a, "Về câu góp ý", days_ago=2)
    comment(survey, tree.dept_a, "Về câu đề xuất", key="suggestion", days_ago=3)
    comment(survey, tree.counter_a, "Có dịch vụ", days_ago=4, service="khai-sinh")
    comment(survey, tree.counter_a, "Có mã", days_ago=5, channel=AccessMode.CODE)
    comment(survey, tree.commune_a, "Năm ngoái", days_ago=500)
    comment(other, tree.dept_a, "Khảo sát khác", days_ago=6)
    db.session.commit()
    everything = _texts(_html(leader_a_client, URL))
    assert everything == ["Về câu góp ý", "Về câu đề xuất", "Có dịch vụ", "Có mã", "Khảo sát khác"]
    html = _html(leader_a_client, f"{URL}?question=suggestion")
    assert _texts(html) == ["Về câu đề xuất"]
    assert '<option value="suggestion" selected>Suggested improvement</option>' in html
    assert "Question: Suggested improvement" in html
    assert _texts(_html(leader_a_client, f"{URL}?survey=khao-sat-c")) == ["Khảo sát khác"]
    html = _html(leader_a_client, f"{URL}?service=khai-sinh")
    assert _texts(html) == ["Có dịch vụ"] and "Service: Birth registration" in html
    assert _texts(_html(leader_a_client, f"{URL}?channel=code")) == ["Có mã"]
    assert _texts(_html(leader_a_client, f"{URL}?agency=A2")) == []
    year = (utcnow() - timedelta(days=500)).year
    assert "Năm ngoái" in _texts(_html(leader_a_client, f"{URL}?period=year&year={year}"))
    html = _html(leader_a_client, f"{URL}?question=nope")
    assert "Unknown question" in html and len(_texts(html)) == 5


# ---- who sees what ------------------------------------------------------------------------------

def test_sign_in_and_leader_role_are_required(client, organizer_a_client, tree):
    response = client.get(URL)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert organizer_a_client.get(URL).status_code == 403
    assert organizer_a_client.get(f"{URL}?format=csv&chart=comments").status_code == 403


def test_a_leader_never_sees_another_subtrees_comments(english, leader_a_client, leader_b_client,
                                                       survey, tree):
    comment(survey, tree.dept_a, "Bí mật của Sở Tư pháp", key="suggestion")
    db.session.commit()
    assert _texts(_html(leader_a_client, URL)) == ["Bí mật của Sở Tư pháp"]
    for url in (URL, f"{URL}?flagged=1", f"{URL}?q=bi+mat", f"{URL}?agency=A", f"{URL}?question=suggestion"):
        html = _html(leader_b_client, url)
        assert "Bí mật" not in html and "Department of Justice" not in html
        # The other survey's free-text question is not even offered as a filter.
        assert "Suggested improvement" not in html and 'value="suggestion"' not in html
        for table in ("&chart=comments", "&chart=agencies"):
            body = leader_b_client.get(f"{url}{'&' if '?' in url else '?'}format=csv{table}")
            assert "Bí mật" not in body.get_data(as_text=True)
    html = _html(leader_b_client, f"{URL}?agency=A&question=suggestion")
    assert "Unknown agency" in html and "Unknown question" in html


# ---- escaping -----------------------------------------------------------------------------------

def test_hostile_text_is_inert_in_the_page_the_hover_and_the_csv(leader_a_client, survey, tree):
    comment(survey, tree.dept_a, IMG, days_ago=2)
    comment(survey, tree.dept_a, SCRIPT, days_ago=1)
    comment(survey, tree.counter_a, "=HYPERLINK(\"http://evil.example\",\"x\")", days_ago=1)
    comment(survey, tree.counter_a, "+1 -2 @SUM(A1)", days_ago=2)
    db.session.commit()
    html = _html(leader_a_client, f"{URL}?q={SCRIPT}")
    assert SCRIPT not in html and "<img src=x" not in html
    html = _html(leader_a_client, URL)
    assert SCRIPT not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    figure = json.loads(FIGURE_RE.search(html).group(1))
    hover = " ".join(figure["data"][0]["hovertext"])
    assert "<script>" not in hover and "&lt;script&gt;alert(1)&lt;/script&gt;" in hover
    assert "<b>" not in hover
    assert figure["data"][0]["x"] == [2, 2]
    rows = _csv(leader_a_client, f"{URL}?format=csv&chart=comments")
    texts = [r[5] for r in rows[1:]]
    assert SCRIPT in texts and IMG in texts  # plain text in a CSV, no markup to run
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in texts and "'+1 -2 @SUM(A1)" in texts
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_csv_rows_hold_no_identifiers(english, leader_a_client, survey, tree):
    response = comment(survey, tree.counter_a, "Cán bộ nhiệt tình", service="khai-sinh")
    response.client_hash = "f" * 64
    db.session.commit()
    rows = _csv(leader_a_client, f"{URL}?format=csv&chart=comments")
    assert rows[0] == ["Date", "Agency code", "Agency", "Service", "Question", "Comment", "Flagged"]
    assert rows[1][1:] == ["A1", "Justice one-stop counter", "Birth registration", "Comment",
                           "Cán bộ nhiệt tình", ""]
    assert "f" * 64 not in "".join(rows[1]) and str(response.id) not in rows[1][1:]
    per_agency = _csv(leader_a_client, f"{URL}?format=csv&chart=agencies")
    assert per_agency == [["Agency code", "Agency", "Comments"], ["A1", "Justice one-stop counter", "1"]]


# ---- storing the folded text --------------------------------------------------------------------

def test_submitting_folds_free_text_answers_only(app, tree):
    version = _version()
    version.questions.append(Question(position=8, key="visited", type=QuestionType.YESNO, text_vi="Đã đến"))
    db.session.add(Deployment(version=version, agency=tree.dept_a))
    db.session.flush()
    deployment = db.session.scalar(select(Deployment).where(Deployment.agency_id == tree.dept_a.id))
    response = submit_response(deployment, {
        "comment": ParsedAnswer("comment", text="Thời gian CHỜ   quá lâu"),
        "suggestion": ParsedAnswer("suggestion", text="Thêm quầy"),
        "visited": ParsedAnswer("visited", number=1.0, text="yes"),
        "overall": ParsedAnswer("overall", number=4.0),
    }, locale="vi", started_at=None, flags=0, client_hash=None)
    folded = {a.question_key: a.search_text for a in response.answers}
    assert folded == {"comment": "thoi gian cho qua lau", "suggestion": "them quay", "visited": None,
                      "overall": None}


def test_the_migration_backfills_free_text_answers(app, tree):
    version = _version()
    version.questions.append(Question(position=8, key="visited", type=QuestionType.YESNO, text_vi="Đã đến"))
    db.session.flush()
    add_response(version, tree.dept_a, answers={"comment": "Đăng ký  KHAI SINH nhanh", "visited": "yes",
                                                 "overall": 5})
    add_response(version, tree.dept_a, answers={"suggestion": "Mở cửa thứ Bảy"})
    db.session.execute(update(Answer).values(search_text=None))
    spec = importlib.util.spec_from_file_location("migration_0006", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration.BATCH = 1  # several batches, to check the paging by id
    assert migration.backfill(db.session.connection()) == 2
    stored = dict(db.session.execute(select(Answer.question_key, Answer.search_text)).all())
    assert stored == {"comment": "dang ky khai sinh nhanh", "visited": None, "overall": None,
                      "suggestion": "mo cua thu bay"}


def test_survey_without_comments_says_so(english, leader_a_client, survey):
    html = _html(leader_a_client, URL)
    assert "No comment was written in this period." in html and 'id="comments-figure"' not in html



def test_each_agency_shows_its_newest_comment_under_the_filters(app, survey, tree):
    """The chart's "newest" per agency is the newest comment that the filters keep: the question,
    the end of the period inside a day, flagged responses only when asked for."""
    from feedback.dashboards import comments

    noon = (utcnow() - timedelta(days=3)).replace(hour=5, minute=0, second=0, microsecond=0)  # 12:00 local

    def at(agency, key, text, when, **kwargs):
        add_response(survey, agency, answers={key: text}, submitted_at=when, **kwargs)

    at(tree.counter_a, "comment", "Góp ý cũ", noon - timedelta(days=2))
    at(tree.counter_a, "comment", "Góp ý buổi sáng", noon - timedelta(hours=2))
    at(tree.counter_a, "suggestion", "Đề xuất buổi trưa", noon)
    at(tree.counter_a, "comment", "Bị gắn cờ, mới nhất", noon + timedelta(hours=1), excluded=True)
    at(tree.commune_a, "suggestion", "Ở xã", noon - timedelta(days=1))
    db.session.commit()
    scope = Agency.in_subtree(tree.dept_a.path)

    def newest(**window) -> dict[str, tuple[int, str]]:
        window = {"start": None, "end": None, **window}
        return {a.code: (a.count, a.newest) for a in comments.comments_per_agency(scope, **window)}

    assert newest() == {"A1": (3, "Đề xuất buổi trưa"), "A2": (1, "Ở xã")}
    assert newest(comments=comments.CommentFilter(question="comment")) == {
        "A1": (2, "Góp ý buổi sáng")}
    assert newest(end=noon - timedelta(hours=1)) == {"A1": (2, "Góp ý buổi sáng"), "A2": (1, "Ở xã")}
    # The period ends that morning before any of the day's comments: an earlier day's is newest.
    assert newest(end=noon - timedelta(hours=3))["A1"] == (1, "Góp ý cũ")
    assert newest(comments=comments.CommentFilter(flagged=True))["A1"] == (4, "Bị gắn cờ, mới nhất")
    assert newest(start=noon + timedelta(minutes=1)) == {}


def test_a_merged_communes_newest_comment_shows_under_its_successor(app, survey, tree):
    """As today's tree, a commune merged into a new one brings its comments along: the successor's
    row counts them and quotes the newest; as it was, they stay at the old commune."""
    from feedback.agencies import reorganize
    from feedback.agencies.services import add_agency
    from feedback.dashboards import comments, lineage

    before = (utcnow() - timedelta(days=20)).replace(hour=5, minute=0, second=0, microsecond=0)
    add_response(survey, tree.commune_a, answers={"comment": "Góp ý trước khi sáp nhập"}, submitted_at=before)
    db.session.commit()
    other = add_agency("A3", "Xã Bên Cạnh", kind=tree.commune_a.kind, parent=tree.dept_a,
                       valid_from=tree.commune_a.valid_from)
    successor = reorganize.merge([tree.commune_a, other], (before + timedelta(days=5)).date(),
                                 new=reorganize.NewAgency("A9", "Xã Mới"))
    db.session.commit()
    scope = Agency.in_subtree(tree.dept_a.path)

    def newest() -> dict[str, tuple[int, str]]:
        return {a.code: (a.count, a.newest)
                for a in comments.comments_per_agency(scope, start=None, end=None)}

    assert newest() == {successor.code: (1, "Góp ý trước khi sáp nhập")}
    lineage.use_tree(lineage.AS_IT_WAS)
    assert newest() == {"A2": (1, "Góp ý trước khi sáp nhập")}
