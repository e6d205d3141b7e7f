"""Dashboard test setup."""



# The dashboard's browser tests serve the app like tests/browser does (its Chromium they cannot
# share: see test_browser.py).
from tests.browser.conftest import live_server  # noqa: E402, F401
