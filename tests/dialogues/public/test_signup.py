"""/dialogues/<id>/register: sign-up confirmed or waitlisted, questions as petitions, notices, duplicate
phones, refusals, validation that keeps what was typed, honeypot, expired token, rate limit."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from config import Config
from feedback.core.codes import ALPHABET, CODE_LENGTH
from feedback.dialogues import signup
from feedback.dialogues.messages import Kind
from feedback.dialogues.models import (
    ConferenceStatus,
    Petition,
    PetitionSource,
    PetitionStatus,
    Registration,
    RegistrationStatus,
    Representing,
)
from feedback.dialogues.registrations import RegistrationRefused
from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.models import Notification
from tests.dialogues.helpers import make_conference
from tests.dialogues.public.util import NAME, form_token, sign_up, signup_data, ticket_code, topics


def _count(model) -> int:
    """Rows of `model`."""
    return db.session.scalar(select(func.count()).select_from(model))


def _registration(code: str) -> Registration:
    """The registration holding ticket `code`, freshly read."""
    db.session.expire_all()
    return db.session.scalar(select(Registration).where(Registration.ticket_code == code))


def test_sign_up_confirms_then_waitlists_in_order(app, client, tree):
    conference = make_conference(tree.dept_a, capacity=1)
    first = _registration(ticket_code(sign_up(client, conference.id, 1, representing="household")))
    second = _registration(ticket_code(sign_up(client, conference.id, 2)))
    third = _registration(ticket_code(sign_up(client, conference.id, 3)))
    assert first.status == RegistrationStatus.CONFIRMED and first.waitlist_position is None
    assert first.full_name == NAME and first.phone == "+84912000001"
    assert first.representing == Representing.HOUSEHOLD and first.locale == "vi"
    assert first.consent_at is not None
    assert (second.status, second.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    assert (third.status, third.waitlist_position) == (RegistrationStatus.WAITLISTED, 2)
    page = client.get(f"/tickets/{third.ticket_code}?lang=en").get_data(as_text=True)
    assert "On the waiting list, number 2" in page


def test_ticket_codes_are_unique_and_have_no_look_alikes(app, client, tree):
    conference = make_conference(tree.dept_a, capacity=3)
    codes = [ticket_code(sign_up(client, conference.id, n)) for n in range(6)]
    assert len(set(codes)) == 6
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert not set("O0I1L").intersection("".join(codes))


def test_questions_become_petitions_with_tracking_codes(app, client, tree):
    topics()
    conference = make_conference(tree.dept_a)
    response = sign_up(client, conference.id, 1, **{
        "q1-text": "Khi nào làm lại đường liên xã?", "q1-topic": "giao-thong", "q1-publish": "yes",
        "q2-text": "   ", "q2-topic": "y-te",  # an empty block is not a question
        "q3-text": "Hồ sơ đất đai chậm trả kết quả.", "q3-topic": "dat-dai",
    })
    registration = _registration(ticket_code(response))
    petitions = db.session.scalars(select(Petition).order_by(Petition.id)).all()
    assert [(p.text, p.topic.code, p.consent_to_publish) for p in petitions] == [
        ("Khi nào làm lại đường liên xã?", "giao-thong", True),
        ("Hồ sơ đất đai chậm trả kết quả.", "dat-dai", False)]
    for petition in petitions:
        assert petition.registration_id == registration.id and petition.conference_id == conference.id
        assert petition.source == PetitionSource.ADVANCE and petition.status == PetitionStatus.RECEIVED
        assert len(petition.tracking_code) == CODE_LENGTH and set(petition.tracking_code) <= set(ALPHABET)
        assert [e.action for e in petition.events] == ["received"]
    ticket = client.get(f"/tickets/{registration.ticket_code}").get_data(as_text=True)
    for petition in petitions:
        assert f"{petition.tracking_code[:4]}-{petition.tracking_code[4:]}" in ticket


def test_more_questions_than_shown_without_javascript(app, client, tree):
    topics()
    conference = make_conference(tree.dept_a)
    form = client.get(f"/dialogues/{conference.id}/register").get_data(as_text=True)
    assert form.count("data-question-block>") == 3 and form.count("data-question-block hidden>") == 2
    fields = {f"q{n}-text": f"Câu hỏi {n}" for n in range(1, 6)}
    fields |= {f"q{n}-topic": "khac" for n in range(1, 6)}
    sign_up(client, conference.id, 1, **fields)
    assert _count(Petition) == 5


def test_confirmation_notice_is_written_with_the_registration(app, client, tree):
    conference = make_conference(tree.dept_a, capacity=1)
    code = ticket_code(sign_up(client, conference.id, 1, email="an@example.vn"))
    waiting = ticket_code(sign_up(client, conference.id, 2, email="binh@example.vn"))
    notices = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(n.kind, n.to_email) for n in notices] == [
        (Kind.REGISTRATION_CONFIRMED, "an@example.vn"), (Kind.REGISTRATION_WAITLISTED, "binh@example.vn")]
    assert notices[0].context["ticket_code"] == code
    assert notices[0].context["ticket_url"].endswith(f"/tickets/{code}")
    assert notices[1].context["ticket_code"] == waiting and notices[1].context["waitlist_position"] == 1


def test_no_notice_without_an_email(app, client, tree):
    conference = make_conference(tree.dept_a)
    ticket_code(sign_up(client, conference.id, 1))
    assert _count(Notification) == 0


def test_sign_up_is_one_transaction(app, tree, monkeypatch):
    """A failure after the seat was given (here: the notice) leaves no registration, petition or notice."""
    topics()
    conference = make_conference(tree.dept_a)

    def broken(registration, kind, **kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(signup, "notify_registration", broken)
    applicant = signup.Applicant(full_name=NAME, phone="+84912000001", email="an@example.vn",
                                 locality="Xã An Bình", representing=Representing.SELF,
                                 questions=[signup.Question(text="Câu hỏi")])
    with pytest.raises(RuntimeError):
        signup.sign_up(conference.id, applicant)
    assert (_count(Registration), _count(Petition), _count(Notification)) == (0, 0, 0)
    assert db.session.get(type(conference), conference.id).seat_version == 0


def test_a_ticket_code_clash_is_retried_once(app, tree, monkeypatch):
    conference = make_conference(tree.dept_a)
    taken = signup.sign_up(conference.id, signup.Applicant(
        full_name=NAME, phone="+84912000001", locality="X", representing=Representing.SELF)).registration
    codes = iter([taken.ticket_code, "ACEFGHJK"])
    import feedback.dialogues.registrations as registrations
    # The first code is one a concurrent sign-up already stored: its flush fails on the unique index.
    monkeypatch.setattr(registrations, "new_unique_code", lambda column: next(codes))
    result = signup.sign_up(conference.id, signup.Applicant(
        full_name="Lê Văn Cường", phone="+84912000002", locality="X", representing=Representing.SELF))
    assert result.created and result.registration.ticket_code == "ACEFGHJK"
    assert _count(Registration) == 2


def test_same_phone_shows_the_existing_registration_masked(app, client, tree):
    topics()
    conference = make_conference(tree.dept_a, capacity=1)
    ticket_code(sign_up(client, conference.id, 7, email="ngoc.tran@example.vn"))
    code = ticket_code(sign_up(client, conference.id, 8))  # waitlisted #1, no email
    again = sign_up(client, conference.id, 8, full_name="Người Khác",
                    phone="+84 912 000 008", **{"q1-text": "Câu hỏi gửi lại", "q1-topic": "khac"})
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "T. T. B. N." in html and "••• 08" in html and "008" not in html
    assert NAME not in html and "0912 000 008" not in html and "912000008" not in html
    assert code not in html and code[:4] not in html
    assert "Câu hỏi gửi lại" in html  # the unsent question is given back to copy
    assert _count(Registration) == 2 and _count(Petition) == 0

    first_again = sign_up(client, conference.id, 7)
    html = first_again.get_data(as_text=True)
    assert "n•••@example.vn" in html and "ngoc.tran" not in html
    token = form_token(html)
    registration = db.session.scalar(select(Registration).where(Registration.phone == "+84912000007"))
    assert registration.ticket_code not in html
    sent = client.post(f"/dialogues/{conference.id}/resend",
                       data={"token": token, "registration": registration.id})
    assert sent.status_code == 200
    resends = db.session.scalars(select(Notification).where(Notification.dedupe_key.like("%resend%"))).all()
    assert [n.to_email for n in resends] == ["ngoc.tran@example.vn"]
    # Once a day at most; a token for another registration sends nothing.
    resend = f"/dialogues/{conference.id}/resend"
    client.post(resend, data={"token": token, "registration": registration.id})
    other = db.session.scalar(select(Registration).where(Registration.phone == "+84912000008"))
    forged = client.post(resend, data={"token": token, "registration": other.id})
    assert forged.status_code == 400
    assert _count(Notification) == 2  # the confirmation and one resend


def test_cancelled_phone_may_sign_up_again(app, client, tree):
    conference = make_conference(tree.dept_a)
    code = ticket_code(sign_up(client, conference.id, 1))
    page = client.get(f"/tickets/{code}").get_data(as_text=True)
    client.post(f"/tickets/{code}/cancel", data={"token": form_token(page), "phone_last4": "0001"})
    assert ticket_code(sign_up(client, conference.id, 1)) != code


@pytest.mark.parametrize(("fields", "message"), [
    ({"registration_opens_at": "future"}, "Registration for this conference opens at"),
    ({"registration_closes_at": "past"}, "Registration for this conference closed at"),
    ({"status": ConferenceStatus.CANCELLED}, "This conference was cancelled"),
    ({"status": ConferenceStatus.HELD}, "This conference has already taken place."),
    ({"status": ConferenceStatus.REPORTED}, "This conference has already taken place."),
    ({"ended": True}, "This conference has already taken place."),
])
def test_refusals_are_explained(app, client, tree, fields, message):
    now = utcnow()
    values = dict(fields)
    if values.pop("ended", False):
        values |= {"starts_at": now - timedelta(hours=3), "ends_at": now - timedelta(hours=1),
                   "registration_closes_at": None}
    if values.get("registration_opens_at") == "future":
        values["registration_opens_at"] = now + timedelta(days=1)
    if values.get("registration_closes_at") == "past":
        values["registration_closes_at"] = now - timedelta(minutes=1)
    conference = make_conference(tree.dept_a, **values)
    page = client.get(f"/dialogues/{conference.id}/register?lang=en")
    assert page.status_code == 409 and message in page.get_data(as_text=True)
    assert 'method="post"' not in page.get_data(as_text=True)
    detail = client.get(f"/dialogues/{conference.id}").get_data(as_text=True)
    assert f"/dialogues/{conference.id}/register" not in detail
    # A form opened before the change is answered with the reason, everything typed kept.
    token = _token_for(app, conference.id)
    response = client.post(f"/dialogues/{conference.id}/register?lang=en",
                           data=signup_data(1, token=token, locality="Ấp Bình Thắng"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert message in html and "Ấp Bình Thắng" in html
    assert _count(Registration) == 0


def _token_for(app, conference_id: int) -> str:
    """A valid sign-up form token, as the form would have carried it."""
    from feedback.dialogues.forms import make_dialogue_token
    return make_dialogue_token(app.config["SECRET_KEY"], "signup", conference_id)


@pytest.mark.parametrize("reason", ["not_published", "not_open", "closed"])
def test_refusals_raised_while_signing_up_are_409(app, client, tree, monkeypatch, reason):
    """The conference changed between the check and the seat lock: the service's reason is shown."""
    conference = make_conference(tree.dept_a)

    def refused(*args, **kwargs):
        raise RegistrationRefused(reason)

    monkeypatch.setattr(signup, "register", refused)
    response = sign_up(client, conference.id, 1)
    assert response.status_code == 409
    assert "notice-error" in response.get_data(as_text=True)
    assert NAME in response.get_data(as_text=True)


