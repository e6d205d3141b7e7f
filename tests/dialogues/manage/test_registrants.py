"""The registrant list: search, status filters, paging, exports of exactly that list, cancelling one."""

import csv
import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.dialogues.manage.checkin import check_in
from feedback.dialogues.models import Registration, RegistrationStatus
from feedback.dialogues.registrations import register
from feedback.extensions import db
from feedback.notifications.models import Notification
from tests.dialogues.helpers import make_conference, phone
from tests.dialogues.manage.conftest import token


@pytest.fixture
def full_house(app, tree):
    """Two seats taken (one checked in), two waitlisted, one cancelled, one walk-in."""
    conference = make_conference(tree.dept_a, capacity=3)
    names = ["Nguyễn Văn An", "=HYPERLINK(\"http://evil\")", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"]
    people = [register(conference, full_name=name, phone=phone(n), email=f"p{n}@example.vn")[0]
              for n, name in enumerate(names)]
    db.session.commit()
    check_in(conference, people[0].ticket_code)
    walk_in, _ = register(conference, full_name="Vãng Lai", phone=phone(50), walk_in=True)
    db.session.commit()
    from feedback.dialogues.registrations import cancel
    cancel(people[4])
    db.session.commit()
    return conference, people, walk_in


def _ids(html: str) -> list[int]:
    """The registration ids listed, in order."""
    return [int(n) for n in re.findall(r'id="registration-(\d+)"', html)]


def test_list_search_and_filters(app, tree, organizer_a_client, full_house):
    conference, people, walk_in = full_house
    url = f"/manage/dialogues/{conference.id}/registrants"
    html = organizer_a_client.get(url).get_data(as_text=True)
    # Seats first (in registration order), then the waiting list in order, then cancellations.
    assert _ids(html) == [people[0].id, people[1].id, people[2].id, people[3].id, walk_in.id, people[4].id]
    # Waiting-list positions are shown; the walk-in moved up to #2 when #2 cancelled.
    db.session.refresh(walk_in)
    assert walk_in.status == RegistrationStatus.WAITLISTED and walk_in.waitlist_position == 2
    row = html[html.index(f'id="registration-{walk_in.id}"'):]
    assert "#2" in row[:row.index("</tr>")]

    def ids(**args):
        response = organizer_a_client.get(url, query_string=args)
        assert response.status_code == 200
        return _ids(response.get_data(as_text=True))

    assert ids(q="Cường") == [people[2].id]
    # Any part of a name, any case, accents folded as in the comments search ("văn" also finds "Vãng").
    assert ids(q="văn") == [people[0].id, people[2].id, walk_in.id, people[4].id]
    assert ids(q="VAN ") == ids(q="văn")
    assert ids(q="Phạm") == [people[3].id]
    assert ids(q="Lê Văn") == [people[2].id]
    assert ids(q="0912 000 003") == [people[3].id]           # a phone as typed
    assert ids(q="000 003") == [people[3].id]                # part of it
    code = people[1].ticket_code
    assert ids(q=f"{code[:4].lower()}-{code[4:].lower()}") == [people[1].id]
    assert ids(status="attended") == [people[0].id]
    assert ids(status="waitlisted") == [people[3].id, walk_in.id]
    assert ids(status="cancelled") == [people[4].id]
    assert ids(status="walk_in") == [walk_in.id]
    assert ids(status="confirmed") == [people[1].id, people[2].id]
    bad = organizer_a_client.get(url, query_string={"status": "vip"})
    assert bad.status_code == 400 and len(_ids(bad.get_data(as_text=True))) == 6


def test_list_pages(app, tree, organizer_a_client):
    conference = make_conference(tree.dept_a, capacity=100)
    for n in range(53):
        register(conference, full_name=f"Người {n:02d}", phone=phone(n))
    db.session.commit()
    url = f"/manage/dialogues/{conference.id}/registrants"
    first = organizer_a_client.get(url).get_data(as_text=True)
    second = organizer_a_client.get(url + "?page=2").get_data(as_text=True)
    assert len(_ids(first)) == 50 and len(_ids(second)) == 3
    assert not set(_ids(first)) & set(_ids(second))


def test_csv_export_is_exactly_the_filtered_list(app, tree, organizer_a_client, full_house):
    conference, people, walk_in = full_house
    response = organizer_a_client.get(f"/manage/dialogues/{conference.id}/registrants/export.csv",
                                      query_string={"status": "confirmed"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["ticket_code"] for r in rows] == [people[1].ticket_code, people[2].ticket_code]
    assert rows[0]["full_name"] == "'=HYPERLINK(\"http://evil\")"   # neutralized
    assert rows[1]["full_name"] == "Lê Văn Cường" and rows[1]["phone"] == "0912 000 002"
    assert rows[1]["status"] == "confirmed" and rows[1]["walk_in"] == "0"
    assert rows[1]["registered_at"].endswith("+07:00")
    [event] = db.session.scalars(select(AuditEvent)
                                 .where(AuditEvent.action == "registrations.exported")).all()
    assert event.details["format"] == "csv" and event.details["count"] == 2
    assert event.object_type == "Conference" and event.object_id == str(conference.id)
    assert event.actor_id == tree.organizer_a.id


def test_xlsx_export_is_exactly_the_filtered_list(app, tree, organizer_a_client, full_house):
    conference, people, walk_in = full_house
    response = organizer_a_client.get(f"/manage/dialogues/{conference.id}/registrants/export.xlsx",
                                      query_string={"q": "HYPERLINK"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = book.active
    values = list(sheet.values)
    assert values[0][0] == "ticket_code" and values[0][3] == "full_name"
    assert len(values) == 3  # keys, headings, one person
    assert values[2][0] == people[1].ticket_code
    assert values[2][3] == "'=HYPERLINK(\"http://evil\")"
    assert sheet.cell(row=3, column=4).data_type == "s"  # text, never a formula
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "registrations.exported"))
    assert event.details["format"] == "xlsx" and event.details["count"] == 1


def test_export_of_another_subtree_is_404_and_unknown_format_404(app, tree, organizer_b_client,
                                                               organizer_a_client, full_house):
    conference, _people, _walk_in = full_house
    base = f"/manage/dialogues/{conference.id}/registrants/export"
    assert organizer_b_client.get(base + ".csv").status_code == 404
    assert organizer_a_client.get(base + ".pdf").status_code == 404
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action == "registrations.exported"))


