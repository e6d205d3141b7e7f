"""The reverse-proxy sample (docs/nginx.conf) and the standalone error pages it serves for what
gunicorn or the proxy answer without the app (413, 414, 502, 504), in Vietnamese and English,
rendered at deploy time by `flask proxy-error-pages`."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODES = ("413", "414", "502", "504")
TITLES = {"vi": {"502": "Hệ thống tạm thời không phản hồi", "414": "Địa chỉ quá dài"},
          "en": {"502": "The service is temporarily unavailable", "414": "The address is too long"}}


@pytest.fixture
def pages(runner, tmp_path) -> Path:
    """The folder `flask proxy-error-pages` wrote the pages into."""
    result = runner.invoke(args=["proxy-error-pages", str(tmp_path / "proxy-errors")])
    assert result.exit_code == 0, result.output
    return tmp_path / "proxy-errors"


def _page(pages: Path, lang: str, code: str) -> str:
    """The text of one rendered page."""
    return (pages / lang / f"{code}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_proxy_error_page_is_rendered_in_both_languages(pages, lang):
    for code in CODES:
        html = _page(pages, lang, code)
        assert f'<html lang="{lang}">' in html and '<meta charset="utf-8">' in html
        assert f"Lắng Nghe · {code}</p>" in html
        assert re.search(r"<h1>[^<]+</h1>", html) and 'href="/"' in html
        # Fits a phone.
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        # Standalone: no stylesheet, script or image from elsewhere (the app may be down).
        assert not re.search(r'<(link|script|img)\b', html)
    for code, title in TITLES[lang].items():
        assert f"<h1>{title}</h1>" in _page(pages, lang, code)


def test_the_nginx_sample_serves_them_for_what_gunicorn_answers_itself():
    conf = (ROOT / "docs" / "nginx.conf").read_text(encoding="utf-8")
    for code in CODES:
        assert f"error_page {code} /_errors/{code}.html;" in conf
    assert "proxy_intercept_errors on;" in conf
    assert "instance/proxy-errors/$error_lang/$1.html" in conf
    # The app's own localized 503 (database down) must pass through untouched.
    assert "error_page 503" not in conf
