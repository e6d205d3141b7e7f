"""The responses list: who sees what, the filters in the URL, bad filter values, pagination."""

import re
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from feedback.extensions import db
from feedback.surveys.models import AccessMode, ResponseFlag

LIST = "/manage/responses/"
ROW_LINK = re.compile(r'href="/manage/responses/(\d+)[?"]')


def _ids(client, query: str = "") -> list[int]:
    """The response ids linked from the list page for `query` (English page)."""
    page = client.get(f"{LIST}?lang=en&{query}")
    assert page.status_code == 200, page.status_code
    return [int(n) for n in ROW_LINK.findall(page.get_data(as_text=True))]


@pytest.fixture
def spread(sipas):
    """Two responses at each of A, A1, A2 and B; returns their ids by agency code."""
    ids = {code: [sipas.add(code).id for _ in range(2)] for code in ("A", "A1", "A2", "B")}
    db.session.commit()
    return ids


def test_sign_in_is_required(client, tree):
    page = client.get(LIST)
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_each_leader_sees_only_the_responses_of_their_subtree(leader_a_client, leader_b_client,
                                                              admin_client, spread):
    mine = sorted(spread["A"] + spread["A1"] + spread["A2"])
    assert sorted(_ids(leader_a_client)) == mine
    assert sorted(_ids(leader_b_client)) == sorted(spread["B"])
    assert len(_ids(admin_client)) == 8


def test_organizers_see_the_list_too(organizer_a_client, spread):
    assert sorted(_ids(organizer_a_client)) == sorted(spread["A"] + spread["A1"] + spread["A2"])


def test_the_agency_select_lists_only_visible_agencies(leader_b_client, spread):
    html = leader_b_client.get(LIST + "?lang=en").get_data(as_text=True)
    select = html[html.index('id="filter-agency"'):html.index("</select>", html.index('id="filter-agency"'))]
    assert 'value="B"' in select
    for hidden in ("A", "A1", "A2", "P"):
        assert f'value="{hidden}"' not in select
    assert "Sở Tư pháp" not in html and "Department of Justice" not in html


@pytest.mark.parametrize("code", ["A", "a1", "NOPE", "<script>", "x" * 300])
def test_an_agency_outside_the_subtree_in_the_url_shows_no_data(leader_b_client, spread, code):
    page = leader_b_client.get(LIST, query_string={"lang": "en", "agency": code})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "That agency is not one of yours." in html
    assert sorted(int(n) for n in ROW_LINK.findall(html)) == sorted(spread["B"])
    assert "<script>" not in html.split("</header>", 1)[1]


def test_the_agency_filter_covers_the_agency_and_those_under_it(leader_a_client, spread):
    assert sorted(_ids(leader_a_client, "agency=A1")) == sorted(spread["A1"])
    assert sorted(_ids(leader_a_client, "agency=a")) == sorted(spread["A"] + spread["A1"] + spread["A2"])


def test_channel_flagged_and_survey_filters(leader_a_client, sipas, typed):
    counted = sipas.add("A").id
    flagged = sipas.add("A", flags=ResponseFlag.HONEYPOT).id
    restored = sipas.add("A", flags=ResponseFlag.TOO_FAST)
    restored.excluded = False
    by_code = sipas.add("A1", channel=AccessMode.CODE).id
    other_survey = sipas.add(deployment=typed, answers={}).id
    db.session.commit()

    assert sorted(_ids(leader_a_client, "channel=code")) == [by_code]
    assert sorted(_ids(leader_a_client, "channel=open")) == sorted(
        [counted, flagged, restored.id, other_survey])
    # "Flagged" keeps showing a restored response: its flags never go away.
    assert sorted(_ids(leader_a_client, "flagged=flagged")) == sorted([flagged, restored.id])
    assert sorted(_ids(leader_a_client, "flagged=counted")) == sorted(
        [counted, restored.id, by_code, other_survey])
    assert _ids(leader_a_client, "survey=typed") == [other_survey]
    assert sorted(_ids(leader_a_client, "survey=sipas")) == sorted([counted, flagged, restored.id, by_code])


