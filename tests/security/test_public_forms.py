"""Hypothesis against every public form: arbitrary text (NUL, lone surrogates sent as bytes, RTL marks,
10,000-character fields), wrong types, duplicated and missing fields and tokens. No 500 ever: a clear
4xx or a success."""

import re
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import csrf_token
from tests.security.conftest import XSS

SETTINGS = settings(max_examples=12, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FINE = {200, 302, 303, 400, 401, 404, 409, 410, 413, 422, 429}
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')

texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\ud800", "x\udfff", "\u202eabc\u202c", "\u200f\u061c",
                     "x" * 10_000, XSS, "1e999", "-1", "0", "[]", "{}", "null", "true", "4.5", "NaN",
                     "0912 345 678", "+84912345678", "2026-02-30", "yes", "no", "self", "next", "back",
                     "ﾠ", "\r\n", "%00", "../../etc/passwd", "' OR 1=1 --"]),
)


def _body(pairs: list[tuple[str, str]]) -> bytes:
    """A urlencoded body; lone surrogates travel as the bytes a broken client would send."""
    return urlencode([(k.encode("utf-8", "surrogatepass"), v.encode("utf-8", "surrogatepass"))
                      for k, v in pairs]).encode("ascii")


@st.composite
def form(draw, fields: list[str], token: str | None):
    """Pairs for `fields`: each left out, sent once or several times, with any text; the token valid,
    forged, empty or missing; sometimes unknown fields."""
    pairs = []
    for name in fields:
        for _ in range(draw(st.integers(0, 2))):
            pairs.append((name, draw(texts)))
    choice = draw(st.sampled_from(["valid", "valid", "missing", "forged", "twice"]))
    if token is not None and choice != "missing":
        value = {"valid": token, "forged": token[:-4] + "AAAA", "twice": token}.get(choice, token)
        pairs.append(("token", value))
        if choice == "twice":
            pairs.append(("token", draw(texts)))
    unknown = st.tuples(st.sampled_from(["", "x", "token[]", "page", "\x00"]), texts)
    pairs += draw(st.lists(unknown, max_size=2))
    return pairs


def _post(client, path: str, pairs) -> int:
    """POST the pairs as a form; returns the status."""
    response = client.post(path, data=_body(pairs), content_type="application/x-www-form-urlencoded")
    assert "Traceback" not in response.get_data(as_text=True)
    return response.status_code


def _token(client, path: str) -> str | None:
    """The signed form token on the page at `path`."""
    match = TOKEN_RE.search(client.get(path).get_data(as_text=True))
    return match.group(1) if match else None


SURVEY_FIELDS = ["page", "nav", "website", "service", "q-comment", "q-q1", "q-q2", "q-overall", "d"]


@SETTINGS
@given(data=st.data())
def test_the_open_survey(app, world, data):
    client = app.test_client()
    status = _post(client, "/s/A", data.draw(form(SURVEY_FIELDS, _token(client, "/s/A"))))
    assert status in FINE, status


@SETTINGS
@given(data=st.data())
def test_the_survey_by_code(app, world, data):
    client = app.test_client()
    path = f"/r/{world.a.ids['survey_code']}"
    status = _post(client, path, data.draw(form(SURVEY_FIELDS, _token(client, path))))
    assert status in FINE, status
    typed = urlencode({"code": data.draw(texts)[:200].encode("utf-8", "surrogatepass")})
    assert client.get(f"/r/?{typed}").status_code in FINE


SIGNUP_FIELDS = ["full_name", "phone", "email", "locality", "representing", "consent", "website",
                 "q1-text", "q1-topic", "q1-publish", "q2-text", "q6-text"]


@SETTINGS
@given(data=st.data())
def test_the_dialogue_sign_up(app, world, data):
    client = app.test_client()
    path = f"/dialogues/{world.a.ids['conference_id']}/register"
    status = _post(client, path, data.draw(form(SIGNUP_FIELDS, _token(client, path))))
    assert status in FINE, status


@SETTINGS
@given(data=st.data())
def test_the_ticket_cancel_form_and_the_lookups(app, world, data):
    client = app.test_client()
    ticket = world.a.ids["ticket"]
    status = _post(client, f"/tickets/{ticket}/cancel",
                   data.draw(form(["phone_last4"], _token(client, f"/tickets/{ticket}"))))
    assert status in FINE, status
    typed = urlencode({"code": data.draw(texts)[:300].encode("utf-8", "surrogatepass")})
    for path in ("/tickets/", "/track/"):
        assert client.get(f"{path}?{typed}").status_code in FINE


@SETTINGS
@given(data=st.data())
def test_the_petition_rating_form(app, world, data):
    client = app.test_client()
    code = world.a.ids["tracking"]
    status = _post(client, f"/track/{code}/rating",
                   data.draw(form(["satisfied", "comment"], _token(client, f"/track/{code}"))))
    assert status in FINE, status


@SETTINGS
@given(data=st.data())
def test_the_sign_in_form(app, world, data):
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    pairs = data.draw(form(["email", "password", "remember"], None))
    if data.draw(st.booleans()):
        pairs.append(("csrf_token", data.draw(st.sampled_from([token, token[:-3] + "abc", "", XSS]))))
    assert _post(client, "/login", pairs) in FINE


@SETTINGS
@given(agency=texts, topic=texts, month=texts, page=texts, code=texts)
def test_the_home_page_and_list_get_forms(app, world, agency, topic, month, page, code):
    client = app.test_client()
    enc = {k: v.encode("utf-8", "surrogatepass") for k, v in
           {"agency": agency[:500], "topic": topic[:500], "month": month[:500], "page": page[:500],
            "code": code[:500]}.items()}
    for path in ("/", "/dialogues/", "/r/"):
        response = client.get(f"{path}?{urlencode(enc)}")
        assert response.status_code in FINE, (path, response.status_code)
