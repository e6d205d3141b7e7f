"""What a citizen sees of a petition through its tracking code, and their rating of the answer.

The tracking code is the citizen's only key: whoever holds it sees the question's progress and may
rate the answer, never a name or a phone number.
"""

from dataclasses import dataclass

from sqlalchemy import or_, select, update

from feedback.core.tokens import read_token, sign_token
from feedback.dialogues.models import Petition, PetitionAction, PetitionEvent, PetitionStatus
from feedback.dialogues.petitions.services import record_event
from feedback.extensions import db
from feedback.models import utcnow

# Merges are repointed to the final target (services.merge), so one step is the rule; the bound
# only protects the page from rows written some other way.
MAX_MERGE_HOPS = 5
RATING_COMMENT_MAX = 2000
# Steps the citizen does not see: an answer recorded but not yet published is internal.
INTERNAL_ACTIONS = {PetitionAction.ANSWERED.value}
TOKEN_SALT = "petition-rating"


def find_by_code(code: str) -> Petition | None:
    """The petition with tracking code `code` (already cleaned), or None."""
    return db.session.scalar(select(Petition).where(Petition.tracking_code == code))


def followed(petition: Petition) -> Petition:
    """The petition whose progress `petition`'s asker follows: itself, or what it was merged into."""
    current = petition
    for _hop in range(MAX_MERGE_HOPS):
        if current.status != PetitionStatus.MERGED or current.merged_into_id is None:
            break
        target = db.session.get(Petition, current.merged_into_id)
        if target is None:
            break
        current = target
    return current


def public_timeline(petition: Petition) -> list[PetitionEvent]:
    """`petition`'s timeline as the citizen sees it: the steps, never the staff's notes."""
    return [event for event in petition.events if event.action not in INTERNAL_ACTIONS]


@dataclass(frozen=True)
class RatingState:
    """Whether the asker may rate the answer now, and whether a rating exists already."""

    open: bool
    rated: bool


def rating_state(petition: Petition) -> RatingState:
    """Rating is open once the answer is published: while the petition is answered the asker may
    change their rating; after it is closed, a first rating is still taken, but not changed."""
    rated = petition.rated_at is not None
    published = petition.answer_published_at is not None
    if not published or petition.status not in (PetitionStatus.ANSWERED, PetitionStatus.CLOSED):
        return RatingState(open=False, rated=rated)
    return RatingState(open=petition.status == PetitionStatus.ANSWERED or not rated, rated=rated)


def rate(petition: Petition, *, satisfied: bool, comment: str) -> bool:
    """Store the asker's rating (one conditional UPDATE, so a rating racing the closing of the
    petition follows the rule above); adds a "rated" step. False if rating is not open."""
    result = db.session.execute(
        update(Petition)
        .where(Petition.id == petition.id, Petition.answer_published_at.is_not(None),
               or_(Petition.status == PetitionStatus.ANSWERED,
                   (Petition.status == PetitionStatus.CLOSED) & Petition.rated_at.is_(None)))
        .values(rating_satisfied=satisfied, rating_comment=comment[:RATING_COMMENT_MAX], rated_at=utcnow())
        .execution_options(synchronize_session=False))
    db.session.refresh(petition)
    if result.rowcount != 1:
        return False
    record_event(petition, PetitionAction.RATED)
    return True


def make_rating_token(secret_key: str, tracking_code: str) -> str:
    """A signed, timestamped token for the rating form of `tracking_code`.

    The citizen has no session: this token stands in for the CSRF token. Another site cannot
    forge it, and it is only good for the code it was made for.
    """
    return sign_token(secret_key, TOKEN_SALT, tracking_code)


def read_rating_token(secret_key: str, token: str, tracking_code: str, max_age: int) -> str:
    """"ok", "expired" (genuine but old: the form is shown again, choices kept) or "bad"."""
    signed = read_token(secret_key, TOKEN_SALT, token, max_age)
    if signed is None:
        return "bad"
    if not signed.fresh:
        return "expired"
    return "ok" if signed.payload == tracking_code else "bad"
