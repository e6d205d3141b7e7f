"""Reads and writes for deployments: the organizer's list, creating, pausing, resuming, ending."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from feedback.accounts.authz import agency_filter, can_access
from feedback.accounts.models import Role, User
from feedback.agencies.models import Agency
from feedback.agencies.procedures import procedures_for
from feedback.audit.services import record
from feedback.core.dates import local_zone
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.core.text import slugify, unique_slug
from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.models import (
    AccessMode,
    Deployment,
    DeploymentStatus,
    Response,
    Survey,
    SurveyVersion,
    VersionStatus,
)
from feedback.surveys.services import DEFAULT_SURVEY_KEY, deploy

PAGE_SIZE = 50
MAX_SERVICES = 100
SERVICE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SERVICE_NAME_MAX = 200


class DeploymentRefused(Exception):
    """A pause, resume or end that the deployment's state does not allow; the message is localized."""



def local_today() -> date:
    """Today's date where the agencies are, not in UTC."""
    return datetime.now(local_zone()).date()


def start_of_day(day: date) -> datetime:
    """Local midnight at the start of `day`, as an aware datetime (stored in UTC)."""
    return datetime.combine(day, time.min, tzinfo=local_zone())


# ---- what the organizer may choose -------------------------------------------------------------

def deployable_versions(user: User) -> list[SurveyVersion]:
    """Published versions of the surveys `user` may deploy, newest first within each survey.

    A survey is visible when an agency in the organizer's subtrees owns it, or when it is the
    built-in SIPAS questionnaire, which every agency may use.
    """
    owned_here = select(Agency.id).where(agency_filter(user, Role.ORGANIZER))
    return list(db.session.scalars(
        select(SurveyVersion).join(Survey, SurveyVersion.survey)
        .where(SurveyVersion.status == VersionStatus.PUBLISHED,
               or_(Survey.key == DEFAULT_SURVEY_KEY, Survey.owner_agency_id.in_(owned_here)))
        .options(contains_eager(SurveyVersion.survey))
        .order_by(Survey.key, SurveyVersion.number.desc())
    ))


def organizer_agencies(user: User, *, active_only: bool = False) -> list[Agency]:
    """The agencies of `user`'s organizer subtrees, in tree order."""
    query = select(Agency).where(agency_filter(user, Role.ORGANIZER)).order_by(Agency.path)
    if active_only:
        query = query.where(Agency.active.is_(True))
    return list(db.session.scalars(query))


# ---- the list ----------------------------------------------------------------------------------

@dataclass
class DeploymentRow:
    """One line of the organizer's list: the deployment and how many responses it collected."""

    deployment: Deployment
    responses: int
    flagged: int

    @property
    def state(self) -> str:
        """What the deployment is doing now: active, scheduled, over, paused or ended."""
        d, now = self.deployment, utcnow()
        if d.status == DeploymentStatus.ACTIVE:
            if d.starts_at > now:
                return "scheduled"
            if d.ends_at is not None and d.ends_at <= now:
                return "over"
        return d.status.value

    @property
    def last_day(self) -> datetime | None:
        """A moment inside the last day of the period (an end stored at midnight belongs to the
        day before), for printing the period's end as a date."""
        ends_at = self.deployment.ends_at
        return ends_at - timedelta(seconds=1) if ends_at is not None else None


