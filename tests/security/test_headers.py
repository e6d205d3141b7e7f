"""Security headers on every route of the url_map (and on error pages and static files), and cookies
flagged HttpOnly, SameSite=Lax, Secure in production."""

import os
import subprocess
import sys
from pathlib import Path

from flask import abort

from config import TestConfig
from feedback import create_app
from tests.conftest import csrf_token
from tests.security.conftest import fill, first_topic_id, rules, sign_in

ROOT = Path(__file__).resolve().parents[2]


def assert_secured(response, where: str) -> None:
    """The headers every response must carry."""
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in csp.split(";") if d.strip()}
    script = directives.get("script-src") or directives.get("default-src", "")
    assert script and "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, (where, csp)
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", (where, csp)
    assert directives.get("object-src") == "object-src 'none'", (where, csp)
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in ("strict-origin-when-cross-origin", "no-referrer"), where
    assert headers.get("X-Frame-Options") == "DENY", where


def test_every_route_answers_with_the_security_headers(app, world):
    admin = sign_in(app, world.tree.admin.email)
    citizen = app.test_client()
    topic = first_topic_id()
    checked = 0
    for rule in rules(app, {"GET", "POST"}):
        path = fill(rule, world.a, topic)
        for client in (admin, citizen):
            if "GET" in rule.methods:
                assert_secured(client.get(path, buffered=True), f"GET {path}")
            else:
                assert_secured(client.get(path), f"GET {path} (405)")
            if "POST" in rule.methods:
                assert_secured(client.post(path, data={}), f"POST {path}")
            checked += 1
    assert checked > 150


def test_error_pages_and_static_files_carry_the_headers(database_urls):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_urls["sqlite"], PROPAGATE_EXCEPTIONS=False,
                     MAX_CONTENT_LENGTH=1000, LOGIN_RATE_LIMIT="1 per minute")

    @app.route("/test-only/boom")
    def boom():
        """A bug, to see the 500 page."""
        raise RuntimeError("bug")

    @app.route("/test-only/forbidden")
    def forbidden():
        """A refusal, to see the 403 page."""
        abort(403)

    client = app.test_client()
    answers = {
        500: client.get("/test-only/boom"),
        403: client.get("/test-only/forbidden"),
        404: client.get("/no-such-page"),
        405: client.delete("/"),
        413: client.post("/login", data={"email": "x" * 5000}),
    }
    limited = None
    token = csrf_token(client.get("/login").get_data(as_text=True))
    for _ in range(5):
        limited = client.post("/login", data={"email": "a@b.vn", "password": "x", "csrf_token": token})
    answers[429] = limited
    answers[200] = client.get("/static/css/site.css")
    answers[404.1] = client.get("/static/nothing.css")
    answers[404.2] = client.get("/api/v1/nothing")
    for status, response in answers.items():
        assert response.status_code == int(status), (status, response.status_code)
        assert_secured(response, str(status))
        response.close()


def test_sign_in_cookies_are_httponly_and_samesite_lax(app, world):
    client = app.test_client()
    token_page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": world.tree.admin.email,
                                           "password": "correct horse battery",
                                           "remember": "y", "csrf_token": csrf_token(token_page)})
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        flags = [part.strip().lower() for part in cookie.split(";")]
        assert "httponly" in flags and "samesite=lax" in flags, cookie


def test_production_cookies_are_secure_and_https_is_enforced(database_urls, tree):
    """The production configuration (APP_ENV=production) sends cookies only over HTTPS, with HSTS."""
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": "x" * 32}
    env.pop("SESSION_COOKIE_SECURE", None)
    probe = ("from config import Config as C; print(C.SESSION_COOKIE_SECURE, C.REMEMBER_COOKIE_SECURE, "
             "C.SESSION_COOKIE_HTTPONLY, C.REMEMBER_COOKIE_HTTPONLY, C.SESSION_COOKIE_SAMESITE, "
             "C.REMEMBER_COOKIE_SAMESITE)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "True", "True", "True", "Lax", "Lax"]
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_urls["sqlite"], SESSION_COOKIE_SECURE=True,
                     REMEMBER_COOKIE_SECURE=True)
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = client.get("/login", base_url="https://localhost").headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c and "HttpOnly" in c and "SameSite=Lax" in c for c in cookies)
