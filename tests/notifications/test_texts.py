"""SMS and Zalo: each adapter against a local fake gateway (success, 4xx refusal, 5xx retry, timeout),
the worker's outcomes for text messages, the daily limits, and two workers at once.

Runs on SQLite and PostgreSQL (the `app` fixture).
"""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications.budgets import used_up
from feedback.notifications.mail import DeliveryError
from feedback.notifications.models import Notification
from feedback.notifications.outbox import enqueue
from feedback.notifications.texts import (
    SMS,
    ZALO,
    ConsoleTexts,
    DeliveryUnknown,
    HttpSmsGateway,
    TextMessage,
    ZaloZns,
    text_sender,
)
from feedback.notifications.worker import Worker
from tests.notifications.fake_gateway import SLOW, FakeGateway
from tests.notifications.helpers import CONTEXT, RecordingBackend

PHONE = "+84912345678"
MESSAGE = TextMessage(phone=PHONE, text="Lắng Nghe: Đăng ký đã xác nhận https://x.vn/tickets/ABCD",
                      idempotency_key="k" * 32, kind="registration_confirmed")


def _sms_settings(app, gateway: FakeGateway, **extra) -> None:
    """Point the SMS adapter at the fake gateway."""
    app.config.update(SMS_BACKEND="http", SMS_GATEWAY_URL=gateway.url, SMS_GATEWAY_METHOD="POST",
                      SMS_GATEWAY_AUTH_HEADER="Authorization: Bearer s3cret", SMS_TIMEOUT=0.5,
                      SMS_SENDER_ID="UBND-BINHAN", **extra)


def _zalo_settings(app, gateway: FakeGateway) -> None:
    """Point the Zalo adapter at the fake gateway."""
    app.config.update(ZALO_BACKEND="zns", ZALO_ZNS_URL=gateway.url, ZALO_ACCESS_TOKEN="zalo-token",
                      ZALO_ZNS_TEMPLATES=json.dumps({"registration_confirmed": "231456"}), SMS_TIMEOUT=0.5)


def _rows() -> list[Notification]:
    """Every outbox row, fresh, in id order."""
    db.session.expire_all()
    rows = list(db.session.scalars(select(Notification).order_by(Notification.id)))
    db.session.commit()
    return rows


def _text(key: str, phone: str = PHONE, channel: str = SMS, budget_keys=None) -> None:
    """One committed text message."""
    enqueue("registration_confirmed", key, channel=channel, to_phone=phone, context=CONTEXT,
            budget_keys=budget_keys or ["conference:1", "agency:1"])
    db.session.commit()


