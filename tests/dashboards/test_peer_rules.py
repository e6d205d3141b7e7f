"""The rules of peer comparison as pure functions: peer rows in group order with their shared
places, the group averages drawn on the chart, and when a leader who cannot see every agency is
shown a group's aggregates or the province's figure."""

from feedback.dashboards.metrics import AgencyIndex
from feedback.dashboards.peer_charts import with_group_averages
from feedback.dashboards.peers import peer_rows, place_in_group, summaries


def _index(agency_id, mean, half=5.0, n=40, status="ok"):
    """An agency index with mean ± half as its interval (the sums agree with the mean)."""
    total = mean / 100 * n
    return AgencyIndex(agency_id=agency_id, code=f"X{agency_id}", name_vi=f"Xã {agency_id}",
                       name_en=f"Commune {agency_id}", path=f"/1/{agency_id}/", depth=1, n=n,
                       total=total, total_sq=total * mean / 100, mean=mean, low=mean - half,
                       high=mean + half, status=status)


def test_peer_rows_come_group_by_group_with_shared_places(app):
    indices = [_index(2, 80), _index(3, 78), _index(4, 60), _index(5, 90, n=12, status="thin"),
               _index(6, 70)]
    groups = {2: "local", 3: "local", 4: "local", 5: "local", 6: "department"}
    rows = peer_rows(indices, groups)
    assert [(r.group, r.index.agency_id) for r in rows] == [
        ("department", 6), ("local", 2), ("local", 3), ("local", 4), ("local", 5)]
    places = {r.index.agency_id: r.rank.text if r.rank else None for r in rows}
    assert places == {6: "1", 2: "1–2", 3: "1–2", 4: "3", 5: None}
    assert [s.group for s in summaries(indices, groups)] == ["department", "local"]


def test_group_averages_are_lines_across_their_rows():
    figure = {"layout": {"yaxis": {"categoryarray": ["A", "B", "C", "D"]}}}
    shaped = with_group_averages(figure, [(70.0, ["A"]), (65.5, ["B", "C", "D"]), (None, ["E"])])
    lines = [(s["x0"], s["y0"], s["y1"]) for s in shaped["layout"]["shapes"]]
    assert lines == [(70.0, -0.5, 0.5), (65.5, 0.5, 3.5)]


def _group(count):
    return [_index(i, 50 + 5 * i) for i in range(1, count + 1)]


def test_a_restricted_viewer_needs_enough_ranked_agencies_outside_their_reach(app):
    members = _group(5)
    own = members[0]
    seen = place_in_group(own, members, "local", visible={own.agency_id}, province=members, minimum=5)
    assert seen.comparable and seen.rank.of == 5 and seen.summary.members == 5
    # The province's figure needs five agencies with responses outside the viewer's reach.
    assert seen.province is None
    province = [*members, _index(9, 75)]
    seen = place_in_group(own, members, "local", visible={own.agency_id}, province=province, minimum=5)
    assert seen.province is not None and seen.province.n == 240
    few = place_in_group(own, members[:4], "local", visible={own.agency_id}, province=members[:4],
                         minimum=5)
    assert not few.comparable and few.rank is None and few.summary is None and few.province is None
    # Five ranked, but two of them the viewer's own: only three lie outside, too few to hide.
    mine = place_in_group(own, members, "local", visible={1, 2}, province=members, minimum=5)
    assert not mine.comparable


def test_a_viewer_who_sees_every_agency_is_always_compared(app):
    members = _group(2)
    seen = place_in_group(members[0], members, "department", visible=None, province=members, minimum=5)
    assert seen.comparable and seen.rank.of == 2 and seen.province is not None and not seen.restricted
