"""XSS and formula injection: hostile text in every free-text field comes out escaped on every page of
the url_map (citizens' and staff's), and as plain text in every CSV/XLSX export."""

import csv
import io

from openpyxl import load_workbook

from tests.security.conftest import ESCAPED, FORMULAS, RAW_MARKERS, fill, first_topic_id, rules, sign_in

# Pages that show the hostile fields (so the escaping check below is not vacuous).
SHOWN = {
    "/dialogues/": "conference title",
    "/dialogues/{conference_id}": "conference title, description, leaders, agenda, venue",
    "/dialogues/{held_id}": "published question and answer, report summary",
    "/track/{tracking}": "petition text, answer, rating comment",
    "/tickets/{ticket}": "conference title on the ticket",
    "/s/A": "service names",
    "/manage/dialogues/{conference_id}": "conference detail",
    "/manage/dialogues/{conference_id}/registrants": "registrant name and locality",
    "/manage/petitions/": "petition text in the queue",
    "/manage/petitions/{petition_id}": "petition text, answer, rating comment",
    "/manage/petitions/{hidden_id}": "hide reason",
    "/manage/dialogues/{held_id}/report": "report summary",
    "/manage/responses/{response_id}": "survey comment",
    "/manage/surveys/{survey_id}": "survey title",
    "/manage/surveys/{survey_id}/v/1": "question text",
    "/manage/dialogues/topics": "topic names",
    "/admin/api-keys/": "API key name",
}


def _check_page(path: str, response) -> None:
    """An HTML page carries no hostile markup, only its escaped text."""
    assert response.status_code != 500, path
    if response.mimetype != "text/html":
        return
    body = response.get_data(as_text=True)
    for raw in RAW_MARKERS:
        assert raw not in body, f"{path} shows {raw!r} unescaped"


def test_every_page_escapes_hostile_text(app, world):
    admin = sign_in(app, world.tree.admin.email)
    citizen = app.test_client()
    topic = first_topic_id()
    seen = 0
    for rule in rules(app, {"GET"}):
        for side in (world.a, world.b):
            for fmt in (["csv", "xlsx"] if "fmt" in rule.arguments else [None]):
                path = fill(rule, side, topic, **({"fmt": fmt} if fmt else {}))
                for client in (admin, citizen):
                    _check_page(path, client.get(path, buffered=True))
                    seen += 1
    assert seen > 150


def test_the_pages_that_show_hostile_text_show_it_escaped(app, world):
    admin = sign_in(app, world.tree.admin.email)
    for template, what in SHOWN.items():
        path = template.format(**world.a.ids)
        body = admin.get(path, buffered=True).get_data(as_text=True)
        assert ESCAPED in body, f"{path} should show the {what}"
        assert "{{7*7}}" in body, f"{path}: the template text is shown as typed, not evaluated"


def _csv_cells(body: bytes) -> list[str]:
    """Every cell of a CSV export."""
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def _xlsx_cells(body: bytes) -> list[str]:
    """Every text cell of an XLSX export, and no formula anywhere."""
    cells = []
    for sheet in load_workbook(io.BytesIO(body)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    cells.append(cell.value)
    return cells


def test_exports_keep_formulas_as_text(app, world):
    admin = sign_in(app, world.tree.admin.email)
    exports = {f"/manage/dialogues/{world.a.ids['conference_id']}/registrants/export.{{fmt}}": FORMULAS,
               "/manage/responses/export.{fmt}?agency=A": FORMULAS[:1]}
    for template, typed in exports.items():
        for fmt, cells_of in (("csv", _csv_cells), ("xlsx", _xlsx_cells)):
            response = admin.get(template.format(fmt=fmt), buffered=True)
            assert response.status_code == 200, template
            cells = cells_of(response.get_data())
            assert any("alert(1)" in c for c in cells), "the hostile text is exported"
            assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], (template, fmt)
            for formula in typed:
                assert "'" + formula in cells, (template, fmt, formula)
    csv_codes = admin.get(f"/manage/codes/batches/{world.a.ids['batch']}/codes.csv", buffered=True)
    assert not [c for c in _csv_cells(csv_codes.get_data()) if c[:1] in ("=", "+", "-", "@")]
