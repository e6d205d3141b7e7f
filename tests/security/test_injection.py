"""SQL injection in the filters and sorting of every list page: no 500, no extra rows, no harm."""

import sys

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from tests.security.conftest import fill, first_topic_id, rules, sign_in, snapshot

INJECTIONS = ("'", "1 OR 1=1", "' OR '1'='1' --", "1; DROP TABLE petition; --", "%' UNION SELECT NULL--",
              "Ｂ' ＯＲ 1=1 \u202e\\", "A\x00' OR 1=1")
PARAMS = ("agency", "status", "month", "q", "source", "topic", "overdue", "page", "from", "to", "channel",
          "flagged", "sort", "order", "dir", "sub", "under", "type", "start_from", "code", "lang",
          # the dashboards' filters
          "period", "quarter", "year", "survey", "service", "question", "grain", "agencies", "chart")
PUBLIC_LISTS = ("/", "/dialogues/", "/tickets/", "/track/", "/r/")


def _list_pages(app, world) -> list[str]:
    """Every page without an object in its address (lists, forms, dashboards), and the exports."""
    topic = first_topic_id()
    pages = [r.rule for r in rules(app, {"GET"}) if not r.arguments and r.rule.startswith(
        ("/manage", "/dashboard", "/admin"))]
    pages.append(fill(app.url_map._rules_by_endpoint["dialogue_manage.registrants"][0], world.a, topic))
    pages += ["/manage/responses/export.csv", f"/manage/dialogues/{world.a.ids['conference_id']}"
              "/registrants/export.csv"]
    return [*pages, *PUBLIC_LISTS]


def _markers(body: bytes) -> int:
    """How many hostile rows (of either department) a page shows."""
    return body.count(b"AMARK") + body.count(b"BMARK")


EVERY = "*"  # in a page's reads: it walked the whole query (so any parameter may matter)
# The one helper that walks the whole query on every page: the language links copy each parameter
# into an href, the same way for every name, which the all-at-once queries already exercise.
ECHOES = {"language_url"}


class _RecordedArgs(ImmutableMultiDict):
    """The request's query parameters, noting in `read` the name of every one the app looks at."""

    read: set = set()

    def _walked(self) -> None:
        """A walk over every parameter: note it, unless the language links are the walker."""
        frame = sys._getframe(2)
        for _ in range(6):
            if frame is None or frame.f_code.co_name in ECHOES:
                return
            frame = frame.f_back
        self.read.add(EVERY)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        self.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self.read.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)

    def __iter__(self):
        self._walked()
        return super().__iter__()

    def items(self, multi=False):
        self._walked()
        return super().items(multi)

    def lists(self):
        self._walked()
        return super().lists()

    def values(self):
        self._walked()
        return super().values()

    def to_dict(self, flat=True):
        self._walked()
        return super().to_dict(flat)


@pytest.fixture
def reads(app, monkeypatch) -> set:
    """The names of the query parameters the app has read since the set was last emptied."""
    read: set = set()
    recording = type("RecordingRequest", (app.request_class,),
                     {"parameter_storage_class": type("Args", (_RecordedArgs,), {"read": read})})
    monkeypatch.setattr(app, "request_class", recording)
    return read


def _queries(read: set):
    """Every parameter at once with each injection, then each parameter alone with a classic one.

    A page reads its parameters by name; up to the moment it reads `param`, a request with only
    `param` set runs exactly as the plain request does. So a parameter that neither the plain request
    nor the all-at-once ones read (`read`, filled as they run) cannot change what the page does
    alone either, and is not sent alone: the sweep costs a few requests a page instead of thirty."""
    for value in INJECTIONS:
        yield dict.fromkeys(PARAMS, value)
    for param in PARAMS:
        if param in read or EVERY in read:
            yield {param: INJECTIONS[2]}


def test_injections_in_every_filter_change_nothing_and_add_no_rows(app, world, reads):
    staff = sign_in(app, world.staff_a_email)
    before = snapshot()
    for page in _list_pages(app, world):
        reads.clear()
        plain = staff.get(page, buffered=True)
        assert plain.status_code < 500, page
        shown = _markers(plain.get_data())
        nothing = _markers(staff.get(f"{page}?q=zzqqxx-none", buffered=True).get_data())
        for query in _queries(reads):
            response = staff.get(page, query_string=query, buffered=True)
            body = response.get_data()
            assert response.status_code < 500, (page, query)
            assert _markers(body) <= shown, (page, query)
            if page not in PUBLIC_LISTS:
                assert b"BMARK" not in body, (page, query)
            if query.get("q", "\x00").strip("\x00"):  # a real search term: it matches nothing here
                assert _markers(body) <= nothing, (page, query)
        # The recording saw this page's reads: every page looks for ?lang= to pick its language.
        assert "lang" in reads, page
    assert snapshot() == before


def test_injections_in_the_api_and_the_code_boxes_find_nothing(app, world):
    citizen = app.test_client()
    for value in INJECTIONS:
        for page in ("/tickets/", "/track/", "/r/"):
            assert citizen.get(page, query_string={"code": value}).status_code in (303, 404, 422)
        for page in (f"/tickets/{value}", f"/track/{value}", f"/r/{value}", f"/s/{value}"):
            response = citizen.get(page.replace("/", "%2F", 0))
            assert response.status_code in (303, 404, 410), (page, response.status_code)
