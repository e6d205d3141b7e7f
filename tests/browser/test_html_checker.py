"""The W3C Nu HTML checker runs over the pages the browser tests visit (tests/browser/conftest.py,
fixture `served_html`); this test says when it cannot."""

import pytest

from tests.browser.html_check import REQUIRED, vnu_command

pytestmark = pytest.mark.browser


def test_html_checker_is_available():
    """Skipped with the reason where it cannot run (no Java, checker not installed); a failure in
    CI, which sets HTML_CHECKER_REQUIRED=1 after installing both."""
    command, why = vnu_command()
    if command is None:
        if REQUIRED:
            pytest.fail(why)
        pytest.skip(why)
