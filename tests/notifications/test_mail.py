"""The email built for a message, and the two backends: console output and SMTP delivery."""

import io
import socket

import pytest
from sqlalchemy import select

from feedback.extensions import db
from feedback.notifications.mail import (
    ConsoleBackend,
    DeliveryError,
    SmtpBackend,
    build_email,
    mail_backend,
    message_id,
)
from feedback.notifications.messages import render
from feedback.notifications.models import Notification
from tests.notifications.helpers import add_messages
from tests.notifications.smtp_sink import SmtpSink


def _email(notification_id: int):
    """The email the worker would send for a stored message."""
    notification = db.session.get(Notification, notification_id)
    return build_email(notification, render(notification.kind, notification.locale, notification.context))


def test_the_email_is_plain_utf8_text_marked_automatic_with_a_stable_message_id(app):
    first, second = add_messages(2)
    email = _email(first)
    assert email["To"] == "person0@example.vn"
    assert email["From"] == app.config["MAIL_FROM"]
    assert email.get_content_type() == "text/plain" and email.get_content_charset() == "utf-8"
    assert email["Auto-Submitted"] == "auto-generated"
    assert email["Content-Language"] == "vi"
    assert "Đối thoại về đất đai" in email["Subject"] and "Đối thoại về đất đai" in email.get_content()
    # The same on every attempt, different for every message, in the sender's domain.
    stored = db.session.get(Notification, first)
    assert _email(first)["Message-ID"] == email["Message-ID"] == message_id(stored)
    assert _email(second)["Message-ID"] != email["Message-ID"]
    assert email["Message-ID"].endswith("@langnghe.local>")


def test_console_backend_prints_the_readable_message(app):
    [notification_id] = add_messages(1)
    out = io.StringIO()
    ConsoleBackend(out).send(_email(notification_id))
    printed = out.getvalue()
    assert "To: person0@example.vn" in printed
    assert "Subject: " in printed and "Đối thoại về đất đai" in printed
    assert "https://langnghe.example.vn/tickets/ABCDEFGH" in printed  # decoded, not base64


def test_the_backend_follows_the_setting(app):
    assert isinstance(mail_backend(), ConsoleBackend)
    app.config["MAIL_BACKEND"] = "smtp"
    assert isinstance(mail_backend(), SmtpBackend)
    app.config["MAIL_BACKEND"] = "carrier-pigeon"
    with pytest.raises(ValueError):
        mail_backend()


def _smtp(app, port: int) -> SmtpBackend:
    """An SMTP backend pointed at a local port, without TLS."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_TIMEOUT=5)
    return SmtpBackend(app.config)


def test_smtp_backend_delivers_to_the_server(app):
    [notification_id] = add_messages(1)
    email = _email(notification_id)
    with SmtpSink() as sink:
        _smtp(app, sink.port).send(email)
    [received] = sink.messages
    assert received["To"] == "person0@example.vn"
    assert received["Message-ID"] == email["Message-ID"]
    assert "Đối thoại về đất đai" in received["Subject"]
    assert "/tickets/ABCDEFGH" in received.get_content()


def test_smtp_refusals_say_whether_trying_again_can_help(app):
    [notification_id] = add_messages(1)
    email = _email(notification_id)
    with SmtpSink() as sink:
        backend = _smtp(app, sink.port)
        sink.refuse_recipients = {"person0@": "550 5.1.1 <person0@example.vn>: no such user"}
        with pytest.raises(DeliveryError) as refused:
            backend.send(email)
        assert refused.value.permanent
        sink.refuse_recipients = {"person0@": "450 4.2.0 mailbox busy"}
        with pytest.raises(DeliveryError) as busy:
            backend.send(email)
        assert not busy.value.permanent
        sink.refuse_recipients = {}
        sink.data_reply = "451 4.3.0 try again later"
        with pytest.raises(DeliveryError) as later:
            backend.send(email)
        assert not later.value.permanent and "451" in str(later.value)
    assert sink.messages == []


def test_an_unreachable_server_is_a_temporary_failure(app):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    [notification_id] = add_messages(1)
    with pytest.raises(DeliveryError) as error:
        _smtp(app, port).send(_email(notification_id))
    assert not error.value.permanent
    assert db.session.scalar(select(Notification.sent_at).where(Notification.id == notification_id)) is None
