"""Bytes a phone downloads for the citizen pages (HTML + CSS + JS), plain and gzip-compressed.

    .venv/bin/python bench/page_weight.py

Builds a throwaway SQLite database with the default survey deployed, then fetches each citizen
page and every stylesheet and script it links through the Flask test client. Target (docs/targets.md):
the survey page at most 30 KB transferred, no third-party request, usable without JavaScript.
"""

import gzip
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from config import TestConfig  # noqa: E402
from feedback import create_app  # noqa: E402
from feedback.agencies.services import add_agency  # noqa: E402
from feedback.dialogues.models import (  # noqa: E402
    Conference,
    ConferenceStatus,
    PetitionSource,  # noqa: E402
)
from feedback.dialogues.petitions.services import create_petition  # noqa: E402
from feedback.dialogues.registrations import register  # noqa: E402
from feedback.dialogues.topics import load_default_topics  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.models import utcnow  # noqa: E402
from feedback.surveys.services import deploy, load_default_survey  # noqa: E402

ASSET_RE = re.compile(r'<(?:link[^>]+href|script[^>]+src)="([^"]+)"')
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')
BUDGET = 30 * 1024


def measure(client, path: str, method: str = "GET", data=None) -> tuple[int, int, list[str]]:
    """(plain bytes, gzip bytes, asset URLs) of a page and the CSS/JS it links (not the icon)."""
    page = client.open(path, method=method, data=data)
    html = page.get_data()
    assets = [a for a in ASSET_RE.findall(html.decode()) if not a.endswith((".svg", ".png", ".ico"))]
    bodies = [html] + [client.get(a).get_data() for a in assets]
    return sum(map(len, bodies)), sum(len(gzip.compress(b, 6)) for b in bodies), assets


def _dialogue(agency) -> tuple[str, str]:
    """A published conference with one registrant and their question; (ticket code, tracking code)."""
    from datetime import timedelta

    load_default_topics()
    now = utcnow()
    conference = Conference(title_vi="Đối thoại với Nhân dân về thủ tục hành chính", host_agency_id=agency.id,
                            venue="Hội trường Sở Tư pháp", capacity=100, status=ConferenceStatus.PUBLISHED,
                            starts_at=now + timedelta(days=7), ends_at=now + timedelta(days=7, hours=3),
                            leaders=[{"name": "Nguyễn Văn An", "title": "Giám đốc Sở Tư pháp"}])
    db.session.add(conference)
    db.session.flush()
    registration, _ = register(conference, full_name="Trần Thị Bình", phone="0912 345 678",
                               locality="Phường Hòa Bình")
    petition = create_petition(text="Đề nghị rút ngắn thời gian chứng thực.", source=PetitionSource.ADVANCE,
                               conference=conference, registration=registration)
    return registration.ticket_code, petition.tracking_code


def main() -> int:
    """Print a table of page weights; exit 1 if the survey page is over budget uncompressed."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/weight.db")
        with app.app_context():
            upgrade()
            agency = add_agency("STP", "Sở Tư pháp", name_en="Department of Justice")
            deploy(load_default_survey(), agency)
            ticket, tracking = _dialogue(agency)
            db.session.commit()
        # Requests outside the setup's app context, so each gets its own (and its own language).
        client = app.test_client()
        token = TOKEN_RE.search(client.get("/s/STP").get_data(as_text=True)).group(1)
        rows = [
            ("home (vi)", *measure(client, "/?lang=vi")),
            ("survey /s/STP (vi)", *measure(client, "/s/STP?lang=vi")),
            ("survey /s/STP (en)", *measure(client, "/s/STP?lang=en")),
            ("survey sent empty, errors shown (vi)",
             *measure(client, "/s/STP?lang=vi", "POST", {"token": token})),
            ("thank-you page (vi)", *measure(client, "/s/STP/thanks?lang=vi")),
            ("dialogues list (vi)", *measure(client, "/dialogues/?lang=vi")),
            ("dialogue sign-up form (vi)", *measure(client, "/dialogues/1/register?lang=vi")),
            ("ticket (vi)", *measure(client, f"/tickets/{ticket}?lang=vi")),
            ("question tracking (vi)", *measure(client, f"/track/{tracking}?lang=vi")),
        ]
        with app.app_context():
            db.engine.dispose()
    print(f"{'page':40} {'plain':>9} {'gzip':>9}  assets")
    for name, plain, packed, assets in rows:
        print(f"{name:40} {plain:>9,} {packed:>9,}  {' '.join(assets)}")
    survey_plain = rows[1][1]
    print(f"\nsurvey page budget {BUDGET:,} bytes: {'met' if survey_plain <= BUDGET else 'OVER'} "
          "uncompressed")
    return 0 if survey_plain <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
