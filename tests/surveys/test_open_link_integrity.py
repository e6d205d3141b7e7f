"""Open-link integrity: one form token gives one counted response (replays are stored flagged),
the citizen's time measured from the server's own record, and the daily limit per address with
an agency's own networks exempt."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys import views
from feedback.surveys.models import Deployment, Response, ResponseFlag, SurveyDraft
from feedback.surveys.tokens import make_form_token
from tests.surveys.helpers import (
    action,
    all_fours,
    deploy_default,
    deploy_one_page,
    form_token,
    page_data,
    send_page,
    vietnamese,
    walk,
)


def _count(model) -> int:
    """How many rows `model` has."""
    return db.session.scalar(select(func.count()).select_from(model))


def _responses() -> list[Response]:
    """Every stored response, oldest first."""
    return list(db.session.scalars(select(Response).order_by(Response.id)))


@pytest.fixture
def version(tree):
    """The default survey (six pages), live at department A."""
    return deploy_default(tree.dept_a)


def test_a_paged_forms_first_page_replayed_from_other_browsers_counts_once(app, version):
    first = app.test_client().get("/s/A").get_data(as_text=True)
    for n in range(3):
        browser = app.test_client()
        browser.environ_base["HTTP_USER_AGENT"] = f"Browser {n}"
        started = send_page(browser, first, all_fours(version))  # each one begins its own draft
        sent, _seen = walk(browser, started.headers["Location"], all_fours(version))
        assert sent.status_code == 303 and sent.headers["Location"].endswith("/s/A/thanks")
    rows = _responses()
    assert [r.excluded for r in rows] == [False, True, True]
    assert [r.flags for r in rows] == [0, ResponseFlag.REPLAY, ResponseFlag.REPLAY]
    assert all(len(r.answers) == 16 for r in rows)  # the replays' answers are kept for review


def test_the_last_page_sent_again_after_a_lost_thanks_gives_the_thanks_and_one_response(app, client, version):
    """A 3G timeout: the response was stored but the thanks (and its cookie) never arrived."""
    page = client.get("/s/A")
    while vietnamese("Send my answers") not in page.get_data(as_text=True):  # up to the last page
        sent = send_page(client, page.get_data(as_text=True), all_fours(version))
        page = client.get(sent.headers["Location"])
    last = page.get_data(as_text=True)
    assert send_page(client, last, all_fours(version)).headers["Location"].endswith("/s/A/thanks")
    retry = app.test_client().post(action(last), data=page_data(last, all_fours(version)))
    assert retry.status_code == 303 and retry.headers["Location"].endswith("/s/A/thanks")
    assert _count(Response) == 1 and _count(SurveyDraft) == 0


def test_a_one_page_survey_sent_twice_from_the_same_browser_makes_one_response(client, tree):
    deploy_one_page(tree.dept_b)
    html = client.get("/s/B").get_data(as_text=True)
    data = {"token": form_token(html), "page": "1", "q-overall": "5", "website": ""}
    for _ in range(2):  # a double click on "Send"
        sent = client.post("/s/B", data=data)
        assert sent.status_code == 303 and sent.headers["Location"].endswith("/s/B/thanks")
    assert _count(Response) == 1 and _responses()[0].flags == 0


@pytest.mark.parametrize("senders", [2, 4])
def test_concurrent_replays_of_one_token_count_once(app, tree, monkeypatch, senders):
    """The same token sent by several requests at once: the database's key on used nonces, not
    a read before the write, decides which one counts."""
    deploy_one_page(tree.dept_b)
    token = form_token(app.test_client().get("/s/B").get_data(as_text=True))
    barrier = threading.Barrier(senders, timeout=5)
    original = views.claim_nonce

    def claim_together(nonce):
        """Wait for the other senders (or give up after 5 s: SQLite serializes writers), then go."""
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return original(nonce)

    monkeypatch.setattr(views, "claim_nonce", claim_together)
    statuses: list = [None] * senders

    def send(i):
        """One submission of the shared token, from its own browser."""
        browser = app.test_client()
        browser.environ_base["HTTP_USER_AGENT"] = f"Racer {i}"
        statuses[i] = browser.post("/s/B", data={"token": token, "page": "1", "q-overall": "1",
                                                 "website": ""}).status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [303] * senders
    db.session.rollback()
    rows = _responses()
    assert len(rows) == senders and sum(not r.excluded for r in rows) == 1
    assert sum(bool(r.flags & ResponseFlag.REPLAY) for r in rows) == senders - 1


def test_time_is_measured_from_the_drafts_server_record_not_the_token(app, client, version):
    """A token the client kept for an hour (or made the server sign long ago) does not make
    pages sent within a second look like an hour's careful reading."""
    app.config["SURVEY_MIN_SECONDS"] = 60
    deployment = db.session.scalars(select(Deployment)).one()
    old = make_form_token(app.config["SECRET_KEY"], deployment.id, utcnow() - timedelta(hours=1))
    first = client.get("/s/A").get_data(as_text=True)
    started = client.post("/s/A", data=page_data(first, all_fours(version), token=old))
    assert started.status_code == 303
    sent, _seen = walk(client, started.headers["Location"], all_fours(version))
    assert sent.status_code == 303
    response = _responses()[0]
    assert response.flags == ResponseFlag.TOO_FAST and response.excluded
    assert response.started_at > utcnow() - timedelta(minutes=1)


def test_over_the_daily_limit_from_one_address_is_stored_flagged_whatever_the_browser(app, version):
    app.config["SURVEY_ADDRESS_DAILY_LIMIT"] = 2
    for n in range(3):
        browser = app.test_client()
        browser.environ_base["HTTP_USER_AGENT"] = f"Phone {n}"  # another browser each time
        assert walk(browser, "/s/A", all_fours(version))[0].status_code == 303
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert walk(elsewhere, "/s/A", all_fours(version))[0].status_code == 303
    rows = _responses()
    assert [r.flags for r in rows] == [0, 0, ResponseFlag.ADDRESS_LIMITED, 0]
    assert [r.excluded for r in rows] == [False, False, True, False]
    assert len({r.address_hash for r in rows}) == 2 and all(len(r.address_hash) == 64 for r in rows)


def test_the_agencys_own_networks_are_exempt_from_both_daily_limits(app, tree, version):
    app.config["SURVEY_ADDRESS_DAILY_LIMIT"] = 1
    app.config["SURVEY_CLIENT_DAILY_LIMIT"] = 1
    tree.dept_a.networks = ["198.51.100.0/24"]
    db.session.commit()
    for _ in range(3):
        counter = app.test_client()  # the tablet at the counter, on the agency's Wi-Fi
        counter.environ_base["REMOTE_ADDR"] = "198.51.100.20"
        assert walk(counter, "/s/A", all_fours(version))[0].status_code == 303
    assert [r.flags for r in _responses()] == [0, 0, 0]


def test_used_nonces_are_purged_once_no_valid_token_can_carry_them(app, client, tree):
    from feedback.surveys.drafts import purge_used_nonces
    from feedback.surveys.models import UsedFormToken

    deploy_one_page(tree.dept_b)
    html = client.get("/s/B").get_data(as_text=True)
    client.post("/s/B", data={"token": form_token(html), "page": "1", "q-overall": "5", "website": ""})
    assert _count(UsedFormToken) == 1
    assert purge_used_nonces() == 0
    later = utcnow() + timedelta(seconds=app.config["SURVEY_FORM_MAX_AGE"] + 1)
    assert purge_used_nonces(later) == 1
