"""The OpenAPI document: served, well formed, and in step with what the API really answers."""

import re

import pytest

from feedback.api.openapi import openapi_document
from tests.api.helpers import issue, make_key
from tests.surveys.helpers import deploy_default

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _refs(node):
    """Every $ref string anywhere in `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document, ref: str):
    """The object a local $ref points at (KeyError when it points nowhere)."""
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_the_document_is_a_well_formed_openapi_3_1_description():
    doc = openapi_document()
    assert re.fullmatch(r"3\.1\.\d+", doc["openapi"])
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["paths"]
    for ref in _refs(doc):
        assert isinstance(_resolve(doc, ref), dict), ref
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    for requirement in doc["security"]:
        assert set(requirement) <= set(schemes)
    for path, item in doc["paths"].items():
        assert path.startswith("/")
        for method, operation in item.items():
            assert method in HTTP_METHODS, (path, method)
            assert operation["responses"], (path, method)
            for status, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d|default", status), (path, status)
                assert response["description"], (path, status)
                for media in response.get("content", {}).values():
                    assert "schema" in media
            for requirement in operation.get("security", []):
                assert set(requirement) <= set(schemes)
    for name, schema in doc["components"]["schemas"].items():
        assert set(schema.get("required", [])) <= set(schema.get("properties", {})), name


def test_every_status_the_endpoint_answers_is_documented():
    responses = openapi_document()["paths"]["/survey-codes"]["post"]["responses"]
    assert set(responses) == {"200", "201", "400", "401", "404", "409", "422", "429"}
    for status in ("400", "401", "404", "409", "422", "429"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}


def test_it_is_served_without_a_key(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    assert response.json["servers"] == [{"url": "http://localhost/api/v1"}]
    assert response.json["paths"] == openapi_document()["paths"]


def _conforms(value, schema, doc) -> bool:
    """A small check of `value` against the JSON Schema subset the document uses."""
    if "$ref" in schema:
        return _conforms(value, _resolve(doc, schema["$ref"]), doc)
    types = schema.get("type")
    types = types if isinstance(types, list) else [types] if types else []
    python = {"object": dict, "string": str, "integer": int, "null": type(None), "array": list}
    if types and not any(isinstance(value, python[t]) and not isinstance(value, bool) for t in types):
        return False
    if isinstance(value, dict):
        if not set(schema.get("required", [])) <= set(value):
            return False
        props = schema.get("properties", {})
        return all(_conforms(v, props[k], doc) for k, v in value.items() if k in props)
    if isinstance(value, str) and "pattern" in schema:
        return re.search(schema["pattern"], value) is not None
    return True


@pytest.mark.parametrize(("body", "status"), [
    ({"agency_code": "A1", "dossier_id": "1", "expires_in_days": 3}, 201),
    ({"agency_code": "A1", "dossier_id": "1"}, 200),
    ({"agency_code": "B", "dossier_id": "1"}, 404),
    ({"agency_code": "A2", "dossier_id": "1"}, 409),
    ({"agency_code": "A1"}, 422),
])
def test_real_answers_match_their_documented_schema(client, tree, body, status):
    deploy_default(tree.counter_a)
    secret = make_key(tree.dept_a)
    doc = openapi_document()
    if status == 200:
        issue(client, secret, **body)
    response = issue(client, secret, **body)
    assert response.status_code == status
    schema = doc["paths"]["/survey-codes"]["post"]["responses"][str(status)]["content"][
        "application/json"]["schema"]
    assert _conforms(response.json, schema, doc), response.json
    assert _conforms(body, doc["components"]["schemas"]["SurveyCodeRequest"], doc) or status == 422
