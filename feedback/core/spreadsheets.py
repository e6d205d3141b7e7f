"""Writing tables people open in a spreadsheet: CSV and XLSX cells, safe from formula injection.

Every text cell that a spreadsheet could run as a formula is neutralized with a leading apostrophe
(OWASP "CSV injection"); XLSX cells also lose the characters XML cannot hold, and datetimes become
Excel dates in local time (Excel has no time zones).
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

CSV_BOM = "\ufeff"
# The type every CSV download is sent with. Werkzeug appends "; charset=utf-8" to a text/* mimetype
# itself, so naming the charset here too sent it twice.
CSV_MIMETYPE = "text/csv"
# A spreadsheet reads a cell starting with these as a formula (tab and CR too, per OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def neutralize(value: str) -> str:
    """A text cell that no spreadsheet will run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_value(value) -> str:
    """A cell as CSV text: ISO timestamps with their offset, text neutralized, None empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, str):
        return neutralize(value)
    return str(value)


def csv_document(rows: Iterable[Sequence]) -> bytes:
    """`rows` (header first) as one UTF-8 CSV with a byte-order mark and CRLF ends, every cell
    through `csv_value`: the small exports (registrants, dashboard tables) write it in one piece."""
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def xlsx_value(value):
    """A cell value for openpyxl: text neutralized and cleaned of characters XML cannot hold,
    datetimes local without a zone, numbers as numbers."""
    if isinstance(value, str):
        return neutralize(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def xlsx_cell(sheet, value, *, bold: bool = False, wrap: bool = False):
    """A write-only cell of `sheet` for `value` (as `xlsx_value`), dated, bold or wrapped as asked;
    the plain value itself when it needs no style."""
    value = xlsx_value(value)
    if not (bold or wrap or isinstance(value, datetime)):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = XLSX_DATETIME_FORMAT
    if bold:
        cell.font = Font(bold=True)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell
