"""Typed text: cleaned the one way every input is, and folded for search.

`clean_text` is the one rule for text a person types (form fields, the hand-written survey and
sign-up parsers, the JSON API): NFC, so "Thủy" typed decomposed on some phones is stored, compared
and searched as the same letters as "Thủy" typed composed.

`fold_for_search` gives lowercase, without diacritics, đ as d, single spaces. It fills
`answer.search_text`, `registration.search_name` and `petition.search_text`, and folds what staff
type into a search box, so "thu tuc" finds "Thủ tục" with a plain LIKE on every database backend.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# PostgreSQL refuses NUL in text, and other control characters only come from bots or bad paste;
# tab and line ends stay (a long answer keeps its lines).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# đ/Đ are letters of their own in Unicode, not d with a combining mark, so NFD leaves them alone.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def clean_text(raw: str) -> str:
    """Text as typed, NFC-normalized, without control characters, with Windows line ends folded
    and the ends trimmed."""
    return unicodedata.normalize("NFC", CONTROL_CHARS.sub("", raw.replace("\r\n", "\n"))).strip()


def clean_field(value):
    """`clean_text` for a WTForms filter: strings cleaned, anything else (None, dates, lists) as is."""
    return clean_text(value) if isinstance(value, str) else value


def fold_for_search(text: str | None) -> str | None:
    """`text` lowercased, decomposed (NFD) with combining marks removed, đ→d, control characters
    and whitespace runs collapsed to one space and trimmed; None stays None."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text.casefold().translate(_LETTERS))
    # Control characters (NUL among them, which PostgreSQL text refuses) count as spaces.
    bare = "".join(" " if unicodedata.category(c) == "Cc" else c
                   for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare).strip()


def like_pattern(term: str, escape: str = "\\") -> str:
    """A LIKE pattern matching `term` anywhere, with %, _ and the escape character taken literally
    (use with `escape=escape`)."""
    for char in (escape, "%", "_"):
        term = term.replace(char, escape + char)
    return f"%{term}%"


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str | None, *, limit: int = 40, fallback: str = "item") -> str:
    """An ASCII key made from `text`: folded as `fold_for_search` (no diacritics, đ→d), runs of
    anything but a–z and 0–9 as one "_", at most `limit` characters cut at a word; `fallback`
    when nothing is left. "Đăng ký khai sinh" → "dang_ky_khai_sinh"."""
    slug = _NOT_SLUG.sub("_", fold_for_search(text or "") or "").strip("_")
    if len(slug) > limit:
        cut = slug[:limit + 1]
        slug = cut[:cut.rfind("_")] if "_" in cut[:limit] else slug[:limit]
    return slug.strip("_") or fallback


def unique_slug(base: str, taken, *, limit: int = 64) -> str:
    """`base`, or `base_2`, `base_3`… the first one not in `taken` (a set), at most `limit` long."""
    candidate, n = base[:limit], 2
    while candidate in taken:
        suffix = f"_{n}"
        candidate, n = base[:limit - len(suffix)] + suffix, n + 1
    return candidate
