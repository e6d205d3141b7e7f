"""What the browser tests check on a page: browser errors, axe-core, overflow, touch targets.

axe-core and the strict CSP: `page.add_script_tag` inserts an inline <script>, which the app's
`script-src 'self'` blocks (Chromium logs a CSP violation and Playwright raises). A context with
`bypass_csp=True` would work, but it would also hide the app's own CSP violations from the console
check. So axe's source is run with `page.evaluate`, which goes through the DevTools protocol and is
not subject to the page's CSP. With JavaScript off, evaluate still runs but timers never fire, so
`axe.run` would never settle; on those pages timers are first replaced by microtasks (harmless, as
no page script runs there), and axe checks the very DOM a user without JavaScript gets, <noscript>
content included.
"""

import weakref
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
import pytest

# The query that asks a page for each language (Vietnamese is what a Vietnamese phone gets unasked).
LANGUAGES = {"vi": "", "en": "?lang=en"}

LOCAL_HOST = "127.0.0.1"
MIN_TOUCH_TARGET_PX = 44
AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# With JavaScript disabled in the context, setTimeout and friends never call back; axe needs them.
TIMERS_AS_MICROTASKS = """() => {
  if (window.__timersAsMicrotasks) return;
  window.__timersAsMicrotasks = true;
  const cancelled = new Set();
  let next = 1;
  window.setTimeout = (fn, ms, ...args) => {
    const id = next++;
    Promise.resolve().then(() => { if (!cancelled.has(id) && typeof fn === "function") fn(...args); });
    return id;
  };
  window.clearTimeout = (id) => { cancelled.add(id); };
  window.requestAnimationFrame = (fn) => window.setTimeout(() => fn(performance.now()));
  window.cancelAnimationFrame = window.clearTimeout;
  window.requestIdleCallback = (fn) =>
    window.setTimeout(() => fn({didTimeout: false, timeRemaining: () => 50}));
}"""
AXE_RUN = """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))})))"""
# Links and buttons a thumb must hit, plus the labels that wrap radio buttons and checkboxes. A link
# wrapped over two lines is two targets of one line each, so each line box counts, not their union.
SMALL_TARGETS = """(min) => [...document.querySelectorAll(
    "header a, header button, main a, main button, main input[type=submit], main summary, "
    + "main label:has(> input[type=radio]), main label:has(> input[type=checkbox])")]
  .filter(el => !el.closest(".honeypot") && getComputedStyle(el).visibility !== "hidden")
  .map(el => [el, [...el.getClientRects()].filter(r => r.width > 0 && r.height > 0)])
  .filter(([el, lines]) => lines.length > 0)
  .map(([el, lines]) => [el, Math.min(...lines.map(r => r.height))])
  .filter(([el, height]) => height < min)
  .map(([el, height]) => `<${el.tagName.toLowerCase()}${el.className ? ` class="${el.className}"` : ""}>`
       + ` "${el.textContent.trim().replace(/\\s+/g, " ").slice(0, 40)}": ${height.toFixed(1)}px tall`)"""
# Whether dashboard.js has drawn every chart the page shows: plotly's SVG is in each [data-figure]
# container and the table-only fallback note, which it removes once the figure is drawn, is gone. (A
# chart hidden at this width, the heatmap on a phone, is drawn only once it is shown.)
CHARTS_DRAWN = """() => [...document.querySelectorAll("[data-figure]")]
  .filter(chart => chart.offsetParent !== null)
  .every(chart => chart.querySelector(".main-svg") !== null
                  && chart.querySelector(".chart-fallback") === null)"""


@dataclass
class PageLog:
    """What went wrong while a page was open, as seen by the browser."""

    console_errors: list[tuple[str, str]] = field(default_factory=list)  # (text, source url)
    # plotly.js reports a figure it cannot draw as meant with console.trace ("WARN: Invalid color
    # specifier"), and draws something else. (Its console.warn notes, such as a slow preload on a
    # busy machine, are not about the figure and are not kept.)
    console_warnings: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (resource type, url)
    documents: dict[str, int] = field(default_factory=dict)  # main-frame url → status
    js: bool = True

    def problems(self) -> list[str]:
        """Every recorded problem, readable. A main document's own 4xx status (a 404 page, a 422
        re-rendered form) is the test's business, so Chromium's console note about it is not one."""
        found = [f"console error: {text}" for text, url in self.console_errors
                 if not (text.startswith("Failed to load resource") and url in self.documents)]
        found += [f"console warning: {text}" for text in self.console_warnings]
        found += [f"failed request: {r}" for r in self.failed_requests]
        found += [f"third-party request: {r}" for r in self.foreign_requests]
        return found

    def clear(self) -> None:
        """Forget everything recorded so far (for example before the step under test)."""
        for name in ("console_errors", "console_warnings", "failed_requests", "foreign_requests", "requests"):
            getattr(self, name).clear()
        self.documents.clear()


