"""Locust user for bench/submissions.py: a phone that opens the survey, answers it page by page, sends it.

Not run by itself: `bench/submissions.py` starts it headless. Each task is one whole submission by a
new phone (no cookies, its own User-Agent): GET the survey, then for every page parse the form's
action, signed token, page number and question fields, POST the answers (every Likert question 4, the
comment left empty) as survey.js does (X-Survey-Fragment: 1), which answers with the next page
itself, until the last POST answers with the thank-you page. The last POST is reported under its
own name ("POST submit"), so its latency can be read apart from the pages. Settings come from the environment:
BENCH_PACING=1 paces each user to one submission a second (`constant_throughput(1)`: N users give
N submissions/s); otherwise users go as fast as the server lets them (saturation). BENCH_PATH is the
survey's address (/s/<agency code>).
"""

import atexit
import itertools
import os
import re
import sys
from pathlib import Path

from locust import FastHttpUser, constant, constant_throughput, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from survey_form import page_form  # noqa: E402

SURVEY_PATH = os.environ.get("BENCH_PATH", "/s/BENCH")
PHONES = itertools.count(1)
MAX_PAGES = 20
THANKS_RE = r'data-url="[^"]*/thanks"'
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
        fetched = {**headers, "X-Survey-Fragment": "1"}
        for _ in range(MAX_PAGES):
            action, data = page_form(html)
            # As survey.js sends a page: the answer is the next page (or the thanks) itself.
            with self.client.post(action, data=data, headers=fetched, name="POST page",
                                  allow_redirects=False, catch_response=True) as sent:
                done = sent.status_code == 200 and re.search(THANKS_RE, sent.text or "") is not None
                if done:
                    # Re-file this request's figures as the submission itself.
                    sent.request_meta["name"] = "POST submit"
                elif sent.status_code != 200 or sent.headers.get("X-Survey-Fragment") != "1":
                    sent.failure(f"page answered {sent.status_code}")
                    return
            if done:
                THANKED[0] += 1
                return
            html = sent.text
        raise RuntimeError("the survey never ended")