def _make_due() -> None:
    """Pretend every retry time has come."""
    db.session.execute(update(Notification).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


# ---- the SMS gateway adapter ---------------------------------------------------------------------

def test_sms_success_sends_number_text_sender_and_auth(app):
    with FakeGateway() as gateway:
        _sms_settings(app, gateway, SMS_GATEWAY_SUCCESS=r'"status":\s*"ok"')
        HttpSmsGateway(app.config).send(MESSAGE)
    request = gateway.received[0]
    assert request["headers"]["authorization"] == "Bearer s3cret"
    body = json.loads(request["body"])
    assert body == {"to": "84912345678", "from": "UBND-BINHAN", "text": MESSAGE.text, "ref": "k" * 32}


def test_sms_form_encoded_body_and_success_test_on_the_answer(app):
    with FakeGateway(default=(200, "ERR: no credit")) as gateway:
        _sms_settings(app, gateway, SMS_GATEWAY_CONTENT_TYPE="application/x-www-form-urlencoded",
                      SMS_GATEWAY_BODY="to=$phone&msg=$text&brand=$sender", SMS_GATEWAY_SUCCESS="^OK")
        with pytest.raises(DeliveryError) as refused:
            HttpSmsGateway(app.config).send(MESSAGE)
    assert refused.value.permanent
    assert gateway.received[0]["body"].startswith("to=84912345678&msg=L%E1%BA%AFng+Ngh")


def test_sms_4xx_is_a_refusal_and_5xx_a_temporary_failure(app):
    with FakeGateway() as gateway:
        _sms_settings(app, gateway)
        gateway.script = [(400, '{"error": "invalid number"}'), (503, "busy")]
        with pytest.raises(DeliveryError) as refused:
            HttpSmsGateway(app.config).send(MESSAGE)
        assert refused.value.permanent
        with pytest.raises(DeliveryError) as busy:
            HttpSmsGateway(app.config).send(MESSAGE)
        assert not busy.value.permanent


def test_sms_timeout_is_unknown_without_an_idempotency_key_and_a_retry_with_one(app):
    with FakeGateway() as gateway:
        _sms_settings(app, gateway)
        gateway.script = [SLOW]
        with pytest.raises(DeliveryUnknown):
            HttpSmsGateway(app.config).send(MESSAGE)
        app.config["SMS_GATEWAY_IDEMPOTENCY_HEADER"] = "Idempotency-Key"
        gateway.script = [SLOW]
        with pytest.raises(DeliveryError) as timed_out:
            HttpSmsGateway(app.config).send(MESSAGE)
        assert not timed_out.value.permanent
        HttpSmsGateway(app.config).send(MESSAGE)
    keys = [r["headers"].get("idempotency-key") for r in gateway.received]
    assert keys == [None, "k" * 32, "k" * 32]  # the retry carries the same key


# ---- the Zalo ZNS adapter ------------------------------------------------------------------------

def test_zalo_sends_the_template_of_the_kind_to_the_number(app):
    with FakeGateway(default=(200, '{"error": 0, "message": "Success"}')) as gateway:
        _zalo_settings(app, gateway)
        ZaloZns(app.config).send(TextMessage(phone=PHONE, text="t", idempotency_key="abc",
                                             kind="registration_confirmed", fields={"code": "ABCD-EFGH"}))
    request = gateway.received[0]
    assert request["headers"]["access_token"] == "zalo-token"
    assert json.loads(request["body"]) == {"phone": "84912345678", "template_id": "231456",
                                           "template_data": {"code": "ABCD-EFGH"}, "tracking_id": "abc"}


def test_zalo_refusal_5xx_and_timeout(app):
    with FakeGateway(default=(200, '{"error": 0}')) as gateway:
        _zalo_settings(app, gateway)
        gateway.script = [(200, '{"error": -124, "message": "phone not on Zalo"}'), (400, "{}"),
                          (502, "down"), SLOW]
        outcomes = []
        for _n in range(4):
            try:
                ZaloZns(app.config).send(MESSAGE)
            except DeliveryError as error:
                outcomes.append("permanent" if error.permanent else "retry")
            except DeliveryUnknown:
                outcomes.append("unknown")
    assert outcomes == ["permanent", "permanent", "retry", "unknown"]
    with pytest.raises(DeliveryError):  # a kind without a template is never sent
        ZaloZns(app.config).send(TextMessage(phone=PHONE, text="t", idempotency_key="x", kind="other"))


def test_the_console_adapter_is_the_default(app, capsys):
    assert isinstance(text_sender(SMS), ConsoleTexts) and isinstance(text_sender(ZALO), ConsoleTexts)
    text_sender(SMS).send(MESSAGE)
    assert "SMS to +84912345678" in capsys.readouterr().out


# ---- the worker with text messages ---------------------------------------------------------------

def test_the_worker_sends_retries_5xx_gives_up_on_4xx_and_sets_unknown_aside(app):
    _text("ok")
    _text("busy", phone="+84912000001")
    _text("refused", phone="+84912000002")
    _text("silent", phone="+84912000003")
    with FakeGateway() as gateway:
        _sms_settings(app, gateway)
        gateway.script = [(200, "{}"), (503, "busy"), (422, "bad number +84912000002"), SLOW]
        first = Worker(RecordingBackend(), texts={SMS: HttpSmsGateway(app.config)}).run_once()
        assert (first.sent, first.retried, first.failed, first.unknown) == (1, 1, 1, 1)
        rows = {r.dedupe_key: r for r in _rows()}
        assert rows["refused"].failed_at is not None and "+84912000002" not in rows["refused"].last_error
        assert rows["silent"].unknown_at is not None and "may have been sent" in rows["silent"].last_error
        _make_due()
        second = Worker(RecordingBackend(), texts={SMS: HttpSmsGateway(app.config)}).run_once()
    # Only the 5xx is tried again; the unknown one is never sent blindly.
    assert (second.sent, second.handled) == (1, 1)
    assert [json.loads(r["body"])["to"] for r in gateway.received].count("84912000003") == 1
    assert _rows()[1].sent_at is not None and _rows()[1].attempts == 2


def test_a_number_gets_at_most_its_daily_limit_the_rest_waits_for_tomorrow(app):
    app.config["TEXT_MESSAGES_PER_PHONE_DAY"] = 2
    for n in range(3):
        _text(f"same-{n}")
    texts = RecordingTexts()
    result = Worker(RecordingBackend(), texts={SMS: texts}).run_once()
    assert (result.sent, result.held) == (2, 1)
    held = _rows()[2]
    assert held.sent_at is None and held.attempts == 0 and held.next_attempt_at > utcnow()
    assert held.last_error == "daily limit reached: phone"
    assert Worker(RecordingBackend(), texts={SMS: texts}).run_once().handled == 0


def test_a_conference_budget_stops_sending_and_says_so(app):
    app.config["TEXT_MESSAGES_PER_CONFERENCE_DAY"] = 3
    for n in range(5):
        _text(f"c-{n}", phone=f"+8491200000{n}")
    texts = RecordingTexts()
    result = Worker(RecordingBackend(), texts={SMS: texts}).run_once()
    assert (result.sent, result.held) == (3, 2)
    assert used_up("conference:1") and not used_up("agency:1")


def test_a_failed_send_gives_its_budget_back(app):
    app.config["TEXT_MESSAGES_PER_PHONE_DAY"] = 1
    _text("first")
    with FakeGateway() as gateway:
        _sms_settings(app, gateway)
        gateway.script = [(503, "busy")]
        assert Worker(RecordingBackend(), texts={SMS: HttpSmsGateway(app.config)}).run_once().retried == 1
        _make_due()
        assert Worker(RecordingBackend(), texts={SMS: HttpSmsGateway(app.config)}).run_once().sent == 1


class RecordingTexts:
    """A text adapter that records what it sends (thread-safe)."""

    def __init__(self):
        """Nothing sent yet."""
        self.lock = threading.Lock()
        self.sent: list[TextMessage] = []

    def send(self, message: TextMessage) -> None:
        """Record `message`."""
        with self.lock:
            self.sent.append(message)


def test_two_workers_send_each_text_exactly_once_within_the_budget(app):
    count, budget = 60, 50
    app.config["TEXT_MESSAGES_PER_CONFERENCE_DAY"] = budget
    for n in range(count):
        _text(f"many-{n}", phone=f"+849130{n:05d}")
    start = threading.Barrier(2)

    with FakeGateway() as gateway:
        _sms_settings(app, gateway)

        def work(_n):
            """Wait for the other worker, then drain the outbox in a context of its own."""
            start.wait(timeout=30)
            with app.app_context():
                return Worker(RecordingBackend(), batch=10, lease=timedelta(minutes=5),
                              texts={SMS: HttpSmsGateway(app.config)}).run_once()

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(work, range(2)))
    numbers = [body["to"] for body in gateway.bodies()]
    assert len(numbers) == len(set(numbers)) == budget  # none twice, never over the budget
    assert sum(r.sent for r in results) == budget and sum(r.held for r in results) == count - budget
    assert not set(results[0].claimed) & set(results[1].claimed)


