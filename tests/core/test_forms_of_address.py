"""The Vietnamese catalog addresses leaders, organizers and citizens as "Ông/Bà" or impersonally,
never with the familiar "bạn"; the poster says "Ông/Bà" with both capitals."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[2] / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
FAMILIAR = re.compile(r"\bbạn\b", re.IGNORECASE)


def _messages():
    """Every (msgid, msgstr) of the Vietnamese catalog, plural forms as one text each."""
    with CATALOG.open("rb") as stream:
        catalog = read_po(stream, locale="vi")
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            yield message.id, " ".join(s or "" for s in strings)


def test_no_message_says_ban():
    familiar = [msgid for msgid, text in _messages() if FAMILIAR.search(text)]
    assert familiar == []


def test_ong_ba_is_written_with_two_capitals():
    assert [msgid for msgid, text in _messages() if "Ông/bà" in text or "ông/Bà" in text] == []
