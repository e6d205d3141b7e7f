"""Shared page behaviour: language choice, formatting, security headers, error pages, health."""

from datetime import date

import pytest
from flask import abort
from flask_babel import force_locale, format_decimal
from sqlalchemy.exc import OperationalError

from config import TestConfig
from feedback import create_app
from feedback.core.i18n import format_local_date


def test_vietnamese_is_the_default(client):
    page = client.get("/")
    assert 'lang="vi"' in page.get_data(as_text=True)
    assert "Bạn thấy" in page.get_data(as_text=True) or "Mã cơ quan" in page.get_data(as_text=True)


def test_accept_language_picks_english(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="en"' in page.get_data(as_text=True)


def test_unknown_accept_language_falls_back_to_vietnamese(client):
    page = client.get("/", headers={"Accept-Language": "fr-FR"})
    assert 'lang="vi"' in page.get_data(as_text=True)


def test_lang_parameter_wins_and_sticks_in_a_cookie(client):
    first = client.get("/?lang=en", headers={"Accept-Language": "vi"})
    assert 'lang="en"' in first.get_data(as_text=True)
    assert "lang=en" in first.headers["Set-Cookie"]
    later = client.get("/login", headers={"Accept-Language": "vi"})
    assert 'lang="en"' in later.get_data(as_text=True)
    back = client.get("/login?lang=vi")
    assert 'lang="vi"' in back.get_data(as_text=True)


def test_language_switch_link_keeps_the_page_and_its_query(client):
    html = client.get("/login?next=/dashboard/").get_data(as_text=True)
    assert 'href="/login?next=%2Fdashboard%2F&amp;lang=en"' in html


def test_dates_and_numbers_follow_the_locale(app):
    with app.test_request_context("/"):
        with force_locale("vi"):
            assert format_local_date(date(2026, 11, 22)) == "22/11/2026"
            assert format_decimal(1234.5, format="#,##0.0") == "1.234,5"
        with force_locale("en"):
            assert format_decimal(1234.5, format="#,##0.0") == "1,234.5"
            assert format_local_date(date(2026, 11, 22)) == "22 Nov 2026"


@pytest.mark.parametrize("path", ["/", "/login", "/does-not-exist", "/healthz"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_carry_no_inline_script(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html


def test_not_found_page_is_localized(client):
    vi = client.get("/khong-co")
    assert vi.status_code == 404
    assert "Không tìm thấy trang" in vi.get_data(as_text=True)
    en = client.get("/nothing-here?lang=en")
    assert "Page not found" in en.get_data(as_text=True)


def test_method_not_allowed_page_keeps_the_allow_header(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "<h1>" in response.get_data(as_text=True)


def test_forbidden_and_server_error_pages_are_localized(database_urls):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_urls["sqlite"],
                     PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("bug")

    @app.route("/forbidden")
    def forbidden():
        abort(403)

    client = app.test_client()
    crashed = client.get("/boom?lang=en")
    assert crashed.status_code == 500
    assert "Something went wrong on our side" in crashed.get_data(as_text=True)
    assert "Traceback" not in crashed.get_data(as_text=True)
    assert "Content-Security-Policy" in crashed.headers
    refused = client.get("/forbidden?lang=vi")
    assert refused.status_code == 403
    assert "Tài khoản không có quyền" in refused.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_healthz_says_503_when_the_database_does_not_answer(tmp_path):
    app = create_app(TestConfig,
                     SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing-dir/nope.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "down"


def test_pages_answer_a_localized_503_when_the_database_is_down(tmp_path):
    app = create_app(TestConfig,
                     SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing-dir/nope.db")
    response = app.test_client().get("/?lang=en")
    assert response.status_code == 503
    assert "temporarily unavailable" in response.get_data(as_text=True)


def test_production_refuses_to_start_without_a_secret_key():
    class Production(TestConfig):
        APP_ENV = "production"
        PRODUCTION = True
        SECRET_KEY = None

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Production)


def test_database_url_defaults_to_sqlite_in_instance_and_uses_psycopg_for_postgres():
    from config import database_url

    assert database_url(None).startswith("sqlite:///") and database_url(None).endswith(
        "instance/lang_nghe.db")
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_operational_error_is_the_exception_handled(app):
    # Guard: the 503 handler is registered for the exception SQLAlchemy raises when the DB is down.
    assert OperationalError in app.error_handler_spec[None][None]
