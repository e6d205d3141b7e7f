"""Ticket and tracking codes: 8 symbols without look-alikes, unguessable, unique per table."""

import secrets

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from feedback.extensions import db
from feedback.surveys.codes import ALPHABET, CODE_LENGTH, grouped, normalize

__all__ = ["clean_code", "grouped", "new_unique_code"]


def new_unique_code(column: InstrumentedAttribute) -> str:
    """A code that no row holds yet in `column` (e.g. Registration.ticket_code).

    Checked before the insert; a clash with a concurrent insert of the same code (1 in 21**8)
    fails that flush on the unique constraint, which is not worth more than the caller's retry.
    """
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(column).where(column == code)) is None:
            return code


def clean_code(text: str) -> str | None:
    """What a person typed (any case, spaces or dashes) as a stored code, or None if it cannot be one."""
    code = normalize(text or "")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code

