"""The rules a password chosen by a person must follow (CLI, reset page): long, not the email,
not a common password."""

from functools import cache

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

MIN_PASSWORD_LENGTH = 12
# Characters people add around a common word to pass a rule ("password2026!", "matkhau@123").
_DECORATION = "0123456789!@#$%^&*()_-+=.,;:?~ "


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of zxcvbn's list (MIT; lowercased). Loaded on first use:
    the list is a large module that web requests other than a password change never need."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """Whether `password`, or its core without digits and symbols at either end, is a common one."""
    lowered = password.lower()
    core = lowered.strip(_DECORATION)
    common = _common_passwords()
    # A one-character core (e.g. "a") is not "a common password"; a repeat of it is checked below.
    return lowered in common or (len(core) >= 4 and core in common) or len(set(lowered)) <= 2


def password_problem(password: str, email: str) -> LazyString | None:
    """Why `password` may not be used by the account `email` (a lazy text, shown in the language of
    whoever reads it: the CLI's English, a page's language); None if it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("The password must have at least %(num)s characters.", num=MIN_PASSWORD_LENGTH)
    email = email.strip().lower()
    lowered = password.lower()
    # The email, its part before the @, or either with digits and symbols added at the ends.
    if {lowered, lowered.strip(_DECORATION)} & {email, email.partition("@")[0]}:
        return _l("The password must not be your email address or the part of it before the @.")
    if is_common(password):
        return _l("This password is too common: choose a longer phrase of your own.")
    return None
