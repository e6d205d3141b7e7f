"""SMS and Zalo for registrants: messages on the channels chosen at sign-up, never to another number,
and a lost ticket texted to the number given at sign-up, once a day, with the same answer for any number."""

from sqlalchemy import select

from feedback.dialogues.messages import Kind
from feedback.dialogues.models import Registration
from feedback.dialogues.signup import cancel_ticket
from feedback.extensions import db
from feedback.notifications.budgets import local_today
from feedback.notifications.models import Notification, TextBudget
from tests.dialogues.helpers import make_conference, phone
from tests.dialogues.public.util import sign_up, ticket_code


def _messages() -> list[tuple[str, str, str]]:
    """(kind, channel, recipient) of every outbox row, in order."""
    db.session.expire_all()
    return [(n.kind, n.channel, n.to_phone or n.to_email)
            for n in db.session.scalars(select(Notification).order_by(Notification.id))]


def test_the_form_names_sms_and_zalo_in_the_choice_and_the_consent(app, client, tree):
    conference = make_conference(tree.dept_a)
    html = client.get(f"/dialogues/{conference.id}/register?lang=en").get_data(as_text=True)
    assert 'name="notify_sms"' in html and 'name="notify_zalo"' in html
    assert "send me the messages I chose (email, SMS, Zalo)" in html


def test_messages_go_on_the_channels_chosen_at_sign_up(app, client, tree):
    conference = make_conference(tree.dept_a, capacity=1)
    ticket_code(sign_up(client, conference.id, 1, notify_sms="yes", notify_zalo="yes"))
    ticket_code(sign_up(client, conference.id, 2, email="binh@example.vn", notify_zalo="yes"))
    ticket_code(sign_up(client, conference.id, 3))  # nothing chosen, no email: no message
    assert _messages() == [
        (Kind.REGISTRATION_CONFIRMED, "sms", "+84912000001"),
        (Kind.REGISTRATION_CONFIRMED, "zalo", "+84912000001"),
        (Kind.REGISTRATION_WAITLISTED, "email", "binh@example.vn"),
        (Kind.REGISTRATION_WAITLISTED, "zalo", "+84912000002"),
    ]
    first = db.session.scalar(select(Notification).where(Notification.channel == "sms"))
    assert first.budget_keys == [f"conference:{conference.id}", f"agency:{tree.dept_a.id}"]


def test_cancellation_and_promotion_reach_the_phone_too(app, client, tree):
    conference = make_conference(tree.dept_a, capacity=1)
    ticket_code(sign_up(client, conference.id, 1, notify_sms="yes"))
    ticket_code(sign_up(client, conference.id, 2, notify_sms="yes"))
    first = db.session.scalar(select(Registration).order_by(Registration.id))
    cancel_ticket(first)
    kinds = [(kind, to) for kind, channel, to in _messages() if channel == "sms"]
    assert (Kind.REGISTRATION_CANCELLED, "+84912000001") in kinds
    assert (Kind.REGISTRATION_PROMOTED, "+84912000002") in kinds


def test_a_lost_ticket_is_texted_once_a_day_and_the_page_reveals_nothing(app, client, tree):
    conference = make_conference(tree.dept_a)
    ticket_code(sign_up(client, conference.id, 1))  # no email, no channel chosen: SMS
    ticket_code(sign_up(client, conference.id, 2, email="binh@example.vn"))  # has an email
    before = len(_messages())
    registered = client.post("/tickets/lost", data={"phone": phone(1)})
    again = client.post("/tickets/lost", data={"phone": phone(1).replace(" ", "")})
    unknown = client.post("/tickets/lost", data={"phone": phone(99)})
    with_email = client.post("/tickets/lost", data={"phone": phone(2)})
    answers = {r.status_code for r in (registered, again, unknown, with_email)}
    assert answers == {200}
    bodies = {r.get_data(as_text=True).replace(phone(1), "").replace(phone(99), "") for r in
              (registered, unknown, with_email)}
    assert len(bodies) == 1, "the page says the same words for any number"
    texted = _messages()[before:]
    assert texted == [(Kind.REGISTRATION_CONFIRMED, "sms", "+84912000001")]
    assert registered.headers["Cache-Control"] == "no-store"


def test_a_lost_ticket_goes_on_the_chosen_channel(app, client, tree):
    conference = make_conference(tree.dept_a)
    ticket_code(sign_up(client, conference.id, 1, notify_zalo="yes"))
    client.post("/tickets/lost", data={"phone": phone(1)})
    # The confirmation, then the lost ticket's link: both on Zalo, the channel chosen.
    assert _messages() == [(Kind.REGISTRATION_CONFIRMED, "zalo", "+84912000001")] * 2


def test_not_a_phone_number_is_refused_with_what_was_typed(app, client, tree):
    response = client.post("/tickets/lost", data={"phone": "12ab"})
    assert response.status_code == 422
    assert 'value="12ab"' in response.get_data(as_text=True)
    assert client.get("/tickets/lost").status_code == 200


def test_organizers_are_told_when_a_text_budget_is_spent(app, tree, organizer_a_client):
    conference = make_conference(tree.dept_a)
    url = f"/manage/dialogues/{conference.id}?lang=en"
    assert "text-message budget" not in organizer_a_client.get(url).get_data(as_text=True)
    app.config["TEXT_MESSAGES_PER_CONFERENCE_DAY"] = 2
    db.session.add(TextBudget(day=local_today(), key=f"conference:{conference.id}", used=2))
    db.session.commit()
    html = organizer_a_client.get(url).get_data(as_text=True)
    assert "text-message budget of this conference is used up" in html
