"""The dialogues' notifications: the subject and paragraphs of each kind, in the recipient's language,
from the context stored with it. `register_composers` hands them to the outbox when the app is built."""

import enum
from collections.abc import Callable
from datetime import datetime

from babel.dates import format_date, format_time

from feedback.core.codes import grouped
from feedback.core.dates import local_zone
from feedback.core.i18n import gettext as _
from feedback.notifications import messages

# How a day is written in a message: "Thứ Bảy, 21/11/2026" / "Saturday 21 November 2026".
DAY_FORMATS = {"vi": "EEEE, dd/MM/y", "en": "EEEE d MMMM y"}


class Kind(enum.StrEnum):
    """The messages the dialogues send; each has a subject and a body per language."""

    REGISTRATION_CONFIRMED = "registration_confirmed"
    REGISTRATION_WAITLISTED = "registration_waitlisted"
    REGISTRATION_PROMOTED = "registration_promoted"
    REGISTRATION_CANCELLED = "registration_cancelled"
    CONFERENCE_REMINDER = "conference_reminder"
    CONFERENCE_CANCELLED = "conference_cancelled"
    PETITION_ANSWERED = "petition_answered"


class _Context:
    """The snapshot a message is written from, with its dates and codes formatted for the reader."""

    def __init__(self, values: dict, locale: str):
        """Wrap the stored `values` for a reader of `locale`."""
        self.values = values
        self.locale = locale
        self.zone = local_zone()

    def __getitem__(self, key: str):
        """A value the kind requires (KeyError when the snapshot lacks it)."""
        return self.values[key]

    def get(self, key: str, default=None):
        """A value the kind may leave out."""
        return self.values.get(key) or default

    def local(self, key: str) -> datetime:
        """The stored UTC timestamp `key`, in the platform's time zone."""
        return datetime.fromisoformat(self.values[key]).astimezone(self.zone)

    def day(self, key: str) -> str:
        """The local day of timestamp `key`, with its weekday."""
        return format_date(self.local(key), DAY_FORMATS[self.locale], locale=self.locale)

    def when(self) -> str:
        """When the conference takes place: one day with two times, or two full stamps."""
        starts, ends = self.local("starts_at"), self.local("ends_at")
        start_time = format_time(starts, "HH:mm", locale=self.locale)
        end_time = format_time(ends, "HH:mm", locale=self.locale)
        if starts.date() == ends.date():
            return _("%(day)s, from %(start)s to %(end)s", day=self.day("starts_at"),
                     start=start_time, end=end_time)
        return _("%(start)s to %(end)s", start=f"{start_time}, {self.day('starts_at')}",
                 end=f"{end_time}, {self.day('ends_at')}")

    def conference(self, *, where: bool = True) -> str:
        """The conference's title and time, and (when `where`) its venue and online link."""
        lines = [_("Conference: %(title)s", title=self["title"]), _("When: %(when)s", when=self.when())]
        mode = self.get("mode", "in_person")
        if where and mode in ("in_person", "hybrid") and self.get("venue"):
            lines.append(_("Where: %(venue)s", venue=self["venue"]))
        if where and mode in ("online", "hybrid") and self.get("online_url"):
            lines.append(_("Online link: %(url)s", url=self["online_url"]))
        return "\n".join(lines)

    def ticket(self) -> str:
        """The ticket code as people read it, and the ticket page."""
        lines = [_("Ticket code: %(code)s", code=grouped(self["ticket_code"]))]
        if self.get("ticket_url"):
            lines.append(_("Your ticket page: %(url)s", url=self["ticket_url"]))
        return "\n".join(lines)


def _cancel_hint() -> str:
    """Asking a registrant who cannot come to free the seat."""
    return _("If you can no longer come, please cancel on your ticket page, so that the first "
             "person on the waiting list gets your seat.")


def _bring_ticket() -> str:
    """What to show at the door."""
    return _("When you arrive, please give your ticket code or show the QR code of your ticket page.")


def _seat_reserved(c: _Context, subject: str, news: str) -> tuple[str, list[str]]:
    """A message that a seat is now the registrant's: the news, the conference, the ticket, what
    to bring and how to cancel."""
    return subject, [news, c.conference(), c.ticket(), _bring_ticket(), _cancel_hint()]


