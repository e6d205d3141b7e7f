"""Kiosk tablets: pairing codes shown to an organizer, the long-lived device token, revocation."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from feedback.agencies.models import Agency
from feedback.audit.services import record
from feedback.core.codes import ALPHABET
from feedback.counters.models import KioskDevice
from feedback.extensions import db
from feedback.models import utcnow

PAIRING_LENGTH = 6
# A device's last contact is written at most this often, so a busy kiosk does not rewrite its row.
TOUCH_INTERVAL = timedelta(minutes=1)


def _digest(secret: str) -> str:
    """SHA-256 hex of a random secret (256 bits for tokens: no dictionary to try a leaked hash with)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_pairing(agency: Agency, name: str, *, actor=None) -> tuple[KioskDevice, str]:
    """A device row waiting to be paired with `agency`, and its short pairing code (shown once to
    the organizer, stored hashed, valid COUNTER_PAIRING_MINUTES). The caller commits."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(PAIRING_LENGTH))
    minutes = current_app.config["COUNTER_PAIRING_MINUTES"]
    device = KioskDevice(
        agency_id=agency.id,
        name=name,
        pairing_code_hash=_digest(code),
        pairing_expires_at=utcnow() + timedelta(minutes=minutes),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(device)
    db.session.flush()
    record("kiosk.pairing", device, actor=actor, agency=agency.code, name=name)
    return device, code


def pair(code: str) -> tuple[KioskDevice, str] | None:
    """Exchange a valid pairing code for the device token (returned once, stored hashed); the code
    is used up. None for an unknown, expired or used code. One conditional UPDATE: two tablets
    typing the same code at once cannot both get it."""
    code = "".join((code or "").split()).upper()
    if len(code) != PAIRING_LENGTH:
        return None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    device_id = db.session.scalar(
        update(KioskDevice)
        .where(
            KioskDevice.pairing_code_hash == _digest(code),
            KioskDevice.pairing_expires_at > now,
            KioskDevice.revoked_at.is_(None),
        )
        .values(
            pairing_code_hash=None,
            pairing_expires_at=None,
            token_hash=_digest(token),
            paired_at=now,
            last_contact_at=now,
        )
        .returning(KioskDevice.id)
        .execution_options(synchronize_session=False)
    )
    if device_id is None:
        return None
    return db.session.get(KioskDevice, device_id), token


def device_for_token(token: str | None) -> KioskDevice | None:
    """The paired device whose token this is, revoked or not (the caller tells them apart)."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(select(KioskDevice).where(KioskDevice.token_hash == _digest(token)))


def touch(device: KioskDevice) -> None:
    """Record the device's contact now (at most once per TOUCH_INTERVAL); the caller commits."""
    now = utcnow()
    if device.last_contact_at is None or device.last_contact_at < now - TOUCH_INTERVAL:
        device.last_contact_at = now


def revoke(device: KioskDevice, *, actor=None) -> bool:
    """Revoke the device now (its token stops working); False when it already was."""
    if device.revoked_at is not None:
        return False
    device.revoked_at = utcnow()
    device.pairing_code_hash = None
    record("kiosk.revoke", device, actor=actor, agency=device.agency.code, name=device.name)
    return True


def devices_in(clause) -> list[KioskDevice]:
    """The devices of the agencies matching `clause`, live ones first, newest first."""
    devices = select(KioskDevice).join(Agency, Agency.id == KioskDevice.agency_id).where(clause)
    return list(db.session.scalars(
        devices.order_by(KioskDevice.revoked_at.is_not(None), KioskDevice.created_at.desc())))
