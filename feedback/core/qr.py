"""QR codes: a URL drawn as inline SVG for a page, or as SVG and PNG files for print.

Posters carry an agency's survey address, conference tickets their ticket page.
"""

import io

import segno

# Error correction M (15 %) survives a smudged or creased poster; segno raises it further when the
# chosen symbol size has room to spare, so a short URL costs nothing more.
QR_ERROR = "m"
# The SVG file is a vector: a small module size keeps its numbers short, any print size is sharp.
SVG_SCALE = 10
# PNG at 40 px a module and 300 dpi: a 33-module symbol (version 2 with its quiet zone) prints
# 11 cm wide at full resolution, the size of the code on the A4 poster.
PNG_SCALE = 40
PNG_DPI = 300


def make_qr(url: str) -> segno.QRCode:
    """The QR symbol for `url` (byte mode; lower-case paths rule out the alphanumeric mode)."""
    return segno.make(url, error=QR_ERROR, micro=False)


def qr_svg_inline(url: str) -> str:
    """An <svg> element for embedding in a page: sized by CSS through its viewBox, no style attribute.

    segno draws with presentation attributes (stroke=) only, which the CSP's style-src allows; the
    page names the image (role="img" and aria-label on its wrapper).
    """
    return make_qr(url).svg_inline(scale=1, omitsize=True, svgclass="qr-code", lineclass=None)


def qr_svg_file(url: str, title: str) -> bytes:
    """A standalone SVG file of the QR code, with its XML declaration, for print shops."""
    buffer = io.BytesIO()
    make_qr(url).save(buffer, kind="svg", scale=SVG_SCALE, title=title, svgclass=None,
                      lineclass=None)
    return buffer.getvalue()


def qr_png_file(url: str) -> bytes:
    """A PNG of the QR code at print resolution (black on white, 1 bit a pixel)."""
    buffer = io.BytesIO()
    make_qr(url).save(buffer, kind="png", scale=PNG_SCALE, dpi=PNG_DPI)
    return buffer.getvalue()
