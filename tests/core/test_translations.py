"""Every string the code shows is translated in both catalogs, and the catalogs are current."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ["vi", "en"]


def _catalog(locale: str):
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=locale)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages the source wraps today, extracted afresh."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-o", str(pot), "."], cwd=ROOT, check=True)
    with open(pot, "rb") as f:
        return read_po(f)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale):
    missing = [m.id for m in _catalog(locale) if m.id and (
        m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))]
    assert missing == [], f"{locale}: {len(missing)} untranslated or fuzzy: {missing[:20]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_holds_every_message_of_the_source(extracted, locale):
    catalog = _catalog(locale)
    absent = [m.id for m in extracted if m.id and m.id not in catalog]
    assert absent == [], (f"{locale}: run `make translate-update` and translate: {absent[:20]}")


def test_placeholders_survive_translation():
    for locale in LOCALES:
        for message in _catalog(locale):
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = {p for text in ids for p in _placeholders(text)}
            for text in strings:
                assert _placeholders(text) <= wanted and (wanted <= _placeholders(text) or
                                                         "num" in wanted), (locale, message.id)


def _placeholders(text: str) -> set[str]:
    import re

    return set(re.findall(r"%\((\w+)\)s", text))
