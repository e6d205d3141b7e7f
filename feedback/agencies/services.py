"""Agency tree: creating agencies and importing them from CSV, all rows or none; an agency's own
networks."""

import csv
import ipaddress
import re
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy import func, select

from feedback.agencies.models import PATH_SEPARATOR, Agency
from feedback.audit.services import record
from feedback.core.text import clean_text
from feedback.extensions import db

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
KINDS = ("province", "department", "district", "commune", "counter", "other")
CSV_COLUMNS = ("code", "parent_code", "name_vi", "name_en", "kind")


def find_agency(code: str) -> Agency | None:
    """The agency with this code, matched exactly first, then ignoring case.

    Codes are stored as given, but people type them from posters (and the home page upper-cases
    them), so case must not matter; the exact match wins if two codes differ only by case.
    """
    if "\x00" in code:  # typed into an address: PostgreSQL refuses NUL in a query, and no code has one
        return None
    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        agency = db.session.scalar(select(Agency).where(func.upper(Agency.code) == code.upper())
                                   .order_by(Agency.id).limit(1))
    return agency


def add_agency(code: str, name_vi: str, *, name_en: str = "", kind: str = "department",
               parent: Agency | None = None) -> Agency:
    """Insert an agency under `parent` and give it its materialized path."""
    agency = Agency(code=code, name_vi=name_vi, name_en=name_en, kind=kind, parent=parent,
                    depth=parent.depth + 1 if parent else 0)
    db.session.add(agency)
    db.session.flush()  # the path is made of ids
    agency.path = (parent.path if parent else PATH_SEPARATOR) + f"{agency.id}{PATH_SEPARATOR}"
    return agency


