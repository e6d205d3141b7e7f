"""The service of a counter rating: the agency's procedures offered (optional) after the level on
/o/<code>, on the kiosk's reasons screen, and accepted by the API; an unknown one is refused."""

import re
import uuid

from sqlalchemy import select

from feedback.agencies.procedures import Procedure
from feedback.counters.models import CounterRating
from feedback.extensions import db
from tests.api.helpers import make_key
from tests.counters.helpers import make_officer
from tests.counters.test_kiosk import paired_kiosk


def _procedures(agency) -> None:
    """Two procedures kept at `agency` (its counters inherit them)."""
    db.session.add_all(
        [
            Procedure(
                agency_id=agency.id, code="1.001", name_vi="Cấp giấy khai sinh", name_en="Birth certificate"
            ),
            Procedure(
                agency_id=agency.id, code="1.002", name_vi="Đăng ký kết hôn", name_en="Marriage registration"
            ),
        ]
    )
    db.session.commit()


def _tap(client, level: str) -> str:
    """Tap `level` on /o/CB01; the thank-you page's HTML."""
    token = re.search(r'name="t" value="([^"]+)"', client.get("/o/CB01").get_data(as_text=True)).group(1)
    return client.post("/o/CB01?lang=en", data={"t": token, "level": level}, follow_redirects=True)


def test_after_a_good_level_the_plate_asks_which_procedure(app, tree, client):
    make_officer(tree.counter_a)
    _procedures(tree.dept_a)
    thanks = _tap(client, "4")
    html = thanks.get_data(as_text=True)
    assert "Cấp giấy khai sinh" in html and 'name="service"' in html and 'name="reason"' not in html
    done = re.search(r'name="r" value="([^"]+)"', html).group(1)
    sent = client.post("/o/CB01/thanks?lang=en", data={"r": done, "service": "1.002"})
    assert "Your answer was added to your rating." in sent.get_data(as_text=True)
    assert db.session.scalar(select(CounterRating.service_code)) == "1.002"
    assert client.post("/o/CB01/thanks", data={"r": done, "service": "9.999"}).status_code == 400


def test_a_low_level_asks_why_and_which_procedure_together(app, tree, client):
    make_officer(tree.counter_a)
    _procedures(tree.dept_a)
    html = _tap(client, "1").get_data(as_text=True)
    assert 'name="reason"' in html and 'name="service"' in html
    done = re.search(r'name="r" value="([^"]+)"', html).group(1)
    client.post("/o/CB01/thanks", data={"r": done, "reason": "waited", "service": ""})
    rating = db.session.scalar(select(CounterRating))
    assert rating.reasons == ["waited"] and rating.service_code is None


def test_without_procedures_nothing_more_is_asked_after_a_good_level(app, tree, client):
    make_officer(tree.counter_a)
    html = _tap(client, "4").get_data(as_text=True)
    assert 'name="service"' not in html and "<form" not in html.split("<main", 1)[-1].split("</main>")[0]


def test_the_kiosk_reasons_screen_offers_the_procedures(app, tree, organizer_a_client):
    _procedures(tree.dept_a)
    tablet, _code = paired_kiosk(app, organizer_a_client)
    page = tablet.get("/kiosk?lang=en").get_data(as_text=True)
    assert 'name="service"' in page and "Marriage registration" in page
    same = str(uuid.uuid4())
    assert tablet.post("/kiosk/ratings", json={"uuid": same, "level": 1}).status_code == 201
    refused = tablet.post(f"/kiosk/ratings/{same}/details", json={"reasons": [], "service_code": "x"})
    assert refused.status_code == 422
    added = tablet.post(
        f"/kiosk/ratings/{same}/details", json={"reasons": ["unclear"], "service_code": "1.001"}
    )
    assert added.get_json() == {"updated": True}
    db.session.expire_all()
    assert db.session.scalar(select(CounterRating.service_code)) == "1.001"


def test_the_api_takes_a_procedure_code_and_refuses_an_unknown_one(app, tree, client):
    make_officer(tree.counter_a)
    _procedures(tree.dept_a)
    secret = make_key(tree.dept_a)
    headers = {"Authorization": f"Bearer {secret}"}
    refused = client.post(
        "/api/v1/ratings", json={"officer_code": "CB01", "level": 4, "service_code": "7.7"}, headers=headers
    )
    assert refused.status_code == 409 and "service_code" in refused.json["error"]["fields"]
    stored = client.post(
        "/api/v1/ratings", json={"officer_code": "CB01", "level": 4, "service_code": "1.001"}, headers=headers
    )
    assert stored.status_code == 201
    assert db.session.scalars(select(CounterRating.service_code)).all() == ["1.001"]
