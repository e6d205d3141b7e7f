"""Fair comparisons: agencies ranked within their peer groups with shared places where intervals
overlap, the drill-down's standing in the province, and a commune leader who sees aggregates of
their peer group but can read or work out no other agency's figure on any page, filter or CSV."""

import csv
import io
import json
import re

import pytest

from feedback.accounts.models import Role
from feedback.agencies.services import add_agency
from feedback.extensions import db
from tests.conftest import AuthActions
from tests.dashboards.helpers import add_response, make_version
from tests.factories import make_user

FIGURE_RE = re.compile(r'<script type="application/json" id="agency-figure">(.*?)</script>', re.S)

# Each commune's response values; their means (1 decimal): C1 87.5, C2 67.9, C3 66.7, C4 54.2,
# C5 46.4, C6 91.7. Pooled: 27.75 / 40 = 69.4; quartiles (inclusive) 57.3, 67.3, 82.6.
COMMUNES = {
    "C1": ("Xã Một", "Commune One", [1, 1, 1, 1, 1, 1, 0.5, 0.5]),
    "C2": ("Xã Hai Lúa", "Commune Two Rice", [1, 1, 1, 0.5, 0.5, 0.5, 0.25]),
    "C3": ("Phường Ba Đình", "Ward Three", [1, 1, 0.5, 0.5, 0.5, 0.5]),
    "C4": ("Xã Bốn Mùa", "Commune Four Seasons", [1, 0.5, 0.5, 0.5, 0.5, 0.25]),
    "C5": ("Phường Năm Căn", "Ward Five", [0.25, 0.5, 0.5, 0.25, 0.75, 1, 0]),
    "C6": ("Xã Sáu Ngọn", "Commune Six Peaks", [1, 1, 1, 1, 0.75, 0.75]),
}
OTHERS = ("C2", "C3", "C4", "C5", "C6", "D1", "D2")


@pytest.fixture
def province(app):
    """Province Q: departments D1 and D2, six communes and wards (C1 with its counter K1, 68.8), every
    one with responses; a leader over C1 only, and one over D1."""
    app.config.update(MIN_RESPONSES_SHOWN=3, MIN_RESPONSES_RANKED=5, MIN_PEER_GROUP=5)
    root = add_agency("Q", "Tỉnh Quảng Thử", name_en="Quang Test Province", kind="province")
    agencies = {"Q": root}
    agencies["D1"] = add_agency("D1", "Sở Nội vụ Thử", name_en="Home Affairs Test", kind="department",
                                parent=root)
    agencies["D2"] = add_agency("D2", "Sở Tài chính Thử", name_en="Finance Test", kind="department",
                                parent=root)
    for code, (name_vi, name_en, _values) in COMMUNES.items():
        agencies[code] = add_agency(code, name_vi, name_en=name_en,
                                    kind="ward" if name_vi.startswith("Phường") else "commune", parent=root)
    agencies["K1"] = add_agency("K1", "Quầy Một", name_en="Counter One", kind="counter",
                                parent=agencies["C1"])
    db.session.commit()
    version = make_version()
    values = {code: v for code, (_, _, v) in COMMUNES.items()}
    values.update({"D1": [1, 1, 1, 0.5, 0.5, 0.5], "D2": [0.75] * 5 + [0.25], "K1": [1, 0.5, 0.25, 1]})
    for code, scores in values.items():
        for score in scores:
            add_response(version, agencies[code], scores={"access": float(score)}, service="ho-tich")
    db.session.commit()
    make_user("leader.c1@example.vn", Role.LEADER, agencies["C1"])
    make_user("leader.d1@example.vn", Role.LEADER, agencies["D1"])
    make_user("admin.q@example.vn", Role.ADMIN)
    return agencies


def _client(app, email):
    client = app.test_client()
    assert AuthActions(client).login(email).status_code == 302
    return client


