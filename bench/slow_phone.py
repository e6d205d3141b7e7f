"""The default survey on a slow phone: Chromium with network emulation (400 ms round trip,
1.6 Mbit/s down, 750 kbit/s up) and 4× CPU slowdown answers it with instant answers.

    .venv/bin/python bench/slow_phone.py [--root DIR] [--runs 3]

Serves the checkout at --root (default: this one; another checkout of an older commit measures
"before") with gunicorn over a fresh SQLite database holding the default survey at agency SLOW,
then, with JavaScript on and off, measures from the start of navigation: the time until the first
question can be answered (its first radio button is on screen) and the time until the thanks is
on screen, after every required question is answered at once and Next pressed on every page.
Prints the median of --runs runs of each. Targets (docs/surveys.md): first question ≤ 2 s, whole
survey ≤ 8 s. Uses Debian's Chromium (/usr/bin/chromium).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent.parent
PORT = 5931
CHROMIUM = "/usr/bin/chromium"
# Chrome DevTools' network throttling works in bytes per second.
NETWORK = {"offline": False, "latency": 400, "downloadThroughput": 1_600_000 / 8,
           "uploadThroughput": 750_000 / 8}
CPU_SLOWDOWN = 4
SETUP = """
from feedback import create_app
from feedback.agencies.services import add_agency
from feedback.extensions import db
from feedback.surveys.services import deploy, load_default_survey
from flask_migrate import upgrade
app = create_app()
with app.app_context():
    upgrade()
    agency = add_agency("SLOW", "Bộ phận một cửa thử mạng chậm", name_en="Slow network counter")
    deploy(load_default_survey(), agency)
    db.session.commit()
"""
# Answer every required question not answered yet ("satisfied", or the first choice), instantly.
ANSWER = """() => {
  const form = document.querySelector("main form[data-survey]");
  form.querySelectorAll("fieldset.question").forEach(f => {
    if (!f.querySelector(".required-mark") || f.querySelector("input:checked")) return;
    (f.querySelector('input[value="4"]') || f.querySelector("input")).click();
  });
}"""


def serve(root: Path, database: Path) -> subprocess.Popen:
    """gunicorn serving `root` over `database` (migrated, survey deployed); returns when it answers."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "APP_ENV": "production",
           "SECRET_KEY": "slow-phone", "SESSION_COOKIE_SECURE": "0", "RATELIMIT_ALLOW_MEMORY_STORAGE": "1",
           "SURVEY_CLIENT_DAILY_LIMIT": "1000000", "SURVEY_ADDRESS_DAILY_LIMIT": "1000000"}
    python = HERE / ".venv" / "bin" / "python"
    subprocess.run([python, "-c", SETUP], cwd=root, env=env, check=True, capture_output=True)
    process = subprocess.Popen([HERE / ".venv" / "bin" / "gunicorn", "--workers", "2", "--bind",
                                f"127.0.0.1:{PORT}", "--log-level", "warning", "wsgi:app"],
                               cwd=root, env=env)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/s/SLOW", timeout=2)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def one_run(browser, js: bool) -> tuple[float, float, int]:
    """(seconds to the first answerable question, seconds to the thanks, pages) for one phone."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True, java_script_enabled=js, locale="vi-VN")
    context.set_default_timeout(120_000)  # a loaded 2-core machine can be slower than the phone
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    start = time.perf_counter()
    page.goto(f"http://127.0.0.1:{PORT}/s/SLOW", wait_until="commit")
    page.locator("main form input[type=radio]").first.wait_for(state="visible")
    first = time.perf_counter() - start
    pages = 0
    while page.locator("main form[data-survey]").count():
        pages += 1
        number = page.locator("main form input[name=page]").input_value()
        page.evaluate(ANSWER)
        page.locator('main form button[name=nav][value="next"]').click()
        page.wait_for_function(
            "(n) => { const p = document.querySelector('main form[data-survey] input[name=page]');"
            " return document.readyState !== 'loading' && (!p || p.value !== n); }", arg=number)
    page.locator("main h1").wait_for(state="visible")
    total = time.perf_counter() - start
    context.close()
    return first, total, pages


def main() -> None:
    """Serve, measure with JavaScript on and off, print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=HERE, help="checkout to serve (default: this one)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = serve(args.root.resolve(), Path(tmp) / "slow.db")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                for js in (True, False):
                    runs = [one_run(browser, js) for _ in range(args.runs)]
                    first = statistics.median(r[0] for r in runs)
                    total = statistics.median(r[1] for r in runs)
                    print(f"JavaScript {'on ' if js else 'off'}  pages {runs[0][2]}  first question "
                          f"answerable {first:.2f} s  whole survey {total:.2f} s  (median of {args.runs})")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