def _registration_confirmed(c: _Context) -> tuple[str, list[str]]:
    """A seat is reserved."""
    return _seat_reserved(c, _("Registration confirmed: %(title)s", title=c["title"]),
                          _("Your registration for the dialogue conference below is confirmed: a seat "
                            "is reserved for you."))


def _registration_waitlisted(c: _Context) -> tuple[str, list[str]]:
    """No seat left: a place on the waiting list."""
    position = c.get("waitlist_position")
    if position:
        subject = _("Waiting list, number %(position)s: %(title)s", position=position, title=c["title"])
        status = _("All seats of the conference below are taken. You are number %(position)s on "
                   "the waiting list.", position=position)
    else:
        subject = _("Waiting list: %(title)s", title=c["title"])
        status = _("All seats of the conference below are taken. You are on the waiting list.")
    return (subject, [
        status,
        _("When a seat becomes free it goes to the first person on the list, and we will write to "
          "you as soon as one is yours. Your ticket page always shows your current place."),
        c.conference(), c.ticket(),
    ])


def _registration_promoted(c: _Context) -> tuple[str, list[str]]:
    """Moved from the waiting list to a seat."""
    return _seat_reserved(c, _("A seat is now reserved for you: %(title)s", title=c["title"]),
                          _("A seat has become free at the conference below and it is now reserved "
                            "for you: your registration is confirmed."))


def _registration_cancelled(c: _Context) -> tuple[str, list[str]]:
    """The registration was cancelled (by the registrant, or for them)."""
    return (_("Registration cancelled: %(title)s", title=c["title"]), [
        _("Your registration for the conference below has been cancelled, and your seat or "
          "waiting-list place has been given up."),
        c.conference(where=False), c.ticket(),
        _("If you did not ask for this, please contact the host agency and give them your ticket code."),
    ])


def _conference_reminder(c: _Context) -> tuple[str, list[str]]:
    """The day before: the conference is tomorrow."""
    day = c.day("starts_at")
    return (_("Reminder, %(day)s: %(title)s", day=day, title=c["title"]), [
        _("This is a reminder that the dialogue conference below, where a seat is reserved for "
          "you, takes place on %(day)s.", day=day),
        c.conference(), c.ticket(), _bring_ticket(), _cancel_hint(),
    ])


def _conference_cancelled(c: _Context) -> tuple[str, list[str]]:
    """The organizers cancelled the conference."""
    return (_("Conference cancelled: %(title)s", title=c["title"]), [
        _("We regret to inform you that the conference below has been cancelled. Your registration "
          "no longer applies and you need not do anything."),
        c.conference(where=False),
        _("We apologize for the inconvenience."),
    ])


def _petition_answered(c: _Context) -> tuple[str, list[str]]:
    """The responsible agency answered the registrant's question."""
    code = grouped(c["tracking_code"])
    if c.get("title"):
        intro = _("The responsible agency has answered the question you raised for the conference "
                  "“%(title)s”.", title=c["title"])
    else:
        intro = _("The responsible agency has answered the question you raised.")
    paragraphs = [intro]
    if c.get("question"):
        paragraphs.append(_("Your question:") + "\n" + "\n".join(
            f"> {line}" for line in c["question"].splitlines()))
    paragraphs += [
        _("Please read the answer, and tell us whether it satisfies you, on the tracking page: %(url)s",
          url=c["track_url"]),
        _("Tracking code: %(code)s", code=code),
    ]
    return _("Your question has been answered (%(code)s)", code=code), paragraphs


_COMPOSERS: dict[Kind, Callable[[_Context], tuple[str, list[str]]]] = {
    Kind.REGISTRATION_CONFIRMED: _registration_confirmed,
    Kind.REGISTRATION_WAITLISTED: _registration_waitlisted,
    Kind.REGISTRATION_PROMOTED: _registration_promoted,
    Kind.REGISTRATION_CANCELLED: _registration_cancelled,
    Kind.CONFERENCE_REMINDER: _conference_reminder,
    Kind.CONFERENCE_CANCELLED: _conference_cancelled,
    Kind.PETITION_ANSWERED: _petition_answered,
}


def register_composers() -> None:
    """Hand each kind's composer to the outbox (called when the app is built)."""
    for kind, composer in _COMPOSERS.items():
        messages.register(kind, _composing(composer))


def _composing(composer: Callable[[_Context], tuple[str, list[str]]]) -> messages.Composer:
    """`composer` as the outbox calls it: with the stored context and the reader's locale."""
    return lambda context, locale: composer(_Context(context, locale))
