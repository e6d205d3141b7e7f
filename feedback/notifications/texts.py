"""Text-message channels beside email: SMS through an HTTP gateway, Zalo ZNS, and the console.

Each adapter sends one `TextMessage` or raises:
- `DeliveryError` (permanent for a refusal, 4xx: the number or the request is wrong; temporary for
  a 5xx or a connection that could not be made: tried again with backoff);
- `DeliveryUnknown` when the request left but no answer came (a timeout) and the gateway takes no
  idempotency key: the message may have been sent, so it is set aside as "unknown", never resent
  blindly. A gateway that takes a key (SMS_GATEWAY_IDEMPOTENCY_HEADER) gets the same key on every
  attempt, so a timeout there is an ordinary retry: the gateway drops the copy.
"""

import json
import re
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from string import Template
from typing import Protocol, TextIO

from flask import current_app

from feedback.notifications.mail import DeliveryError

SMS = "sms"
ZALO = "zalo"
EMAIL = "email"
TEXT_CHANNELS = (SMS, ZALO)
# A Zalo ZNS answer is JSON with "error": 0 on success.
ZNS_DEFAULT_URL = "https://business.openapi.zalo.me/message/template"


class DeliveryUnknown(Exception):
    """The request may have been delivered: no answer came and the gateway cannot drop a copy."""


@dataclass(frozen=True)
class TextMessage:
    """One short message to one phone: E.164 number, text, and a key stable across attempts."""

    phone: str
    text: str
    idempotency_key: str
    kind: str = ""
    fields: dict | None = None  # the values a Zalo template is filled with


class TextSender(Protocol):
    """Something that delivers one TextMessage or raises DeliveryError / DeliveryUnknown."""

    def send(self, message: TextMessage) -> None:
        """Deliver `message`."""


class ConsoleTexts:
    """Prints each text message instead of sending it (the default: development and demos)."""

    def __init__(self, channel: str, stream: TextIO | None = None):
        """Print the messages of `channel` to `stream` (standard output unless given)."""
        self.channel = channel
        self.stream = stream

    def send(self, message: TextMessage) -> None:
        """Write the message and a separator line."""
        stream = self.stream or sys.stdout
        stream.write(f"{self.channel.upper()} to {message.phone} (key {message.idempotency_key}):\n"
                     f"{message.text}\n" + "-" * 72 + "\n")
        stream.flush()


def national_digits(phone: str) -> str:
    """+84912345678 → 84912345678: the form gateways in Việt Nam take."""
    return phone.lstrip("+")


def _post(request: urllib.request.Request, timeout: float, *, can_dedupe: bool) -> tuple[int, str]:
    """Send `request`; (status, body) for any HTTP answer; raise for no answer.

    A connection that could not be made never reached the gateway: a temporary DeliveryError. A
    timeout after the request left is DeliveryUnknown unless the gateway drops copies (`can_dedupe`).
    """
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
            return response.status, response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read(65536).decode("utf-8", "replace")
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError | socket.timeout):
            return _timed_out(can_dedupe)
        raise DeliveryError(f"gateway unreachable: {error.reason}") from error
    except TimeoutError:
        return _timed_out(can_dedupe)


def _timed_out(can_dedupe: bool) -> tuple[int, str]:
    """A request that got no answer in time."""
    if can_dedupe:
        raise DeliveryError("gateway timed out (the idempotency key makes the retry safe)")
    raise DeliveryUnknown("gateway timed out: the message may have been sent; not sent again")


def _judge(status: int, body: str, success: re.Pattern | None) -> None:
    """Raise unless (status, body) is the gateway's "accepted"."""
    if 500 <= status:
        raise DeliveryError(f"gateway answered {status}: {body[:300]}")
    if status >= 400:
        raise DeliveryError(f"gateway refused ({status}): {body[:300]}", permanent=True)
    if not 200 <= status < 300:
        raise DeliveryError(f"gateway answered {status}: {body[:300]}")
    if success is not None and not success.search(body):
        raise DeliveryError(f"gateway did not accept the message: {body[:300]}", permanent=True)


