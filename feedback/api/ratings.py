"""Counter ratings posted by queue systems (`POST /api/v1/ratings`): reading the request, storing it.

The dossier id, when sent, is used for idempotency only (counters.ratings.dossier_seen keeps a hash
of it with no link to the rating): it is never stored with the rating nor shown anywhere.
"""

import uuid

from feedback.api.models import ApiKey
from feedback.api.services import in_scope
from feedback.core.i18n import gettext as _
from feedback.core.text import clean_text
from feedback.counters.models import Channel
from feedback.counters.officers import find_officer
from feedback.counters.ratesets import reason_keys, set_for
from feedback.counters.ratings import (
    NewRating,
    RatingRefused,
    bounded_time,
    check_service,
    clean_uuid,
    dossier_seen,
    store_rating,
)
from feedback.models import utcnow

MAX_TEXT = 64


def _text(body: dict, name: str, errors: dict, *, required: bool = False) -> str | None:
    """A short printable string field, or None; a message in `errors` when it is not one."""
    value = body.get(name)
    if value is None and not required:
        return None
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value.strip()) > MAX_TEXT
        or any(ord(ch) < 32 or ord(ch) == 127 or 0xD800 <= ord(ch) <= 0xDFFF for ch in value)
    ):
        errors[name] = _("Give a printable string of 1 to %(max)s characters.", max=MAX_TEXT)
        return None
    return clean_text(value)


def parse_rating_request(body) -> tuple[dict, dict[str, str]]:
    """(clean values, {field: message}) of a rating request; the officer and level are checked
    against the officer's rating set by `post_rating`."""
    if not isinstance(body, dict):
        return {}, {"body": _("The body must be a JSON object.")}
    errors: dict[str, str] = {}
    values = {
        "officer_code": _text(body, "officer_code", errors, required=True),
        "dossier_id": _text(body, "dossier_id", errors),
        "service_code": _text(body, "service_code", errors),
    }
    level = body.get("level")
    if isinstance(level, float) and level.is_integer():
        level = int(level)  # JSON (and the schema) count 4.0 as an integer
    if isinstance(level, bool) or not isinstance(level, int):
        errors["level"] = _("Give the level as a whole number (1 is the lowest).")
    values["level"] = level
    reasons = body.get("reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        errors["reasons"] = _("Give the reasons as a list of reason keys.")
    values["reasons"] = reasons if isinstance(reasons, list) else []
    client_uuid = body.get("client_uuid")
    values["client_uuid"] = clean_uuid(client_uuid) if client_uuid is not None else None
    if client_uuid is not None and values["client_uuid"] is None:
        errors["client_uuid"] = _("Give a UUID, e.g. 3f2b8c1e-5d4a-4e7b-9c3d-2a1b0c9d8e7f.")
    return values, errors


def post_rating(key: ApiKey, values: dict) -> tuple[int, dict]:
    """Store a checked request for `key`: (status, body). 201 stored; 200 already stored (the same
    client UUID or dossier); 404 officer outside the key's agencies; 409 a level or reason the
    officer's rating set does not have, or a service that is not one of the agency's procedures
    (the request is well formed; the set and the list decide)."""
    officer = find_officer(values["officer_code"])
    if officer is None or not officer.active or not in_scope(key, officer.agency):
        return 404, {
            "title": _("Officer not found"),
            "detail": _(
                "No active officer with the code %(code)s works within this API key's agencies.",
                code=values["officer_code"],
            ),
        }
    rating_set = set_for(officer.agency)
    fields = {}
    if not 1 <= values["level"] <= len(rating_set.levels):
        fields["level"] = _("Give a level from 1 to %(max)s.", max=len(rating_set.levels))
    unknown = sorted(set(values["reasons"]) - reason_keys(rating_set))
    if unknown:
        fields["reasons"] = _("Unknown reason keys: %(keys)s.", keys=", ".join(unknown))
    try:
        check_service(officer.agency, values["service_code"])
    except RatingRefused:
        fields["service_code"] = _(
            "%(code)s is not a procedure of this officer's agency; send a code from its list of "
            "procedures, or leave it out.",
            code=values["service_code"],
        )
    if fields:
        return 409, {
            "title": _("Not in this agency's rating set"),
            "detail": _("See the message for each field."),
            "fields": fields,
        }
    if values["dossier_id"] and dossier_seen(key.id, values["dossier_id"]):
        return 200, {"stored": False}
    _id, created = store_rating(
        NewRating(
            agency=officer.agency,
            rating_set=rating_set,
            level=values["level"],
            channel=Channel.API,
            client_uuid=values["client_uuid"] or str(uuid.uuid4()),
            given_at=bounded_time(None, utcnow()),
            officer_id=officer.id,
            reasons=values["reasons"],
            service_code=values["service_code"],
        )
    )
    return (201 if created else 200), {"stored": created}
