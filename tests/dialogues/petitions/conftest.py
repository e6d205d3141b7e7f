"""Fixtures for petitions: a held conference of department A, its registrants and petitions."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from feedback.accounts.models import Role, User
from feedback.core.codes import new_unique_code
from feedback.dialogues.models import (
    Conference,
    ConferenceStatus,
    Petition,
    PetitionSource,
    Registration,
    RegistrationStatus,
    Topic,
)
from feedback.dialogues.petitions.services import create_petition
from feedback.dialogues.topics import load_default_topics
from feedback.extensions import db
from feedback.models import utcnow
from tests.conftest import _signed_in
from tests.dialogues.helpers import make_conference, phone
from tests.factories import make_user


def held_conference(agency, **fields) -> Conference:
    """A conference of `agency` that ended two days ago and is marked held."""
    now = utcnow()
    values = {"starts_at": now - timedelta(days=2, hours=3), "ends_at": now - timedelta(days=2),
              "registration_opens_at": now - timedelta(days=20),
              "registration_closes_at": now - timedelta(days=3), "published_at": now - timedelta(days=20)}
    values.update(fields)
    return make_conference(agency, status=ConferenceStatus.HELD, **values)


def registrant(conference: Conference, n: int, *, email: str | None = None,
               status: RegistrationStatus = RegistrationStatus.ATTENDED) -> Registration:
    """A registration of person `n` (flushed)."""
    registration = Registration(
        conference_id=conference.id, ticket_code=new_unique_code(Registration.ticket_code),
        full_name=f"Nguyễn Văn Bình {n}", phone=f"+84912{n:06d}", email=email, locality="Phường 1",
        consent_at=utcnow(), status=status, locale="vi",
        checked_in_at=utcnow() if status == RegistrationStatus.ATTENDED else None)
    db.session.add(registration)
    db.session.flush()
    return registration


@dataclass
class Setting:
    """The conference of department A, one of department B, and petitions of each."""

    conference: Conference
    conference_b: Conference
    topic: Topic
    asker: Registration
    petition: Petition        # received, consent given, asker with an email
    quiet: Petition           # received, no consent, no registration
    petition_b: Petition      # at department B's conference, received
    organizer_b: User


@pytest.fixture
def setting(app, tree) -> Setting:
    """A held conference at department A with two received petitions, and one at department B."""
    load_default_topics()
    conference = held_conference(tree.dept_a)
    conference_b = held_conference(tree.dept_b, title_vi="Đối thoại y tế")
    topic = db.session.query(Topic).filter_by(code="dat-dai").one()
    asker = registrant(conference, 1, email="binh@example.vn")
    petition = create_petition(text="Đề nghị cho biết tiến độ cấp sổ đỏ của gia đình tôi.",
                               source=PetitionSource.ADVANCE, conference=conference, registration=asker,
                               topic=topic, consent_to_publish=True)
    quiet = create_petition(text="Đường làng xuống cấp, đề nghị sửa.", source=PetitionSource.FLOOR,
                            conference=conference)
    petition_b = create_petition(text="Trạm y tế thiếu thuốc.", source=PetitionSource.FLOOR,
                                 conference=conference_b)
    organizer_b = make_user("organizer.b@example.vn", Role.ORGANIZER, tree.dept_b)
    db.session.commit()
    return Setting(conference, conference_b, topic, asker, petition, quiet, petition_b, organizer_b)


@pytest.fixture
def organizer_b_client(app, setting):
    """A client signed in as an organizer of department B."""
    return _signed_in(app, setting.organizer_b.email)


__all__ = ["held_conference", "phone", "registrant"]
