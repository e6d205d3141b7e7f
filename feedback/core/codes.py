"""Codes people type from paper: one-time survey codes, conference tickets, petition tracking codes.

All of them are CODE_LENGTH symbols from one look-alike-free alphabet, printed in two groups and
read back whatever the case, spaces or dashes a person typed.
"""

import secrets

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from feedback.extensions import db

# No look-alikes: no 0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, U/V. 21 symbols, 8 of them: 21**8 ≈ 3.8e10
# codes, so guessing one of even a million live codes takes ~38,000 tries on average (and the
# code pages are rate limited).
ALPHABET = "34679ACEFGHJKMNPRTWXY"
CODE_LENGTH = 8


def new_code() -> str:
    """A random code of CODE_LENGTH characters from ALPHABET."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(text: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


def clean_code(text: str) -> str | None:
    """What a person typed (any case, spaces or dashes) as a stored code, or None if it cannot be one."""
    code = normalize(text or "")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def grouped(code: str) -> str:
    """A code as printed, in two groups of four (dashes are ignored when it is typed back)."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def new_unique_code(column: InstrumentedAttribute) -> str:
    """A code that no row holds yet in `column` (e.g. Registration.ticket_code).

    Checked before the insert; a clash with a concurrent insert of the same code (1 in 21**8)
    fails that flush on the unique constraint, which is not worth more than the caller's retry.
    """
    while True:
        code = new_code()
        if db.session.scalar(select(column).where(column == code)) is None:
            return code