def test_the_list_shows_readable_flags_and_status(leader_a_client, sipas):
    sipas.add("A", flags=ResponseFlag.HONEYPOT | ResponseFlag.TOO_FAST | ResponseFlag.RATE_LIMITED)
    db.session.commit()
    html = leader_a_client.get(LIST + "?lang=en").get_data(as_text=True)
    for label in ("Honeypot filled", "Filled too fast", "Over the daily limit", "Excluded"):
        assert label in html
    assert "Satisfaction survey" in html or "version 1" in html


def test_the_period_is_read_in_local_days(leader_a_client, sipas):
    # Ho Chi Minh City is UTC+7: 16:59 UTC is 23:59 local on 1 May, 17:00 UTC is 2 May.
    late_on_first = sipas.add("A", when=datetime(2024, 5, 1, 16, 59, tzinfo=UTC)).id
    early_on_second = sipas.add("A", when=datetime(2024, 5, 1, 17, 0, tzinfo=UTC)).id
    before = sipas.add("A", when=datetime(2024, 4, 30, 16, 59, tzinfo=UTC)).id
    db.session.commit()
    assert _ids(leader_a_client, "from=2024-05-01&to=2024-05-01") == [late_on_first]
    assert _ids(leader_a_client, "from=2024-05-02") == [early_on_second]
    assert _ids(leader_a_client, "to=2024-04-30") == [before]


@pytest.mark.parametrize("query, message", [
    ("from=2024-13-45", "“From” is not a valid date"),
    ("to=yesterday", "“To” is not a valid date"),
    ("from=2024-05-02&to=2024-05-01", "“From” is later than “To”"),
    ("channel=fax", "Unknown channel."),
    ("flagged=maybe", "Unknown choice of flagged responses."),
    ("survey=nope", "Unknown survey."),
    ("survey=%00", "Unknown survey."),
    ("page=abc", "That page does not exist. The first page is shown."),
    ("page=-1", "That page does not exist. The first page is shown."),
    ("page=99", "That page does not exist. The last page is shown."),
    ("from=%00", "“From” is not a valid date"),
])
def test_bad_filter_values_give_a_message_and_the_defaults(leader_a_client, spread, query, message):
    page = leader_a_client.get(f"{LIST}?lang=en&{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert message in html
    assert len(ROW_LINK.findall(html)) == 6


def test_pagination_newest_first_fifty_a_page(leader_a_client, sipas):
    ids = [sipas.add("A", when=datetime(2024, 1, 1, tzinfo=UTC).replace(minute=n % 60, hour=n // 60)).id
           for n in range(120)]
    db.session.commit()
    newest_first = list(reversed(ids))
    assert _ids(leader_a_client) == newest_first[:50]
    assert _ids(leader_a_client, "page=2") == newest_first[50:100]
    assert _ids(leader_a_client, "page=3") == newest_first[100:]
    html = leader_a_client.get(LIST + "?lang=en&page=2&flagged=all").get_data(as_text=True)
    assert "Page 2 of 3" in html and 'rel="prev"' in html and 'rel="next"' in html
    assert "120 responses" in html


def test_the_list_page_needs_a_fixed_number_of_queries(app, leader_a_client, sipas):
    """No query per row: a page of 50 costs as many queries as a page of 2."""
    statements = []

    def count(*args):
        """Record one SQL statement sent to the database."""
        statements.append(args[2])

    def queries() -> int:
        """How many statements one request for the list page sends."""
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert leader_a_client.get(LIST + "?lang=en").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    for code in ("A", "A1"):
        sipas.add(code)
    db.session.commit()
    few = queries()
    for n in range(60):
        sipas.add(("A", "A1", "A2")[n % 3], flags=n % 2)
    db.session.commit()
    assert queries() == few
    paged = [s for s in statements if "LIMIT" in s.upper()]
    assert any("OFFSET" in s.upper() for s in paged)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["agency", "from", "to", "channel", "flagged", "survey", "page"]),
                       st.one_of(st.text(max_size=40), st.sampled_from(
                           ["A", "B", "b", "2024-05-01", "9999-12-31", "0001-01-01", "code", "open",
                            "flagged", "counted", "sipas", "²", "0", "1e3", "\x00"]))))
def test_any_query_string_gives_a_page_and_never_another_subtree(leader_a_client, spread, args):
    page = leader_a_client.get(LIST, query_string={"lang": "en", **args})
    assert page.status_code == 200
    shown = {int(n) for n in ROW_LINK.findall(page.get_data(as_text=True))}
    assert not shown & set(spread["B"])
