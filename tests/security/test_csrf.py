"""CSRF: every state-changing route of the url_map needs the session's token, except the citizens'
anonymous forms (their own signed token) and the JSON API (a bearer key), which are refused without
those."""

from feedback.extensions import csrf
from tests.security.conftest import STATE_CHANGING, fill, first_topic_id, rules, sign_in, snapshot

# Reviewed exemptions: a new one must be added here on purpose, with its own protection tested below.
SIGNED_FORMS = {"surveys.take", "surveys.code_survey", "dialogues.register", "dialogues.resend",
                "dialogues.cancel", "track.rate", "counters.rate", "counters.thanks", "counters.code_rate"}
KEY_API = {"api.issue_survey_code", "api.post_counter_rating"}
# The kiosk tablet's posts: its device token (an HttpOnly, SameSite=Strict cookie) stands in.
KIOSK = {"kiosk.pair_device", "kiosk.pick_officer", "kiosk.rate_form", "kiosk.reasons_form",
         "kiosk.rating_json", "kiosk.details_json"}
# Anonymous and harmless to forge: whoever posts gets the same page, and the only effect (the ticket
# link texted to the number a registration gave, once a day) is what typing that number does anyway.
ANONYMOUS_FORMS = {"dialogues.lost_ticket"}


def _exempt(app, rule) -> bool:
    """Whether Flask-WTF skips the CSRF check for this rule's view."""
    view = app.view_functions[rule.endpoint]
    blueprint = app.blueprints.get(rule.endpoint.rpartition(".")[0])
    return (blueprint in csrf._exempt_blueprints
            or f"{view.__module__}.{view.__name__}" in csrf._exempt_views)


def test_only_the_reviewed_routes_skip_the_csrf_check(app):
    exempt = {r.endpoint for r in rules(app, STATE_CHANGING) if _exempt(app, r)}
    assert exempt == SIGNED_FORMS | KEY_API | KIOSK | ANONYMOUS_FORMS


def test_every_staff_post_without_the_token_is_refused_and_changes_nothing(app, world):
    admin = sign_in(app, world.tree.admin.email)
    topic = first_topic_id()
    checked = 0
    for forged in ({}, {"csrf_token": "forged"}):
        before = snapshot()
        for rule in rules(app, STATE_CHANGING):
            if _exempt(app, rule):
                continue
            path = fill(rule, world.a, topic)
            response = admin.post(path, data={**forged, "name": "x", "agency": "A", "text": "x",
                                              "email": world.tree.admin.email, "password": "x"})
            assert response.status_code == 400, (path, response.status_code)
            checked += 1
        assert snapshot() == before
    assert checked > 2 * 40
    # Still signed in: the refused sign-out did nothing.
    assert admin.get("/account").status_code == 200


def test_citizen_forms_without_their_signed_token_are_refused(app, world):
    client = app.test_client()
    before = snapshot()
    a = world.a.ids
    refused = {
        "/s/A": {"page": "1", "nav": "next", "q-comment": "x"},
        f"/r/{a['survey_code']}": {"page": "1", "nav": "next"},
        f"/dialogues/{a['conference_id']}/register": {
            "full_name": "Nguyễn Văn An", "phone": "0912 345 678", "consent": "y", "locality": "Phường 1"},
        f"/dialogues/{a['conference_id']}/resend": {"registration": str(a["registration_id"])},
        f"/tickets/{a['ticket']}/cancel": {"digits": "0000"},
        f"/track/{a['tracking']}/rating": {"satisfied": "yes"},
    }
    for path, data in refused.items():
        for token in ({}, {"token": "forged"}):
            response = client.post(path, data={**data, **token})
            assert response.status_code == 400, (path, response.status_code)
    api = client.post("/api/v1/survey-codes", json={"agency_code": "A", "dossier_id": "1"})
    assert api.status_code == 401
    assert snapshot() == before
