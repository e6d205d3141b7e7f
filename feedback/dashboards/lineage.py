"""Which tree the dashboards count in: "as today's tree" (the default) rolls the history of merged
and split agencies up into the agency that carries it today (Agency.heir_id, kept by
agencies.reorganize); "as it was" counts every response at the agency it was given to.

The summary tables keep the agency a response was given to, so a reorganization rebuilds
nothing: every query that places rows in the tree joins them to `Agency` through `agency_join`,
which in today's tree goes through the row's own agency to its heir (two joins on primary keys
of the small agency table). After the join, `Agency.id` is the agency a row counts for in
either tree, so queries group by it.
"""

from datetime import date

from flask import g, has_app_context
from sqlalchemy import join, select
from sqlalchemy.orm import aliased

from feedback.agencies.models import Agency, Succession
from feedback.extensions import db

TODAY = "today"
AS_IT_WAS = "as_it_was"
TREES = (TODAY, AS_IT_WAS)


def tree_mode() -> str:
    """The tree the current request (or app context) counts in; today's by default."""
    return g.get("dashboard_tree", TODAY) if has_app_context() else TODAY


def use_tree(mode: str) -> None:
    """Count in `mode`'s tree for the rest of this request (or app context)."""
    g.dashboard_tree = mode if mode in TREES else TODAY


# The agency a row was given to, on the way to its heir. One alias serves every query: building
# a new one each time costs milliseconds of SQLAlchemy's column adaptation, dozens of times a page.
_origin = aliased(Agency, name="origin_agency")


def agency_join(column) -> tuple:
    """(target, onclause) for `.join(*agency_join(table.c.agency_id))`: the `Agency` a row with
    agency id `column` counts for in the current tree."""
    if tree_mode() == AS_IT_WAS:
        return Agency, Agency.id == column
    return join(_origin, Agency, Agency.id == _origin.heir_id), _origin.id == column


def rolled_up(agency_clause) -> list[tuple[Agency, Agency, date]]:
    """(predecessor, today's heir, effective date) of every agency whose history is counted in an
    agency of `agency_clause` in today's tree: the seams the trend marks. Empty as it was."""
    if tree_mode() == AS_IT_WAS:
        return []
    predecessor = aliased(Agency, name="predecessor")
    rows = db.session.execute(
        select(predecessor, Agency, Succession.effective_on)
        .join(Succession, Succession.predecessor_id == predecessor.id)
        .join(Agency, Agency.id == predecessor.heir_id)
        .where(Succession.carries_history.is_(True), predecessor.heir_id != predecessor.id, agency_clause)
        .order_by(Succession.effective_on, predecessor.code)).all()
    return [(row[0], row[1], row[2]) for row in rows]


def counted_agency_ids(agency_clause):
    """SQL SELECT of the ids of the agencies whose rows count in an agency of `agency_clause` in
    the current tree (for `Response.agency_id.in_(…)`)."""
    if tree_mode() == AS_IT_WAS:
        return select(Agency.id).where(agency_clause)
    return select(_origin.id).join(Agency, Agency.id == _origin.heir_id).where(agency_clause)
