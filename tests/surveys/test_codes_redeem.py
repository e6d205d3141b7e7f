"""One-time codes from the citizen's side: /r/ and /r/<code>, each state's page, the paged survey
through a code, redemption exactly once (also under concurrent sends), and the code rate limit."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import utcnow
from feedback.surveys import codes, views
from feedback.surveys.models import AccessMode, Deployment, Response, ResponseFlag, SurveyCode, SurveyDraft
from tests.surveys.helpers import all_fours, deploy_default, send_page, walk


def _count(model) -> int:
    """How many rows `model` has."""
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def coded(app, tree):
    """The default survey deployed for codes only at department A, and three fresh codes."""
    app.config["SURVEY_CODE_RATE_LIMIT"] = "1000 per minute"
    version = deploy_default(tree.dept_a, access_mode=AccessMode.CODE)
    deployment = db.session.scalars(select(Deployment)).one()
    issued = codes.add_codes(deployment, 3)
    db.session.commit()
    return version, [c.code for c in issued]


def test_the_code_box_leads_to_the_code_whatever_the_case_and_dashes(client, coded):
    page = client.get("/r/?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<form method="get" action="/r/"' in html and 'id="code" name="code"' in html
    code = coded[1][0]
    typed = f"{code[:4].lower()}-{code[4:]}"
    sent = client.get(f"/r/?code={typed}")
    assert sent.status_code == 303 and sent.headers["Location"] == f"/r/{code}"
    wrong = client.get("/r/?code=ABC&lang=en")
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "8 letters and digits" in html and 'value="ABC"' in html
    assert client.get(f"/r/{typed}").headers["Location"] == f"/r/{code}"


@pytest.mark.parametrize("state, status, title", [
    ("unknown", 404, "We do not know this code"),
    ("used", 410, "This code has already been used"),
    ("expired", 410, "This code has expired"),
    ("closed", 404, "This survey is not taking answers now"),
])
def test_a_code_that_cannot_open_the_survey_says_which_case_it_is(client, coded, state, status, title):
    code = coded[1][0]
    row = db.session.scalars(select(SurveyCode).where(SurveyCode.code == code)).one()
    if state == "unknown":
        code = "3469ACEF" if code != "3469ACEF" else "3469ACEG"
    elif state == "used":
        row.redeemed_on = utcnow().date()
    elif state == "expired":
        row.expires_at = utcnow() - timedelta(minutes=1)
    else:
        db.session.scalars(select(Deployment)).one().status = "paused"
    db.session.commit()
    for lang in ("en", "vi"):
        page = client.get(f"/r/{code}?lang={lang}")
        assert page.status_code == status
        html = page.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        assert 'href="/r/"' in html  # what to do next: another code, or the home page
        if lang == "en":
            assert f"<h1>{title}</h1>" in html
    assert client.post(f"/r/{code}", data={}).status_code == status
    assert _count(Response) == 0


def test_a_code_opens_the_paged_survey_and_is_redeemed_with_the_response(client, coded):
    version, issued = coded
    code = issued[0]
    assert client.get("/s/A").status_code == 404  # code-only: no open link
    sent, seen = walk(client, f"/r/{code}?lang=en", all_fours(version))
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/s/A/thanks")
    assert [p for p, _keys in seen][0] == "Page 1 of 4" and len(seen) == 4
    response = db.session.scalars(select(Response)).one()
    assert response.channel == AccessMode.CODE and response.flags == 0
    row = db.session.scalars(select(SurveyCode).where(SurveyCode.code == code)).one()
    assert row.redeemed_on is not None
    assert _count(SurveyDraft) == 0
    assert client.get(f"/r/{code}").status_code == 410  # "if that was you, thank you"
    assert client.application.test_client().get(f"/r/{code}").status_code == 410


def test_a_code_remembers_its_unfinished_answers_on_any_device(client, coded):
    version, issued = coded
    code = issued[0]
    first = client.get(f"/r/{code}").get_data(as_text=True)
    send_page(client, first, all_fours(version, access_equipment="1"))
    later = client.application.test_client().get(f"/r/{code}").get_data(as_text=True)
    assert 'id="q-access_equipment-1" value="1" checked>' in later
    assert _count(SurveyDraft) == 1 and db.session.scalars(select(SurveyDraft)).one().code_id


def test_a_code_can_open_an_open_link_survey_and_counts_as_verified(client, tree, app):
    version = deploy_default(tree.dept_a)
    issued = codes.add_codes(db.session.scalars(select(Deployment)).one(), 1)
    db.session.commit()
    assert walk(client, f"/r/{issued[0].code}", all_fours(version))[0].status_code == 303
    assert db.session.scalars(select(Response)).one().channel == AccessMode.CODE


def test_redeeming_twice_is_refused(app, coded):
    _version, issued = coded
    row = db.session.scalars(select(SurveyCode).where(SurveyCode.code == issued[0])).one()
    deployment = db.session.scalars(select(Deployment)).one()
    response = Response(version_id=deployment.version_id, deployment_id=deployment.id,
                        agency_id=deployment.agency_id)
    db.session.add(response)
    db.session.flush()
    assert codes.redeem(row) is True
    assert codes.redeem(row) is False
    db.session.commit()


def test_codes_skip_the_daily_client_limit_but_honeypot_and_speed_still_flag(app, client, coded):
    version, issued = coded
    app.config["SURVEY_CLIENT_DAILY_LIMIT"] = 1
    walk(client, f"/r/{issued[0]}", all_fours(version))
    walk(app.test_client(), f"/r/{issued[1]}", all_fours(version))
    app.config["SURVEY_MIN_SECONDS"] = 3600
    walk(app.test_client(), f"/r/{issued[2]}", all_fours(version), website="spam")
    flags = [r.flags for r in db.session.scalars(select(Response).order_by(Response.id))]
    assert flags == [0, 0, ResponseFlag.HONEYPOT | ResponseFlag.TOO_FAST]


def test_trying_codes_is_rate_limited_with_a_localized_page(app, client, coded):
    app.config["SURVEY_CODE_RATE_LIMIT"] = "3 per minute"
    statuses = [client.get(f"/r/3469ACE{c}?lang=en").status_code for c in "FGHJ"]
    assert statuses == [404, 404, 404, 429]
    html = client.get("/r/?code=3469ACEK").get_data(as_text=True)
    assert "Too many attempts" in html and '<html lang="en">' in html


def test_people_answering_with_their_own_codes_from_one_address_are_never_limited(app, coded):
    """Behind carrier-grade NAT, one address carries many citizens: only misses count."""
    version, issued = coded
    app.config["SURVEY_CODE_RATE_LIMIT"] = "3 per minute"
    for code in issued:  # three people, each some eight requests through the paged survey
        sent, seen = walk(app.test_client(), f"/r/{code}", all_fours(version))
        assert sent.status_code == 303 and "thanks" in sent.headers["Location"] and len(seen) > 3
    assert _count(Response) == 3
    statuses = [app.test_client().get(f"/r/3469ACE{c}").status_code for c in "FGHJ"]
    assert statuses == [404, 404, 404, 429]


def _final_pages(app, code, version, senders):
    """`senders` fresh clients, each with its own draft, standing on the survey's last page for
    `code` (they all open it before any sends page 1, so none resumes another's draft)."""
    clients = [app.test_client() for _ in range(senders)]
    pages = [client.get(f"/r/{code}") for client in clients]
    ready = []
    for client, page in zip(clients, pages, strict=True):
        for _ in range(3):
            sent = send_page(client, page.get_data(as_text=True), all_fours(version))
            page = client.get(sent.headers["Location"])
        html = page.get_data(as_text=True)
        assert "q-comment" in html
        ready.append((client, html))
    assert _count(SurveyDraft) == senders
    return ready


@pytest.mark.parametrize("senders", [2, 4])
def test_concurrent_sends_of_one_code_store_exactly_one_response(app, coded, monkeypatch, senders):
    """Several citizens (separate browsers) send the last page of the same code at once: the
    database lets one redeem it; every other send is rolled back and told the code is used."""
    version, issued = coded
    code = issued[0]
    ready = _final_pages(app, code, version, senders)
    # Hold every request just before its first write, so they all race for the code together.
    barrier = threading.Barrier(senders, timeout=5)
    original = views.consume_draft

    def consume_together(draft_id):
        """Wait for the other senders (or give up after 5 s: SQLite serializes writers), then go."""
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return original(draft_id)

    monkeypatch.setattr(views, "consume_draft", consume_together)
    results: list = [None] * senders

    def send(i):
        """Send the last page from the i-th browser."""
        client, html = ready[i]
        results[i] = send_page(client, html, all_fours(version))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [303] + [410] * (senders - 1), statuses
    refused = [r.get_data(as_text=True) for r in results if r.status_code == 410]
    assert all('href="/r/"' in html and "<form" not in html.split("<main")[1] for html in refused)
    db.session.rollback()
    assert _count(Response) == 1
    row = db.session.scalars(select(SurveyCode).where(SurveyCode.code == code)).one()
    assert row.redeemed_on is not None
