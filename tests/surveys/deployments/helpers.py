"""Helpers for the deployment tests: surveys owned by agencies, posting the create form, QR reading."""

import re
import struct
import zlib

from feedback.extensions import db
from feedback.surveys.deployments.services import local_today
from feedback.surveys.models import Response, Survey, SurveyVersion, VersionStatus
from tests.conftest import csrf_token

QR_BORDER = 4  # segno's default quiet zone, in modules


def make_survey(key: str, owner=None, *, status: VersionStatus = VersionStatus.PUBLISHED,
                title: str | None = None) -> SurveyVersion:
    """A survey owned by `owner` with one version in `status`; committed."""
    version = SurveyVersion(survey=Survey(key=key, owner_agency_id=owner.id if owner else None),
                            number=1, status=status, title_vi=title or f"Khảo sát {key}",
                            title_en=title or f"Survey {key}")
    db.session.add(version)
    db.session.commit()
    return version


def add_responses(deployment, count: int, *, excluded: int = 0) -> None:
    """`count` empty responses to `deployment`, the first `excluded` of them flagged; committed."""
    for i in range(count):
        db.session.add(Response(version_id=deployment.version_id, deployment_id=deployment.id,
                                agency_id=deployment.agency_id, excluded=i < excluded,
                                flags=1 if i < excluded else 0))
    db.session.commit()


def post_create(client, **fields):
    """Post the deploy form (English) with a fresh CSRF token; `fields` override the defaults."""
    page = client.get("/manage/deployments/new?lang=en")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "access_mode": "open",
            "starts_on": local_today().isoformat()}
    data.update({k: v for k, v in fields.items() if v is not None})
    return client.post("/manage/deployments/new", data=data)


def action(client, deployment_id: int, verb: str, **query):
    """Post pause / resume / end for a deployment, with the CSRF token of the list page."""
    token = csrf_token(client.get("/manage/deployments/?lang=en").get_data(as_text=True))
    return client.post(f"/manage/deployments/{deployment_id}/{verb}", data={"csrf_token": token},
                       query_string=query)


# ---- reading QR images back into module matrices --------------------------------------------

def matrix_of(qr) -> list[list[bool]]:
    """A segno symbol's modules, True for dark, without the quiet zone."""
    return [[bool(v) for v in row] for row in qr.matrix]


def svg_matrix(svg: str) -> list[list[bool]]:
    """Rasterize segno's SVG path (horizontal runs: M/m moves, h draws) back into modules.

    segno draws each run of dark modules as a stroke from (x, y + 0.5) along the row, so the
    path's pen positions give every dark module exactly; the viewBox or size gives the grid.
    """
    size = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    if size:
        width, scale = int(size.group(1)), 1
    else:
        scale = int(re.search(r'scale\((\d+)\)', svg).group(1))
        width = int(re.search(r'width="(\d+)"', svg).group(1)) // scale
    d = re.search(r' d="([^"]+)"', svg).group(1)
    grid = [[False] * width for _ in range(width)]
    x = y = 0.0
    for command, numbers in re.findall(r"([MmHh])([-\d. ]+)", d):
        values = [float(n) for n in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            length = values[0] if command == "h" else values[0] - x
            for column in range(int(x), int(x + length)):
                grid[int(y)][column] = True
            x += length
    return [row[QR_BORDER:width - QR_BORDER] for row in grid[QR_BORDER:width - QR_BORDER]]


def png_matrix(data: bytes, modules: int) -> list[list[bool]]:
    """Decode a greyscale PNG (what segno writes) and sample the centre of each module.

    A tiny decoder, enough for segno's files (1-bit greyscale, rows filtered with None or Up), so
    no image library is needed; anything else fails the test loudly rather than being misread.
    """
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, header = 8, b"", None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour, _compression, _filter, interlace = header
    assert (depth, colour, interlace) == (1, 0, 0), header
    raw = zlib.decompress(idat)
    stride = (width + 7) // 8
    rows, previous = [], bytes(stride)
    for r in range(height):
        line = raw[r * (stride + 1):(r + 1) * (stride + 1)]
        kind, scanline = line[0], line[1:]
        assert kind in (0, 2), f"PNG filter {kind} is not read here"
        if kind == 2:  # "Up": each byte adds the byte above it
            scanline = bytes((a + b) & 0xFF for a, b in zip(scanline, previous, strict=True))
        previous = scanline
        rows.append([not (scanline[c // 8] >> (7 - c % 8)) & 1 for c in range(width)])
    scale = width // (modules + 2 * QR_BORDER)
    assert width == height == scale * (modules + 2 * QR_BORDER)
    centre = scale // 2
    return [[rows[(QR_BORDER + r) * scale + centre][(QR_BORDER + c) * scale + centre]
             for c in range(modules)] for r in range(modules)]
