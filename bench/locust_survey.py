"""Locust user for bench/submissions.py: a phone that opens the survey, answers it page by page, sends it.

Not run by itself: `bench/submissions.py` starts it headless. Each task is one whole submission by a
new phone (no cookies, its own User-Agent): GET the survey, then for every page parse the form's
action, signed token, page number and question fields, POST the answers (every Likert question 4, the
comment left empty) and follow the 303 to the next page, until the last POST answers 303 to the
thank-you page, which is fetched too. The last POST is reported under its own name ("POST submit"),
so its latency can be read apart from the pages. Settings come from the environment:
BENCH_PACING=1 paces each user to one submission a second (`constant_throughput(1)`: N users give
N submissions/s); otherwise users go as fast as the server lets them (saturation). BENCH_PATH is the
survey's address (/s/<agency code>).
"""

import atexit
import itertools
import os
import sys
from pathlib import Path

from locust import FastHttpUser, constant, constant_throughput, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from survey_form import page_form  # noqa: E402

SURVEY_PATH = os.environ.get("BENCH_PATH", "/s/BENCH")
PHONES = itertools.count(1)
MAX_PAGES = 20
# Submissions that reached the thanks, counted here too: Locust's statistics stop at the time limit,
# while the users still finish the submission they are in (--stop-timeout) and the server stores it.
THANKED = [0]
COUNT_FILE = os.environ.get("BENCH_COUNT_FILE")


@atexit.register
def write_count() -> None:
    """Leave the number of thanked submissions where submissions.py reads it."""
    if COUNT_FILE:
        Path(COUNT_FILE).write_text(str(THANKED[0]))


class Phone(FastHttpUser):
    """One citizen after another on a cheap phone, each sending the survey once."""

    wait_time = constant_throughput(1) if os.environ.get("BENCH_PACING") == "1" else constant(0)

    @task
    def submit_survey(self):
        """Open the survey, press Next on every page, send it, see the thanks."""
        self.client.cookiejar.clear()
        headers = {"User-Agent": f"Mozilla/5.0 (Linux; Android 10; bench phone {next(PHONES)})",
                   "Accept-Language": "vi"}
        with self.client.get(SURVEY_PATH, headers=headers, name="GET page",
                             catch_response=True) as page:
            if page.status_code != 200:
                page.failure(f"survey page answered {page.status_code}")
                return
        html = page.text
        for _ in range(MAX_PAGES):
            action, data = page_form(html)
            with self.client.post(action, data=data, headers=headers, name="POST page",
                                  allow_redirects=False, catch_response=True) as sent:
                location = sent.headers.get("Location", "") if sent.status_code == 303 else ""
                if location.endswith("/thanks"):
                    # Re-file this request's figures as the submission itself.
                    sent.request_meta["name"] = "POST submit"
                elif sent.status_code != 303 or "d=" not in location:
                    sent.failure(f"page answered {sent.status_code} {location!r}")
                    return
            if location.endswith("/thanks"):
                THANKED[0] += 1
                with self.client.get(location, headers=headers, name="GET thanks",
                                     catch_response=True) as thanks:
                    if thanks.status_code != 200:
                        thanks.failure(f"thanks answered {thanks.status_code}")
                return
            with self.client.get(location, headers=headers, name="GET page",
                                 catch_response=True) as page:
                if page.status_code != 200:
                    page.failure(f"page answered {page.status_code}")
                    return
            html = page.text
        raise RuntimeError("the survey never ended")
