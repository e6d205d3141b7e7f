"""`make translate-update` on a current checkout writes nothing: one wrap width, no fresh date stamp."""

import shutil
from pathlib import Path

from feedback.core.cli import update_catalogs

ROOT = Path(__file__).resolve().parents[2]
FILES = ["translations/messages.pot", "translations/vi/LC_MESSAGES/messages.po",
         "translations/en/LC_MESSAGES/messages.po"]


def test_updating_current_catalogs_changes_nothing(tmp_path):
    """A copy of the checkout is updated; the template and both catalogs come out byte for byte the same.

    Failing here means the committed catalogs are not as the update writes them (a width of its own,
    a long hand-typed line): run `make translate-update` and commit what it writes.
    """
    shutil.copy(ROOT / "babel.cfg", tmp_path)
    skip = shutil.ignore_patterns("__pycache__", "*.mo")
    for folder in ("feedback", "templates", "translations"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=skip)

    update_catalogs(tmp_path)

    changed = [name for name in FILES if (tmp_path / name).read_bytes() != (ROOT / name).read_bytes()]
    assert changed == [], f"`make translate-update` would rewrite {changed}"
