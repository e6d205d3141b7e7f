"""Two moderators acting on one petition at the same moment never leave it in a mixed state."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select

from feedback.accounts.models import User
from feedback.dialogues.models import Petition, PetitionStatus
from feedback.dialogues.petitions import services
from feedback.dialogues.petitions.services import PetitionRefused
from feedback.extensions import db
from feedback.models import utcnow

ROUNDS = 6


def _race(app, petition_id: int, admin_id: int, steps) -> list[str]:
    """Run each step in its own thread, session and transaction, released together after every
    thread has loaded the petition (so each starts from the same, soon stale, state)."""
    loaded = threading.Barrier(len(steps))

    def one(step):
        with app.app_context():
            petition = db.session.get(Petition, petition_id)
            actor = db.session.get(User, admin_id)
            assert petition.status == PetitionStatus.ASSIGNED
            loaded.wait(timeout=30)
            try:
                step(petition, actor)
            except PetitionRefused as refused:
                db.session.rollback()
                return refused.reason
            db.session.commit()
            return "done"

    with ThreadPoolExecutor(max_workers=len(steps)) as pool:
        return list(pool.map(one, steps))


def test_publishing_the_answer_and_hiding_at_once(app, tree, setting):
    for _round in range(ROUNDS):
        petition = services.create_floor_petition(setting.conference, text="Câu hỏi", topic=None,
                                                  registration=None, consent_to_publish=True,
                                                  actor=tree.admin)
        services.assign(petition, tree.counter_a, services.local_today() + timedelta(days=2), tree.admin)
        services.record_answer(petition, text="Trả lời", answered_by="A", answered_at=utcnow(),
                               actor=tree.admin)
        db.session.commit()
        outcomes = _race(app, petition.id, tree.admin.id, [
            lambda p, a: services.publish_answer(p, a),
            lambda p, a: services.hide(p, "trùng", a),
        ])
        assert sorted(outcomes).count("done") == 1, outcomes
        loser = next(o for o in outcomes if o != "done")
        db.session.expire_all()
        final = db.session.get(Petition, petition.id)
        if final.status == PetitionStatus.ANSWERED:
            assert loser == "not_open" and final.answer_published_at is not None
            assert [e.action for e in final.events][-1] == "answer_published"
        else:
            assert final.status == PetitionStatus.HIDDEN and loser == "hidden"
            assert final.answer_published_at is None
            assert [e.action for e in final.events][-1] == "hidden"
        # One step written, never both.
        assert len(final.events) == 4


def test_merging_two_petitions_into_each_other_at_once_makes_no_cycle(app, tree, setting):
    first, second = setting.petition, setting.quiet
    for petition in (first, second):
        services.assign(petition, tree.counter_a, services.local_today() + timedelta(days=2), tree.admin)
    db.session.commit()
    outcomes = _race(app, first.id, tree.admin.id, [
        lambda p, a: services.merge(p, db.session.get(Petition, second.id), a),
        lambda _p, a: services.merge(db.session.get(Petition, second.id),
                                     db.session.get(Petition, first.id), a),
    ])
    assert sorted(outcomes) == ["done", "target_gone"], outcomes
    db.session.expire_all()
    merged = db.session.scalars(select(Petition).where(Petition.status == PetitionStatus.MERGED)).all()
    assert len(merged) == 1
