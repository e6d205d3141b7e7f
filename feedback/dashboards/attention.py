"""The attention list: the agencies in a leader's scope that need a look now, each with why.

Four reasons, strongest first: the index fell against the previous period of the same length
(Welch's difference of means, the false-discovery rate across the agencies tested held at 5% with
Benjamini–Hochberg, at least MIN_RESPONSES_RANKED responses on both sides, so a list of 700
agencies does not raise dozens of false alarms); petitions past their due date without an answer;
a large share of the period's responses flagged and left out; and, in each peer group with enough
ranked agencies, the one whose 95% interval has the lowest upper bound (even at best it is behind).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import current_app

from feedback.agencies.kinds import peer_group_label
from feedback.core.i18n import BilingualName, format_number, ngettext
from feedback.core.i18n import gettext as _
from feedback.dashboards import accountability, flagged, metrics, peers
from feedback.dashboards.metrics import AgencyIndex
from feedback.dashboards.stats import OK, benjamini_hochberg, welch_difference

FELL, OVERDUE, FLAGGED, LOWEST = "fell", "overdue", "flagged", "lowest"
# The order in which reasons come: a measured fall first, a lowest-in-group last.
REASON_ORDER = (FELL, OVERDUE, FLAGGED, LOWEST)
# The false-discovery rate held across the agencies tested for a fall.
FALSE_DISCOVERY_RATE = 0.05
# A share of flagged responses above this (with at least MIN_RESPONSES_SHOWN of them) is listed.
FLAGGED_SHARE = 0.2
# Overdue petitions are counted over everything received since this day (all of them, in practice).
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# How many items the overview shows.
OVERVIEW_ITEMS = 3


@dataclass(frozen=True)
class Item(BilingualName):
    """One agency on the attention list, with the reason and the numbers that say why."""

    reason: str
    agency_id: int
    code: str
    name_vi: str
    name_en: str
    # Sort key within a reason: larger is more urgent.
    weight: float
    figures: dict = field(default_factory=dict)

    @property
    def why(self) -> str:
        """Why the agency is listed, in the current language, with its numbers."""
        f = self.figures
        if self.reason == FELL:
            return _("The index fell from %(before)s to %(now)s (down %(points)s points, 95%% interval "
                     "%(low)s–%(high)s; %(n_before)s and %(n_now)s responses); a fall this large is "
                     "unlikely to be chance.", **{k: _fmt(v) for k, v in f.items()})
        if self.reason == OVERDUE:
            return ngettext("%(num)s petition is past its due date without an answer (the oldest by "
                            "%(days)s days).",
                            "%(num)s petitions are past their due date without an answer (the oldest by "
                            "%(days)s days).", f["count"], days=_fmt(f["days"]))
        if self.reason == FLAGGED:
            return _("%(flagged)s of its %(all)s responses in the period (%(share)s%%) were flagged by "
                     "the integrity checks and left out.", **{k: _fmt(v) for k, v in f.items()})
        return _("Of the %(ranked)s ranked agencies of its peer group (%(group)s), its 95%% interval "
                 "reaches least high: at best %(high)s, against a group average of %(average)s.",
                 group=peer_group_label(f["group"]),
                 **{k: _fmt(v) for k, v in f.items() if k != "group"})


def _fmt(value) -> str:
    """A figure as the reasons write it, in the current language: one decimal for measures."""
    return format_number(value, "0.0") if isinstance(value, float) else format_number(value)


def _item(reason: str, index: AgencyIndex, weight: float, **figures) -> Item:
    """An item for the agency of `index`."""
    return Item(reason, index.agency_id, index.code, index.name_vi, index.name_en, weight, figures)


def falls(current: list[AgencyIndex], previous: list[AgencyIndex]) -> list[Item]:
    """The agencies whose index fell: tested where both periods have at least MIN_RESPONSES_RANKED
    responses, kept where Benjamini–Hochberg rejects "no change" and the difference is negative."""
    minimum = current_app.config["MIN_RESPONSES_RANKED"]
    before = {i.agency_id: i for i in previous}
    tested = []
    for now in current:
        then = before.get(now.agency_id)
        if then is None or now.n < max(minimum, 2) or then.n < max(minimum, 2):
            continue
        tested.append((now, then, welch_difference((now.n, now.total, now.total_sq),
                                                   (then.n, then.total, then.total_sq))))
    rejected = benjamini_hochberg([result[3] for _, _, result in tested], FALSE_DISCOVERY_RATE)
    items = []
    for (now, then, (difference, low, high, _p)), significant in zip(tested, rejected, strict=True):
        if significant and high < 0:
            items.append(_item(FELL, now, -difference, before=100 * then.total / then.n,
                               now=100 * now.total / now.n, points=-100 * difference,
                               # the interval of the fall, in points: a positive range reads plainly
                               low=-100 * high, high=-100 * low, n_before=then.n, n_now=now.n))
    return items


def lowest_in_groups(indices: list[AgencyIndex], groups: dict[int, str]) -> list[Item]:
    """In each peer group with at least MIN_PEER_GROUP ranked agencies, the one whose interval's
    upper bound is lowest."""
    items = []
    for summary in peers.summaries(indices, groups):
        ranked = [i for i in indices if i.status == OK and groups.get(i.agency_id) == summary.group]
        if len(ranked) < peers.min_peer_group():
            continue
        low = min(ranked, key=lambda i: (i.high, i.path))
        items.append(_item(LOWEST, low, -low.high, group=summary.group, ranked=len(ranked),
                           high=low.high, average=summary.average.mean))
    return items


def overdue(agency_clause, indices: list[AgencyIndex], today: date | None = None) -> list[Item]:
    """The agencies with petitions past due and unanswered, whenever received."""
    by_code: dict[str, list[int]] = {}
    for petition in accountability.overdue_petitions(agency_clause, EPOCH, datetime.now(UTC), today):
        by_code.setdefault(petition.agency_code, []).append(petition.days_overdue)
    known = {i.code: i for i in indices}
    return [_item(OVERDUE, known[code], len(days) + max(days) / 1000, count=len(days), days=max(days))
            for code, days in by_code.items() if code in known]


def flagged_many(agency_clause, indices: list[AgencyIndex], window: dict,
                 counts: dict[int, int] | None = None) -> list[Item]:
    """The agencies with many of the period's responses flagged and left out (`counts`: the
    flagged responses per agency, flagged.flagged_by_agency, when the page has them)."""
    minimum = current_app.config["MIN_RESPONSES_SHOWN"]
    items = []
    known = {i.agency_id: i for i in indices}
    if counts is None:
        counts = flagged.flagged_by_agency(agency_clause, **window)
    for agency_id, count in counts.items():
        index = known.get(agency_id)
        if index is None:
            continue
        total = count + index.n
        if count >= minimum and count > FLAGGED_SHARE * total:
            items.append(_item(FLAGGED, index, count / total, flagged=count, all=total,
                               share=100 * count / total))
    return items


def attention_list(agency_clause, window: dict, previous_window: dict,
                   indices: list[AgencyIndex] | None = None, today: date | None = None,
                   flagged_counts: dict[int, int] | None = None,
                   previous: list[AgencyIndex] | None = None) -> list[Item]:
    """Every item for the agencies of `agency_clause` over `window` (scope.DashboardView's keyword
    arguments), by reason and then by urgency; an agency can appear once per reason. `indices` and
    `flagged_counts` are the period's, and `previous` the previous period's indices, when the
    caller has read them already."""
    if indices is None:
        indices = metrics.agency_indices(agency_clause, **window)
    if previous is None:
        previous = metrics.agency_indices(agency_clause, **previous_window)
    items = [*falls(indices, previous), *overdue(agency_clause, indices, today),
             *flagged_many(agency_clause, indices, window, flagged_counts),
             *lowest_in_groups(indices, peers.peer_groups(indices))]
    return sorted(items, key=lambda i: (REASON_ORDER.index(i.reason), -i.weight, i.code))


def top(items: list[Item], count: int = OVERVIEW_ITEMS) -> list[Item]:
    """The first `count` items of distinct agencies: the agencies that need attention most."""
    chosen: list[Item] = []
    for item in items:
        if all(c.agency_id != item.agency_id for c in chosen):
            chosen.append(item)
        if len(chosen) == count:
            break
    return chosen


def overview(view, indices: list[AgencyIndex] | None = None,
             flagged_counts: dict[int, int] | None = None,
             previous: list[AgencyIndex] | None = None) -> list[Item]:
    """The overview's short list for a scope.DashboardView (`indices`, `flagged_counts`,
    `previous`: as attention_list takes them, when read)."""
    return top(attention_list(view.clause, view.window, view.previous_window, indices,
                              flagged_counts=flagged_counts, previous=previous))
