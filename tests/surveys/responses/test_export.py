"""CSV and XLSX exports: columns, labels in each language, formula neutralization, scope, audit."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.answers import ParsedAnswer
from feedback.surveys.models import Question, QuestionType, ResponseFlag, SurveyVersion, VersionStatus
from feedback.surveys.responses import exports
from feedback.surveys.services import deploy
from tests.dialogues.helpers import make_conference
from tests.surveys.helpers import likert_keys

CSV_URL = "/manage/responses/export.csv"
XLSX_URL = "/manage/responses/export.xlsx"
FIXED = ["response_id", "submitted_at", "agency_code", "agency_name", "survey", "version", "channel",
         "locale", "flags", "counted"]
HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"click\")", "@SUM(1)", "+1+2", "-2+3", "ok, \"quoted\"\nline"]


def _get(client, url: str):
    """GET `url`, reading a streamed body before the request's context ends.

    The test client runs each request in its own context (tests/conftest.py); a streamed body
    must be read inside it, as a server does, hence `buffered`.
    """
    return client.get(url, buffered=True)


def _csv(client, query: str = "") -> tuple[object, list[list[str]]]:
    """(HTTP response, parsed rows) of a CSV export."""
    page = _get(client, f"{CSV_URL}?{query}")
    assert page.status_code == 200, page.status_code
    body = page.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return page, list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline="")))


def _xlsx(client, query: str = "") -> list[tuple]:
    """The rows of the first sheet of an XLSX export."""
    page = _get(client, f"{XLSX_URL}?{query}")
    assert page.status_code == 200, page.status_code
    assert page.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(page.get_data()))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def _exports() -> list[AuditEvent]:
    """Audit events written for exports."""
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "responses.export")
                                   .order_by(AuditEvent.id)))


@pytest.fixture
def answered(sipas, typed):
    """At A: one counted response with a hostile comment and "not applicable"; one flagged one.
    At A2: one response to the every-type survey. At B: one response nobody from A may see."""
    keys = likert_keys(sipas.version)
    answers = {key: ParsedAnswer(key, number=4.0) for key in keys}
    answers["feedback_reply"] = ParsedAnswer("feedback_reply", not_applicable=True)
    answers["comment"] = ParsedAnswer("comment", text=HOSTILE[0])
    first = sipas.add("A", answers=answers, when=datetime(2024, 5, 1, 3, 0, tzinfo=UTC))
    second = sipas.add("A", value=2, flags=ResponseFlag.RATE_LIMITED, comment=HOSTILE[1], locale="en",
                       when=datetime(2024, 5, 2, 3, 0, tzinfo=UTC))
    typed_response = sipas.add(deployment=typed, when=datetime(2024, 5, 3, 3, 0, tzinfo=UTC), answers={
        "visited": ParsedAnswer("visited", number=0.0, text="no"),
        "why_not": ParsedAnswer("why_not", text=HOSTILE[2]),
        "channel": ParsedAnswer("channel", text="counter"),
        "recommend": ParsedAnswer("recommend", number=9.0),
        "waited": ParsedAnswer("waited", number=-2.5),
        "visit_date": ParsedAnswer("visit_date", text="2024-05-03"),
    })
    other = sipas.add("B", comment="secret of B")
    db.session.commit()
    return {"first": first.id, "second": second.id, "typed": typed_response.id, "b": other.id}


def test_csv_has_a_bom_one_row_per_response_and_labels_in_english(leader_a_client, sipas, answered):
    page, rows = _csv(leader_a_client, "lang=en&survey=sipas")
    assert page.mimetype == "text/csv" and page.mimetype_params["charset"] == "utf-8"
    disposition = page.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and 'filename="responses-all-' in disposition
    assert disposition.endswith('.csv"')
    header, *data = rows
    keys = [q.key for q in sipas.version.questions if q.type != QuestionType.SECTION]
    assert header == FIXED + keys
    assert [row[0] for row in data] == [str(answered["second"]), str(answered["first"])]  # newest first
    second, first = (dict(zip(header, row, strict=True)) for row in data)
    assert first["submitted_at"] == "2024-05-01T10:00:00+07:00"
    assert first["agency_code"] == "A" and first["agency_name"] == "Department of Justice"
    assert first["survey"] == "sipas" and first["version"] == "1" and first["channel"] == "open"
    assert first["access_waiting_area"] == "4" and first["feedback_reply"] == "Not applicable"
    assert first["counted"] == "1" and first["flags"] == "" and first["locale"] == "vi"
    assert second["flags"] == "rate_limited" and second["counted"] == "0" and second["locale"] == "en"
    # Formulas never reach a spreadsheet as formulas.
    assert first["comment"] == "'" + HOSTILE[0]
    assert second["comment"] == "'@SUM(1)"
    assert "secret of B" not in page.get_data(as_text=True)


def test_csv_labels_in_vietnamese(leader_a_client, answered):
    _, rows = _csv(leader_a_client, "lang=vi&survey=typed")
    header, row = rows
    record = dict(zip(header, row, strict=True))
    assert record["agency_name"] == "UBND xã An Bình"
    assert record["visited"] == "Không" and record["channel"] == "Quầy"
    assert record["recommend"] == "9" and record["visit_date"] == "2024-05-03"
    # A negative number stays a number; a text starting with + is neutralized.
    assert record["waited"] == "-2.5" and record["why_not"] == "'+1+2"
    assert record["rating"] == "" and record["what_went_wrong"] == ""


def test_csv_quoting_follows_rfc_4180(leader_a_client, sipas):
    sipas.add("A", comment=HOSTILE[4])
    db.session.commit()
    page = _get(leader_a_client, CSV_URL)
    body = page.get_data().decode("utf-8")
    assert '"ok, ""quoted""\nline"' in body
    assert body.count("\r\n") == 2  # header and one row; the newline inside the comment stays bare


def test_the_export_follows_the_filters_and_the_scope(leader_a_client, leader_b_client, answered):
    _, rows = _csv(leader_a_client, "flagged=flagged")
    assert [row[0] for row in rows[1:]] == [str(answered["second"])]
    _, rows = _csv(leader_a_client, "agency=A2")
    assert [row[0] for row in rows[1:]] == [str(answered["typed"])]
    _, rows = _csv(leader_b_client)
    assert [row[0] for row in rows[1:]] == [str(answered["b"])]


@pytest.mark.parametrize("query", ["agency=A", "agency=XYZ", "agency=<script>", "from=2024-13-01"])
@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_an_export_with_a_filter_the_list_would_drop_is_refused_as_the_list_does(
        leader_b_client, answered, url, query):
    page = _get(leader_b_client, f"{url}?lang=en&{query}")
    listed = leader_b_client.get(f"/manage/responses/?lang=en&{query}")
    html = page.get_data(as_text=True)
    # No file, not even of the whole scope: the list page's answer, with its message.
    assert page.status_code == listed.status_code == 200
    assert page.mimetype == "text/html" and "Content-Disposition" not in page.headers
    message = "That agency is not one of yours." if "agency" in query else "is not a valid date"
    assert message in html and message in listed.get_data(as_text=True)
    assert "Department of Justice" not in html
    assert _exports() == []


def test_csv_downloads_name_their_charset_once(leader_a_client, organizer_a_client, tree, answered):
    conference = make_conference(tree.dept_a)
    pages = [_get(leader_a_client, CSV_URL),
             _get(leader_a_client, "/dashboard/comments?format=csv&chart=comments"),
             _get(organizer_a_client, f"/manage/dialogues/{conference.id}/registrants/export.csv")]
    for page in pages:
        assert page.status_code == 200
        assert page.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_several_surveys_get_prefixed_question_columns(leader_a_client, answered):
    header = _csv(leader_a_client)[1][0]
    assert header[:10] == FIXED
    assert "typed.visited" in header and "sipas.comment" in header
    # The newest version's questions come first.
    assert header.index("typed.visited") < header.index("sipas.comment")


def test_columns_are_the_union_of_the_versions_keys_newest_order_first(leader_a_client, tree, sipas):
    old = sipas.add("A", comment="old version")
    keys = likert_keys(sipas.version)
    survey = sipas.version.survey
    newer = SurveyVersion(survey=survey, number=2, status=VersionStatus.PUBLISHED, published_at=utcnow(),
                          title_vi="Phiên bản 2", title_en="Version 2", questions=[
        Question(position=0, key="overall", type=QuestionType.LIKERT5, text_vi="Chung", text_en="Overall"),
        Question(position=1, key="new_question", type=QuestionType.YESNO, text_vi="Mới", text_en="New"),
    ])
    db.session.add(newer)
    db.session.flush()
    [deployment] = deploy(newer, tree.dept_a)
    new = sipas.add(deployment=deployment, answers={
        "overall": ParsedAnswer("overall", number=5.0),
        "new_question": ParsedAnswer("new_question", number=1.0, text="yes")})
    db.session.commit()

    header, *data = _csv(leader_a_client, "lang=en")[1]
    old_only = [k for k in keys if k != "overall"] + ["comment"]
    assert header == FIXED + ["overall", "new_question"] + old_only
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in data}
    assert by_id[str(new.id)]["new_question"] == "Yes" and by_id[str(new.id)]["comment"] == ""
    assert by_id[str(old.id)]["new_question"] == "" and by_id[str(old.id)]["comment"] == "old version"
    assert by_id[str(new.id)]["version"] == "2"
    rows = _xlsx(leader_a_client, "lang=en")
    assert list(rows[1][10:12]) == ["Overall", "New"]


def test_xlsx_reads_back_with_keys_texts_values_and_no_formulas(leader_a_client, sipas, answered):
    rows = _xlsx(leader_a_client, "lang=en&survey=sipas")
    keys, texts, second, first = rows
    assert list(keys[:10]) == FIXED and "comment" in keys
    column = {key: n for n, key in enumerate(keys)}
    assert texts[column["submitted_at"]] == "Submitted at (Asia/Ho_Chi_Minh)"
    overall = next(q for q in sipas.version.questions if q.key == "overall")
    assert texts[column["overall"]] == overall.text_en
    assert first[column["submitted_at"]] == datetime(2024, 5, 1, 10, 0)
    assert first[column["response_id"]] == answered["first"]
    assert first[column["access_waiting_area"]] == 4
    assert first[column["feedback_reply"]] == "Not applicable"
    assert first[column["comment"]] == "'" + HOSTILE[0]
    assert second[column["comment"]] == "'@SUM(1)"
    assert second[column["counted"]] == 0 and first[column["counted"]] == 1

    vi = _xlsx(leader_a_client, "lang=vi&survey=sipas")
    assert vi[3][column["feedback_reply"]] == "Không áp dụng"
    assert vi[3][column["agency_name"]] == "Sở Tư pháp"


def test_xlsx_cells_are_text_not_formulas(leader_a_client, answered):
    page = _get(leader_a_client, XLSX_URL + "?survey=sipas")
    workbook = load_workbook(io.BytesIO(page.get_data()))
    cells = [cell for row in workbook.worksheets[0].iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)


def test_every_export_is_audited_with_filters_format_and_row_count(leader_a_client, tree, answered):
    _get(leader_a_client, CSV_URL + "?lang=en&flagged=flagged&from=2024-05-01")
    _get(leader_a_client, XLSX_URL + "?agency=A2")
    csv_event, xlsx_event = _exports()
    assert csv_event.actor_id == tree.leader_a.id
    assert csv_event.details == {
        "format": "csv", "rows": 1, "lang": "en",
        "filters": {"agency": "", "from": "2024-05-01", "to": "", "channel": "all",
                    "flagged": "flagged", "survey": ""}}
    assert xlsx_event.details["format"] == "xlsx" and xlsx_event.details["rows"] == 1
    assert xlsx_event.details["filters"]["agency"] == "A2"


def test_an_empty_export_still_has_its_header(leader_b_client, tree):
    _, rows = _csv(leader_b_client)
    assert rows == [FIXED]
    assert _xlsx(leader_b_client)[0] == tuple(FIXED)
    assert [e.details["rows"] for e in _exports()] == [0, 0]


def test_unknown_format_is_404_and_sign_in_is_required(client, leader_a_client, tree):
    assert leader_a_client.get("/manage/responses/export.pdf").status_code == 404
    page = client.get(CSV_URL)
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert _exports() == []


def test_a_large_csv_export_is_streamed_in_chunks(app, leader_a_client, sipas, monkeypatch):
    # Small batches, so several database fetches and several chunks are exercised.
    monkeypatch.setattr(exports, "BATCH", 40)
    monkeypatch.setattr(exports, "CSV_CHUNK_ROWS", 30)
    # 130 responses: four database fetches of 40 and five chunks of 30 rows.
    for _ in range(130):
        sipas.add("A")
    db.session.commit()
    page = _get(leader_a_client, CSV_URL)
    # Sent as it is produced: no length known in advance.
    assert "Content-Length" not in page.headers
    rows = list(csv.reader(io.StringIO(page.get_data()[3:].decode("utf-8"), newline="")))
    assert len(rows) == 131 and len({row[0] for row in rows[1:]}) == 130
