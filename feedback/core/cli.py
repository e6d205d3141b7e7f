"""`flask translate …`: extract, merge and compile the message catalogs."""

import subprocess
import sys
import tempfile
from pathlib import Path

import click
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parents[2]
# One wrap width for the template, both catalogs and the English writer: with two widths every update
# rewrapped the whole Vietnamese catalog. 100 is the width the committed catalogs are written in.
CATALOG_WIDTH = 100
translate_cli = AppGroup("translate", help="Extract, merge and compile translations.")


def _pybabel(root: Path, *args: str) -> None:
    """Run pybabel from this interpreter's environment in `root`, failing loudly."""
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), *args], check=True, cwd=root)


@translate_cli.command("update")
def update() -> None:
    """Extract every wrapped string and merge it into the vi and en catalogs."""
    filled = update_catalogs(ROOT)
    click.echo(f"Catalogs updated ({filled} new English entries copied from the source). "
               "Translate the empty entries of translations/vi, then `flask translate compile`.")


def update_catalogs(root: Path) -> int:
    """Extract the source's messages under `root` into its template and merge them into both catalogs.

    Returns how many English entries were filled from the source. On a checkout whose catalogs are
    current this changes no byte of any file.
    """
    pot = root / "translations" / "messages.pot"
    width = str(CATALOG_WIDTH)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        _pybabel(root, "-q", "extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-by-file",
                 "-w", width, "-o", str(fresh), ".")
        if not pot.exists() or _without_date(fresh) != _without_date(pot):
            pot.write_bytes(fresh.read_bytes())
    _pybabel(root, "update", "-i", str(pot), "-d", "translations", "--no-fuzzy-matching",
             "--ignore-obsolete", "-w", width)
    return fill_source_language(root / "translations" / "en" / "LC_MESSAGES" / "messages.po")


def _without_date(pot: Path) -> list[str]:
    """The template's lines but its creation date.

    Babel stamps the template with the moment of extraction and the update copies the stamp into both
    catalogs; keeping the old template when no message changed keeps an empty update empty.
    """
    lines = pot.read_text("utf-8").splitlines()
    return [line for line in lines if not line.startswith('"POT-Creation-Date:')]


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
        write_po(f, catalog, width=CATALOG_WIDTH, omit_header=False)
    return filled


@translate_cli.command("compile")
def compile_catalogs() -> None:
    """Compile the catalogs the app reads."""
    _pybabel(ROOT, "compile", "-d", "translations", "--statistics")
