"""Exporting a conference's filtered registrant list as CSV (with a BOM) or XLSX.

Text cells go through `core.spreadsheets.neutralize`, so a name typed as "=HYPERLINK(…)" stays
text in a spreadsheet.
A registrant list is at most a few thousand rows, so both files are built in memory.
"""

import io
from datetime import datetime, tzinfo

import phonenumbers
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from feedback.core.i18n import gettext as _
from feedback.core.spreadsheets import XLSX_DATETIME_FORMAT, csv_document, xlsx_value
from feedback.dialogues.models import Registration

# Stable, language-neutral column keys (the CSV header and the XLSX first row).
KEYS = ("ticket_code", "status", "waitlist_position", "full_name", "phone", "email", "locality",
        "representing", "walk_in", "registered_at", "checked_in_at", "cancelled_at")
WIDTHS = (12, 12, 8, 28, 16, 26, 24, 14, 8, 20, 20, 20)


def headings() -> list[str]:
    """What each column holds, in the request's language (the XLSX second row)."""
    return [_("Ticket code"), _("Status"), _("Waiting-list position"), _("Full name"), _("Phone"),
            _("Email"), _("Locality"), _("On behalf of"), _("Walk-in (1 = yes)"), _("Registered at"),
            _("Checked in at"), _("Cancelled at")]


def national_phone(e164: str | None) -> str | None:
    """A stored +84… number as people in Việt Nam write it (0912 345 678): readable, and never
    mistaken by a spreadsheet for a number or a formula the way a leading "+" is."""
    if not e164:
        return e164
    try:
        number = phonenumbers.parse(e164, "VN")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def row(registration: Registration, zone: tzinfo) -> list:
    """One registration's cells: codes stay language-neutral, times are local."""
    def local(value: datetime | None) -> datetime | None:
        return value.astimezone(zone) if value is not None else None

    return [registration.ticket_code, registration.status.value, registration.waitlist_position,
            registration.full_name, national_phone(registration.phone), registration.email,
            registration.locality,
            registration.representing.value, 1 if registration.walk_in else 0,
            local(registration.created_at), local(registration.checked_in_at),
            local(registration.cancelled_at)]


def csv_bytes(registrations: list[Registration], zone: tzinfo) -> bytes:
    """The list as UTF-8 CSV with a byte-order mark (Excel then reads the accents) and CRLF ends."""
    return csv_document([KEYS, *(row(registration, zone) for registration in registrations)])


def xlsx_bytes(registrations: list[Registration], zone: tzinfo, title: str) -> bytes:
    """The list as an XLSX workbook: keys, then headings, then one row per registration."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Registrants")[:31]
    sheet.append(list(KEYS))
    sheet.append(headings())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for registration in registrations:
        sheet.append([xlsx_value(v) for v in row(registration, zone)])
    for column in ("J", "K", "L"):
        for cell in sheet[column][2:]:
            cell.number_format = XLSX_DATETIME_FORMAT
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    workbook.properties.title = title[:200]
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
