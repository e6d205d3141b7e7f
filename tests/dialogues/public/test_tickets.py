"""/tickets/<code>: status, QR code of the ticket's address, calendar file, cancelling with the phone's
last digits (promoting the first waitlisted), headers that keep the code secret, unknown codes."""

import time

import icalendar
import pytest
from sqlalchemy import select

from feedback.core.qr import qr_svg_inline
from feedback.dialogues.messages import Kind
from feedback.dialogues.models import ConferenceStatus, Registration, RegistrationStatus
from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.models import Notification
from tests.dialogues.helpers import make_conference
from tests.dialogues.public.util import form_token, sign_up, ticket_code


def _registration(code: str) -> Registration:
    """The registration holding ticket `code`, freshly read."""
    db.session.expire_all()
    return db.session.scalar(select(Registration).where(Registration.ticket_code == code))


def _cancel(client, code: str, digits: str, **extra):
    """Open the ticket page and send its cancel form with `digits`."""
    page = client.get(f"/tickets/{code}").get_data(as_text=True)
    return client.post(f"/tickets/{code}/cancel?lang=en",
                       data={"token": form_token(page), "phone_last4": digits} | extra)


def test_ticket_page_shows_code_qr_status_and_conference(app, client, tree):
    conference = make_conference(tree.dept_a, venue="Hội trường UBND xã", title_en="")
    code = ticket_code(sign_up(client, conference.id, 1))
    response = client.get(f"/tickets/{code}?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"{code[:4]}-{code[4:]}" in html
    assert "Confirmed: you have a seat" in html
    assert "This page is your ticket." in html
    assert "Đối thoại với Nhân dân" in html and "Hội trường UBND xã" in html
    assert f'href="/tickets/{code}.ics"' in html
    # The QR code holds the ticket's public address (the test client's root is http://localhost/).
    assert qr_svg_inline(f"http://localhost/tickets/{code}") in html
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # Masked: initials and the last 2 digits (of the 4 that cancel), never the name or the number.
    assert "T. T. B. N." in html and "••• 01" in html and "Trần Thị" not in html
    assert "001" not in html.replace(code, "")


def test_qr_code_matches_segno_matrix_of_the_ticket_url(app, client, tree):
    import segno

    app.config["PUBLIC_BASE_URL"] = "https://langnghe.binhan.gov.vn"
    conference = make_conference(tree.dept_a)
    code = ticket_code(sign_up(client, conference.id, 1))
    html = client.get(f"/tickets/{code}").get_data(as_text=True)
    url = f"https://langnghe.binhan.gov.vn/tickets/{code}"
    expected = segno.make(url, error="m", micro=False)
    svg = html[html.index("<svg"):html.index("</svg>") + 6]
    assert svg == expected.svg_inline(scale=1, omitsize=True, svgclass="qr-code", lineclass=None)
    assert expected.designator  # a real symbol was drawn for that exact text


def test_statuses_waitlisted_cancelled_attended(app, client, tree):
    conference = make_conference(tree.dept_a, capacity=1)
    first = ticket_code(sign_up(client, conference.id, 1))
    second = ticket_code(sign_up(client, conference.id, 2))
    assert "On the waiting list, number 1" in client.get(f"/tickets/{second}?lang=en").get_data(as_text=True)
    registration = _registration(first)
    registration.status = RegistrationStatus.ATTENDED
    registration.checked_in_at = utcnow()
    db.session.commit()
    html = client.get(f"/tickets/{first}?lang=en").get_data(as_text=True)
    assert "Attended: checked in at the conference" in html and "phone_last4" not in html
    assert _cancel(client, second, "0002").status_code == 303
    html = client.get(f"/tickets/{second}?lang=en").get_data(as_text=True)
    assert "Cancelled" in html and "phone_last4" not in html


def test_cancel_with_right_digits_promotes_the_first_waitlisted_and_tells_both(app, client, tree):
    conference = make_conference(tree.dept_a, capacity=1)
    seated = ticket_code(sign_up(client, conference.id, 1, email="an@example.vn"))
    waiting = ticket_code(sign_up(client, conference.id, 2, email="binh@example.vn"))
    third = ticket_code(sign_up(client, conference.id, 3))

    response = _cancel(client, seated, "0001")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tickets/{seated}")
    assert _registration(seated).status == RegistrationStatus.CANCELLED
    promoted = _registration(waiting)
    assert promoted.status == RegistrationStatus.CONFIRMED and promoted.promoted_at is not None
    assert (_registration(third).status, _registration(third).waitlist_position) == (
        RegistrationStatus.WAITLISTED, 1)
    kinds = [(n.kind, n.to_email) for n in db.session.scalars(select(Notification).order_by(Notification.id))]
    assert kinds[-2:] == [(Kind.REGISTRATION_CANCELLED, "an@example.vn"),
                          (Kind.REGISTRATION_PROMOTED, "binh@example.vn")]
    html = client.get(f"/tickets/{seated}?lang=en").get_data(as_text=True)
    assert "Your registration is cancelled." in html
    # Cancelling twice is refused clearly.
    assert 'name="phone_last4"' not in html
    again = client.post(f"/tickets/{seated}/cancel?lang=en", data={"token": "", "phone_last4": "0001"})
    assert again.status_code == 409
    assert "This registration is already cancelled." in again.get_data(as_text=True)


def test_cancel_with_wrong_or_malformed_digits_changes_nothing(app, client, tree):
    conference = make_conference(tree.dept_a)
    code = ticket_code(sign_up(client, conference.id, 1))
    for digits in ("1234", "12", "abcd", ""):
        response = _cancel(client, code, digits)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "last 4 digits" in html and 'aria-invalid="true"' in html
    assert _registration(code).status == RegistrationStatus.CONFIRMED


def test_wrong_digit_guesses_are_rate_limited_per_ticket(app, client, tree):
    conference = make_conference(tree.dept_a)
    code = ticket_code(sign_up(client, conference.id, 1))
    for _ in range(5):
        assert _cancel(client, code, "9999").status_code == 422
    blocked = _cancel(client, code, "0001")  # even the right digits wait now
    assert blocked.status_code == 429
    assert "Too many wrong tries on this ticket. You can try again after" in blocked.get_data(as_text=True)
    assert _registration(code).status == RegistrationStatus.CONFIRMED
    assert blocked.headers["Cache-Control"] == "no-store"
    # Another ticket is not blocked by it.
    other = ticket_code(sign_up(client, conference.id, 2))
    assert _cancel(client, other, "0002").status_code == 303


def test_cancel_refused_after_the_conference_was_cancelled(app, client, tree):
    conference = make_conference(tree.dept_a)
    code = ticket_code(sign_up(client, conference.id, 1))
    page = client.get(f"/tickets/{code}").get_data(as_text=True)
    conference.status = ConferenceStatus.CANCELLED
    db.session.commit()
    response = client.post(f"/tickets/{code}/cancel?lang=en",
                           data={"token": form_token(page), "phone_last4": "0001"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "can no longer be cancelled" in html and "This conference was cancelled." in html


def test_cancel_with_a_stale_token_keeps_the_ticket(app, client, tree):
    conference = make_conference(tree.dept_a)
    code = ticket_code(sign_up(client, conference.id, 1))
    response = client.post(f"/tickets/{code}/cancel", data={"token": "stale", "phone_last4": "0001"})
    assert response.status_code == 400
    assert _registration(code).status == RegistrationStatus.CONFIRMED


def test_calendar_file_parses_back(app, client, tree):
    conference = make_conference(tree.dept_a, venue="Hội trường UBND xã", title_en="")
    code = ticket_code(sign_up(client, conference.id, 1))
    response = client.get(f"/tickets/{code}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="ve-hoi-nghi-{code}.ics"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    registration = _registration(code)
    assert str(event["SUMMARY"]) == "Đối thoại với Nhân dân"
    assert event.decoded("DTSTART") == conference.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") == conference.ends_at.replace(microsecond=0)
    assert event.decoded("DTSTART").utcoffset().total_seconds() == 0
    assert str(event["UID"]) == f"registration-{registration.id}@localhost"
    assert str(event["URL"]) == f"http://localhost/tickets/{code}"
    assert str(event["LOCATION"]) == "Hội trường UBND xã"
    assert f"{code[:4]}-{code[4:]}" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    # The UID stays the same, and a cancelled registration says so.
    _cancel(client, code, "0001")
    event = next(iter(icalendar.Calendar.from_ical(client.get(f"/tickets/{code}.ics").data).walk("VEVENT")))
    assert str(event["UID"]) == f"registration-{registration.id}@localhost"
    assert str(event["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize("path", ["/tickets/ACEFGHJK", "/tickets/ACEFGHJK.ics", "/tickets/nope",
                                  "/tickets/0000000000000"])
def test_unknown_code_is_404_with_a_way_to_retry(app, client, tree, path):
    response = client.get(path + "?lang=en")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Ticket not found" in html and 'action="/tickets/"' in html
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_typed_codes_lead_to_the_canonical_ticket(app, client, tree):
    conference = make_conference(tree.dept_a)
    code = ticket_code(sign_up(client, conference.id, 1))
    typed = f"{code[:4].lower()}-{code[4:].lower()}"
    assert client.get(f"/tickets/?code={typed}").headers["Location"].endswith(f"/tickets/{code}")
    assert client.get(f"/tickets/{typed}").headers["Location"].endswith(f"/tickets/{code}")
    assert client.get("/tickets/?code=xyz").status_code == 422
    assert client.get("/tickets/").status_code == 200


def test_ticket_pages_are_rate_limited(app, client, tree):
    app.config["DIALOGUE_CODE_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert client.get("/tickets/ACEFGHJK").status_code == 404
    blocked = client.get("/tickets/ACEFGHJK?lang=en")
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert client.get("/tickets/ACEFGHJK.ics").status_code == 429  # one budget for every ticket page


def test_a_crowd_behind_one_address_opening_their_own_tickets_is_not_limited(app, client, tree):
    # At the door of a conference, attendees on one mobile operator share one address.
    conference = make_conference(tree.dept_a, capacity=20)
    codes = [ticket_code(sign_up(client, conference.id, n)) for n in range(1, 9)]
    app.config["DIALOGUE_CODE_RATE_LIMIT"] = "3 per minute"
    statuses = [client.get(f"/tickets/{code}").status_code for code in codes]
    statuses += [client.get(f"/tickets/{code}.ics").status_code for code in codes]
    assert statuses == [200] * 16
    # Misses are what the address's limit counts.
    assert [client.get("/tickets/ACEFGHJK").status_code for _ in range(4)] == [404, 404, 404, 429]
    assert client.get(f"/tickets/{codes[0]}").status_code == 429


class _Clock:
    """Stands in for the `time` module of the limiter's memory storage: real time plus an offset."""

    def __init__(self):
        self.offset = 0.0

    def time(self) -> float:
        """Now, moved on by `offset` seconds."""
        return time.time() + self.offset


def test_wrong_digit_guesses_on_one_ticket_are_capped_per_day_not_only_per_quarter_hour(
        app, client, tree, monkeypatch):
    clock = _Clock()
    monkeypatch.setattr("limits.storage.memory.time", clock)
    monkeypatch.setattr("limits.strategies.time", clock)
    conference = make_conference(tree.dept_a)
    code = ticket_code(sign_up(client, conference.id, 1))
    wrong = [f"{n:02d}01" for n in range(1, 40)]  # ends like the shown digits, never the real 0001
    statuses = []
    for quarter in range(6):  # an hour and a half of patient guessing, 5 per quarter hour
        clock.offset = quarter * 15 * 60 + 1
        statuses += [_cancel(client, code, wrong.pop()).status_code for _ in range(5)]
    assert statuses.count(422) == 10 and statuses[10:] == [429] * 20
    blocked = _cancel(client, code, "0001")
    assert blocked.status_code == 429
    html = blocked.get_data(as_text=True)
    assert "ask the organizers of the conference to cancel your registration" in html
    assert _registration(code).status == RegistrationStatus.CONFIRMED
    clock.offset = 24 * 3600 + 60  # the next day: the person can try again
    assert _cancel(client, code, "0001").status_code == 303
