"""The OpenAPI 3.1 description of the JSON API, as a plain Python dict."""

from copy import deepcopy

from feedback.core.codes import ALPHABET, CODE_LENGTH

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"


def _error_response(description: str, example: dict | None = None) -> dict:
    """A response whose body is the common error object."""
    content = {"schema": {"$ref": "#/components/schemas/Error"}}
    if example:
        content["example"] = {"error": example}
    return {"description": description, "content": {"application/json": content}}


# Printable text with at least one non-space character: what the API accepts for codes and numbers.
PRINTABLE_TEXT = r"^[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f][^\u0000-\u001f\u007f]*$"

SURVEY_CODE_EXAMPLE = {
    "code": "7KX4MCRT",
    "url": "https://langnghe.example.gov.vn/r/7KX4MCRT",
    "agency_code": "A1",
    "dossier_id": "000.00.31.H56-240611-0042",
    "expires_at": "2026-12-31T09:15:00Z",
    "officer_code": None,
}

DOCUMENT = {
    "openapi": OPENAPI_VERSION,
    "info": {
        "title": "Lắng Nghe API",
        "version": API_VERSION,
        "summary": "One-time survey codes and counter ratings for one-stop-shop and queue systems.",
        "description": (
            "Another system (one-stop-shop software) asks for a one-time survey code for each dossier it "
            "hands back, and prints the code and its short address on the receipt. The citizen opens "
            "the address, or types the code, and rates the service once.\n\n"
            "Every request carries an API key made by an administrator: `Authorization: Bearer <key>`. "
            "A key covers one agency and every agency below it. Requests are rate limited per key "
            "(429 with a `Retry-After` header). Errors share one JSON shape: `{\"error\": {...}}`."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}],
    "paths": {
        "/survey-codes": {
            "post": {
                "operationId": "issueSurveyCode",
                "summary": "Issue the one-time survey code of a dossier",
                "description": (
                    "Returns a new code (201) for a dossier number not seen before at that agency, and "
                    "the same code again (200) for one already issued, so a retried request is "
                    "harmless. `expires_in_days` only applies when the code is first issued. The "
                    "agency must be within the key's agencies and have a survey taking responses.\n\n"
                    "With `officer_code`, the code opens that officer's counter rating instead (the "
                    "screen of the officer's desk plate), once, and needs no survey; the officer must "
                    "work at the agency or under it. For a dossier that already has a code, the first "
                    "request decides what it opens."
                ),
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/SurveyCodeRequest"},
                        "example": {"agency_code": "A1", "dossier_id": "000.00.31.H56-240611-0042",
                                    "expires_in_days": 30},
                    }},
                },
                "responses": {
                    "200": {"description": "The code already issued for this dossier at this agency.",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/SurveyCode"},
                                "example": SURVEY_CODE_EXAMPLE}}},
                    "201": {"description": "A new code for this dossier.",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/SurveyCode"},
                                "example": SURVEY_CODE_EXAMPLE}}},
                    "400": _error_response("The body is not JSON."),
                    "401": {**_error_response("No API key, or a key that is unknown or revoked."),
                            "headers": {"WWW-Authenticate": {"schema": {"type": "string"},
                                                             "description": "Bearer"}}},
                    "404": _error_response("No agency with this code within the key's agencies, or "
                                           "no active officer with `officer_code` at that agency or "
                                           "under it."),
                    "409": _error_response("The agency has no survey taking responses.",
                                           {"status": 409, "agency_code": "A1",
                                            "title": "No survey is taking responses at this agency",
                                            "detail": "A1 has no live survey deployment."}),
                    "422": _error_response("Some fields are not valid; `fields` says why, per field.",
                                           {"status": 422, "title": "Some fields are not valid",
                                            "detail": "See the message for each field.",
                                            "fields": {"dossier_id": "Give the dossier number, as a "
                                                                     "non-empty string."}}),
                    "429": {**_error_response("Too many requests with this key; wait and retry."),
                            "headers": {"Retry-After": {"schema": {"type": "integer"},
                                                        "description": "Seconds to wait."}}},
                },
            },
        },
        "/ratings": {
            "post": {
                "operationId": "postCounterRating",
                "summary": "Post a counter rating of one officer",
                "description": (
                    "A queue system posts the level a citizen gave at the counter (1 is the lowest; the "
                    "officer's agency's rating set has 3, 4 or 5 levels), the reasons ticked, and "
                    "optionally the dossier id and the service. A repeated `client_uuid` or dossier id "
                    "is answered 200 and stores nothing: retries are harmless. The dossier id is used for "
                    "that only; it is never stored with the rating. Officers' results are never "
                    "returned by the API."
                ),
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/CounterRatingRequest"},
                        "example": {"officer_code": "CB01", "level": 1, "reasons": ["waited"],
                                    "dossier_id": "000.00.31.H56-240611-0042",
                                    "client_uuid": "3f2b8c1e-5d4a-4e7b-9c3d-2a1b0c9d8e7f"},
                    }},
                },
                "responses": {
                    "200": {"description": "Already stored (same client UUID or dossier id).",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/CounterRatingStored"},
                                "example": {"stored": False}}}},
                    "201": {"description": "Stored.",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/CounterRatingStored"},
                                "example": {"stored": True}}}},
                    "400": _error_response("The body is not JSON."),
                    "401": {**_error_response("No API key, or a key that is unknown or revoked."),
                            "headers": {"WWW-Authenticate": {"schema": {"type": "string"},
                                                             "description": "Bearer"}}},
                    "404": _error_response("No active officer with this code within the key's agencies."),
                    "409": _error_response("The level or a reason is not in the officer's agency's "
                                           "rating set; `fields` says which."),
                    "422": _error_response("Some fields are not valid; `fields` says why, per field."),
                    "429": {**_error_response("Too many requests with this key; wait and retry."),
                            "headers": {"Retry-After": {"schema": {"type": "integer"},
                                                        "description": "Seconds to wait."}}},
                },
            },
        },
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This description",
                "security": [],
                "responses": {
                    "200": {"description": "The OpenAPI 3.1 document.",
                            "content": {"application/json": {"schema": {"type": "object"}}}},
                },
            },
        },
    },
    "components": {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer",
                           "description": "An API key made by an administrator, starting with `ln_`."},
        },
        "schemas": {
            "SurveyCodeRequest": {
                "type": "object",
                "required": ["agency_code", "dossier_id"],
                "properties": {
                    "agency_code": {"type": "string", "minLength": 1, "maxLength": 32,
                                    "pattern": PRINTABLE_TEXT,
                                    "description": "Code of the agency where the dossier was handled "
                                                   "(letter case does not matter)."},
                    "dossier_id": {"type": "string", "minLength": 1, "maxLength": 64,
                                   "pattern": PRINTABLE_TEXT,
                                   "description": "The dossier number in the calling system; spaces "
                                                  "around it are ignored."},
                    "expires_in_days": {"type": ["integer", "null"], "minimum": 1, "maximum": 365,
                                        "description": "Days the code stays valid; left out or null: "
                                                       "no expiry."},
                    "officer_code": {"type": ["string", "null"], "pattern": "^[A-Za-z0-9_-]{1,32}$",
                                     "description": "The officer who served the citizen: the code "
                                                    "then opens their counter rating, not the survey "
                                                    "(letter case does not matter)."},
                },
            },
            "SurveyCode": {
                "type": "object",
                "required": ["code", "url", "agency_code", "dossier_id", "expires_at", "officer_code"],
                "properties": {
                    "code": {"type": "string", "pattern": f"^[{ALPHABET}]{{{CODE_LENGTH}}}$",
                             "description": "Eight characters without look-alikes (no 0/O, 1/I…)."},
                    "url": {"type": "string", "format": "uri",
                            "description": "The short address to print: it opens the survey."},
                    "agency_code": {"type": "string"},
                    "dossier_id": {"type": "string"},
                    "expires_at": {"type": ["string", "null"], "format": "date-time",
                                   "description": "UTC; null when the code does not expire."},
                    "officer_code": {"type": ["string", "null"],
                                     "description": "The officer whose counter rating the code opens; "
                                                    "null for a survey code, and once the code is "
                                                    "used."},
                },
            },
            "CounterRatingRequest": {
                "type": "object",
                "required": ["officer_code", "level"],
                "properties": {
                    "officer_code": {"type": "string", "minLength": 1, "maxLength": 64,
                                     "pattern": PRINTABLE_TEXT},
                    "level": {"type": "integer", "minimum": 1, "maximum": 5,
                              "description": "1 is the lowest level of the officer's rating set."},
                    "reasons": {"type": "array", "items": {"type": "string"},
                                "description": "Reason keys of the rating set, e.g. waited, come_back, "
                                               "unclear, impolite, extra_demand, other."},
                    "dossier_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 64,
                                   "pattern": PRINTABLE_TEXT,
                                   "description": "For idempotency only; never stored with the rating."},
                    "service_code": {"type": ["string", "null"], "minLength": 1, "maxLength": 64,
                                     "pattern": PRINTABLE_TEXT},
                    "client_uuid": {"type": ["string", "null"], "format": "uuid"},
                },
            },
            "CounterRatingStored": {
                "type": "object",
                "required": ["stored"],
                "properties": {"stored": {"type": "boolean",
                                          "description": "False: this rating was stored before."}},
            },
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["status", "title", "detail"],
                        "properties": {
                            "status": {"type": "integer"},
                            "title": {"type": "string"},
                            "detail": {"type": "string"},
                            "fields": {"type": "object", "additionalProperties": {"type": "string"},
                                       "description": "Per invalid field, what is wrong (422 only)."},
                            "agency_code": {"type": "string"},
                        },
                    },
                },
            },
        },
    },
}


def openapi_document(server_url: str | None = None) -> dict:
    """The document, with the absolute server address of this deployment when given."""
    document = deepcopy(DOCUMENT)
    if server_url:
        document["servers"] = [{"url": server_url}]
    return document