def test_organizer_cancels_a_seat_and_the_next_person_is_promoted(app, tree, organizer_a_client, full_house):
    conference, people, walk_in = full_house
    url = f"/manage/dialogues/{conference.id}/registrants/{people[2].id}/cancel"
    confirm = organizer_a_client.get(url)
    assert confirm.status_code == 200 and "Lê Văn Cường" in confirm.get_data(as_text=True)
    response = organizer_a_client.post(url + "?status=confirmed",
                                       data={"csrf_token": token(organizer_a_client)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/registrants?status=confirmed")
    db.session.expire_all()
    assert db.session.get(Registration, people[2].id).status == RegistrationStatus.CANCELLED
    assert db.session.get(Registration, people[3].id).status == RegistrationStatus.CONFIRMED
    assert db.session.get(Registration, walk_in.id).waitlist_position == 1
    kinds = {(n.kind, n.to_email) for n in db.session.scalars(select(Notification))}
    assert ("registration_cancelled", "p2@example.vn") in kinds
    assert ("registration_promoted", "p3@example.vn") in kinds
    page = organizer_a_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Phạm Thị Dung moved from the waiting list" in page


def test_cancelling_an_attended_or_cancelled_registration_is_refused(app, tree, organizer_a_client,
                                                                    full_house):
    conference, people, _walk_in = full_house
    for person, words in ((people[0], "already been checked in"), (people[4], "already cancelled")):
        url = f"/manage/dialogues/{conference.id}/registrants/{person.id}/cancel"
        response = organizer_a_client.post(url, data={"csrf_token": token(organizer_a_client)},
                                           follow_redirects=True)
        assert words in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, people[0].id).status == RegistrationStatus.ATTENDED


def test_a_registration_of_another_conference_is_404(app, tree, organizer_a_client, full_house):
    conference, people, _walk_in = full_house
    other = make_conference(tree.dept_a)
    url = f"/manage/dialogues/{other.id}/registrants/{people[1].id}/cancel"
    assert organizer_a_client.get(url).status_code == 404
    assert organizer_a_client.post(url, data={"csrf_token": token(organizer_a_client)}).status_code == 404


def test_registrant_pages_are_never_cached(app, tree, organizer_a_client, full_house):
    conference, people, _walk_in = full_house
    base = f"/manage/dialogues/{conference.id}"
    for url in (f"{base}/registrants", f"{base}/registrants?q=An", f"{base}/registrants/export.csv",
                f"{base}/registrants/export.xlsx", f"{base}/registrants/{people[1].id}/cancel"):
        response = organizer_a_client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers.get("Cache-Control", ""), url
