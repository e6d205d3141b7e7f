"""The survey form as a phone reads it: where a page posts and what it sends. Shared by the load
generators (bench/locust_survey.py, bench/worker_kill.py); no Locust import here (it monkey-patches
threads)."""

import html as htmllib
import re

ACTION_RE = re.compile(r'<form method="post" action="([^"]+)"')
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')
PAGE_RE = re.compile(r'name="page" value="(\d+)"')
INPUT_RE = re.compile(r'<(?:input|textarea)[^>]*name="q-([^"]+)"[^>]*>')
VALUE_RE = re.compile(r'value="([^"]*)"')


def page_form(html: str) -> tuple[str, dict]:
    """Where this page posts and what a citizen sends from it: every Likert question 4."""
    action = htmllib.unescape(ACTION_RE.search(html).group(1))
    data = {"token": TOKEN_RE.search(html).group(1), "page": PAGE_RE.search(html).group(1),
            "nav": "next", "website": ""}
    for tag in INPUT_RE.finditer(html):
        name = f"q-{tag.group(1)}"
        value = VALUE_RE.search(tag.group(0))
        if 'type="radio"' in tag.group(0) and value:
            # Likert: 4; any other choice question: its first option.
            if value.group(1) == "4" or name not in data or not data[name]:
                data[name] = value.group(1)
        else:
            data.setdefault(name, "")  # text left empty (optional comment)
    return action, data