@dataclass
class ImportReport:
    """What an import did, or the rows that stopped it."""

    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def import_agencies(stream: IO[str]) -> ImportReport:
    """Create or update agencies from CSV (code, parent_code, name_vi, name_en, kind).

    Every row is checked before anything is written; one bad row stops the whole import.
    Parents may be earlier rows, later rows or agencies already in the database.
    """
    report = ImportReport()
    reader = csv.DictReader(stream)
    missing = [c for c in ("code", "parent_code", "name_vi") if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(f"header: missing column(s) {', '.join(missing)}; "
                             f"expected {', '.join(CSV_COLUMNS)}")
        return report
    rows = _read_import_rows(reader, report)
    existing = {a.code: a for a in db.session.scalars(select(Agency))}
    report.errors.extend(_placement_errors(rows, existing))
    report.errors.extend(_cycles(rows))
    if report.errors:
        return report
    _write_import_rows(rows, existing, report)
    record("agencies.import", created=report.created, updated=report.updated)
    return report


def _read_import_rows(reader: csv.DictReader, report: ImportReport) -> dict[str, dict]:
    """The file's valid rows by code (with their line numbers); each bad row's problems go to
    `report.errors`, one line of the report per row."""
    rows: dict[str, dict] = {}
    for line, row in enumerate(reader, start=2):
        code = (row.get("code") or "").strip()
        parent_code = (row.get("parent_code") or "").strip()
        name_vi = clean_text(row.get("name_vi") or "")
        kind = (row.get("kind") or "").strip() or "department"
        problems = _row_problems(code, parent_code, name_vi, kind, rows)
        if problems:
            report.errors.append(f"line {line}: " + "; ".join(problems))
            continue
        rows[code] = {"line": line, "parent_code": parent_code, "name_vi": name_vi,
                      "name_en": clean_text(row.get("name_en") or ""), "kind": kind}
    return rows


def _row_problems(code: str, parent_code: str, name_vi: str, kind: str, rows: dict[str, dict]) -> list[str]:
    """What is wrong with one import row on its own (`rows`: the valid rows read before it)."""
    problems = []
    if not CODE_PATTERN.match(code):
        problems.append(f"code {code!r} must be 1–32 letters, digits, - or _")
    elif code in rows:
        problems.append(f"code {code!r} appears twice (first on line {rows[code]['line']})")
    if not name_vi:
        problems.append("name_vi is empty")
    if kind not in KINDS:
        problems.append(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    if parent_code == code and code:
        problems.append("an agency cannot be its own parent")
    return problems


def _placement_errors(rows: dict[str, dict], existing: dict[str, Agency]) -> list[str]:
    """Rows whose parent is nowhere to be found, or that would move an existing agency."""
    errors = []
    for code, row in rows.items():
        parent_code = row["parent_code"]
        if parent_code and parent_code not in rows and parent_code not in existing:
            errors.append(f"line {row['line']}: parent {parent_code!r} is neither in the "
                          "file nor in the database")
        current = existing.get(code)
        if current is not None:
            current_parent = current.parent.code if current.parent else ""
            if current_parent != parent_code:
                errors.append(f"line {row['line']}: {code!r} already exists under "
                              f"{current_parent or '(top level)'}; moving agencies is not "
                              "done by import")
    return errors


def _write_import_rows(rows: dict[str, dict], existing: dict[str, Agency], report: ImportReport) -> None:
    """Create or update the agency of every checked row, parents first, counting in `report`."""
    created: dict[str, Agency] = {}

    def ensure(code: str) -> Agency:
        """The agency for `code`, creating its parents first."""
        if code in created:
            return created[code]
        row = rows.get(code)
        agency = existing.get(code)
        if row is None:
            return agency
        if agency is None:
            parent = ensure(row["parent_code"]) if row["parent_code"] else None
            agency = add_agency(code, row["name_vi"], name_en=row["name_en"], kind=row["kind"],
                                parent=parent)
            report.created += 1
        else:
            agency.name_vi, agency.name_en, agency.kind = row["name_vi"], row["name_en"], row["kind"]
            report.updated += 1
        created[code] = agency
        return agency

    for code in rows:
        ensure(code)


def _cycles(rows: dict[str, dict]) -> list[str]:
    """Rows whose parent chain within the file loops back on itself."""
    errors = []
    for start in rows:
        seen, code = set(), start
        while code in rows and code not in seen:
            seen.add(code)
            code = rows[code]["parent_code"]
        if code == start:
            errors.append(f"line {rows[start]['line']}: {start!r} is its own ancestor")
    return errors


def parse_networks(values) -> tuple[list[str], list[str]]:
    """(the networks as normalized CIDR strings, in order and without repeats; the values that are
    not an address or network). Values may be separated by spaces, commas or new lines; a single
    address is its own network (/32 or /128). A network with host bits set (192.168.1.5/24) is
    refused rather than guessed, since the admin may have meant either the host or the network."""
    networks: list[str] = []
    bad: list[str] = []
    for value in values:
        for item in re.split(r"[\s,;]+", str(value)):
            if not item:
                continue
            try:
                network = str(ipaddress.ip_network(item, strict=True))
            except ValueError:
                bad.append(item[:60])
                continue
            if network not in networks:
                networks.append(network)
    return networks, bad


def agency_networks(agency_id: int) -> list[str]:
    """The agency's own networks (CIDR strings) as stored."""
    return list(db.session.scalar(select(Agency.networks).where(Agency.id == agency_id)) or [])


def in_networks(ip: str, networks: list[str]) -> bool:
    """Whether address `ip` lies in one of `networks` (an unreadable address or entry: no)."""
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for network in networks:
        try:
            if address in ipaddress.ip_network(network):
                return True
        except ValueError:
            continue
    return False


def set_networks(agency: Agency, networks: list[str], *, actor=None) -> bool:
    """Give `agency` these own networks (already parsed), audited; False when nothing changed.
    The caller commits."""
    before = list(agency.networks or [])
    if before == networks:
        return False
    agency.networks = networks
    record("agency.networks", agency, actor=actor, agency=agency.code, before=before, after=networks)
    db.session.flush()
    return True
