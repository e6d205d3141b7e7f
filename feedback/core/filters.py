"""Reading list and dashboard filters from a query string: the one parser every filtered page uses.

A filter value that cannot be used never fails the page: it is replaced by its fallback and a
message says so. Each page names its own parameters, choices, messages and what an unusable value
falls back to; this module holds how they are read.
"""

from collections.abc import Callable, Collection, Mapping
from datetime import date
from typing import TypeVar

from feedback.core.dates import parse_iso_date

T = TypeVar("T")


class FilterArgs:
    """A query string being read as filters; `errors` collects a message per unusable value, in
    the order the values were read."""

    def __init__(self, args: Mapping[str, str]):
        """Read from `args` (request.args or any mapping of strings)."""
        self.args = args
        self.errors: list = []

    def text(self, name: str, *, max_length: int | None = None, strip: bool = True) -> str:
        """A free value ("" when absent), trimmed if asked and cut to `max_length` if given."""
        value = self.args.get(name) or ""
        return (value.strip() if strip else value)[:max_length]

    def choice(self, name: str, choices: Collection[str], default: str, message, *,
               fallback: str | None = None, strip: bool = True) -> str:
        """One of `choices` (`default` when absent); anything else is `fallback` (default:
        `default`) with `message`."""
        value = self.args.get(name) or default
        if strip:
            value = value.strip()
        if value in choices:
            return value
        self.errors.append(message)
        return default if fallback is None else fallback

    def dates(self, invalid_from, invalid_to) -> tuple[date | None, date | None, bool]:
        """(from, to, both usable) from the "from" and "to" ISO days; an absent day is None, and
        an unusable one is None with its message."""
        date_from, from_ok = parse_iso_date(self.args.get("from"))
        date_to, to_ok = parse_iso_date(self.args.get("to"))
        if not from_ok:
            self.errors.append(invalid_from)
        if not to_ok:
            self.errors.append(invalid_to)
        return date_from, date_to, from_ok and to_ok

    def whole_number(self, name: str, message) -> int | None:
        """A non-negative whole number of at most nine digits; None when absent, or with `message`
        when it is something else."""
        raw = self.args.get(name, "")
        if not raw:
            return None
        if raw.isascii() and raw.isdigit() and len(raw) < 10:
            return int(raw)
        self.errors.append(message)
        return None

    def found(self, name: str, lookup: Callable[[str], T | None], message, *,
              max_length: int | None = None, strip: bool = True) -> T | None:
        """What `lookup` finds for the value (trimmed if asked, cut to `max_length` if given); None
        when absent, or with `message` when nothing is found."""
        value = self.text(name, max_length=max_length, strip=strip)
        if not value:
            return None
        thing = lookup(value)
        if thing is None:
            self.errors.append(message)
        return thing
