"""Fair comparisons: agencies ranked within their peer group (departments with departments, communes
and wards together, counters with counters), each group with its pooled average, and ranks that
say "1–3" where the 95% intervals overlap instead of pretending to an order the data cannot tell.

The arithmetic (rank ranges, quartiles) is pure; `peer_groups` reads the agencies' kinds, and
`standing` places one agency in its group across the whole province for a leader who may see only
their own subtree: then it gives aggregates only, and only over groups of at least
MIN_PEER_GROUP agencies, so no other agency's figure can be read or worked out from it.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from feedback.agencies.kinds import PEER_GROUPS, peer_group, peer_group_label
from feedback.agencies.models import Agency
from feedback.dashboards import metrics
from feedback.dashboards.metrics import AgencyIndex, Estimate
from feedback.dashboards.stats import OK
from feedback.extensions import db


@dataclass(frozen=True)
class RankRange:
    """Where an agency stands among `of` ranked peers: a single place when `best` == `worst`, a
    shared range when the intervals of the agencies around it overlap its own."""

    best: int
    worst: int
    of: int

    @property
    def text(self) -> str:
        """"2" or "1–3" (an en dash, as every range on the dashboards)."""
        return str(self.best) if self.best == self.worst else f"{self.best}–{self.worst}"

    @property
    def apart(self) -> bool:
        """Whether the intervals set this agency apart from all its peers (a single place)."""
        return self.best == self.worst


def rank_ranges(intervals: Mapping[Hashable, tuple[float, float]]) -> dict[Hashable, RankRange]:
    """{key: RankRange} for items given as {key: (low, high)} of their 95% intervals, highest first.

    An item's best place is 1 + the number of items whose interval lies wholly above its own; its
    worst is the number of items less those whose interval lies wholly below it. Two items share
    places exactly when their intervals overlap (touching counts as overlapping), so no reader
    takes a difference the data cannot tell for a ranking.
    """
    count = len(intervals)
    # Sorted bounds make each count a binary search: a peer group can hold hundreds of communes.
    # An item's own low never exceeds its own high, so it never counts against itself.
    lows = sorted(low for low, _ in intervals.values())
    highs = sorted(high for _, high in intervals.values())
    ranges = {}
    for key, (low, high) in intervals.items():
        above = count - bisect_right(lows, high)
        below = bisect_left(highs, low)
        ranges[key] = RankRange(1 + above, count - below, count)
    return ranges


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """(first quartile, median, third quartile) of `values`, interpolated linearly between order
    statistics at positions (n − 1)·p (the default of R, numpy and spreadsheets)."""
    if not values:
        raise ValueError("quartiles need at least one value")
    ordered = sorted(values)
    last = len(ordered) - 1

    def at(p: float) -> float:
        """The interpolated order statistic at fraction p."""
        position = last * p
        below = int(position)
        above = min(below + 1, last)
        return ordered[below] + (ordered[above] - ordered[below]) * (position - below)

    return at(0.25), at(0.5), at(0.75)


@dataclass(frozen=True)
class PeerRow:
    """One agency's index with its peer group and, when ranked, its place in the group."""

    index: AgencyIndex
    group: str
    rank: RankRange | None

    @property
    def group_label(self) -> str:
        """The group's name in the page's language."""
        return peer_group_label(self.group)


@dataclass(frozen=True)
class GroupSummary:
    """A peer group's figures: its members, how many are ranked, the pooled index of all their
    responses (the group's average) and the quartiles of the ranked members' indices."""

    group: str
    members: int
    ranked: int
    average: Estimate
    quartiles: tuple[float, float, float] | None

    @property
    def label(self) -> str:
        """The group's name in the page's language."""
        return peer_group_label(self.group)


def group_of_kinds(kinds: Mapping[int, str]) -> dict[int, str]:
    """{agency id: peer group} from {agency id: kind code}, each kind looked up once."""
    groups = {kind: peer_group(kind) for kind in set(kinds.values())}
    return {agency_id: groups[kind] for agency_id, kind in kinds.items()}


def peer_groups(indices: Iterable[AgencyIndex]) -> dict[int, str]:
    """{agency id: peer group} for the agencies of `indices`, from their kinds."""
    ids = [i.agency_id for i in indices]
    if not ids:
        return {}
    kinds = dict(db.session.execute(select(Agency.id, Agency.kind).where(Agency.id.in_(ids))).all())
    return group_of_kinds(kinds)


def _group_position(group: str) -> int:
    """A group's place in the fixed order of PEER_GROUPS (unknown ones last)."""
    return PEER_GROUPS.index(group) if group in PEER_GROUPS else len(PEER_GROUPS)


