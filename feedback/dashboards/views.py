"""Dashboard pages: the overview (tiles, agency indices) and one agency's drill-down, their CSV
downloads, and the plotly.js assets."""

from flask import abort, current_app, render_template, request, send_file
from flask_login import current_user
from sqlalchemy import and_, select

from feedback.accounts.authz import agency_filter, get_agency_or_404, roles_required
from feedback.accounts.models import Role
from feedback.agencies.kinds import peer_group_label
from feedback.agencies.models import Agency
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.dashboards import assets, attention, charts, flagged, metrics, peer_charts, peers, tiles
from feedback.dashboards.blueprint import bp, chart_numbers, thresholds
from feedback.dashboards.downloads import csv_requested, csv_response, decimal, interval_header, status_word
from feedback.dashboards.scope import DashboardView, current_view
from feedback.extensions import db

ONE_YEAR = 365 * 24 * 3600


def _chart(indices: list[metrics.AgencyIndex],
           averages: list[tuple[float | None, list[str]]] | None = None) -> dict | None:
    """The agency index chart in the page's language, or None when no agency has enough responses.

    With `averages` ((average, codes) per peer group) the rows keep the order given, each group in
    turn, and each group's average is drawn across its rows."""
    if not any(i.status != metrics.HIDDEN for i in indices):
        return None
    locale = current_locale()
    text = charts.ChartText(
        axis_title=_("Satisfaction index (0–100)"),
        ranked=_("Ranked"),
        thin=_("Few responses, not ranked"),
        index=_("Index"),
        interval=_("%(level)s interval", level="95%"),
        responses=_("Responses"),
    )
    figure = charts.agency_index_chart(indices, locale=locale, text=text, ordered=averages is not None,
                                       **chart_numbers())
    return peer_charts.with_group_averages(figure, averages) if averages else figure


def _index_rows(rows: list[metrics.AgencyIndex], locale: str, ranks: dict[int, peers.RankRange],
                groups: dict[int, str] | None = None) -> list[list]:
    """The agency table as CSV rows, header first, in the page's order; the rank is the place among
    the agency's peers ("1–3" where intervals overlap), then, with `groups`, the peer group."""
    header = [_("Rank"), _("Agency code"), _("Agency"), _("Index"), *interval_header(), _("Responses"),
              _("Status")]
    if groups is not None:
        header += [_("Peer group"), _("Ranked in the group")]
    table = [header]
    for r in rows:
        rank = ranks.get(r.agency_id)
        row = [rank.text if rank else "", r.code, r.name(locale), decimal(r.mean), decimal(r.low),
               decimal(r.high), r.n, status_word(r.status)]
        if groups is not None:
            row += [peer_group_label(groups.get(r.agency_id, "other")), rank.of if rank else ""]
        table.append(row)
    return table


def _sibling_ranks(rows: list[metrics.AgencyIndex]) -> dict[int, peers.RankRange]:
    """The places of the ranked agencies of `rows` among themselves, shared where intervals overlap."""
    return peers.rank_ranges({r.agency_id: (r.low, r.high) for r in rows if r.status == "ok"})


def _tile_rows(numbers: tiles.Tiles) -> list[list]:
    """The headline tiles as CSV rows, header first."""
    change = numbers.change
    on_time = numbers.on_time
    direction = {tiles.UP: _("Up"), tiles.DOWN: _("Down"), tiles.SAME: _("No clear change"),
                 tiles.UNKNOWN: _("Not enough responses to compare")}[change.direction]
    header = [_("Measure"), _("Value"), *interval_header(), _("n"), _("Status")]
    return [
        header,
        [_("Satisfaction index"), decimal(numbers.index.mean), decimal(numbers.index.low),
         decimal(numbers.index.high), numbers.index.n, status_word(numbers.index.status)],
        [_("Satisfaction index, previous period"), decimal(change.previous.mean),
         decimal(change.previous.low), decimal(change.previous.high), change.previous.n,
         status_word(change.previous.status)],
        [_("Change against the previous period (index points)"), decimal(change.difference), "", "", "",
         direction],
        [_("Responses"), numbers.responses, "", "", "", ""],
        [_("Responses, previous period"), numbers.previous_responses, "", "", "", ""],
        [_("Petitions answered on time (%%)").replace("%%", "%"), decimal(on_time.rate), decimal(on_time.low),
         decimal(on_time.high), on_time.due, status_word(on_time.status)],
    ]


def _dimension_rows(rates: list[metrics.DimensionRate], locale: str) -> list[list]:
    """The dimension table as CSV rows, header first."""
    header = [_("Dimension"), _("Rate"), *interval_header(), _("Responses"), _("Status")]
    return [header, *([r.label(locale), decimal(r.estimate.mean), decimal(r.estimate.low),
                       decimal(r.estimate.high), r.estimate.n, status_word(r.estimate.status)]
                      for r in rates)]


def _question_rows(rates: list[metrics.QuestionRate], locale: str) -> list[list]:
    """The question table as CSV rows, header first."""
    header = [_("Question key"), _("Question"), _("Satisfied (%%)").replace("%%", "%"),
              *interval_header(),
              _("Valid answers"), _("Not applicable"), _("Status")]
    return [header, *([q.key, q.text(locale), decimal(q.rate), decimal(q.low), decimal(q.high), q.n,
                       q.not_applicable, status_word(q.status)] for q in rates)]


OVERVIEW_CSV = ("tiles", "agencies")
AGENCY_CSV = ("tiles", "children", "dimensions", "questions")