def deployment_rows(user: User, *, status: DeploymentStatus | None = None, under: Agency | None = None,
                    page: int = 1) -> tuple[list[DeploymentRow], int]:
    """A page of the deployments at agencies in `user`'s organizer subtrees, newest first, with
    their response counts, and the number of matching deployments.

    The counts are correlated aggregates in the same statement: each is an index lookup on
    response.deployment_id, and only the rows of the page are counted.
    """
    responses = (select(func.count(Response.id)).where(Response.deployment_id == Deployment.id)
                 .correlate(Deployment).scalar_subquery())
    flagged = (select(func.coalesce(func.sum(case((Response.excluded.is_(True), 1), else_=0)), 0))
               .where(Response.deployment_id == Deployment.id)
               .correlate(Deployment).scalar_subquery())
    conditions = [agency_filter(user, Role.ORGANIZER)]
    if status is not None:
        conditions.append(Deployment.status == status)
    if under is not None:
        conditions.append(Agency.in_subtree(under.path))
    base = select(Deployment).join(Agency, Deployment.agency).where(*conditions)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.execute(
        select(Deployment, responses, flagged)
        .join(Agency, Deployment.agency)
        .join(SurveyVersion, Deployment.version)
        .join(Survey, SurveyVersion.survey)
        .where(*conditions)
        .options(contains_eager(Deployment.agency),
                 contains_eager(Deployment.version).contains_eager(SurveyVersion.survey))
        .order_by(Deployment.created_at.desc(), Deployment.id.desc())
        .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return [DeploymentRow(d, int(n or 0), int(f or 0)) for d, n, f in rows], total


def get_deployment(deployment_id: int, user: User) -> Deployment | None:
    """The deployment if it exists at an agency in `user`'s organizer subtrees, else None."""
    deployment = db.session.get(Deployment, deployment_id)
    if deployment is None or not can_access(user, deployment.agency, Role.ORGANIZER):
        return None
    return deployment


def live_open_deployment(agency: Agency) -> Deployment | None:
    """The open-link deployment taking responses at `agency` now, if any (for the poster)."""
    now = utcnow()
    return db.session.scalar(select(Deployment).where(
        Deployment.agency_id == agency.id, Deployment.status == DeploymentStatus.ACTIVE,
        Deployment.access_mode == AccessMode.OPEN, Deployment.starts_at <= now,
        or_(Deployment.ends_at.is_(None), Deployment.ends_at > now)).limit(1))


# ---- services (thủ tục) ------------------------------------------------------------------------

def parse_services(text: str) -> tuple[list[dict], list[str]]:
    """Read plain names, or "code | name vi | name en" lines, into [{"code", "name_vi", "name_en"}],
    and the errors.

    Blank lines are skipped; a plain name gets a code made from its words; the English name may
    be left out. Each error names its line, so a
    long list pasted from a spreadsheet is easy to fix.
    """
    services: list[dict] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), start=1)]
    lines = [(n, line) for n, line in lines if line]
    if len(lines) > MAX_SERVICES:
        return [], [_("Please list at most %(max)s services (there are %(count)s).",
                      max=MAX_SERVICES, count=len(lines))]
    for number, line in lines:
        parts = [part.strip() for part in line.split("|")]
        if len(parts) == 1:
            # A plain name ("Đăng ký khai sinh"): its code is made from the words.
            parts = [unique_slug(slugify(line, limit=60, fallback="service"), set(seen)), line]
        if len(parts) not in (2, 3):
            errors.append(_("Line %(n)s: write the service's name, or the code, the Vietnamese name "
                            "and, if you like, the English name, separated by “|”.", n=number))
            continue
        code, name_vi = parts[0], parts[1]
        name_en = parts[2] if len(parts) == 3 else ""
        if not SERVICE_CODE.match(code):
            errors.append(_("Line %(n)s: the code must be 1 to 64 letters, digits, “.”, “-” or “_”, "
                            "starting with a letter or digit.", n=number))
        elif code in seen:
            errors.append(_("Line %(n)s: the code %(code)s is already used on line %(first)s.",
                            n=number, code=code, first=seen[code]))
        if not name_vi:
            errors.append(_("Line %(n)s: the Vietnamese name is missing.", n=number))
        if len(name_vi) > SERVICE_NAME_MAX or len(name_en) > SERVICE_NAME_MAX:
            errors.append(_("Line %(n)s: a name may have at most %(max)s characters.",
                            n=number, max=SERVICE_NAME_MAX))
        seen.setdefault(code, number)
        services.append({"code": code, "name_vi": name_vi, "name_en": name_en})
    return services, errors


def format_services(services: list) -> str:
    """The text-area form of a stored services list (the inverse of parse_services)."""
    lines = []
    for s in services or []:
        parts = [s.get("code", ""), s.get("name_vi", "")] + ([s["name_en"]] if s.get("name_en") else [])
        lines.append(" | ".join(parts))
    return "\n".join(lines)


