"""Administrative procedures (thủ tục hành chính) kept per agency: the list citizens pick "which
service" from in surveys (and, at merge, the counter rating), keyed by the national procedure code
where there is one, maintained by hand or imported from CSV (every row checked, all or nothing)."""

import csv
import re
from typing import IO

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.agencies.models import PATH_SEPARATOR, Agency
from feedback.agencies.services import ImportReport
from feedback.audit.services import record
from feedback.core.i18n import BilingualName
from feedback.core.text import clean_text, slugify, unique_slug
from feedback.extensions import db

# A national code looks like 1.001193 or 2.000986; local lists use their own codes (letters,
# digits, ".", "-", "_"); a procedure without one gets a code made from its name.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CSV_COLUMNS = ("code", "name_vi", "name_en", "active")
NAME_MAX = 300
FALSE_WORDS = {"0", "no", "false", "khong", "không", "n"}


class Procedure(BilingualName, db.Model):
    """One administrative procedure an agency handles."""

    __tablename__ = "procedure"
    __table_args__ = (UniqueConstraint("agency_id", "code", name="uq_procedure_agency_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name_vi: Mapped[str] = mapped_column(String(NAME_MAX))
    name_en: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    agency: Mapped[Agency] = relationship()

    def as_service(self) -> dict:
        """The procedure as a deployment's service entry ({code, name_vi, name_en})."""
        return {"code": self.code, "name_vi": self.name_vi, "name_en": self.name_en or ""}


def agency_procedures(agency: Agency, *, active_only: bool = False) -> list[Procedure]:
    """The procedures kept at `agency` itself, by code."""
    query = select(Procedure).where(Procedure.agency_id == agency.id).order_by(Procedure.code)
    if active_only:
        query = query.where(Procedure.active.is_(True))
    return list(db.session.scalars(query))


def procedures_for(agency: Agency) -> list[Procedure]:
    """The active procedures offered at `agency`: its own and those kept by the agencies above it
    (a province's list serves its departments and communes); for one code the nearest agency's
    entry wins. One query over the ancestors named by the materialized path."""
    ids = [int(part) for part in agency.path.split(PATH_SEPARATOR) if part]
    depth = {agency_id: n for n, agency_id in enumerate(ids)}
    rows = db.session.scalars(select(Procedure).where(Procedure.agency_id.in_(ids or [agency.id]),
                                                      Procedure.active.is_(True)))
    nearest: dict[str, Procedure] = {}
    for row in sorted(rows, key=lambda p: depth.get(p.agency_id, len(ids))):
        nearest[row.code] = row
    return sorted(nearest.values(), key=lambda p: (p.name_vi, p.code))


def import_procedures(agency: Agency, stream: IO[str], *, actor=None) -> ImportReport:
    """Create or update `agency`'s procedures from CSV (code, name_vi, name_en, active).

    The code may be empty (one is made from the name); a row whose code exists updates it; rows
    missing from the file are left as they are (set active to 0 to take one off the list). Every
    row is checked before anything is written, and one bad row stops the whole import, with
    "line N: …" for each bad row, as the agency import reports.
    """
    report = ImportReport()
    reader = csv.DictReader(stream)
    missing = [c for c in ("name_vi",) if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(f"header: missing column(s) {', '.join(missing)}; "
                             f"expected {', '.join(CSV_COLUMNS)}")
        return report
    existing = {p.code: p for p in agency_procedures(agency)}
    rows = _read_rows(reader, existing, report)
    if report.errors:
        return report
    for row in rows.values():
        procedure = existing.get(row["code"])
        if procedure is None:
            db.session.add(Procedure(agency=agency, **row))
            report.created += 1
        else:
            for name, value in row.items():
                setattr(procedure, name, value)
            report.updated += 1
    db.session.flush()
    record("procedures.import", agency, actor=actor, agency=agency.code, created=report.created,
           updated=report.updated)
    return report


def _read_rows(reader: csv.DictReader, existing: dict, report: ImportReport) -> dict[str, dict]:
    """The file's valid rows by code; each bad row's problems go to `report.errors`."""
    rows: dict[str, dict] = {}
    lines: dict[str, int] = {}
    taken = set(existing)
    for line, row in enumerate(reader, start=2):
        code = (row.get("code") or "").strip()
        name_vi = clean_text(row.get("name_vi") or "")
        name_en = clean_text(row.get("name_en") or "")
        problems = []
        if not name_vi:
            problems.append("name_vi is empty")
        if len(name_vi) > NAME_MAX or len(name_en) > NAME_MAX:
            problems.append(f"a name has more than {NAME_MAX} characters")
        if code and not CODE_PATTERN.match(code):
            problems.append(f"code {code!r} must be 1–64 letters, digits, ., - or _")
        elif code in rows:
            problems.append(f"code {code!r} appears twice (first on line {lines[code]})")
        if problems:
            report.errors.append(f"line {line}: " + "; ".join(problems))
            continue
        if not code:
            same = next((p.code for p in existing.values() if p.name_vi == name_vi), None)
            code = same or unique_slug(slugify(name_vi, limit=60), taken | set(rows))
        taken.add(code)
        lines[code] = line
        active = fold_active(row.get("active"))
        rows[code] = {"code": code, "name_vi": name_vi, "name_en": name_en, "active": active}
    return rows


def fold_active(value) -> bool:
    """The CSV's active column: empty or anything but 0/no/false/không means active."""
    return (value or "").strip().casefold() not in FALSE_WORDS


def set_procedure_active(procedure: Procedure, active: bool, *, actor=None) -> None:
    """Take a procedure off the list (or back on); flushes only."""
    procedure.active = active
    db.session.flush()
    record("procedures.active" if active else "procedures.inactive", procedure.agency, actor=actor,
           agency=procedure.agency.code, code=procedure.code)
