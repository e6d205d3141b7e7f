"""Text folded for search: lowercase, without diacritics, đ as d, single spaces.

The same function fills `answer.search_text` (on submit, in the demo seed, in migration 0006)
and folds what a leader types into the comments search box, so "thu tuc" finds "Thủ tục" with a
plain LIKE on every database backend.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own in Unicode, not d with a combining mark, so NFD leaves them alone.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


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