def test_draft_conference_sign_up_is_404(app, client, tree):
    conference = make_conference(tree.dept_a, status=ConferenceStatus.DRAFT)
    assert client.get(f"/dialogues/{conference.id}/register").status_code == 404
    assert client.post(f"/dialogues/{conference.id}/register", data=signup_data()).status_code == 404


def test_mistakes_keep_everything_typed_and_link_to_fields(app, client, tree):
    topics()
    conference = make_conference(tree.dept_a)
    response = sign_up(client, conference.id, 1, full_name="", phone="0912 34", email="an@", consent=None,
                       locality="Ấp Bình Thắng", representing="business",
                       **{"q1-text": "Đường hư hỏng nặng", "q1-topic": "", "q1-publish": "yes",
                          "q2-text": "x" * 2001, "q2-topic": "khac"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for target in ("full_name", "phone", "email", "consent", "q1-topic", "q2-text"):
        assert f'href="#{target}"' in html and f'id="{target}"' in html
    assert 'value="0912 34"' in html and 'value="an@"' in html and 'value="Ấp Bình Thắng"' in html
    assert 'value="business" checked' in html
    assert "Đường hư hỏng nặng</textarea>" in html
    assert 'id="q1-publish" value="yes" checked' in html
    assert 'value="khac" selected' in html
    assert "x" * 2001 in html
    assert _count(Registration) == 0 and _count(Petition) == 0


def test_invalid_phone_message(app, client, tree):
    conference = make_conference(tree.dept_a)
    response = sign_up(client, conference.id, 1, phone="1900 1234")
    assert response.status_code == 422
    foreign = client.post(f"/dialogues/{conference.id}/register?lang=en",
                          data=signup_data(1, phone="+1 202 555 0143", token=_token_for(app, conference.id)))
    assert foreign.status_code == 422
    assert "This is not a Vietnamese phone number" in foreign.get_data(as_text=True)


def test_honeypot_registers_nobody_and_keeps_the_form(app, client, tree):
    conference = make_conference(tree.dept_a)
    response = sign_up(client, conference.id, 1, website="http://spam.example", locality="Xã Tân Lập")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Xã Tân Lập"' in html and "spam.example" not in html
    assert _count(Registration) == 0
    # A person whose browser had filled the hidden field simply sends the form again.
    assert ticket_code(client.post(f"/dialogues/{conference.id}/register",
                                   data=signup_data(1, token=form_token(html))))


@pytest.mark.parametrize("token", ["", "forged", "other-conference", "expired"])
def test_missing_forged_or_expired_token_keeps_the_form(app, client, tree, monkeypatch, token):
    conference = make_conference(tree.dept_a)
    if token == "other-conference":
        token = _token_for(app, conference.id + 1)
    elif token == "expired":
        token = _token_for(app, conference.id)
        from feedback.dialogues import forms
        monkeypatch.setattr(forms, "TOKEN_MAX_AGE", -1)
    response = client.post(f"/dialogues/{conference.id}/register",
                           data=signup_data(1, token=token, locality="Xã Tân Lập"))
    assert response.status_code == 400
    assert 'value="Xã Tân Lập"' in response.get_data(as_text=True)
    assert _count(Registration) == 0


def test_sign_up_posts_are_rate_limited_with_the_form_kept(app, client, tree):
    app.config["DIALOGUE_SIGNUP_RATE_LIMIT"] = "2 per hour"
    conference = make_conference(tree.dept_a)
    assert sign_up(client, conference.id, 1).status_code == 303
    assert sign_up(client, conference.id, 2).status_code == 303
    blocked = client.post(f"/dialogues/{conference.id}/register?lang=en",
                          data=signup_data(3, token=_token_for(app, conference.id), locality="Xã Tân Lập"))
    assert blocked.status_code == 429
    html = blocked.get_data(as_text=True)
    assert 'value="Xã Tân Lập"' in html and 'name="token"' in html
    assert "everything you typed is kept" in html
    assert _count(Registration) == 2
    assert client.get(f"/dialogues/{conference.id}/register").status_code == 200  # reading is not limited


def _production_limits(app) -> None:
    """The sign-up limits a deployment gets by default (the suite's own are set high)."""
    for name in ("DIALOGUE_SIGNUP_RATE_LIMIT", "DIALOGUE_SIGNUP_PHONE_RATE_LIMIT",
                 "DIALOGUE_SIGNUP_TOKEN_RATE_LIMIT", "DIALOGUE_RESEND_RATE_LIMIT"):
        app.config[name] = getattr(Config, name)


def test_many_people_behind_one_operator_address_can_all_sign_up(app, client, tree):
    # Carrier-grade NAT: every phone of a mobile operator's area comes from one address.
    _production_limits(app)
    conference = make_conference(tree.dept_a, capacity=100)
    codes = [ticket_code(sign_up(client, conference.id, n)) for n in range(1, 31)]
    assert len(set(codes)) == 30 and _count(Registration) == 30


def test_one_phone_hammering_the_form_is_limited_with_the_form_kept(app, client, tree):
    _production_limits(app)
    conference = make_conference(tree.dept_a)
    statuses = [sign_up(client, conference.id, 1).status_code for _ in range(10)]
    assert statuses == [303] + [409] * 9  # signed up once, then shown the existing registration
    blocked = client.post(f"/dialogues/{conference.id}/register?lang=en",
                          data=signup_data(1, token=_token_for(app, conference.id), locality="Xã Tân Lập"))
    assert blocked.status_code == 429
    html = blocked.get_data(as_text=True)
    assert "This phone number was sent many times for this conference" in html
    assert 'value="Xã Tân Lập"' in html
    # The same number written another way is the same phone; another person is not held back.
    again = client.post(f"/dialogues/{conference.id}/register",
                        data=signup_data(1, phone="+84 912-000-001", token=_token_for(app, conference.id)))
    assert again.status_code == 429
    assert sign_up(client, conference.id, 2).status_code == 303
    # The phone may still sign up for another conference.
    other = make_conference(tree.dept_a)
    assert sign_up(client, other.id, 1).status_code == 303


def test_one_form_token_sent_for_many_phones_is_limited(app, client, tree):
    _production_limits(app)
    conference = make_conference(tree.dept_a, capacity=100)
    token = _token_for(app, conference.id)
    statuses = [client.post(f"/dialogues/{conference.id}/register", data=signup_data(n, token=token))
                .status_code for n in range(1, 23)]
    assert statuses == [303] * 20 + [429] * 2


def test_the_ticket_email_is_resent_a_few_times_an_hour_at_most(app, client, tree):
    _production_limits(app)
    conference = make_conference(tree.dept_a)
    ticket_code(sign_up(client, conference.id, 1, email="ngoc.tran@example.vn"))
    page = sign_up(client, conference.id, 1).get_data(as_text=True)
    registration = db.session.scalar(select(Registration.id))
    data = {"registration": str(registration), "token": form_token(page[page.index("/resend"):])}
    statuses = [client.post(f"/dialogues/{conference.id}/resend", data=data).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
