"""Browser fixtures: the app on a real port, Debian's Chromium at a phone's size.

The app of the `app` fixture (so every database backend) is served by werkzeug in a thread; one
Chromium runs for the whole session and every test gets fresh contexts (cookies, JS on or off).
Each page records console errors, failed requests and any request that leaves 127.0.0.1 (those are
aborted); `checks.assert_clean(page)` fails on any of them, `checks.axe_check(page)` runs axe-core.
"""

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser.checks import LOCAL_HOST, PageLog, watch
from tests.browser.html_check import HtmlPages, vnu_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update",
                 # Nothing may come from a CDN: no other host resolves, so such a request fails at
                 # once (checks.watch records it as a third-party request). Blocking it with
                 # Playwright's routing instead would send every request through Python and turn
                 # off the HTTP cache, which real phones and tablets have.
                 f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {LOCAL_HOST}"]
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
# A phone set to Vietnamese, as most citizens' are (Chromium sends it as Accept-Language).
PHONE_LOCALE = "vi-VN"
# How long any single wait (a navigation, a click, an `expect`) may take before the test fails.
# Every wait in these tests is for a readiness signal (a load state, a selector, plotly's drawn
# figure), so a passing test never sleeps this long: the limit only decides how soon a real failure
# is reported. It is generous because a busy machine (other suites, other jobs on two cores) can make
# a page take many seconds; a 10 s limit once failed a correct test that way.
TIMEOUT_MS = 90_000


def buffered(app, pages: HtmlPages | None = None):
    """`app` with each response body read in full (and closed) before the server sends it; every
    HTML body is also kept in `pages`, for the HTML checker.

    Chromium drops connections it no longer needs (a favicon still loading when the test clicks
    on); werkzeug's development server then raises out of its clean-up before closing the response
    iterable, leaving the static file open (a ResourceWarning, an error under filterwarnings). A
    buffered body has nothing left to close. Test pages are small, so buffering costs nothing."""

    def wsgi(environ, start_response):
        html = []

        def start(status, headers, *args):
            # A survey page sent alone to survey.js (X-Survey-Fragment) is not a document to check.
            html.append(any(k.lower() == "content-type" and v.startswith("text/html") for k, v in headers)
                        and not any(k.lower() == "x-survey-fragment" for k, _v in headers))
            return start_response(status, headers, *args)

        iterable = app(environ, start)
        try:
            body = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        if pages is not None and html and html[0]:
            pages.keep(environ.get("PATH_INFO", ""), body)
        return [body]

    return wsgi


# `expect(...)` assertions retry until they hold; their own default limit (5 s) would be the one
# wall-clock limit left that load could break.
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def served_html(tmp_path_factory) -> Iterator[HtmlPages]:
    """The HTML pages the live server sent during this worker's session; when it ends, one run of
    the W3C Nu HTML checker over all of them, failing on any error (see html_check.py)."""
    pages = HtmlPages()
    yield pages
    command, _why = vnu_command()
    if command is None or not pages.pages:
        return  # test_html_checker_is_available says why, as a skip (or a failure in CI)
    errors = pages.check(tmp_path_factory.mktemp("html"), command)
    assert not errors, (f"the W3C Nu HTML checker found {len(errors)} errors in "
                        f"{len(pages.pages)} pages:\n  " + "\n  ".join(errors))


@pytest.fixture
def live_server(app, served_html) -> Iterator[str]:
    """The test app served on 127.0.0.1 at a free port in a background thread; yields its URL.

    It is the `app` fixture's application, so it runs on each database backend and the test can
    read what the browser wrote through `db.session`."""
    server = make_server(LOCAL_HOST, 0, buffered(app, served_html), threaded=True)
    # A short poll interval: shutdown() waits for the loop to notice, 0.5 s by default.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.port}"
    finally:
        server.shutdown()
        server.server_close()  # also joins the request threads (ThreadingMixIn.block_on_close)
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session (Debian's; Playwright's own builds are not used)."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., object]]:
    """Open a phone-sized page on the live server: `new_page(js=False)`. The base URL is set, so
    `page.goto("/login")` works. Every context opened is closed after the test, before the server
    stops (this fixture depends on `live_server`)."""
    contexts = []

    def open_page(*, js: bool = True, locale: str = PHONE_LOCALE):
        context = browser.new_context(base_url=live_server, java_script_enabled=js, locale=locale,
                                      **PHONE)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watch(page, PageLog(js=js))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(params=["js", "nojs"])
def page(request, new_page):
    """A phone-sized page, once with JavaScript on and once with it off."""
    return new_page(js=request.param == "js")


@pytest.fixture
def js_page(new_page):
    """A phone-sized page with JavaScript on."""
    return new_page(js=True)


@pytest.fixture
def nojs_page(new_page):
    """A phone-sized page with JavaScript off."""
    return new_page(js=False)
