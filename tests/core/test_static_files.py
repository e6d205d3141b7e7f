"""Static files: versioned URLs cached for a year, stylesheets and scripts compressed, pages not."""

import re
from pathlib import Path

import brotli
from flask.testing import FlaskClient

from feedback.dashboards import assets

STATIC = Path(__file__).resolve().parents[2] / "feedback" / "static"
YEAR = "max-age=31536000"


def _stylesheet_url(client) -> str:
    html = client.get("/?lang=vi").get_data(as_text=True)
    return re.search(r'<link rel="stylesheet" href="(/static/css/site\.css\?v=[0-9a-f]{12})"', html).group(1)


def test_pages_link_static_files_by_version_and_those_are_cached_for_a_year(client):
    url = _stylesheet_url(client)
    with client.get(url) as answer:
        assert answer.status_code == 200
        assert answer.data == (STATIC / "css" / "site.css").read_bytes()
        cache = answer.headers["Cache-Control"]
    assert "public" in cache and YEAR in cache and "immutable" in cache


def test_an_outdated_or_missing_version_is_revalidated_not_cached_for_a_year(client):
    for url in ("/static/css/site.css?v=000000000000", "/static/css/site.css"):
        with client.get(url) as answer:
            assert answer.status_code == 200 and answer.data
            assert YEAR not in answer.headers.get("Cache-Control", ""), url


def test_stylesheets_and_plotly_are_compressed_for_browsers_that_accept_it(app):
    # A plain test client: plotly.js is compressed as it streams, in the request's own context,
    # which the suite's isolated client (tests/conftest.py) ends before the body is read.
    client = FlaskClient(app)
    url = _stylesheet_url(client)
    with client.get(url, headers={"Accept-Encoding": "br, gzip"}) as answer:
        assert answer.headers["Content-Encoding"] == "br"
        assert brotli.decompress(answer.data) == (STATIC / "css" / "site.css").read_bytes()
        assert "Accept-Encoding" in answer.headers["Vary"]

    with client.get(f"/dashboard/assets/plotly-{assets.PLOTLY_VERSION}.min.js",
                    headers={"Accept-Encoding": "br"}) as plotly:
        assert plotly.headers["Content-Encoding"] == "br"
        sent = plotly.data
    body = brotli.decompress(sent)
    assert body == Path(assets.PLOTLY_JS).read_bytes()
    assert len(sent) < len(body) / 2


def test_html_pages_are_not_compressed(client):
    # Pages carry CSRF tokens next to what people typed: compressing them invites BREACH.
    answer = client.get("/login?lang=vi", headers={"Accept-Encoding": "br, gzip"})
    assert answer.status_code == 200 and "Content-Encoding" not in answer.headers
