"""What a dashboard page covers: the filters of the request, turned into the SQL condition on the
agencies and the keyword arguments of every metric, always inside the viewer's own subtrees.

An agency, survey or service outside the viewer's reach is answered exactly like an unknown code,
so no page ever tells whether another department's code exists.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, select

from feedback.accounts.authz import agency_filter, reachable_agency, visible_agencies
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.core.i18n import bilingual
from feedback.dashboards.filters import DashboardFilters, parse_filters
from feedback.dashboards.lineage import use_tree
from feedback.extensions import db
from feedback.surveys.models import Deployment, Survey, SurveyVersion

UNKNOWN_AGENCY = _l("Unknown agency. All the agencies you lead are shown instead.")
UNKNOWN_SURVEY = _l("Unknown survey. All surveys are shown instead.")
UNKNOWN_SERVICE = _l("Unknown service. All services are shown instead.")


@dataclass(frozen=True)
class Choice:
    """One entry of a filter's list: the value sent in the URL and its label in each language."""

    value: str
    label_vi: str
    label_en: str = ""
    depth: int = 0

    label = bilingual("label")


@dataclass(frozen=True)
class DashboardView:
    """The filters of a request and what they mean for the queries of a dashboard page."""

    filters: DashboardFilters
    today: date
    agency: Agency | None
    clause: object
    window: dict
    previous_window: dict
    survey_id: int | None
    errors: list
    agency_choices: list[Choice] = field(default_factory=list)
    survey_choices: list[Choice] = field(default_factory=list)
    service_choices: list[Choice] = field(default_factory=list)

    def query_args(self, **overrides) -> dict[str, str]:
        """The filters as query parameters with `overrides` applied (None drops a parameter)."""
        args = self.filters.query_args()
        for name, value in overrides.items():
            if value is None:
                args.pop(name, None)
            else:
                args[name] = value
        return args


def zone() -> ZoneInfo:
    """The timezone in which the dashboards' dates are whole days."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def window_of(filters: DashboardFilters, survey_id: int | None, service: str | None) -> dict:
    """The keyword arguments the metric functions take for `filters`."""
    start, end = filters.period(zone())
    return {"start": start, "end": end, "code_only": filters.code_only,
            "survey_id": survey_id, "service": service}


def _agency_choices() -> list[Choice]:
    """The agencies the viewer leads and those under them, in tree order."""
    return [Choice(a.code, a.name_vi, a.name_en or "", a.depth)
            for a in db.session.scalars(visible_agencies(current_user, Role.LEADER))]


def _survey_choices(clause) -> list[tuple[int, Choice]]:
    """(id, choice) of each survey deployed at an agency of `clause`, titled by its newest version."""
    rows = db.session.execute(
        select(Survey.id, Survey.key, SurveyVersion.title_vi, SurveyVersion.title_en)
        .join(SurveyVersion, SurveyVersion.survey_id == Survey.id)
        .where(Survey.id.in_(
            select(SurveyVersion.survey_id)
            .join(Deployment, Deployment.version_id == SurveyVersion.id)
            .join(Agency, Agency.id == Deployment.agency_id)
            .where(clause)))
        .order_by(Survey.key, SurveyVersion.number.desc())
    ).all()
    newest: dict[int, Choice] = {}
    for row in rows:
        newest.setdefault(row.id, Choice(row.key, row.title_vi, row.title_en or ""))
    return list(newest.items())


def _service_choices(clause) -> list[Choice]:
    """The services offered by the deployments at an agency of `clause`, by code."""
    services: dict[str, Choice] = {}
    lists = db.session.scalars(
        select(Deployment.services).join(Agency, Agency.id == Deployment.agency_id).where(clause))
    for listed in lists:
        for item in listed or []:
            code = str(item.get("code") or "").strip() if isinstance(item, dict) else ""
            if code and code not in services:
                services[code] = Choice(code, str(item.get("name_vi") or code),
                                        str(item.get("name_en") or ""))
    return sorted(services.values(), key=lambda c: c.value)


def current_view() -> DashboardView:
    """The dashboard view the request asks for, for the signed-in leader or admin."""
    today = datetime.now(zone()).date()
    filters = parse_filters(request.args, today)
    use_tree(filters.tree)
    errors = list(filters.errors)
    own = agency_filter(current_user, Role.LEADER)
    agency = None
    if filters.agency:
        agency = reachable_agency(current_user, filters.agency, Role.LEADER)
        if agency is None:
            errors.append(UNKNOWN_AGENCY)
    # The grant already covers the subtree; the viewer's filter stays as a second lock.
    clause = and_(own, Agency.in_subtree(agency.path)) if agency is not None else own
    filters = replace(filters, agency=agency.code if agency is not None else "")

    surveys = _survey_choices(own)
    survey_id = None
    if filters.survey:
        survey_id = next((i for i, c in surveys if c.value == filters.survey), None)
        if survey_id is None:
            errors.append(UNKNOWN_SURVEY)
            filters = replace(filters, survey="")
    services = _service_choices(own)
    if filters.service and filters.service not in {c.value for c in services}:
        errors.append(UNKNOWN_SERVICE)
        filters = replace(filters, service="")
    service = filters.service or None
    return DashboardView(
        filters=filters, today=today, agency=agency, clause=clause,
        window=window_of(filters, survey_id, service),
        previous_window=window_of(filters.previous(), survey_id, service),
        survey_id=survey_id, errors=errors, agency_choices=_agency_choices(),
        survey_choices=[c for _, c in surveys], service_choices=services,
    )

