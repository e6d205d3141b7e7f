"""Schemathesis against /api/v1/openapi.json through the WSGI app (no network), with a valid key:
no 5xx, and every answer conforms to the schema (status, content type, body, headers)."""

import schemathesis
from hypothesis import HealthCheck, given, settings

from feedback.extensions import db
from tests.api.helpers import make_key
from tests.surveys.helpers import deploy_default

SETTINGS = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much])


def test_the_api_conforms_to_its_openapi_description(app, tree):
    deploy_default(tree.dept_a, subtree=True)
    headers = {"Authorization": f"Bearer {make_key(tree.dept_a)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert any(op.path == "/survey-codes" for op in operations)
    statuses = set()
    for operation in operations:
        @SETTINGS
        @given(case=operation.as_strategy())
        def conforms(case):
            """One generated request: answered within the description."""
            response = case.call_and_validate(headers=headers)
            statuses.add(response.status_code)
            db.session.rollback()

        conforms()
    assert statuses and max(statuses) < 500, statuses