_logs: "weakref.WeakKeyDictionary[object, PageLog]" = weakref.WeakKeyDictionary()


def is_local(url: str) -> bool:
    """Whether a request stays on the test server (data:, blob: and about: URLs too)."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == LOCAL_HOST


def watch(page, log: PageLog) -> None:
    """Record in `log` what the browser reports about `page`."""
    _logs[page] = log

    def on_console(message):
        if message.type == "error":
            log.console_errors.append((message.text, message.location.get("url", "")))
        elif message.type == "trace" and message.text.startswith("WARN"):
            log.console_warnings.append(message.text)

    def on_response(response):
        request = response.request
        # A survey page fetched by survey.js stands for a document (a 422 form with its errors).
        fetched_page = response.headers.get("x-survey-fragment") == "1"
        if fetched_page or (request.is_navigation_request() and request.frame == page.main_frame):
            log.documents[response.url] = response.status
        elif response.status >= 400:
            log.failed_requests.append(f"{request.method} {response.url} → {response.status}")

    def on_request(request):
        log.requests.append((request.resource_type, request.url))
        # Other hosts do not resolve in the test browser (conftest.CHROMIUM_ARGS): such a request
        # fails at once, and is recorded here as what it is.
        if not is_local(request.url):
            log.foreign_requests.append(request.url)

    def on_request_failed(request):
        # ERR_ABORTED: Chromium cancelled it itself, as the page navigated away (a late favicon).
        if is_local(request.url) and request.failure != "net::ERR_ABORTED":
            log.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: log.console_errors.append((f"uncaught: {error}", "")))
    page.on("request", on_request)
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)


def page_log(page) -> PageLog:
    """The log recorded for `page` since it was opened."""
    return _logs[page]


def assert_clean(page) -> None:
    """No console errors, no failed requests, nothing fetched from another host."""
    problems = page_log(page).problems()
    assert not problems, "the browser reported problems:\n  " + "\n  ".join(problems)


def axe_check(page) -> None:
    """Run axe-core's WCAG 2.2 A/AA rules on the current page; fail listing every violation."""
    if not page_log(page).js:
        page.evaluate(TIMERS_AS_MICROTASKS)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(AXE_RUN, WCAG_TAGS)
    if violations:
        lines = [f"{len(violations)} axe violation(s) on {page.url}:"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            for node in v["nodes"]:
                summary = " ".join((node["summary"] or "").split())
                lines.append(f"    {node['target']}: {summary}")
        pytest.fail("\n".join(lines), pytrace=False)


def horizontal_overflow(page, width: int) -> int | None:
    """At a viewport `width` px wide, the document's width when it is wider (None if it fits)."""
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": size["height"]})
    try:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
    finally:
        page.set_viewport_size(size)
    return scroll_width if scroll_width > width else None


def small_touch_targets(page, minimum: int = MIN_TOUCH_TARGET_PX) -> list[str]:
    """Visible links, buttons and choice labels in the header and main less than `minimum` px tall."""
    return page.evaluate(SMALL_TARGETS, minimum)


def wait_until_ready(page) -> None:
    """Wait until the page has loaded (its scripts, styles and images) and, with JavaScript on,
    plotly has drawn every chart on it. A readiness signal rather than "no request for 500 ms"
    (networkidle), which a busy machine can stretch or cut short."""
    page.wait_for_load_state("load")
    if page_log(page).js:
        page.wait_for_function(CHARTS_DRAWN)


def sign_in(page, email: str) -> None:
    """Sign in through the form, in English (the choice sticks for the pages after it)."""
    from tests.factories import PASSWORD

    page.goto("/login?lang=en")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
