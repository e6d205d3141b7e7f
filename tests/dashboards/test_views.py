"""Dashboard pages: who sees what, what the page carries, filters, and the plotly.js assets."""

import json
import re
from datetime import timedelta

import plotly
import pytest

from feedback.dashboards.assets import unused_style_ids
from feedback.extensions import db
from feedback.models import utcnow
from tests.dashboards.helpers import NA, add_response, add_responses, make_version

FIGURE_RE = re.compile(r'<script type="application/json" id="agency-figure">(.*?)</script>', re.S)
PLOTLY_JS = f"/dashboard/assets/plotly-{plotly.__version__}.min.js"
PLOTLY_CSS = f"/dashboard/assets/plotly-{plotly.__version__}.css"


@pytest.fixture
def responses(app, tree):
    """A1: 9 responses (hidden), A2: 12 (thin), A: 30 (ranked), B: 40 (ranked)."""
    version = make_version()
    add_responses(version, tree.counter_a, 9, 1.0)
    add_responses(version, tree.commune_a, 12, 0.5)
    for i in range(30):
        add_response(version, tree.dept_a, scores={"access": (i % 3) / 2, "staff": 1.0},
                     answers={"access_wait": 5 if i % 3 else 2, "access_info": NA, "overall": 4})
    add_responses(version, tree.dept_b, 40, 0.25)
    db.session.commit()
    return version