@bp.route("/")
@roles_required(Role.LEADER)
def index():
    """Headline tiles and the index of every agency in the chosen subtrees (chart and table);
    with ?format=csv&chart=tiles|agencies the numbers of one of them."""
    view = current_view()
    csv_name = csv_requested(OVERVIEW_CSV)
    indices = metrics.agency_indices(view.clause, **view.window)
    groups = peers.peer_groups(indices)
    peer_rows = peers.peer_rows(indices, groups)
    rows = [p.index for p in peer_rows]
    ranks = {p.index.agency_id: p.rank for p in peer_rows if p.rank}
    if csv_name == "agencies":
        return csv_response("overview", csv_name, view, _index_rows(rows, current_locale(), ranks, groups))
    left_out = flagged.flagged_by_agency(view.clause, **view.window)
    # Read once: the change tile and the attention list's falls both compare with it.
    previous = metrics.agency_indices(view.clause, **view.previous_window)
    numbers = tiles.tiles(view.clause, view.window, view.previous_window, indices,
                          flagged=sum(left_out.values()), previous_indices=previous)
    if csv_name == "tiles":
        return csv_response("overview", csv_name, view, _tile_rows(numbers))
    group_summaries = peers.summaries(indices, groups)
    averages = [(g.average.mean, [p.index.code for p in peer_rows if p.group == g.group])
                for g in group_summaries]
    return render_template(
        "dashboards/index.html", view=view, filters=view.filters, figure=_chart(rows, averages),
        rows=rows, ranks=ranks, peer_labels={p.index.agency_id: p.group_label for p in peer_rows},
        peer_summaries=group_summaries, tiles=numbers, previous=view.filters.previous(),
        flagged=left_out, attention=attention.overview(view, indices, left_out, previous), **thresholds(),
    )


def breadcrumbs(agency: Agency) -> list[Agency]:
    """The ancestors of `agency` the viewer may see, from the top one they lead, down to its parent.

    Ancestors above the viewer's grant are left out altogether, not even named."""
    ids = [int(part) for part in agency.path.strip("/").split("/") if part][:-1]
    if not ids:
        return []
    return list(db.session.scalars(
        select(Agency).where(Agency.id.in_(ids), agency_filter(current_user, Role.LEADER))
        .order_by(Agency.depth)))


@bp.route("/agencies/<code>")
@roles_required(Role.LEADER)
def agency(code: str):
    """One agency: its tiles, its children (each with its whole subtree's index), its dimension and
    question rates; the tiles and rates cover the agencies under it too with ?sub=1."""
    agency = get_agency_or_404(code, Role.LEADER)
    view = current_view()
    csv_name = csv_requested(AGENCY_CSV)
    locale = current_locale()
    leader = agency_filter(current_user, Role.LEADER)
    subtree = and_(leader, Agency.in_subtree(agency.path))
    # The grant already covers the subtree; the leader's filter is repeated as a second lock.
    subtree_indices = metrics.agency_indices(subtree, **view.window)
    children = metrics.display_order(metrics.child_indices(agency, subtree_indices))
    child_ranks = _sibling_ranks(children)
    if csv_name == "children":
        return csv_response("agency", csv_name, view, _index_rows(children, locale, child_ranks),
                            agency.code)
    has_sub = bool(children)
    include_sub = has_sub and request.args.get("sub") == "1"
    scope = subtree if include_sub else and_(leader, Agency.id == agency.id)
    own = subtree_indices if include_sub else [i for i in subtree_indices if i.agency_id == agency.id]
    if csv_name == "dimensions":
        rates = metrics.dimension_rates(scope, **view.window)
        return csv_response("agency", csv_name, view, _dimension_rows(rates, locale), agency.code)
    if csv_name == "questions":
        rates = metrics.question_rates(scope, **view.window)
        return csv_response("agency", csv_name, view, _question_rows(rates, locale), agency.code)
    left_out = flagged.flagged_by_agency(subtree, **view.window)
    own_left_out = sum(left_out.values()) if include_sub else left_out.get(agency.id, 0)
    numbers = tiles.tiles(scope, view.window, view.previous_window, own, flagged=own_left_out)
    if csv_name == "tiles":
        return csv_response("agency", csv_name, view, _tile_rows(numbers), agency.code)
    return render_template(
        "dashboards/agency.html", agency=agency, view=view, filters=view.filters, has_sub=has_sub,
        include_sub=include_sub, tiles=numbers, previous=view.filters.previous(),
        breadcrumbs=breadcrumbs(agency), figure=_chart(children) if children else None, rows=children,
        ranks=child_ranks, standing=peers.standing(agency, view.window, leader),
        flagged=flagged.by_subtree(left_out, children),
        csv_args=_csv_args(view, include_sub),
        dimensions=metrics.dimension_rates(scope, **view.window),
        questions=metrics.question_rates(scope, **view.window), **thresholds(),
    )


def _csv_args(view: DashboardView, include_sub: bool) -> dict[str, str]:
    """The drill-down page's query parameters for its CSV links (the agency is in the path)."""
    args = view.query_args(agency=None)
    if include_sub:
        args["sub"] = "1"
    return args


def _immutable(response):
    """Mark a versioned asset cacheable by anyone for a year, never revalidated."""
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    return response


@bp.route("/assets/plotly-<version>.min.js")
def plotly_js(version: str):
    """The plotly.js bundle of the installed plotly package; the URL changes with its version."""
    if version != assets.PLOTLY_VERSION:
        abort(404)  # an old URL must not get new content cached under it for a year
    return _immutable(send_file(assets.PLOTLY_JS, mimetype="text/javascript", max_age=ONE_YEAR))


@bp.route("/assets/plotly-<version>.css")
def plotly_css(version: str):
    """plotly.js's base styles as a stylesheet, so the page needs no inline <style> (CSP)."""
    if version != assets.PLOTLY_VERSION:
        abort(404)
    response = current_app.response_class(assets.plotly_stylesheet(), mimetype="text/css")
    return _immutable(response)
