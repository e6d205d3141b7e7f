"""Turning a rendered notification into an email, and the backends that deliver it (console, SMTP)."""

import hashlib
import smtplib
import ssl
import sys
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from typing import Protocol, TextIO

from flask import current_app

from feedback.models import utcnow
from feedback.notifications.messages import RenderedMessage
from feedback.notifications.models import Notification

FALLBACK_DOMAIN = "langnghe.local"


class DeliveryError(Exception):
    """The message was not delivered; `permanent` when trying again cannot help (address refused)."""

    def __init__(self, message: str, *, permanent: bool = False):
        """Say what went wrong, and whether it is worth another attempt."""
        super().__init__(message)
        self.permanent = permanent


class MailBackend(Protocol):
    """Something that delivers one email or raises DeliveryError (or an OSError)."""

    def send(self, message: EmailMessage) -> None:
        """Deliver `message`."""


def message_id(notification: Notification) -> str:
    """A Message-ID that is the same on every attempt to deliver `notification`.

    Derived from the dedupe key (one per message the platform means to send) and the row's creation
    time, so a receiving server that already accepted the message (a worker killed before it could
    record the delivery, then a retry) sees the same id and can drop the copy, while a database
    rebuilt from scratch, whose ids start again at 1, does not produce ids seen before.
    """
    seed = f"{notification.dedupe_key}|{notification.created_at.isoformat()}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:32]
    return f"<{digest}@{_sender_domain()}>"


def _sender_domain() -> str:
    """The domain of MAIL_FROM (where our Message-IDs live)."""
    addresses = getaddresses([current_app.config["MAIL_FROM"]])
    address = addresses[0][1] if addresses else ""
    return address.rpartition("@")[2] or FALLBACK_DOMAIN


def build_email(notification: Notification, rendered: RenderedMessage) -> EmailMessage:
    """The email for `notification`: plain UTF-8 text, stable Message-ID, marked as automatic."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = Address(addr_spec=notification.to_email)
    email["Subject"] = rendered.subject
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message_id(notification)
    # RFC 3834: an automatic message, so auto-responders do not answer it.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(rendered.body, charset="utf-8")
    # After set_content, which replaces every Content-* header.
    email["Content-Language"] = notification.locale
    return email


class ConsoleBackend:
    """Prints each message (headers and readable body) instead of sending it: development and demos."""

    def __init__(self, stream: TextIO | None = None):
        """Print to `stream`, or to whatever standard output is at the time of each send."""
        self.stream = stream

    def send(self, message: EmailMessage) -> None:
        """Write `message` to the stream (standard output unless given), then a separator line."""
        stream = self.stream or sys.stdout
        for header in ("Message-ID", "Date", "From", "To", "Subject", "Content-Language"):
            stream.write(f"{header}: {message[header]}\n")
        stream.write("\n" + message.get_content() + "-" * 72 + "\n")
        stream.flush()


class SmtpBackend:
    """Sends through the SMTP server of SMTP_HOST/SMTP_PORT, one connection per message.

    Port 465 speaks TLS from the first byte (SMTPS); any other port is upgraded with STARTTLS when
    SMTP_STARTTLS is on (the default). SMTP_USERNAME, when set, signs in with SMTP_PASSWORD.
    """

    def __init__(self, config):
        """Take the SMTP_* settings from the app's `config`."""
        self.host = config["SMTP_HOST"]
        self.port = config["SMTP_PORT"]
        self.username = config["SMTP_USERNAME"]
        self.password = config["SMTP_PASSWORD"]
        self.starttls = config["SMTP_STARTTLS"]
        self.timeout = config["SMTP_TIMEOUT"]

    def send(self, message: EmailMessage) -> None:
        """Deliver `message`; a refused recipient (5xx) is a permanent DeliveryError, the rest retry."""
        context = ssl.create_default_context()
        try:
            if self.port == 465:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.starttls and self.port != 465:
                    client.starttls(context=context)
                if self.username:
                    client.login(self.username, self.password)
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _reply in error.recipients.values()]
            raise DeliveryError(f"recipient refused: {_describe(error.recipients)}",
                                permanent=all(500 <= code < 600 for code in codes)) from error
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(f"SMTP {error.smtp_code}: {_text(error.smtp_error)}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"{type(error).__name__}: {error}") from error


def _text(reply: bytes | str) -> str:
    """An SMTP reply as text."""
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _describe(recipients: dict) -> str:
    """The refusals of an SMTPRecipientsRefused, without the addresses (they are personal data)."""
    return "; ".join(f"{code} {_text(reply)}" for code, reply in recipients.values())


def mail_backend() -> MailBackend:
    """The backend MAIL_BACKEND names: "console" (default) or "smtp"."""
    name = current_app.config["MAIL_BACKEND"].strip().lower()
    if name == "console":
        return ConsoleBackend()
    if name == "smtp":
        return SmtpBackend(current_app.config)
    raise ValueError(f"MAIL_BACKEND must be 'console' or 'smtp', not {name!r}")