def _html(client, url: str) -> str:
    """The page at `url`, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client, tree):
    for url in ("/dashboard/", "/dashboard/agencies/A"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_an_organizer_without_a_leader_role_is_refused(organizer_a_client):
    assert organizer_a_client.get("/dashboard/").status_code == 403
    assert organizer_a_client.get("/dashboard/agencies/A").status_code == 403


def test_leader_sees_the_subtree_chart_and_table(leader_a_client, responses):
    html = _html(leader_a_client, "/dashboard/?lang=en")
    for name in ("Department of Justice", "Justice one-stop counter", "An Binh Commune"):
        assert name in html
    # The chart's data is embedded as JSON (not script) and drawn by dashboard.js.
    figure = json.loads(FIGURE_RE.search(html).group(1))
    codes = [code for trace in figure["data"] for code in trace["y"]]
    assert sorted(codes) == ["A", "A2"]  # A1 has too few responses to be drawn
    assert figure["layout"]["xaxis"]["range"] == [0, 100]
    # The table tells the same story in text, with its status words.
    assert "<caption id=" in html and '<th scope="row">' in html and '<th scope="col"' in html
    assert "Not enough responses (n &lt; 10)" in html
    assert "Few responses, not ranked" in html
    assert 'href="/dashboard/agencies/A1"' in html
    # The overview is about agencies; dimensions and questions have pages of their own.
    assert "By dimension" not in html


def test_leader_of_one_subtree_never_sees_another(leader_a_client, leader_b_client, responses):
    html = _html(leader_a_client, "/dashboard/?lang=en")
    assert "Department of Health" not in html and "/dashboard/agencies/B" not in html
    assert "Test Province" not in html
    assert leader_a_client.get("/dashboard/agencies/B").status_code == 404
    assert leader_a_client.get("/dashboard/agencies/P").status_code == 404
    for code in ("A", "A1", "A2"):
        assert leader_b_client.get(f"/dashboard/agencies/{code}").status_code == 404
    html_b = _html(leader_b_client, "/dashboard/?lang=en")
    assert "Department of Health" in html_b and "Department of Justice" not in html_b
    # B's pooled numbers are its own 40 responses only.
    assert "· 40 responses" in html_b


def test_unknown_agency_is_a_404(leader_a_client, tree):
    assert leader_a_client.get("/dashboard/agencies/NOPE").status_code == 404


def test_admin_sees_every_agency(admin_client, responses):
    html = _html(admin_client, "/dashboard/?lang=en")
    for name in ("Test Province", "Department of Justice", "Department of Health"):
        assert name in html


def test_page_loads_plotly_from_this_site_only_and_no_inline_script(leader_a_client, responses):
    response = leader_a_client.get("/dashboard/")
    html = response.get_data(as_text=True)
    assert f'<script src="{PLOTLY_JS}" defer></script>' in html
    assert re.search(r'<script src="/static/js/dashboard.js\?v=[0-9a-f]{12}" defer></script>', html)
    assert f'id="plotly.js-style-global" class="no-inline-styles" href="{PLOTLY_CSS}"' in html
    # Map styles plotly.js would inject (and the CSP block) are marked present: we draw no maps.
    assert unused_style_ids() and all(f'id="{i}"' in html for i in unused_style_ids())
    assert "cdn" not in html.lower()
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    csp = response.headers["Content-Security-Policy"]
    assert "style-src 'self';" in csp and "unsafe-inline" not in csp


def test_without_enough_responses_there_is_no_chart_and_no_plotly(leader_a_client, tree):
    html = _html(leader_a_client, "/dashboard/?lang=en")
    assert "agency-figure" not in html and "plotly" not in html
    assert "No agency has enough responses in this period for a chart" in html
    assert "Department of Justice" in html  # listed all the same, with n = 0


def test_numbers_follow_the_language(leader_a_client, responses):
    # A2's index is exactly 50 (12 responses scoring 0.5).
    assert "<td class=\"num\">50,0</td>" in _html(leader_a_client, "/dashboard/?lang=vi")
    assert "<td class=\"num\">50.0</td>" in _html(leader_a_client, "/dashboard/?lang=en")


@pytest.mark.parametrize("query", [
    "from=not-a-date", "to=2025-02-30", "from=2025-05-01&to=2025-01-01", "channel=%3Cscript%3E",
    "from=99999-01-01", "from=0001-01-01&to=0001-01-02", "from[]=x", "to=%00",
])
def test_bad_filters_show_a_message_and_the_defaults(leader_a_client, responses, query):
    response = leader_a_client.get(f"/dashboard/?lang=en&{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if "from[]" not in query:
        assert 'class="notice notice-error" role="alert"' in html
        assert "shown instead" in html
    today = utcnow().date()
    assert 'name="to" value="' in html
    assert "<script>" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert str(today.year) in html


def test_code_only_filter_changes_the_numbers(leader_a_client, tree):
    version = make_version()
    add_responses(version, tree.dept_a, 10, 1.0)
    db.session.commit()
    assert "· 10 responses" in _html(leader_a_client, "/dashboard/?lang=en")
    html = _html(leader_a_client, "/dashboard/?lang=en&channel=code")
    assert "Only responses sent with a one-time code." in html
    assert "Not enough responses to show an index (n = 0," in html


def test_period_filter_leaves_older_responses_out(leader_a_client, tree):
    version = make_version()
    add_responses(version, tree.dept_a, 10, 1.0, submitted_at=utcnow() - timedelta(days=400))
    db.session.commit()
    assert "Not enough responses to show an index (n = 0" in _html(leader_a_client, "/dashboard/?lang=en")
    old = (utcnow() - timedelta(days=410)).date().isoformat()
    html = _html(leader_a_client, f"/dashboard/?lang=en&from={old}")
    assert "· 10 responses" in html


def test_agency_page_shows_its_tiles_children_dimensions_and_questions(leader_a_client, responses):
    html = _html(leader_a_client, "/dashboard/agencies/A?lang=en")
    assert '<h1 class="dashboard-title">Department of Justice</h1>' in html
    assert "· 30 responses" in html  # A's own responses, not its counters'
    assert "Access to the service" in html and "Civil servants" in html
    assert "Waiting" in html and "Overall" in html
    assert "Include the agencies under it" in html
    # Its children are listed, each a link to its own drill-down, with its index and n.
    assert "Agencies directly under it" in html
    figure = json.loads(FIGURE_RE.search(html).group(1))
    assert sorted(code for trace in figure["data"] for code in trace["y"]) == ["A2"]  # A1: 9, hidden
    for code in ("A1", "A2"):
        assert f'href="/dashboard/agencies/{code}?' in html or f'href="/dashboard/agencies/{code}"' in html
    assert "50.0" in html and ">12<" in html  # A2: 12 responses at 0.5


def test_agency_page_can_include_the_agencies_under_it(leader_a_client, responses):
    html = _html(leader_a_client, "/dashboard/agencies/A?lang=en&sub=1")
    assert "· 51 responses" in html  # 30 + 9 + 12
    assert "This agency and the agencies under it" in html


def test_children_count_their_whole_subtree(admin_client, responses):
    html = _html(admin_client, "/dashboard/agencies/P?lang=en")
    figure = json.loads(FIGURE_RE.search(html).group(1))
    labels = [a["text"] for a in figure["layout"]["annotations"]]
    # A pools its own 30 with A1's 9 and A2's 12; B has its own 40.
    assert sorted(labels) == ["Department of Health (n = 40)", "Department of Justice (n = 51)"]
    assert "Justice one-stop counter" not in html  # a grandchild is one click further down


def test_breadcrumbs_stop_at_the_viewers_grant(leader_a_client, admin_client, responses):
    html = _html(leader_a_client, "/dashboard/agencies/A1?lang=en")
    crumbs = html.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert "Department of Justice" in crumbs and 'aria-current="page">Justice one-stop counter' in crumbs
    # The leader of A sees nothing above A: not the province, not even its name anywhere.
    assert "Test Province" not in html and "Tỉnh Thử Nghiệm" not in html
    assert "/dashboard/agencies/P" not in html
    admin_crumbs = _html(admin_client, "/dashboard/agencies/A1?lang=en").split('class="breadcrumbs"', 1)[1]
    assert "Test Province" in admin_crumbs.split("</nav>", 1)[0]


def test_another_subtrees_agency_and_its_csv_are_404(leader_a_client, responses):
    for url in ("/dashboard/agencies/B", "/dashboard/agencies/B?format=csv&chart=children",
                "/dashboard/agencies/P?format=csv&chart=tiles"):
        assert leader_a_client.get(url).status_code == 404


def _csv(client, url: str) -> list[list[str]]:
    """The CSV at `url` as rows of cells (BOM stripped)."""
    import csv
    import io

    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_agency_csvs_carry_the_tables_numbers(leader_a_client, responses):
    children = _csv(leader_a_client, "/dashboard/agencies/A?lang=en&format=csv&chart=children")
    assert children[0][:3] == ["Rank", "Agency code", "Agency"]
    by_code = {row[1]: row for row in children[1:]}
    assert by_code["A2"][3] == "50.0" and by_code["A2"][6] == "12"
    assert by_code["A1"][3] == "" and by_code["A1"][7] == "Not enough responses"
    dimensions = _csv(leader_a_client, "/dashboard/agencies/A?lang=en&format=csv&chart=dimensions")
    assert [row[0] for row in dimensions[1:]] == ["Access to the service", "Civil servants"]
    questions = _csv(leader_a_client, "/dashboard/agencies/A?lang=en&format=csv&chart=questions&sub=1")
    assert "access_wait" in [row[0] for row in questions[1:]]
    tiles = _csv(leader_a_client, "/dashboard/agencies/A?lang=en&format=csv&chart=tiles&sub=1")
    assert tiles[1][0] == "Satisfaction index" and tiles[1][4] == "51"
    assert leader_a_client.get("/dashboard/agencies/A?format=csv&chart=nope").status_code == 404


def test_overview_csvs_are_scoped_to_the_viewer(leader_a_client, leader_b_client, responses):
    rows = _csv(leader_a_client, "/dashboard/?lang=en&format=csv&chart=agencies")
    assert sorted(row[1] for row in rows[1:]) == ["A", "A1", "A2"]
    rows_b = _csv(leader_b_client, "/dashboard/?lang=en&format=csv&chart=agencies")
    assert [row[1] for row in rows_b[1:]] == ["B"]
    # Another subtree asked for through the filter is answered as unknown: one's own numbers.
    rows_b = _csv(leader_b_client, "/dashboard/?lang=en&format=csv&chart=agencies&agency=A")
    assert [row[1] for row in rows_b[1:]] == ["B"]
    tiles = _csv(leader_b_client, "/dashboard/?lang=en&format=csv&chart=tiles")
    assert tiles[1][4] == "40" and tiles[4][:2] == ["Responses", "40"]
    assert leader_a_client.get("/dashboard/?format=csv&chart=trend").status_code == 404


def test_agency_page_without_sub_agencies_has_no_subtree_choice(leader_a_client, responses):
    html = _html(leader_a_client, "/dashboard/agencies/A1?lang=en&sub=1")
    assert "Include the agencies under it" not in html
    assert "Not enough responses to show an index (n = 9" in html


def test_plotly_bundle_is_served_with_long_lived_cache_headers(client):
    with client.get(PLOTLY_JS) as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        cache = response.headers["Cache-Control"]
        assert "public" in cache and "max-age=31536000" in cache and "immutable" in cache
        assert response.get_data()[:200].lstrip().startswith(b"/**")
    with client.get("/dashboard/assets/plotly-0.0.1.min.js") as response:
        assert response.status_code == 404


def test_plotly_stylesheet_is_served_for_the_csp(client):
    response = client.get(PLOTLY_CSS)
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert "immutable" in response.headers["Cache-Control"]
    css = response.get_data(as_text=True)
    assert ".js-plotly-plot .plotly .modebar{" in css
    assert ".plotly-notifier{" in css
    assert "X " not in css and "<" not in css
    assert client.get("/dashboard/assets/plotly-0.0.1.css").status_code == 404
