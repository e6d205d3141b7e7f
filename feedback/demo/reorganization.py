"""The demo's reorganization: two small communes merged into a new one about five months ago, so
the trend as today's tree shows the seam (the new commune's line starts with its predecessors'
history) and "as it was" shows the two old lines ending."""

from datetime import datetime, time, timedelta

from sqlalchemy import update

from feedback.agencies import reorganize
from feedback.agencies.models import Agency
from feedback.core.dates import local_zone
from feedback.extensions import db
from feedback.surveys.models import Response, SurveyVersion
from feedback.surveys.services import deploy

MERGED = ("XDONGSON", "XPHULOC")
SUCCESSOR = reorganize.NewAgency("XDONGPHU", "UBND xã Đông Phú", "Dong Phu Commune People's Committee",
                                 "commune")
DAYS_AGO = 150


def seed_merge(named: dict[str, Agency], version: SurveyVersion) -> Agency:
    """Merge the two communes into a new one DAYS_AGO days ago, through the same service as
    `flask agencies merge`; the responses the simulation gave them after that day go to the new
    commune, whose survey opens that day. The summary is rebuilt by the caller."""
    zone = local_zone()
    on = datetime.now(zone).date() - timedelta(days=DAYS_AGO)
    merged = [named[code] for code in MERGED]
    successor = reorganize.merge(merged, on, new=SUCCESSOR)
    since = datetime.combine(on, time.min, tzinfo=zone)
    db.session.execute(update(Response).where(Response.agency_id.in_([a.id for a in merged]),
                                              Response.submitted_at >= since)
                       .values(agency_id=successor.id).execution_options(synchronize_session=False))
    deploy(version, successor, starts_at=since)
    return successor