class HttpSmsGateway:
    """An SMS gateway spoken to over HTTP, described entirely by settings (docs/notifications.md).

    SMS_GATEWAY_BODY is a template: $phone (84…), $text, $sender (SMS_SENDER_ID, the brand name) and
    $key (the idempotency key) are inserted escaped for SMS_GATEWAY_CONTENT_TYPE (JSON string
    content, or form-encoded). SMS_GATEWAY_SUCCESS, a regular expression, must match the answer's
    body for a 2xx answer to count as accepted (empty: any 2xx).
    """

    def __init__(self, config):
        """Take the SMS_* settings from the app's `config`."""
        self.url = config["SMS_GATEWAY_URL"]
        if not self.url:
            raise ValueError("SMS_BACKEND is 'http' but SMS_GATEWAY_URL is empty")
        self.method = config["SMS_GATEWAY_METHOD"].upper()
        self.auth_header = config["SMS_GATEWAY_AUTH_HEADER"]
        self.body = Template(config["SMS_GATEWAY_BODY"])
        self.content_type = config["SMS_GATEWAY_CONTENT_TYPE"]
        success = config["SMS_GATEWAY_SUCCESS"]
        self.success = re.compile(success) if success else None
        self.sender = config["SMS_SENDER_ID"]
        self.idempotency_header = config["SMS_GATEWAY_IDEMPOTENCY_HEADER"]
        self.timeout = config["SMS_TIMEOUT"]

    def _escape(self, value: str) -> str:
        """`value` as it may stand inside the body template."""
        if "json" in self.content_type:
            return json.dumps(value, ensure_ascii=False)[1:-1]
        return urllib.parse.quote_plus(value)

    def send(self, message: TextMessage) -> None:
        """Deliver `message` through the gateway."""
        values = {"phone": national_digits(message.phone), "text": message.text, "sender": self.sender,
                  "key": message.idempotency_key}
        body = self.body.safe_substitute({k: self._escape(v) for k, v in values.items()})
        request = urllib.request.Request(self.url, data=body.encode(), method=self.method)
        request.add_header("Content-Type", self.content_type)
        if self.auth_header and ":" in self.auth_header:
            name, _sep, value = self.auth_header.partition(":")
            request.add_header(name.strip(), value.strip())
        if self.idempotency_header:
            request.add_header(self.idempotency_header, message.idempotency_key)
        status, answer = _post(request, self.timeout, can_dedupe=bool(self.idempotency_header))
        _judge(status, answer, self.success)


class ZaloZns:
    """Zalo Notification Service: an approved template message sent to a phone number.

    (Official Account messages reach only the account's followers, so ZNS is the channel for
    people who merely gave their number.) One template per message kind (ZALO_ZNS_TEMPLATES, JSON
    {kind: template id}); the template is filled with the message's fields. ZNS takes no
    idempotency key, so a timeout is recorded as unknown.
    """

    def __init__(self, config):
        """Take the ZALO_* settings from the app's `config`."""
        self.url = config["ZALO_ZNS_URL"] or ZNS_DEFAULT_URL
        self.token = config["ZALO_ACCESS_TOKEN"]
        if not self.token:
            raise ValueError("ZALO_BACKEND is 'zns' but ZALO_ACCESS_TOKEN is empty")
        self.templates = json.loads(config["ZALO_ZNS_TEMPLATES"] or "{}")
        self.timeout = config["SMS_TIMEOUT"]

    def send(self, message: TextMessage) -> None:
        """Deliver `message` as the template of its kind."""
        template = self.templates.get(message.kind)
        if not template:
            raise DeliveryError(f"no ZNS template for {message.kind!r} (ZALO_ZNS_TEMPLATES)", permanent=True)
        payload = {"phone": national_digits(message.phone), "template_id": str(template),
                   "template_data": message.fields or {"text": message.text},
                   "tracking_id": message.idempotency_key}
        request = urllib.request.Request(self.url, data=json.dumps(payload, ensure_ascii=False).encode(),
                                         method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("access_token", self.token)
        status, answer = _post(request, self.timeout, can_dedupe=False)
        _judge(status, answer, None)
        try:
            error = int(json.loads(answer).get("error", -1))
        except (ValueError, AttributeError) as bad:
            raise DeliveryError(f"ZNS answered something that is not its JSON: {answer[:300]}") from bad
        if error != 0:
            raise DeliveryError(f"ZNS refused the message (error {error}): {answer[:300]}", permanent=True)


def text_sender(channel: str) -> TextSender:
    """The adapter SMS_BACKEND (console | http) or ZALO_BACKEND (console | zns) names."""
    config = current_app.config
    if channel == SMS:
        name = config["SMS_BACKEND"].strip().lower()
        if name == "http":
            return HttpSmsGateway(config)
    elif channel == ZALO:
        name = config["ZALO_BACKEND"].strip().lower()
        if name == "zns":
            return ZaloZns(config)
    else:
        raise ValueError(f"no text channel {channel!r}")
    if name == "console":
        return ConsoleTexts(channel)
    raise ValueError(f"{channel.upper()} backend {name!r} is not one of console, http, zns")
