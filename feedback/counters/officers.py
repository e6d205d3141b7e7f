"""Officers: the ones an organizer may see, the CSV import, kiosk PINs and on-duty shifts."""

import csv
import hashlib
import hmac
import re
from typing import IO

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from feedback.agencies.models import Agency
from feedback.agencies.services import ImportReport
from feedback.audit.services import record
from feedback.core.text import clean_text
from feedback.counters.models import KioskDevice, Officer, OfficerShift
from feedback.extensions import db
from feedback.models import utcnow

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
PIN_PATTERN = re.compile(r"^[0-9]{4}$")
CSV_COLUMNS = ("code", "full_name", "title", "agency_code", "active")


def find_officer(code: str) -> Officer | None:
    """The officer with `code` (case-insensitive: codes are printed in capitals, typed either way)."""
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        return None
    # With its agency in the same query: every caller checks the agency (scope, active, set).
    return db.session.scalar(
        select(Officer).options(joinedload(Officer.agency)).where(Officer.code == code.upper())
    )


def officers_in(clause) -> list[Officer]:
    """The officers of the agencies matching `clause` (an authz.agency_filter), by agency and name."""
    officers = select(Officer).join(Agency, Agency.id == Officer.agency_id).where(clause)
    return list(db.session.scalars(officers.order_by(Agency.path, Officer.full_name, Officer.code)))


def counter_officers(agency_id: int) -> list[Officer]:
    """The active officers of one counter, by name."""
    return list(
        db.session.scalars(
            select(Officer)
            .where(Officer.agency_id == agency_id, Officer.active.is_(True))
            .order_by(Officer.full_name)
        )
    )


def pin_hash(officer_code: str, pin: str) -> str:
    """The stored form of a 4-digit kiosk PIN: an HMAC with the secret key and the officer's code.
    Only ten thousand PINs exist, so the strength is the secret key and the kiosk's attempt limit."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{officer_code}\0{pin}".encode(), hashlib.sha256).hexdigest()


def set_pin(officer: Officer, pin: str | None) -> None:
    """Set (or with None/"" clear) the officer's kiosk PIN; ValueError when it is not 4 digits."""
    if not pin:
        officer.pin_hash = None
        return
    if not PIN_PATTERN.match(pin):
        raise ValueError("pin")
    officer.pin_hash = pin_hash(officer.code, pin)


def pin_matches(officer: Officer, pin: str) -> bool:
    """Whether `pin` is the officer's PIN (False when they have none)."""
    if not officer.pin_hash or not isinstance(pin, str):
        return False
    return hmac.compare_digest(officer.pin_hash, pin_hash(officer.code, pin))


def start_shift(officer: Officer, device: KioskDevice | None = None) -> OfficerShift:
    """Put `officer` on duty at their counter now, ending their open shift and the open shift of
    whoever was on duty on `device`; the caller commits."""
    now = utcnow()
    open_shift = OfficerShift.ended_at.is_(None)
    ended = OfficerShift.officer_id == officer.id
    if device is not None and device.shift_id:
        ended = ended | (OfficerShift.id == device.shift_id)
    db.session.execute(
        update(OfficerShift)
        .where(open_shift, ended)
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    shift = OfficerShift(
        officer_id=officer.id,
        agency_id=officer.agency_id,
        started_at=now,
        device_id=device.id if device else None,
    )
    db.session.add(shift)
    db.session.flush()
    if device is not None:
        device.officer_id, device.shift_id = officer.id, shift.id
    return shift


def shifts_of(officer: Officer, limit: int = 20) -> list[OfficerShift]:
    """The officer's latest shifts, newest first."""
    return list(
        db.session.scalars(
            select(OfficerShift)
            .where(OfficerShift.officer_id == officer.id)
            .order_by(OfficerShift.started_at.desc())
            .limit(limit)
        )
    )


def _bool(text: str) -> bool | None:
    """A CSV truth value: empty/1/yes/true/có → True, 0/no/false/không → False, else None."""
    value = (text or "").strip().lower()
    if value in ("", "1", "yes", "true", "y", "có"):
        return True
    if value in ("0", "no", "false", "n", "không"):
        return False
    return None


def import_officers(stream: IO[str], allowed=None) -> ImportReport:
    """Create or update officers from CSV (code, full_name, title, agency_code, active), the agency
    import's way: every row is checked first, each bad row is one line of the report, and one bad
    row stops the whole import. `allowed(agency)` limits the agencies (None: any). The caller commits."""
    report = ImportReport()
    reader = csv.DictReader(stream)
    missing = [c for c in ("code", "full_name", "agency_code") if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(
            f"header: missing column(s) {', '.join(missing)}; expected {', '.join(CSV_COLUMNS)}"
        )
        return report
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    rows: dict[str, dict] = {}
    for line, row in enumerate(reader, start=2):
        problems, values = _officer_row(row, rows, agencies, allowed)
        if problems:
            report.errors.append(f"line {line}: " + "; ".join(problems))
        else:
            rows[values["code"]] = {"line": line, **values}
    if report.errors:
        return report
    existing = {o.code: o for o in db.session.scalars(select(Officer).where(Officer.code.in_(list(rows))))}
    for code, values in rows.items():
        officer = existing.get(code)
        if officer is None:
            officer = Officer(code=code)
            db.session.add(officer)
            report.created += 1
        else:
            report.updated += 1
        officer.full_name, officer.title = values["full_name"], values["title"]
        officer.agency_id, officer.active = values["agency"].id, values["active"]
    db.session.flush()
    record("officers.import", created=report.created, updated=report.updated)
    return report


def _officer_row(row: dict, rows: dict, agencies: dict, allowed) -> tuple[list[str], dict]:
    """(problems, clean values) of one import row (`rows`: the valid rows read before it)."""
    problems = []
    code = (row.get("code") or "").strip().upper()
    full_name = clean_text(row.get("full_name") or "")
    agency_code = (row.get("agency_code") or "").strip()
    active = _bool(row.get("active") or "")
    if not CODE_PATTERN.match(code):
        problems.append(f"code {code!r} must be 1–32 letters, digits, - or _")
    elif code in rows:
        problems.append(f"code {code!r} appears twice (first on line {rows[code]['line']})")
    if not full_name:
        problems.append("full_name is empty")
    elif len(full_name) > 200:
        problems.append("full_name is longer than 200 characters")
    agency = agencies.get(agency_code)
    if agency is None:
        problems.append(f"agency {agency_code!r} is not in the database")
    elif allowed is not None and not allowed(agency):
        problems.append(f"agency {agency_code!r} is outside your agencies")
    if active is None:
        problems.append(f"active {row.get('active')!r} must be yes or no")
    values = {
        "code": code,
        "full_name": full_name,
        "title": clean_text(row.get("title") or "")[:200],
        "agency": agency,
        "active": active,
    }
    return problems, values


def move_to_successor(_sender=None, *, predecessor: Agency, successor: Agency, **_kwargs) -> None:
    """An agency was merged or split into `successor`: its officers and kiosks serve there now
    (subscribed to core.events.agency_succeeded)."""
    db.session.execute(
        update(Officer)
        .where(Officer.agency_id == predecessor.id)
        .values(agency_id=successor.id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(KioskDevice)
        .where(KioskDevice.agency_id == predecessor.id)
        .values(agency_id=successor.id)
        .execution_options(synchronize_session=False)
    )