def _html(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_overview_ranks_each_agency_among_its_peers(app, province):
    admin = _client(app, "admin.q@example.vn")
    html = _html(admin, "/dashboard/?lang=en")
    assert '<th scope="col">Peer group</th>' in html
    assert "Communes, wards and special zones" in html and "Departments" in html
    # Six overlapping communes never read as 1st and 2nd: their places are shared ranges.
    rows = {row[1]: row for row in _csv(admin, "/dashboard/?lang=en&format=csv&chart=agencies")[1:]}
    assert rows["C1"][8] == "Communes, wards and special zones" and rows["C1"][9] == "6"
    assert rows["D1"][8] == "Departments" and rows["D1"][9] == "2"
    assert "–" in rows["C1"][0] and "–" in rows["C5"][0]
    assert rows["K1"][0] == ""  # 3 responses: shown greyed, never ranked
    # The chart lists the groups in turn, each with its average as a dashed line across its rows.
    figure = json.loads(FIGURE_RE.search(html).group(1))
    order = figure["layout"]["yaxis"]["categoryarray"]
    assert order.index("D1") < order.index("C1") < order.index("K1")
    assert {shape["x0"] for shape in figure["layout"]["shapes"]} >= {round(100 * 27.75 / 40, 2)}
    # The group table gives each group's pooled average.
    assert "69.4" in html


def test_the_drill_down_gives_the_rank_in_the_group_and_the_province(app, province):
    admin = _client(app, "admin.q@example.vn")
    html = _html(admin, "/dashboard/agencies/C6?lang=en")
    assert "Against its peer group in the province" in html
    assert re.search(r"\d(–\d)? of 6", html)
    assert "Province, all agencies" in html


def test_a_commune_leader_sees_group_aggregates_only(app, province):
    leader = _client(app, "leader.c1@example.vn")
    html = _html(leader, "/dashboard/agencies/C1?lang=en")
    standing = html.split('id="standing-heading"', 1)[1].split("</section>", 1)[0]
    assert "Communes, wards and special zones" in standing
    assert re.search(r"\d(–\d)? of 6", standing)
    assert "69.4" in standing  # the group's average
    assert "57.3" in standing and "67.3" in standing and "82.6" in standing  # its quartiles
    assert "Quang Test Province" not in html  # the province figure is shown, never its name


def test_a_group_too_small_to_hide_its_members_is_not_compared(app, province):
    leader = _client(app, "leader.d1@example.vn")
    html = _html(leader, "/dashboard/agencies/D1?lang=en")
    assert "Too few agencies of its kind are ranked in the province" in html
    assert "Finance Test" not in html and "66.7" not in html  # D2's name and index


def _figures_of_others(province) -> list[str]:
    """What would give another agency away: its names, and its index (one decimal, both locales)."""
    from feedback.agencies.models import Agency
    from feedback.dashboards import metrics

    indices = {i.code: i for i in metrics.agency_indices(Agency.in_subtree(province["Q"].path))}
    marks = []
    for code in OTHERS:
        agency = province[code]
        marks += [agency.name_vi, agency.name_en, f"/agencies/{code}"]
        mean = f"{indices[code].mean:.1f}"
        marks += [mean, mean.replace(".", ",")]
        marks.append(f"{indices[code].low:.1f}–{indices[code].high:.1f}")
    return marks


def _page_and_downloads(client, url: str) -> list[tuple[str, str]]:
    """(body, url) of the page at `url` (when it answers 200) and of every CSV it links to."""
    response = client.get(url)
    if response.status_code != 200:
        return []
    text = response.get_data(as_text=True)
    links = {link.replace("&amp;", "&") for link in re.findall(r'href="([^"]*format=csv[^"]*)"', text)}
    return [(text, url)] + [(client.get(link).get_data(as_text=True), link) for link in links]


PAGES = ("/dashboard/", "/dashboard/attention", "/dashboard/trend", "/dashboard/dimensions",
         "/dashboard/questions", "/dashboard/comments", "/dashboard/officers", "/dashboard/accountability/",
         "/dashboard/report", "/dashboard/agencies/C1", "/dashboard/agencies/K1")
FILTERS = ("", "agency=C2", "agency=Q", "agency=K1", "channel=code", "period=year", "service=ho-tich",
           "tree=as_it_was", "sub=1", "agencies=C2&agencies=C1")


def test_no_other_agencys_figure_can_be_read_by_a_commune_leader(app, province):
    leader = _client(app, "leader.c1@example.vn")
    marks = _figures_of_others(province)
    assert "69.4" not in marks and "57.3" not in marks  # the aggregates are not anyone's figure
    seen = 0
    urls = [f"{page}?lang={lang}&{query}" for page in PAGES for query in FILTERS for lang in ("en", "vi")]
    for url in urls:
        for body, where in _page_and_downloads(leader, url):
            seen += 1
            leaked = [mark for mark in marks if mark in body]
            assert not leaked, (where, leaked)
    assert seen > 100
    for code in OTHERS + ("Q",):
        assert leader.get(f"/dashboard/agencies/{code}").status_code == 404
        assert leader.get(f"/dashboard/agencies/{code}?format=csv&chart=tiles").status_code == 404


def test_the_public_page_is_linked_when_it_publishes(app, province):
    leader = _client(app, "leader.c1@example.vn")
    assert 'href="/public/"' not in _html(leader, "/dashboard/agencies/C1?lang=en")
    app.config["PUBLIC_TRANSPARENCY"] = True
    html = _html(leader, "/dashboard/agencies/C1?lang=en")
    assert 'href="/public/">Open the public transparency page</a>' in html
