"""`flask translate …`: extract, merge and compile the message catalogs."""

import subprocess
import sys
from pathlib import Path

import click
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
             "-o", str(POT), "feedback", "templates")
    _pybabel("update", "-i", str(POT), "-d", "translations", "--no-fuzzy-matching")
    click.echo("Catalogs updated: fill the empty msgstr entries, then `flask translate compile`.")


@translate_cli.command("compile")
def compile_catalogs() -> None:
    """Compile the catalogs the app reads."""
    _pybabel("compile", "-d", "translations", "--statistics")