# ---- writes ------------------------------------------------------------------------------------

def create_deployments(version: SurveyVersion, agency: Agency, *, subtree: bool,
                       access_mode: AccessMode, starts_on: date, ends_on: date | None,
                       services: list[dict], actor: User,
                       use_procedures: bool = False) -> list[Deployment]:
    """Deploy `version` at `agency` (or its active subtree) from `starts_on` through `ends_on`.

    Dates are local days: the period runs from the start day's midnight to the midnight after the
    end day. Earlier deployments at those agencies end (surveys.services.deploy). With
    `use_procedures`, each deployment offers its agency's procedures list (agencies.procedures, a
    copy taken now: what citizens picked stays readable when the list changes later) before the
    services typed. Flushes only.
    """
    starts_at = start_of_day(starts_on)
    # Starting today means now: the survey should not look "scheduled" for the rest of the day.
    if starts_on <= local_today():
        starts_at = min(starts_at, utcnow())
    ends_at = start_of_day(ends_on + timedelta(days=1)) if ends_on is not None else None
    deployments = deploy(version, agency, subtree=subtree, access_mode=access_mode,
                         starts_at=starts_at, ends_at=ends_at, actor=actor)
    for deployment in deployments:
        listed = [p.as_service() for p in procedures_for(deployment.agency)] if use_procedures else []
        codes = {s["code"] for s in listed}
        deployment.services = listed + [dict(s) for s in services if s["code"] not in codes]
    db.session.flush()
    return deployments


def pause(deployment: Deployment, actor: User) -> None:
    """Stop an active deployment taking responses for now; flushes only."""
    if deployment.status != DeploymentStatus.ACTIVE:
        raise DeploymentRefused(_("Only an active deployment can be paused."))
    deployment.status = DeploymentStatus.PAUSED
    db.session.flush()
    record("deployment.pause", deployment, actor=actor, agency=deployment.agency.code)


def resume(deployment: Deployment, actor: User) -> None:
    """Let a paused deployment take responses again, unless another one is active at its agency.

    The check gives the clear message in the usual case; the partial unique index
    uq_deployment_one_active decides when two requests race, and its refusal reads the same.
    """
    if deployment.status != DeploymentStatus.PAUSED:
        raise DeploymentRefused(_("Only a paused deployment can be resumed."))
    if deployment.ends_at is not None and deployment.ends_at <= utcnow():
        raise DeploymentRefused(_("This deployment's period is over; deploy the survey again instead."))
    taken = _other_active(deployment)
    refused = _("Another survey is already active at %(agency)s. End or pause it first.",
                agency=deployment.agency.name(current_locale()))
    if taken:
        raise DeploymentRefused(refused)
    try:
        # A savepoint: on PostgreSQL a failed statement would otherwise poison the whole transaction.
        with db.session.begin_nested():
            deployment.status = DeploymentStatus.ACTIVE
            db.session.flush()
    except IntegrityError:
        # The savepoint's rollback expired the deployment, so it reads back as paused.
        raise DeploymentRefused(refused) from None
    record("deployment.resume", deployment, actor=actor, agency=deployment.agency.code)


def _other_active(deployment: Deployment) -> bool:
    """Whether another deployment is active at the same agency."""
    return db.session.scalar(select(func.count()).select_from(Deployment).where(
        Deployment.agency_id == deployment.agency_id, Deployment.id != deployment.id,
        Deployment.status == DeploymentStatus.ACTIVE)) > 0


def end(deployment: Deployment, actor: User) -> None:
    """End an active or paused deployment now for good (a period already over keeps its end)."""
    if deployment.status == DeploymentStatus.ENDED:
        raise DeploymentRefused(_("This deployment has already ended."))
    now = utcnow()
    deployment.status = DeploymentStatus.ENDED
    if deployment.ends_at is None or deployment.ends_at > now:
        deployment.ends_at = now
    db.session.flush()
    record("deployment.end", deployment, actor=actor, agency=deployment.agency.code)
