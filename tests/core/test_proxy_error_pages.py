"""The reverse-proxy sample (docs/nginx.conf) and the static error pages it serves for what
gunicorn or the proxy answer without the app (413, 414, 502, 504), in Vietnamese and English."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODES = ("413", "414", "502", "504")
TITLES = {"vi": {"502": "Hệ thống tạm thời không phản hồi", "414": "Địa chỉ quá dài"},
          "en": {"502": "The service is temporarily unavailable", "414": "The address is too long"}}


def _page(client, path: str) -> tuple[int, str]:
    """(status, body) of a static file, its file closed (a streamed body holds it open)."""
    answer = client.get(path, buffered=True)
    try:
        return answer.status_code, answer.get_data(as_text=True)
    finally:
        answer.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_proxy_error_page_ships_with_the_app_in_both_languages(client, lang):
    for code in CODES:
        status, html = _page(client, f"/static/errors/{lang}/{code}.html")
        assert status == 200
        assert f'<html lang="{lang}">' in html and '<meta charset="utf-8">' in html
        assert re.search(r"<h1>[^<]+</h1>", html) and 'href="/"' in html
        # Standalone: no stylesheet, script or image from elsewhere (the app may be down).
        assert not re.search(r'<(link|script|img)\b', html)
    for code, title in TITLES[lang].items():
        assert f"<h1>{title}</h1>" in _page(client, f"/static/errors/{lang}/{code}.html")[1]


def test_the_nginx_sample_serves_them_for_what_gunicorn_answers_itself():
    conf = (ROOT / "docs" / "nginx.conf").read_text(encoding="utf-8")
    for code in CODES:
        assert f"error_page {code} /_errors/{code}.html;" in conf
    assert "proxy_intercept_errors on;" in conf
    assert "feedback/static/errors/$error_lang/$1.html" in conf
    # The app's own localized 503 (database down) must pass through untouched.
    assert "error_page 503" not in conf
