"""The subject and plain-text body of a notification, in the recipient's language, from its context.

The outbox knows no feature: each feature that sends messages registers a composer per kind when
the app is built (dialogues: `feedback.dialogues.messages.register_composers`). A composer turns
the stored context into a subject and the paragraphs of the body; the greeting, the signature
and the automatic-message footer are the same for every message and added here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale

from feedback.core.i18n import gettext as _

PLATFORM_NAME = "Lắng Nghe"

# (context, locale) -> (subject, paragraphs), called inside the reader's locale.
Composer = Callable[[dict, str], tuple[str, list[str]]]
_COMPOSERS: dict[str, Composer] = {}


@dataclass(frozen=True)
class RenderedMessage:
    """What the recipient reads: a subject line and a plain-text body."""

    subject: str
    body: str


def register(kind: str, composer: Composer) -> None:
    """Let `composer` write the messages of `kind` (registering it again replaces it)."""
    _COMPOSERS[str(kind)] = composer


def render(kind: str, locale: str, context: dict) -> RenderedMessage:
    """The message of `kind` in `locale` (vi unless en), written from the context snapshot alone.

    Raises KeyError or ValueError for an unknown kind or a context that lacks what the kind says;
    the worker counts that as a failed attempt, like a refused delivery.
    """
    if str(kind) not in _COMPOSERS:
        raise ValueError(f"no composer for notification kind {kind!r}")
    locale = locale if locale in current_app.config["LANGUAGES"] else current_app.config[
        "BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        subject, paragraphs = _COMPOSERS[str(kind)](context, locale)
        body = "\n\n".join([_("Dear Sir or Madam,"), *paragraphs, _("Kind regards,") + "\n" + PLATFORM_NAME,
                            "-- \n" + _("This message was sent automatically; replies to it are not read.")])
    return RenderedMessage(subject=" ".join(subject.split()), body=body + "\n")


@dataclass(frozen=True)
class RenderedText:
    """A text message (SMS or Zalo): one short line, and the fields a Zalo template is filled with."""

    text: str
    fields: dict


def render_text(kind: str, locale: str, context: dict) -> RenderedText:
    """The short form of the message of `kind`: the platform, the subject, and the one link it needs.

    An SMS is paid per 70 Vietnamese characters, so the text says what happened and where to read
    the rest (the ticket or tracking page), nothing more.
    """
    rendered = render(kind, locale, context)
    link = context.get("ticket_url") or context.get("track_url") or ""
    code = context.get("ticket_code") or context.get("tracking_code") or ""
    text = f"{PLATFORM_NAME}: {rendered.subject}" + (f" {link}" if link else "")
    return RenderedText(text=text, fields={"subject": rendered.subject, "code": code, "link": link})
