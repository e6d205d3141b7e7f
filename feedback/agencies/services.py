"""Agency tree: creating agencies and importing them from CSV, all rows or none; an agency's own
networks."""

import csv
import ipaddress
import re
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy import func, select

from feedback.agencies.kinds import all_kinds, kind_lookup, resolve_kind
from feedback.agencies.models import PATH_SEPARATOR, Agency
from feedback.audit.services import record
from feedback.core.text import clean_text
from feedback.extensions import db

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
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
               parent: Agency | None = None, valid_from=None) -> Agency:
    """Insert an agency under `parent` and give it its materialized path; it carries its own
    history (heir_id) until a reorganization hands it on."""
    agency = Agency(code=code, name_vi=name_vi, name_en=name_en, kind=kind, parent=parent,
                    depth=parent.depth + 1 if parent else 0, valid_from=valid_from)
    db.session.add(agency)
    db.session.flush()  # the path is made of ids
    agency.path = (parent.path if parent else PATH_SEPARATOR) + f"{agency.id}{PATH_SEPARATOR}"
    agency.heir_id = agency.id
    return agency


@dataclass
class ImportReport:
    """What an import did, or the rows that stopped it."""

    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def import_agencies(stream: IO[str]) -> ImportReport:
    """Create or update agencies from CSV (code, parent_code, name_vi, name_en, kind).

    Every row is checked before anything is written; one bad row stops the whole import, and the
    report names every problem of every row. A row under a refused row says so ("parent refused
    above, line 15") rather than that its parent is missing. Parents may be earlier rows, later
    rows or agencies already in the database. A kind is its code or its label, case and accents
    aside.
    """
    report = ImportReport()
    reader = csv.DictReader(stream)
    missing = [c for c in ("code", "parent_code", "name_vi") if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(f"header: missing column(s) {', '.join(missing)}; "
                             f"expected {', '.join(CSV_COLUMNS)}")
        return report
    rows = _read_import_rows(reader, kind_lookup())
    existing = {a.code: a for a in db.session.scalars(select(Agency))}
    for code, row in rows.items():
        row["problems"] += _placement_problems(code, row, rows, existing)
    cycles = _cycles(rows)
    for row in _all_rows(rows):
        problems = row["problems"] + _parent_refused(row, rows) + cycles.get(row["line"], [])
        if problems:
            report.errors.append(f"line {row['line']}: " + "; ".join(problems))
    if report.errors:
        return report
    _write_import_rows(rows, existing, report)
    record("agencies.import", created=report.created, updated=report.updated)
    return report


def _all_rows(rows: dict[str, dict]) -> list[dict]:
    """Every row read, the repeated codes' rows too, in line order."""
    every = [*rows.values(), *(extra for row in rows.values() for extra in row["repeats"])]
    return sorted(every, key=lambda row: row["line"])


def _read_import_rows(reader: csv.DictReader, kinds: dict[str, str]) -> dict[str, dict]:
    """The file's rows by code (a repeated code's later rows under "repeats" of the first), each
    with its line number and the problems it has on its own (`kinds`: see kinds.kind_lookup)."""
    rows: dict[str, dict] = {}
    for line, raw in enumerate(reader, start=2):
        code = (raw.get("code") or "").strip()
        typed_kind = (raw.get("kind") or "").strip() or "department"
        row = {"line": line, "parent_code": (raw.get("parent_code") or "").strip(),
               "name_vi": clean_text(raw.get("name_vi") or ""),
               "name_en": clean_text(raw.get("name_en") or ""),
               "kind": resolve_kind(typed_kind, kinds), "repeats": []}
        row["problems"] = _row_problems(code, row, typed_kind, rows)
        if code in rows:
            rows[code]["repeats"].append(row)
        else:
            rows[code or f"(line {line})"] = row
    return rows


def _row_problems(code: str, row: dict, typed_kind: str, rows: dict[str, dict]) -> list[str]:
    """What is wrong with one import row on its own (`rows`: the rows read before it)."""
    problems = []
    if not CODE_PATTERN.match(code):
        problems.append(f"code {code!r} must be 1–32 letters, digits, - or _")
    elif code in rows:
        problems.append(f"code {code!r} appears twice (first on line {rows[code]['line']})")
    if not row["name_vi"]:
        problems.append("name_vi is empty")
    if row["kind"] is None:
        problems.append(f"kind {typed_kind!r} is not a known kind (a code or a Vietnamese label: "
                        + ", ".join(kind.code for kind in all_kinds()) + ")")
    if row["parent_code"] == code and code:
        problems.append("an agency cannot be its own parent")
    return problems


def _placement_problems(code: str, row: dict, rows: dict[str, dict],
                        existing: dict[str, Agency]) -> list[str]:
    """A parent found nowhere or ended, a code of an ended agency, a move asked of the import."""
    problems = []
    parent_code = row["parent_code"]
    parent = existing.get(parent_code)
    if parent_code and parent is None and parent_code not in rows:
        problems.append(f"parent {parent_code!r} is neither in the file nor in the database")
    elif parent is not None and parent.valid_to is not None:
        problems.append(f"parent {parent_code!r} ended on {parent.valid_to.isoformat()}")
    current = existing.get(code)
    if current is not None and current.valid_to is not None:
        problems.append(f"code {code!r} belonged to an agency that ended on "
                        f"{current.valid_to.isoformat()}; codes are never reused")
    elif current is not None:
        current_parent = current.parent.code if current.parent else ""
        if current_parent != parent_code:
            problems.append(f"{code!r} already exists under {current_parent or '(top level)'}; "
                            "moving an agency is done by `flask agencies move`, not by import")
    return problems


def _parent_refused(row: dict, rows: dict[str, dict]) -> list[str]:
    """"parent refused above/below, line N" when the row's parent in the file (or an ancestor of
    it) has a problem of its own: the row is not wrong, only blocked."""
    seen: set[str] = set()
    code = row["parent_code"]
    while code in rows and code not in seen:
        seen.add(code)
        parent = rows[code]
        if parent["problems"]:
            where = "above" if parent["line"] < row["line"] else "below"
            return [f"parent {row['parent_code']!r} refused {where}, line {parent['line']}"]
        code = parent["parent_code"]
    return []


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


def _cycles(rows: dict[str, dict]) -> dict[int, list[str]]:
    """{line: [problem]} of the rows whose parent chain within the file loops back on itself."""
    errors: dict[int, list[str]] = {}
    for start in rows:
        seen, code = set(), start
        while code in rows and code not in seen:
            seen.add(code)
            code = rows[code]["parent_code"]
        if code == start:
            errors[rows[start]["line"]] = [f"{start!r} is its own ancestor"]
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
