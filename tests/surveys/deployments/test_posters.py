"""The agency's A4 poster and its QR files: the right agency, the right URL, always in Vietnamese.

The QR images are checked by reading them back into modules (a small PNG reader and segno's SVG
path, see helpers) and comparing with a fresh segno encoding of the URL we expect. No pure-Python
QR *decoder* is available here (pyzbar and OpenCV need native libraries); a fresh encoding of the
literal URL is deterministic, so equal modules prove the image carries exactly that URL.
"""

import re
from html import unescape

import pytest
import segno
from flask_babel import force_locale
from flask_babel import gettext as _

from feedback.core import qr
from feedback.extensions import db
from feedback.surveys import posters
from feedback.surveys.models import AccessMode
from feedback.surveys.services import deploy, load_default_survey
from tests.surveys.deployments.helpers import matrix_of, png_matrix, svg_matrix

POSTER = "/manage/deployments/agencies/{}/poster"
INSTRUCTIONS = (
    "Point your phone's camera at the QR code, or type the address above into your browser.",
    "Answer a few short questions: it takes two minutes, and nobody asks your name or phone number.",
)


def expected_matrix(url: str) -> list[list[bool]]:
    """The modules of `url` encoded afresh, with the poster's error correction."""
    return matrix_of(segno.make(url, error=qr.QR_ERROR, micro=False))


def vietnamese(app, message: str) -> str:
    """`message` as the Vietnamese catalog has it."""
    with app.test_request_context("/"), force_locale("vi"):
        return _(message)


@pytest.fixture
def live_at_counter(app, tree):
    """An open survey running at the counter A1."""
    deploy(load_default_survey(), tree.counter_a)
    db.session.commit()


def test_the_poster_shows_the_agency_the_url_and_vietnamese_help_whatever_the_language(
        app, organizer_a_client, tree, live_at_counter):
    page = organizer_a_client.get(POSTER.format("A1") + "?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    poster = html.split('<article class="poster" lang="vi"')[1].split("</article>")[0]
    assert "Bộ phận Một cửa Sở Tư pháp" in poster  # the Vietnamese name, on an English page
    assert '<a href="http://localhost/s/A1">localhost/s/A1</a>' in poster
    for line in INSTRUCTIONS:
        assert vietnamese(app, line) in unescape(poster)
    # The tools around the poster follow the organizer's language.
    assert "Download the QR code (SVG)" in html and 'lang="en"' in html
    assert "No open survey is running" not in html


def test_the_inline_qr_encodes_the_short_url_with_no_style_attribute(organizer_a_client, tree,
                                                                      live_at_counter):
    html = organizer_a_client.get(POSTER.format("A1")).get_data(as_text=True)
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert svg_matrix(svg) == expected_matrix("http://localhost/s/A1")
    # The CSP (style-src 'self') would block style attributes and inline <style>; no <script> either.
    assert "style=" not in html and "<style" not in html and "<script" not in html


def test_the_public_base_url_setting_is_what_the_qr_encodes(app, organizer_a_client, tree):
    app.config["PUBLIC_BASE_URL"] = "https://langnghe.example.vn/"
    html = organizer_a_client.get(POSTER.format("a1")).get_data(as_text=True)
    assert '<a href="https://langnghe.example.vn/s/A1">langnghe.example.vn/s/A1</a>' in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert svg_matrix(svg) == expected_matrix("https://langnghe.example.vn/s/A1")
    png = organizer_a_client.get(POSTER.format("A1") + ".png").data
    expected = expected_matrix("https://langnghe.example.vn/s/A1")
    assert png_matrix(png, len(expected)) == expected


def test_the_png_download_is_the_qr_at_print_resolution(organizer_a_client, tree):
    response = organizer_a_client.get(POSTER.format("A1") + ".png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == 'attachment; filename="qr-A1.png"'
    expected = expected_matrix("http://localhost/s/A1")
    assert png_matrix(response.data, len(expected)) == expected
    width = int.from_bytes(response.data[16:20], "big")
    assert width == (len(expected) + 8) * qr.PNG_SCALE  # ≥ 1,000 px: sharp at 11 cm


def test_the_svg_download_is_a_standalone_file_of_the_same_code(organizer_a_client, tree):
    response = organizer_a_client.get(POSTER.format("A1") + ".svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="qr-A1.svg"'
    svg = response.get_data(as_text=True)
    assert svg.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert svg_matrix(svg) == expected_matrix("http://localhost/s/A1")


def test_a_poster_without_a_live_open_survey_warns_the_organizer(organizer_a_client, tree):
    deploy(load_default_survey(), tree.commune_a, access_mode=AccessMode.CODE)
    db.session.commit()
    for code in ("A", "A2"):  # nothing deployed; one-time codes only
        html = organizer_a_client.get(POSTER.format(code) + "?lang=en").get_data(as_text=True)
        assert "No open survey is running at this agency now." in html


@pytest.mark.parametrize("suffix", ["", ".svg", ".png"])
def test_posters_only_for_the_organizers_subtree(client, organizer_a_client, leader_a_client, tree,
                                                 suffix):
    assert organizer_a_client.get(POSTER.format("B") + suffix).status_code == 404
    assert organizer_a_client.get(POSTER.format("P") + suffix).status_code == 404  # the parent
    assert organizer_a_client.get(POSTER.format("NOPE") + suffix).status_code == 404
    assert leader_a_client.get(POSTER.format("A") + suffix).status_code == 403
    assert client.get(POSTER.format("A") + suffix).status_code == 302


def test_the_url_helpers(app):
    with app.test_request_context("/", base_url="http://10.0.0.5:8000/"):
        assert posters.short_url("A1") == "http://10.0.0.5:8000/s/A1"
        app.config["PUBLIC_BASE_URL"] = "https://gopy.example.vn"
        assert posters.short_url("A1") == "https://gopy.example.vn/s/A1"
    assert posters.display_url("https://gopy.example.vn/s/A1") == "gopy.example.vn/s/A1"
    assert posters.display_url("gopy.example.vn/s/A1") == "gopy.example.vn/s/A1"
