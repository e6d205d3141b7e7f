"""`flask translate …`: extract, merge and compile the message catalogs."""

import subprocess
import sys
from pathlib import Path

import click
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "translations" / "messages.pot"
translate_cli = AppGroup("translate", help="Extract, merge and compile translations.")


def _pybabel(*args: str) -> None:
    """Run pybabel from this interpreter's environment, failing loudly."""
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), *args], check=True, cwd=ROOT)


@translate_cli.command("update")
def update() -> None:
    """Extract every wrapped string and merge it into the vi and en catalogs."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-by-file",
             "-o", str(POT), ".")
    _pybabel("update", "-i", str(POT), "-d", "translations", "--no-fuzzy-matching", "--ignore-obsolete")
    filled = fill_source_language(ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po")
    click.echo(f"Catalogs updated ({filled} new English entries copied from the source). "
               "Translate the empty entries of translations/vi, then `flask translate compile`.")


def fill_source_language(po_path: Path) -> int:
    """Copy each untranslated message's English source text into the English catalog.

    Source strings are written in English, so the English translation of a new message is its own
    text; the Vietnamese catalog is translated by people.
    """
    with open(po_path, "rb") as f:
        catalog = read_po(f, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = tuple(message.id)
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
    with open(po_path, "wb") as f:
        write_po(f, catalog, width=100, omit_header=False)
    return filled


@translate_cli.command("compile")
def compile_catalogs() -> None:
    """Compile the catalogs the app reads."""
    _pybabel("compile", "-d", "translations", "--statistics")

