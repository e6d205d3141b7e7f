"""Test data for the responses pages: the default survey deployed over the whole test tree, a
survey using every question type, and responses stored through the survey service."""

from datetime import datetime

import pytest

from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys.answers import ParsedAnswer
from feedback.surveys.models import AccessMode, Deployment, Response, Survey, SurveyVersion, VersionStatus
from feedback.surveys.services import deploy, submit_response
from tests.surveys.helpers import deploy_default, likert_keys, questions


class Responses:
    """Adds responses to the deployments of the test tree, by agency code."""

    def __init__(self, version: SurveyVersion, deployments: dict[str, Deployment]):
        """Remember the default survey version and its deployment at each agency code."""
        self.version = version
        self.deployments = deployments

    def add(self, code: str = "A", *, value: float = 4, flags: int = 0, locale: str = "vi",
            answers: dict[str, ParsedAnswer] | None = None, comment: str | None = None,
            channel: AccessMode | None = None, when: datetime | None = None,
            deployment: Deployment | None = None) -> Response:
        """One response at agency `code`: every Likert question answered `value` unless `answers`
        are given; flushed, not committed."""
        deployment = deployment or self.deployments[code]
        if answers is None:
            answers = {key: ParsedAnswer(key, number=float(value)) for key in likert_keys(deployment.version)}
            if comment is not None:
                answers["comment"] = ParsedAnswer("comment", text=comment)
        response = submit_response(deployment, answers, locale=locale, started_at=utcnow(),
                                   flags=flags, client_hash=None)
        if channel is not None:
            response.channel = channel
        if when is not None:
            response.submitted_at = when
        db.session.flush()
        return response


@pytest.fixture
def sipas(tree) -> Responses:
    """The default survey live at every agency of the tree (open links)."""
    version = deploy_default(tree.province, subtree=True)
    deployments = {d.agency.code: d for d in db.session.query(Deployment).all()}
    return Responses(version, deployments)


@pytest.fixture
def typed(tree) -> Deployment:
    """A published survey "typed" using every question type, deployed at commune A2 (ending the
    default survey there if it was deployed)."""
    items = questions()
    for position, question in enumerate(items):
        question.position = position
    version = SurveyVersion(survey=Survey(key="typed"), number=1, status=VersionStatus.PUBLISHED,
                            published_at=utcnow(), title_vi="Khảo sát đủ loại",
                            title_en="Every type survey", questions=items)
    db.session.add(version)
    db.session.flush()
    [deployment] = deploy(version, tree.commune_a)
    db.session.commit()
    return deployment

