"""The first loop end to end: citizens rate an agency through the public form, and its leader
sees the index move on the dashboard while another subtree's leader never sees it."""

import re

from tests.surveys.helpers import deploy_default, likert_keys, walk


def _send(client, version, value):
    """One citizen goes through the survey at counter A1, answering `value` everywhere."""
    sent, _pages = walk(client, "/s/A1", {key: value for key in likert_keys(version)})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/thanks")


def _row(html: str, name: str) -> str:
    """The dashboard table row of the agency called `name`."""
    match = re.search(r"<tr[^>]*>(?:(?!</tr>).)*" + re.escape(name) + r".*?</tr>", html, re.S)
    assert match, f"no row for {name}"
    return match.group(0)


def test_citizens_answers_move_the_leaders_index(app, tree, leader_a_client, leader_b_client):
    app.config.update(MIN_RESPONSES_SHOWN=3, MIN_RESPONSES_RANKED=5)
    version = deploy_default(tree.counter_a)
    citizens = [app.test_client() for _ in range(4)]
    for citizen in citizens[:3]:
        _send(citizen, version, "5")

    before = _row(leader_a_client.get("/dashboard/?lang=en").get_data(as_text=True),
                  "Justice one-stop counter")
    assert ">100.0<" in before and ">3<" in before

    _send(citizens[3], version, "2")
    after = _row(leader_a_client.get("/dashboard/?lang=en").get_data(as_text=True),
                 "Justice one-stop counter")
    assert ">75.0<" in after and ">4<" in after

    other = leader_b_client.get("/dashboard/?lang=en").get_data(as_text=True)
    assert "Justice one-stop counter" not in other
    assert leader_b_client.get("/dashboard/agencies/A1").status_code == 404
