"""200 people sending the real sign-up form at once, over HTTP, to the app served in threads.

The app runs in werkzeug's threaded server (one thread, session and transaction per request, as
under gunicorn's threads); 200 client threads released by a barrier each post the form. Runs on
SQLite and PostgreSQL. The service-level race is in test_concurrency.py; this one goes through
the form, the token, the rate limit and the view's transaction.
"""

import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from werkzeug.serving import make_server

from feedback.dialogues.models import Registration, RegistrationStatus
from feedback.extensions import db
from tests.dialogues.helpers import make_conference
from tests.dialogues.public.util import form_token, signup_data, topics

PEOPLE = 200
SEATS = 50


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep the 303 that answers a sign-up, so each thread sees its own ticket address."""

    def redirect_request(self, *args, **kwargs):
        return None


def _serve(app):
    """The app on a free local port, in a thread per request; returns (server, base URL)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.socket.listen(PEOPLE * 2)  # room for every connection the barrier releases at once
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.port}"


def _post_all(app, conference_id: int, forms: list[dict]) -> list[tuple[int, str]]:
    """Post every form at once from its own thread; returns (status, Location) in order."""
    opener = urllib.request.build_opener(_NoRedirect)
    start = threading.Barrier(len(forms))
    server, base = _serve(app)

    def one(form: dict) -> tuple[int, str]:
        """Send `form` when everyone is ready."""
        request = urllib.request.Request(f"{base}/dialogues/{conference_id}/register",
                                         data=urllib.parse.urlencode(form).encode())
        start.wait(timeout=30)
        try:
            with opener.open(request, timeout=60) as response:
                return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as answer:
            with answer:
                return answer.code, answer.headers.get("Location", "")

    try:
        with ThreadPoolExecutor(max_workers=len(forms)) as pool:
            return list(pool.map(one, forms))
    finally:
        server.shutdown()
        server.server_close()


def test_200_form_posts_at_once_fill_50_seats_in_order_then_cancelling_promotes_number_one(app, client,
                                                                                           tree):
    topics()
    conference = make_conference(tree.dept_a, capacity=SEATS)
    token = form_token(client.get(f"/dialogues/{conference.id}/register").get_data(as_text=True))
    results = _post_all(app, conference.id, [signup_data(n, token=token) for n in range(1, PEOPLE + 1)])

    assert [status for status, _ in results] == [303] * PEOPLE
    assert all("/tickets/" in location for _, location in results)
    db.session.expire_all()
    regs = db.session.scalars(select(Registration).where(Registration.conference_id == conference.id)
                              .order_by(Registration.id)).all()
    confirmed = [r for r in regs if r.status == RegistrationStatus.CONFIRMED]
    waitlisted = [r for r in regs if r.status == RegistrationStatus.WAITLISTED]
    assert (len(confirmed), len(waitlisted)) == (SEATS, PEOPLE - SEATS)
    assert [r.waitlist_position for r in waitlisted] == list(range(1, PEOPLE - SEATS + 1))
    assert max(r.id for r in confirmed) < min(r.id for r in waitlisted)

    # The first seated person cancels from the ticket page: number 1 of the waiting list gets the seat.
    seated = confirmed[0]
    ticket = client.get(f"/tickets/{seated.ticket_code}").get_data(as_text=True)
    cancelled = client.post(f"/tickets/{seated.ticket_code}/cancel",
                            data={"token": form_token(ticket), "phone_last4": seated.phone[-4:]})
    assert cancelled.status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, waitlisted[0].id).status == RegistrationStatus.CONFIRMED
    assert db.session.get(Registration, waitlisted[1].id).waitlist_position == 1


def test_one_phone_posted_ten_times_at_once_holds_one_seat(app, client, tree):
    topics()
    conference = make_conference(tree.dept_a, capacity=5)
    token = form_token(client.get(f"/dialogues/{conference.id}/register").get_data(as_text=True))
    results = _post_all(app, conference.id, [signup_data(7, token=token)] * 10)

    statuses = sorted(status for status, _ in results)
    assert statuses == [303] + [409] * 9  # one sign-up; the others are shown the existing one
    db.session.expire_all()
    regs = db.session.scalars(select(Registration).where(Registration.conference_id == conference.id)).all()
    assert len(regs) == 1 and regs[0].status == RegistrationStatus.CONFIRMED
