"""The W3C Nu HTML checker runs over the pages the browser tests visit (tests/browser/conftest.py,
fixture `served_html`); this test says when it cannot."""

import pytest

from tests.browser.html_check import REQUIRED, HtmlPages, vnu_command

pytestmark = pytest.mark.browser


def test_html_checker_is_available():
    """Skipped with the reason where it cannot run (no Java, checker not installed); a failure in
    CI, which sets HTML_CHECKER_REQUIRED=1 after installing both."""
    command, why = vnu_command()
    if command is None:
        if REQUIRED:
            pytest.fail(why)
        pytest.skip(why)


def test_pages_differing_only_in_hidden_tokens_are_checked_once():
    """A sign-in form served twice differs only in its CSRF token: one document to check. A page
    whose visible content differs is another document, and is checked too."""
    pages = HtmlPages()
    form = '<form><input type="hidden" name="csrf_token" value="{}"><input name="email" value="{}"></form>'
    pages.keep("/login", form.format("token-1", "").encode())
    pages.keep("/login", form.format("token-2", "").encode())
    assert len(pages.pages) == 1
    pages.keep("/login", form.format("token-3", "a@b").encode())
    assert [path for path, _body in pages.pages.values()] == ["/login", "/login"]
