"""SQL injection in the filters and sorting of every list page: no 500, no extra rows, no harm."""

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


def _queries():
    """Every parameter at once with each injection, then each parameter alone with a classic one."""
    for value in INJECTIONS:
        yield dict.fromkeys(PARAMS, value)
    for param in PARAMS:
        yield {param: INJECTIONS[2]}


def test_injections_in_every_filter_change_nothing_and_add_no_rows(app, world):
    staff = sign_in(app, world.staff_a_email)
    before = snapshot()
    for page in _list_pages(app, world):
        plain = staff.get(page, buffered=True)
        assert plain.status_code < 500, page
        shown = _markers(plain.get_data())
        nothing = _markers(staff.get(f"{page}?q=zzqqxx-none", buffered=True).get_data())
        for query in _queries():
            response = staff.get(page, query_string=query, buffered=True)
            body = response.get_data()
            assert response.status_code < 500, (page, query)
            assert _markers(body) <= shown, (page, query)
            if page not in PUBLIC_LISTS:
                assert b"BMARK" not in body, (page, query)
            if query.get("q", "\x00").strip("\x00"):  # a real search term: it matches nothing here
                assert _markers(body) <= nothing, (page, query)
    assert snapshot() == before


def test_injections_in_the_api_and_the_code_boxes_find_nothing(app, world):
    citizen = app.test_client()
    for value in INJECTIONS:
        for page in ("/tickets/", "/track/", "/r/"):
            assert citizen.get(page, query_string={"code": value}).status_code in (303, 404, 422)
        for page in (f"/tickets/{value}", f"/track/{value}", f"/r/{value}", f"/s/{value}"):
            response = citizen.get(page.replace("/", "%2F", 0))
            assert response.status_code in (303, 404, 410), (page, response.status_code)