def test_status_counts_unknown_messages_apart(app, runner):
    _text("silent")
    with FakeGateway() as gateway:
        _sms_settings(app, gateway)
        gateway.script = [SLOW]
        Worker(RecordingBackend(), texts={SMS: HttpSmsGateway(app.config)}).run_once()
    output = runner.invoke(args=["notifications", "status"]).output
    assert "pending: 0" in output and "outcome unknown: 1" in output


def test_an_operator_settles_unknown_messages_after_reading_the_gateways_log(app, runner):
    """`flask notifications unknown` lists what the gateway left unanswered; --resend sends it
    once more, --delivered marks it sent; nothing else is touched and nothing is sent twice."""
    _text("lost")
    _text("arrived", phone="+84987654321")
    with FakeGateway() as gateway:
        _sms_settings(app, gateway)
        gateway.script = [SLOW, SLOW]
        Worker(RecordingBackend(), texts={SMS: HttpSmsGateway(app.config)}).run_once()
        rows = {n.dedupe_key: n for n in db.session.scalars(select(Notification))}
        listing = runner.invoke(args=["notifications", "unknown"]).output
        assert "2 messages of unknown outcome" in listing
        assert f"{rows['lost'].id}\tsms" in listing and PHONE not in listing and "+849…678" in listing
        output = runner.invoke(args=["notifications", "unknown", "--resend", str(rows["lost"].id),
                                     "--delivered", str(rows["arrived"].id)]).output
        assert "Queued again: 1; marked delivered: 1." in output
        gateway.script = []
        sent_before = len(gateway.bodies())
        assert Worker(RecordingBackend(), texts={SMS: HttpSmsGateway(app.config)}).run_once().sent == 1
        assert len(gateway.bodies()) == sent_before + 1
    db.session.expire_all()
    stored = db.session.scalars(select(Notification)).all()
    assert all(n.sent_at is not None and n.unknown_at is None for n in stored)
    assert "0 messages of unknown outcome." in runner.invoke(args=["notifications", "unknown"]).output
    refused = runner.invoke(args=["notifications", "unknown", "--resend", "1", "--delivered", "1"])
    assert refused.exit_code != 0 and "not both" in refused.output
