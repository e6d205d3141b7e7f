"""What Chromium actually downloads for each citizen page and the dashboards, first and repeat load.

    .venv/bin/python bench/browser_weight.py

Builds a throwaway SQLite database with the demo (`seed_demo`), serves the app on a free local
port (Werkzeug, threaded), and opens each page in Debian's Chromium at 375×740 through
Playwright. For each page, a fresh browser profile (empty cache) loads it once ("first"), then the
same profile loads it again ("repeat"). The Chrome DevTools Protocol counts every request and the
bytes that came over the network (`encodedDataLength`: headers and compressed bodies); requests
answered from the browser's cache count as cached. Dashboard pages are loaded signed in as the
demo leader. Targets (docs/targets.md): the survey page ≤ 30 KB transferred; dashboard assets cached
(versioned URLs, a year) and compressed.
"""

import logging
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from config import TestConfig  # noqa: E402
from feedback import create_app  # noqa: E402
from feedback.demo.seed import seed_demo  # noqa: E402
from feedback.dialogues.models import Conference, ConferenceStatus  # noqa: E402
from feedback.extensions import db  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
LEADER = ("lanhdao@langnghe.vn", "demo-lanhdao-2026")


@dataclass
class Load:
    """What one page load asked the network for."""

    requests: int = 0
    transferred: int = 0
    from_cache: set = field(default_factory=set)

    @property
    def cached(self) -> int:
        """Requests the browser answered from its own cache."""
        return len(self.from_cache)


class Meter:
    """Counts a page's requests and the bytes they transferred, through the DevTools protocol."""

    def __init__(self, context, page):
        self.session = context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.load = Load()
        self.session.on("Network.requestWillBeSent", self._sent)
        self.session.on("Network.requestServedFromCache", self._from_cache)
        self.session.on("Network.responseReceived", self._received)
        self.session.on("Network.loadingFinished", self._finished)

    def start(self) -> Load:
        self.load = Load()
        return self.load

    def _sent(self, event) -> None:
        if not event["request"]["url"].startswith("data:"):
            self.load.requests += 1

    def _from_cache(self, event) -> None:
        self.load.from_cache.add(event["requestId"])

    def _received(self, event) -> None:
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromMemoryCache"):
            self.load.from_cache.add(event["requestId"])

    def _finished(self, event) -> None:
        if event["requestId"] not in self.load.from_cache:
            self.load.transferred += int(event.get("encodedDataLength", 0))


def _prepare(folder: str):
    """The app on a fresh SQLite demo database, and a conference id to open."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/weight.db")
    with app.app_context():
        upgrade()
        seed_demo(responses=3000)
        db.session.commit()
        conference = db.session.scalar(select(Conference.id).where(
            Conference.status == ConferenceStatus.PUBLISHED).order_by(Conference.id))
    return app, conference


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/login?lang=vi")
    page.fill("#email", LEADER[0])
    page.fill("#password", LEADER[1])
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _measure(browser, base: str, path: str, signed_in: bool) -> tuple[Load, Load]:
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="vi-VN")
    page = context.new_page()
    if signed_in:
        _sign_in(page, base)
    meter = Meter(context, page)
    # Signing in lands on the dashboard: forget what that cached, so "first" starts empty.
    meter.session.send("Network.clearBrowserCache")
    first = meter.start()
    page.goto(base + path, wait_until="networkidle")
    repeat = meter.start()
    # A returning visitor opening the page again (a new navigation, not a reload: a reload makes
    # Chromium revalidate everything regardless of cache headers).
    page.goto("about:blank")
    page.goto(base + path, wait_until="networkidle")
    context.close()
    return first, repeat


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        app, conference = _prepare(folder)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base = f"http://127.0.0.1:{server.server_port}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        pages = [
            ("home", "/?lang=vi", False),
            ("survey, page 1 of 6", "/s/STP?lang=vi", False),
            ("one-time code form", "/r/?lang=vi", False),
            ("dialogue conferences", "/dialogues/?lang=vi", False),
            ("one conference", f"/dialogues/{conference}?lang=vi", False),
            ("dialogue sign-up form", f"/dialogues/{conference}/register?lang=vi", False),
            ("petition tracking", "/track/?lang=vi", False),
            ("dashboard overview", "/dashboard/?lang=vi", True),
            ("dashboard trend", "/dashboard/trend?lang=vi", True),
            ("dashboard questions", "/dashboard/questions?lang=vi", True),
            ("dashboard comments", "/dashboard/comments?lang=vi", True),
        ]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            rows = [(label, *_measure(browser, base, path, signed_in)) for label, path, signed_in in pages]
            browser.close()
        server.shutdown()
    print("| page | first load: requests | first load: KB transferred | repeat: requests | "
          "repeat: from cache | repeat: KB transferred |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, first, repeat in rows:
        print(f"| {label} | {first.requests} | {first.transferred / 1024:,.1f} | {repeat.requests} | "
              f"{repeat.cached} | {repeat.transferred / 1024:,.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
