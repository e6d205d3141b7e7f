"""Kiosk tablets: pairing with a short code, the device token, officer shifts, queued taps."""

import re
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from feedback.counters.models import CounterRating, KioskDevice, OfficerShift, RatingFlag
from feedback.extensions import db
from feedback.models import utcnow
from tests.conftest import csrf_token
from tests.counters.helpers import make_officer


def paired_kiosk(app, organizer, agency_code="A1"):
    """A test client paired as a kiosk of `agency_code` through the organizer's page."""
    page = organizer.get("/manage/kiosks/").get_data(as_text=True)
    created = organizer.post(
        "/manage/kiosks/", data={"csrf_token": csrf_token(page), "name": "Quầy 1", "agency": agency_code}
    )
    assert created.status_code == 201
    code = re.search(r'class="pairing-code"><code>([A-Z0-9]+)</code>', created.get_data(as_text=True)).group(
        1
    )
    tablet = app.test_client()
    assert "Pairing code" in tablet.get("/kiosk?lang=en").get_data(as_text=True)
    paired = tablet.post("/kiosk/pair", data={"code": code.lower()})
    assert paired.status_code == 303
    return tablet, code


def test_pairing_gives_a_long_lived_token_stored_hashed_and_the_code_works_once(
    app, tree, organizer_a_client
):
    tablet, code = paired_kiosk(app, organizer_a_client)
    device = db.session.scalar(select(KioskDevice))
    cookie = tablet.get_cookie("kiosk_device", path="/kiosk")
    assert cookie is not None and cookie.value not in (device.token_hash or "")
    assert device.paired_at is not None and device.pairing_code_hash is None
    assert app.test_client().post("/kiosk/pair", data={"code": code}).status_code == 422
    page = tablet.get("/kiosk")
    assert page.status_code == 200 and 'name="level"' in page.get_data(as_text=True)


def test_a_queued_tap_is_filed_under_its_time_and_a_replay_answers_200(app, tree, organizer_a_client):
    tablet, _code = paired_kiosk(app, organizer_a_client)
    given = (utcnow() - timedelta(hours=2)).replace(microsecond=0)
    body = {"uuid": str(uuid.uuid4()), "level": 1, "given_at": given.isoformat()}
    assert tablet.post("/kiosk/ratings", json=body).status_code == 201
    assert tablet.post("/kiosk/ratings", json=body).status_code == 200
    rating = db.session.scalar(select(CounterRating))
    assert rating.given_at == given and rating.channel == "kiosk"
    details = tablet.post(
        f"/kiosk/ratings/{body['uuid']}/details", json={"reasons": ["waited"], "comment": "x"}
    )
    assert details.get_json() == {"updated": True}
    db.session.expire_all()
    assert db.session.scalar(select(CounterRating.reasons)) == ["waited"]


def test_times_are_bounded_future_is_now_and_too_old_is_refused(app, tree, organizer_a_client):
    tablet, _code = paired_kiosk(app, organizer_a_client)
    future = {"uuid": str(uuid.uuid4()), "level": 3, "given_at": (utcnow() + timedelta(days=1)).isoformat()}
    assert tablet.post("/kiosk/ratings", json=future).status_code == 201
    assert db.session.scalar(select(CounterRating.given_at)) <= utcnow()
    old = {"uuid": str(uuid.uuid4()), "level": 3, "given_at": (utcnow() - timedelta(days=30)).isoformat()}
    assert tablet.post("/kiosk/ratings", json=old).status_code == 422
    assert tablet.post("/kiosk/ratings", json={"uuid": "nope", "level": 3}).status_code == 422


def test_more_than_six_in_a_minute_on_one_device_are_flagged_not_limited_per_client(
    app, tree, organizer_a_client
):
    tablet, _code = paired_kiosk(app, organizer_a_client)
    for _ in range(8):
        assert tablet.post("/kiosk/ratings", json={"uuid": str(uuid.uuid4()), "level": 4}).status_code == 201
    flags = db.session.scalars(select(CounterRating.flags).order_by(CounterRating.id)).all()
    assert [bool(f & RatingFlag.DEVICE_WINDOW) for f in flags] == [False] * 6 + [True] * 2


def test_revoked_and_unknown_devices_get_a_clear_answer(app, tree, organizer_a_client):
    tablet, _code = paired_kiosk(app, organizer_a_client)
    device = db.session.scalar(select(KioskDevice))
    page = organizer_a_client.get("/manage/kiosks/").get_data(as_text=True)
    revoked = organizer_a_client.post(
        f"/manage/kiosks/{device.id}/revoke", data={"csrf_token": csrf_token(page)}
    )
    assert revoked.status_code == 303
    assert tablet.get("/kiosk").status_code == 403
    assert tablet.post("/kiosk/ratings", json={"uuid": str(uuid.uuid4()), "level": 4}).status_code == 403
    assert (
        app.test_client().post("/kiosk/ratings", json={"uuid": str(uuid.uuid4()), "level": 4}).status_code
        == 401
    )


def test_the_officer_picks_themselves_with_a_pin_and_ratings_follow_the_shift(app, tree, organizer_a_client):
    officer = make_officer(tree.counter_a)
    tablet, _code = paired_kiosk(app, organizer_a_client)
    assert tablet.post("/kiosk/officer", data={"officer": officer.id, "pin": "9999"}).status_code == 422
    assert tablet.post("/kiosk/officer", data={"officer": officer.id, "pin": "1234"}).status_code == 303
    shift = db.session.scalar(select(OfficerShift))
    tablet.post("/kiosk/ratings", json={"uuid": str(uuid.uuid4()), "level": 4})
    rating = db.session.scalar(select(CounterRating))
    assert (rating.officer_id, rating.shift_id) == (officer.id, shift.id)


def test_the_no_script_form_stores_the_level_then_the_reasons(app, tree, organizer_a_client):
    tablet, _code = paired_kiosk(app, organizer_a_client)
    page = tablet.get("/kiosk").get_data(as_text=True)
    client_uuid = re.search(r'name="uuid" value="([^"]+)"', page).group(1)
    asked = tablet.post("/kiosk/rate", data={"uuid": client_uuid, "level": "1"}).get_data(as_text=True)
    token = re.search(r'name="r" value="([^"]+)"', asked).group(1)
    assert db.session.scalar(select(func.count()).select_from(CounterRating)) == 1
    tablet.post("/kiosk/reasons", data={"r": token, "reason": ["unclear"]})
    assert db.session.scalar(select(CounterRating.reasons)) == ["unclear"]


def test_a_device_rates_only_its_own_counter(app, tree, organizer_a_client):
    other = make_officer(tree.commune_a, code="CB09")
    tablet, _code = paired_kiosk(app, organizer_a_client)
    assert tablet.post("/kiosk/officer", data={"officer": other.id, "pin": "1234"}).status_code == 422
    tablet.post(
        "/kiosk/ratings", json={"uuid": str(uuid.uuid4()), "level": 4, "agency_id": tree.commune_a.id}
    )
    assert db.session.scalar(select(CounterRating.agency_id)) == tree.counter_a.id
