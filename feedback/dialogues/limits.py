"""The rate limits of the citizens' dialogue pages: their settings, whom each counts, when to retry.

docs/rate-limits.md says what each protects. Per-address limits are kept at abuse level or count
only misses, since a mobile operator puts thousands of phones behind one address.
"""

import time
from datetime import UTC, datetime

from flask import request
from werkzeug.wrappers import Response

from feedback.core.codes import clean_code
from feedback.core.i18n import format_local_datetime
from feedback.core.rate_limits import configured
from feedback.dialogues.forms import TOKEN_FIELD, clean
from feedback.dialogues.registrations import normalize_phone
from feedback.extensions import limiter

SIGNUP_PHONE_SCOPE = "signup-phone"
SIGNUP_TOKEN_SCOPE = "signup-token"
RESEND_SCOPE = "resend-ticket"
LOST_TICKET_SCOPE = "lost-ticket"
# Wrong last-4-digit guesses are counted per ticket (from any client) in the limiter's storage.
CANCEL_GUESS_SCOPE = "ticket-cancel-guess"
CODE_SCOPE = "dialogue-code"


# Sign-up and resend posts per client address: abuse level only.
signup_rate_limit = configured("DIALOGUE_SIGNUP_RATE_LIMIT")

# Sign-up posts per phone number and conference.
signup_phone_rate_limit = configured("DIALOGUE_SIGNUP_PHONE_RATE_LIMIT")

# Sign-up posts per form token.
signup_token_rate_limit = configured("DIALOGUE_SIGNUP_TOKEN_RATE_LIMIT")

# Ticket emails re-sent per registration.
resend_rate_limit = configured("DIALOGUE_RESEND_RATE_LIMIT")

# Misses on the ticket and tracking pages per client address.
code_rate_limit = configured("DIALOGUE_CODE_RATE_LIMIT")

# Wrong cancel-digit guesses per ticket.
cancel_guess_limit = configured("DIALOGUE_CANCEL_GUESS_LIMIT")


def signup_phone() -> str | None:
    """The phone typed on the posted sign-up form, normalized; None when it is not a valid number
    (the form then answers with an error, and only the address and token limits count it)."""
    return normalize_phone(clean(request.form.get("phone")) or "")


def signup_phone_key() -> str:
    """The conference and phone a sign-up post is for: one person's attempts, from any address."""
    conference_id = (request.view_args or {}).get("conference_id", 0)
    return f"signup-phone:{conference_id}:{signup_phone()}"


def signup_token_key() -> str:
    """The form token a sign-up post carries: one opening of the form (a script re-using a token for
    many phones is stopped here, a person correcting a mistake is not)."""
    return f"signup-token:{request.form.get(TOKEN_FIELD, '')[:200]}"


def no_signup_token() -> bool:
    """Whether the post carries no token (refused by the form anyway; only the address counts it)."""
    return not request.form.get(TOKEN_FIELD)


def resend_key() -> str:
    """The registration whose ticket a resend post asks to email again ("012" and "12" are one)."""
    raw = request.form.get("registration", "")[:12]
    return f"resend:{int(raw) if raw.isascii() and raw.isdigit() else raw}"


def lost_ticket_phone() -> str | None:
    """The phone typed on the lost-ticket form, normalized (None when it is not one)."""
    return normalize_phone(clean(request.form.get("phone")) or "")


def lost_ticket_key() -> str:
    """The number a lost-ticket post asks a text for: limited like the email resend, per number."""
    return f"lost-ticket:{lost_ticket_phone() or request.form.get('phone', '')[:40]}"


def ticket_key() -> str:
    """The ticket a cancel attempt is about (wrong guesses are counted per ticket, from any client)."""
    raw = (request.view_args or {}).get("code", "")
    return f"ticket:{clean_code(raw) or raw[:32]}"


def wrong_digits(response: Response) -> bool:
    """Whether a cancel attempt was refused for its digits (wrong or malformed)."""
    return response.status_code == 422


def broken_scope(error) -> str | None:
    """The scope of the rate limit a 429 broke (None for another 429)."""
    return getattr(getattr(error, "limit", None), "scope", None)


def retry_time() -> str:
    """When the limit this request broke lets the next request through, in local time."""
    breached = limiter.current_limit
    reset_at = breached.reset_at if breached is not None else time.time() + 15 * 60
    return format_local_datetime(datetime.fromtimestamp(reset_at, UTC))
