"""Full-page phone screenshots of the main pages, in Vietnamese and English, for a look by eye.

    .venv/bin/python bench/screenshots.py --base-url http://127.0.0.1:5000 --out /tmp/shots \\
        [--survey-code A1] [--email leader@example.vn --password ...] [--no-js] [--width 375]

Takes home, sign-in, a 404 page, the survey at an agency (blank, then sent empty to show its
errors) and, with credentials, the page a user lands on after signing in plus /dashboard/.
Uses Debian's Chromium (/usr/bin/chromium); Playwright's own browsers are never downloaded.
"""

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
LANGUAGES = ("vi", "en")
TIMEOUT_MS = 15_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="where the app runs, e.g. http://127.0.0.1:5000")
    parser.add_argument("--out", required=True, type=Path, help="directory for the PNG files")
    parser.add_argument("--survey-code", "--code", dest="code", help="agency code of a deployed survey")
    parser.add_argument("--email", help="sign in as this user to capture the landing page and dashboard")
    parser.add_argument("--password", help="that user's password")
    parser.add_argument("--width", type=int, default=375, help="viewport width in CSS px (default 375)")
    parser.add_argument("--height", type=int, default=740, help="viewport height in CSS px (default 740)")
    parser.add_argument("--no-js", action="store_true", help="take them with JavaScript disabled")
    args = parser.parse_args(argv)
    if bool(args.email) != bool(args.password):
        parser.error("--email and --password go together")
    args.base_url = args.base_url.rstrip("/")
    return args


def with_lang(path: str, lang: str) -> str:
    """`path` with ?lang= (or &lang=) added."""
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


class Shooter:
    """One browser context per language; saves `<name>-<lang>.png` and prints what it took."""

    def __init__(self, browser, args: argparse.Namespace, lang: str):
        self.args, self.lang = args, lang
        self.context = browser.new_context(
            base_url=args.base_url, viewport={"width": args.width, "height": args.height},
            is_mobile=True, has_touch=True, device_scale_factor=2, java_script_enabled=not args.no_js,
            locale="vi-VN" if lang == "vi" else "en-US",
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.failures = 0

    def save(self, name: str, status: int | None) -> None:
        """Screenshot the whole current page."""
        path = self.args.out / f"{name}-{self.lang}.png"
        self.page.screenshot(path=str(path), full_page=True)
        print(f"{status if status is not None else '---'}  {self.page.url}  →  {path}")

    def shot(self, name: str, path: str) -> int | None:
        """Open `path` in this language and save it; returns the HTTP status (None on failure)."""
        try:
            response = self.page.goto(with_lang(path, self.lang), wait_until="networkidle")
            status = response.status if response else None
            self.save(name, status)
            return status
        except PlaywrightError as error:
            self.failures += 1
            print(f"FAILED {name}-{self.lang}: {error.message.splitlines()[0]}", file=sys.stderr)
            return None

    def survey_errors(self, code: str) -> None:
        """Send the survey empty, to see the error summary and the marked questions."""
        try:
            self.page.goto(with_lang(f"/s/{code}", self.lang))
            button = self.page.locator("main form button[type=submit]").first
            with self.page.expect_navigation() as navigation:
                button.click()
            self.save("survey-errors", navigation.value.status)
        except PlaywrightError as error:
            self.failures += 1
            print(f"FAILED survey-errors-{self.lang}: {error.message.splitlines()[0]}", file=sys.stderr)

    def sign_in(self, email: str, password: str) -> bool:
        """Sign in through the form; True when the site redirected away from it."""
        try:
            self.page.goto(with_lang("/login", self.lang))
            self.page.locator("#email").fill(email)
            self.page.locator("#password").fill(password)
            with self.page.expect_navigation() as navigation:
                self.page.locator("main form button[type=submit]").click()
            response = navigation.value
        except PlaywrightError as error:
            print(f"FAILED sign-in: {error.message.splitlines()[0]}", file=sys.stderr)
            self.failures += 1
            return False
        if response.request.redirected_from is None:
            print(f"FAILED sign-in as {email}: the form answered {response.status}", file=sys.stderr)
            self.save("signin-failed", response.status)
            self.failures += 1
            return False
        self.page.wait_for_load_state("networkidle")
        self.save("landing", response.status)
        return True

    def close(self) -> None:
        """Close the context."""
        self.context.close()


def main(argv: list[str] | None = None) -> int:
    """Take every screenshot; exit status 1 when any failed."""
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    failures = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for lang in LANGUAGES:
                shooter = Shooter(browser, args, lang)
                try:
                    shooter.shot("home", "/")
                    shooter.shot("login", "/login")
                    shooter.shot("not-found", "/this-page-does-not-exist")
                    if args.code and shooter.shot("survey", f"/s/{args.code}") == 200:
                        shooter.survey_errors(args.code)
                    if args.email and shooter.sign_in(args.email, args.password):
                        shooter.shot("dashboard", "/dashboard/")
                finally:
                    failures += shooter.failures
                    shooter.close()
        finally:
            browser.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
