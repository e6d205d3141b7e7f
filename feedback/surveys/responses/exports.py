"""Exporting the filtered responses: one row per response, one column per question key.

CSV is streamed from a generator, XLSX written by openpyxl in write-only mode, so neither holds
the whole export in memory. Every cell goes through core.spreadsheets, which neutralizes formulas
(OWASP "CSV injection").
"""

import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import tzinfo

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from feedback.agencies.models import Agency
from feedback.core.i18n import gettext as _
from feedback.core.spreadsheets import CSV_BOM, csv_value, xlsx_cell
from feedback.extensions import db
from feedback.surveys.answers import HEADINGS
from feedback.surveys.models import Question, Response, SurveyVersion
from feedback.surveys.responses.services import answer_cell, flag_names, responses_with_context

# Rows fetched from the database at a time, and CSV rows sent per chunk.
BATCH = 500
CSV_CHUNK_ROWS = 200
XLSX_SPOOL_BYTES = 8 * 1024 * 1024
FIXED_KEYS = ("response_id", "submitted_at", "agency_code", "agency_name", "survey", "version",
              "channel", "locale", "flags", "counted")


@dataclass(frozen=True)
class QuestionColumn:
    """One answer column: the survey and question key it holds, its header and question text."""

    survey_id: int
    key: str
    header: str
    text: str


@dataclass
class ExportPlan:
    """What an export will contain, fixed before the first row is written.

    `max_id` freezes the set of responses, so rows arriving during a long download do not change
    the row count already written to the audit log.
    """

    conditions: list
    count: int
    max_id: int | None
    columns: list[QuestionColumn]
    questions: dict[int, dict[str, Question]]
    survey_of_version: dict[int, int]


def snapshot(conditions: list) -> tuple[int, int | None]:
    """(number of matching responses, highest matching id) at this moment."""
    row = db.session.execute(
        select(func.count(Response.id), func.max(Response.id))
        .join(Agency, Agency.id == Response.agency_id).where(*conditions)
    ).one()
    return row[0] or 0, row[1]


def plan_export(conditions: list, count: int, max_id: int | None, locale: str) -> ExportPlan:
    """The columns of an export: the union of the question keys of every version involved.

    Keys come in the order of the newest version, then the keys only older versions have. When
    the export spans several surveys the key is prefixed by the survey's key, since one key may
    mean different questions in different surveys.
    """
    conditions = [*conditions, Response.id <= (max_id or 0)]
    version_ids = select(Response.version_id).join(Agency, Agency.id == Response.agency_id) \
        .where(*conditions).distinct()
    versions = list(db.session.scalars(
        select(SurveyVersion).where(SurveyVersion.id.in_(version_ids))
        .options(selectinload(SurveyVersion.questions), joinedload(SurveyVersion.survey))
        .order_by(SurveyVersion.created_at.desc(), SurveyVersion.number.desc(), SurveyVersion.id.desc())
    ))
    several = len({v.survey_id for v in versions}) > 1
    columns: dict[tuple[int, str], QuestionColumn] = {}
    for version in versions:
        for question in version.questions:
            ident = (version.survey_id, question.key)
            if question.type in HEADINGS or ident in columns:
                continue
            header = f"{version.survey.key}.{question.key}" if several else question.key
            columns[ident] = QuestionColumn(version.survey_id, question.key, header,
                                            question.text(locale))
    return ExportPlan(
        conditions=conditions, count=count, max_id=max_id, columns=list(columns.values()),
        questions={v.id: {q.key: q for q in v.questions} for v in versions},
        survey_of_version={v.id: v.survey_id for v in versions},
    )


def key_header(plan: ExportPlan) -> list[str]:
    """The first header row: stable column names and question keys."""
    return [*FIXED_KEYS, *(c.header for c in plan.columns)]


def text_header(plan: ExportPlan, zone_name: str) -> list[str]:
    """The second header row (XLSX): what each column holds, in the request's language."""
    return [_("Response"), _("Submitted at (%(zone)s)", zone=zone_name), _("Agency code"),
            _("Agency"), _("Survey"), _("Version"), _("Channel (open link or one-time code)"),
            _("Language of the form"), _("Flags"), _("Counted in the indices (1 = yes)"),
            *(c.text for c in plan.columns)]


def rows(plan: ExportPlan, locale: str, zone: tzinfo) -> Iterator[list]:
    """One list of cell values per response, newest first, fetched from the database in batches.

    Values are Python values (numbers, strings, an aware local datetime); each writer turns them
    into its own format. Metadata columns stay language-neutral codes, so exports made in
    Vietnamese and in English line up; answers are labels in `locale`.
    """
    if plan.max_id is None:
        return
    statement = responses_with_context(plan.conditions).options(selectinload(Response.answers)) \
        .execution_options(yield_per=BATCH)
    for response in db.session.scalars(statement):
        questions = plan.questions.get(response.version_id, {})
        survey_id = plan.survey_of_version.get(response.version_id)
        answers = {a.question_key: a for a in response.answers}
        cells = [
            response.id, response.submitted_at.astimezone(zone), response.agency.code,
            response.agency.name(locale), response.version.survey.key, response.version.number,
            response.channel.value, response.locale, " ".join(flag_names(response.flags)),
            0 if response.excluded else 1,
        ]
        for column in plan.columns:
            question = questions.get(column.key) if column.survey_id == survey_id else None
            cells.append(answer_cell(question, answers.get(column.key), locale) if question else None)
        yield cells


def csv_chunks(plan: ExportPlan, locale: str, zone: tzinfo) -> Iterator[bytes]:
    """The export as UTF-8 CSV with a byte-order mark (so Excel reads the accents), RFC 4180
    quoting and CRLF line ends, a few hundred rows at a time. One header row of column keys keeps
    the file a plain table any tool loads; the question texts are in the XLSX export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    buffer.write(CSV_BOM)
    writer.writerow([csv_value(h) for h in key_header(plan)])
    for n, row in enumerate(rows(plan, locale, zone), start=1):
        writer.writerow([csv_value(v) for v in row])
        if n % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_file(plan: ExportPlan, locale: str, zone: tzinfo, zone_name: str):
    """The export as an XLSX workbook in a temporary file (rewound; the caller sends and closes it).

    Row 1 holds the column keys (the same as the CSV header), row 2 the question texts in the
    request's language; both stay frozen on screen while scrolling.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Responses")[:31])
    sheet.freeze_panes = "B3"
    widths = [10, 20, 12, 30, 12, 8, 10, 8, 16, 10] + [18] * len(plan.columns)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([xlsx_cell(sheet, h, bold=True) for h in key_header(plan)])
    sheet.append([xlsx_cell(sheet, t, wrap=True) for t in text_header(plan, zone_name)])
    for row in rows(plan, locale, zone):
        sheet.append([xlsx_cell(sheet, v) for v in row])
    output = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)
    workbook.save(output)
    output.seek(0)
    return output