def peer_rows(indices: Iterable[AgencyIndex], groups: Mapping[int, str]) -> list[PeerRow]:
    """Every agency of `indices` with its group and its place among the group's ranked agencies,
    grouped in the order of PEER_GROUPS and, within a group, in metrics.display_order."""
    rows = metrics.display_order(indices)
    ranks: dict[int, RankRange] = {}
    for group in set(groups.values()):
        ranked = {i.agency_id: (i.low, i.high) for i in rows
                  if i.status == OK and groups.get(i.agency_id) == group}
        ranks.update(rank_ranges(ranked))
    listed = [PeerRow(i, groups.get(i.agency_id, "other"), ranks.get(i.agency_id)) for i in rows]
    return sorted(listed, key=lambda row: _group_position(row.group))  # stable: keeps display order


def summaries(indices: Iterable[AgencyIndex], groups: Mapping[int, str]) -> list[GroupSummary]:
    """The figures of each peer group present in `indices`, in the order of PEER_GROUPS."""
    by_group: dict[str, list[AgencyIndex]] = {}
    for index in indices:
        by_group.setdefault(groups.get(index.agency_id, "other"), []).append(index)
    result = []
    for group in sorted(by_group, key=_group_position):
        members = by_group[group]
        ranked = [i.mean for i in members if i.status == OK]
        result.append(GroupSummary(group, len(members), len(ranked), metrics.pooled_index(members),
                                   quartiles(ranked) if ranked else None))
    return result


@dataclass(frozen=True)
class Standing:
    """One agency against its peer group across the province, and the province's own figure.

    `comparable` is False when the group has too few ranked agencies to compare with without
    revealing them (for a viewer who may not see them all); then `rank`, `group` figures and
    quartiles are None. `province` is None when, likewise, it would reveal too little an
    aggregate of agencies outside the viewer's reach.
    """

    own: AgencyIndex
    group: str
    comparable: bool
    rank: RankRange | None
    summary: GroupSummary | None
    province: Estimate | None
    restricted: bool

    @property
    def group_label(self) -> str:
        """The group's name in the page's language."""
        return peer_group_label(self.group)


def min_peer_group() -> int:
    """The fewest ranked agencies a peer group needs before a leader who cannot see them all is
    shown its aggregates (MIN_PEER_GROUP)."""
    return current_app.config["MIN_PEER_GROUP"]


def place_in_group(own: AgencyIndex, members: Sequence[AgencyIndex], group: str, *,
                   visible: set[int] | None, province: Sequence[AgencyIndex],
                   minimum: int) -> Standing:
    """`own`'s standing among `members` (its group, own included) and the province's pooled index
    over `province`; `visible` is the set of agency ids the viewer may see, None for all of them.

    For a viewer who may not see every agency (`visible` given), a group is comparable only when
    at least `minimum` of its members are ranked and at least `minimum` − 1 of the ranked ones lie
    outside the viewer's reach; the province figure only when at least `minimum` agencies outside
    the viewer's reach have responses. Pure: the caller reads the indices.
    """
    restricted = visible is not None
    ranked = [i for i in members if i.status == OK]
    outside_ranked = [i for i in ranked if restricted and i.agency_id not in visible]
    comparable = bool(ranked) and (not restricted or (
        len(ranked) >= minimum and len(outside_ranked) >= minimum - 1))
    rank = None
    summary = None
    if comparable:
        summary = summaries(members, {i.agency_id: group for i in members})[0]
        if own.status == OK:
            rank = rank_ranges({i.agency_id: (i.low, i.high) for i in ranked})[own.agency_id]
    outside = [i for i in province if restricted and i.agency_id not in visible and i.n > 0]
    show_province = not restricted or len(outside) >= minimum
    return Standing(own, group, comparable, rank, summary,
                    metrics.pooled_index(province) if show_province else None, restricted)


def root_path(agency: Agency) -> str:
    """The materialized path of the root of `agency`'s tree (its province)."""
    return "/" + agency.path.strip("/").split("/")[0] + "/"


def standing(agency: Agency, window: dict, visible_clause) -> Standing | None:
    """`agency`'s standing in its peer group across its province over `window`, for a viewer who
    may see the agencies of `visible_clause` (an SQL condition on Agency); None for an inactive
    agency without responses, which has no index to place."""
    province = metrics.agency_indices(Agency.in_subtree(root_path(agency)), **window)
    groups = peer_groups(province)
    group = groups.get(agency.id, "other")
    visible = set(db.session.scalars(select(Agency.id).where(
        visible_clause, Agency.in_subtree(root_path(agency)))))
    covers_all = all(i.agency_id in visible for i in province)
    own = next((i for i in province if i.agency_id == agency.id), None)
    if own is None:
        return None
    members = [i for i in province if groups.get(i.agency_id) == group]
    return place_in_group(own, members, group, visible=None if covers_all else visible,
                          province=province, minimum=min_peer_group())
