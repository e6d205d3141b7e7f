"""The trend page (/dashboard/trend): the index by month or quarter, pooled and for chosen agencies,
as lines with 95% interval bands, a table of exactly those numbers and its CSV."""

from collections import defaultdict
from dataclasses import dataclass

from flask import current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from feedback.accounts.authz import roles_required
from feedback.accounts.models import Role
from feedback.agencies.models import Agency
from feedback.core.i18n import current_locale, format_local_date
from feedback.core.i18n import gettext as _
from feedback.dashboards import flagged, trend, trend_charts
from feedback.dashboards.blueprint import bp, chart_numbers
from feedback.dashboards.downloads import csv_requested, csv_response, decimal, interval_header, status_word
from feedback.dashboards.lineage import rolled_up
from feedback.dashboards.scope import Choice, DashboardView, current_view
from feedback.extensions import db

# Lines besides the pooled one; more would be unreadable on a tablet.
MAX_AGENCIES = 5
INVALID_GRAIN = _l("Unknown grain. The trend is shown by month instead.")
TREND_CSV = ("trend",)


@dataclass(frozen=True)
class TrendChoice:
    """The agencies and grain the request asks for, as understood (unknown codes dropped)."""

    grain: str
    codes: list[str]
    defaulted: bool


def _grain(view: DashboardView) -> str:
    """The grain asked for (month by default; anything else resets it, and says so)."""
    grain = (request.args.get("grain") or trend.MONTH).strip()
    if grain not in trend.GRAINS:
        view.errors.append(INVALID_GRAIN)
        return trend.MONTH
    return grain


def _agencies_in_scope(view: DashboardView) -> list[Agency]:
    """The agencies of the view's scope (the viewer's subtrees, narrowed to the chosen one), in tree order."""
    return list(db.session.execute(
        select(Agency.id, Agency.code, Agency.name_vi, Agency.name_en, Agency.depth)
        .where(view.clause).order_by(Agency.path)).all())


def _chosen_codes(view: DashboardView, known: set[str]) -> list[str]:
    """The agency codes asked for, in order, without repeats; a code outside the scope is answered
    like an unknown one, and only the first MAX_AGENCIES count."""
    codes: list[str] = []
    for raw in request.args.getlist("agencies"):
        code = raw.strip()[:64]
        if not code or code in codes:
            continue
        if code not in known:
            view.errors.append(_("Unknown agency left out of the trend: %(code)s.", code=code))
            continue
        codes.append(code)
    if len(codes) > MAX_AGENCIES:
        view.errors.append(_("At most %(max)s agencies can be compared; the first %(max)s are shown.",
                             max=MAX_AGENCIES))
        codes = codes[:MAX_AGENCIES]
    return codes


def bucket_label(bucket: trend.Bucket) -> str:
    """A bucket's label on the axis and in the table: "03/2026" or "Q1/2026"."""
    if bucket.grain == trend.QUARTER:
        return _("Q%(quarter)s/%(year)s", quarter=(bucket.first.month - 1) // 3 + 1, year=bucket.first.year)
    return f"{bucket.first.month:02d}/{bucket.first.year}"


def _series(view: DashboardView, data: trend.Trend, agencies: list, codes: list[str]) -> list:
    """The pooled line first, then the chosen agencies' lines (default: the most answered ones)."""
    locale = current_locale()
    if view.agency is not None:
        pooled_name = _("%(agency)s and the agencies under it", agency=view.agency.name(locale))
    else:
        pooled_name = _("All the agencies you lead")
    lines = [data.series(None, trend.POOLED, pooled_name, pooled_name)]
    by_code = {a.code: a for a in agencies}
    by_id = {a.id: a for a in agencies}
    chosen = [by_code[c] for c in codes] if codes else [by_id[i] for i in data.top_agencies(MAX_AGENCIES)
                                                        if i in by_id]
    lines += [data.series(a.id, a.code, a.name_vi, a.name_en or "") for a in chosen]
    return lines


def _figure(lines: list, labels: list[str], locale: str) -> dict | None:
    """The trend chart, or None when no point of any line may be shown."""
    if not any(p.estimate.mean is not None for line in lines for p in line.points):
        return None
    return trend_charts.trend_chart(
        lines, labels, locale=locale,
        text=trend_charts.TrendText(axis_title=_("Satisfaction index (0–100)"), index=_("Index"),
                                    interval=_("%(level)s interval", level="95%"), responses=_("Responses")),
        **chart_numbers())


def _csv_rows(lines: list, labels: list[str], locale: str) -> list[list]:
    """The trend table as CSV rows, header first: one row per line and bucket."""
    header = [_("Agency code"), _("Agency"), _("Period"), _("From"), _("To"), _("Index"),
              *interval_header(), _("Responses"), _("Status")]
    rows = [header]
    for line in lines:
        for label, point in zip(labels, line.points, strict=True):
            e = point.estimate
            rows.append([line.code, line.name(locale), label, point.bucket.date_from.isoformat(),
                         point.bucket.date_to.isoformat(), decimal(e.mean), decimal(e.low), decimal(e.high),
                         e.n, status_word(e.status)])
    return rows


def _flagged_per_bucket(view: DashboardView, data: trend.Trend, lines: list, agencies: list) -> dict:
    """{line's code: [responses flagged and left out, per bucket]} for the trend's tables."""
    by_month = flagged.flagged_by_month(view.clause, **view.window)
    ids = {a.code: a.id for a in agencies}
    counts = {}
    for line in lines:
        if line.code == trend.POOLED:
            months = [(m, n) for per_agency in by_month.values() for m, n in per_agency.items()]
        else:
            months = list(by_month.get(ids.get(line.code), {}).items())
        per_bucket: dict = defaultdict(int)
        for month, n in months:
            per_bucket[trend.bucket_start(month, data.grain)] += n
        counts[line.code] = [per_bucket[b.first] for b in data.buckets]
    return counts


@bp.route("/trend", endpoint="trend")
@roles_required(Role.LEADER)
def trend_page():
    """The index by month or quarter for the pooled scope and up to five agencies; with
    ?format=csv&chart=trend the table's numbers."""
    view = current_view()
    csv_name = csv_requested(TREND_CSV)
    locale = current_locale()
    grain = _grain(view)
    agencies = _agencies_in_scope(view)
    codes = _chosen_codes(view, {a.code for a in agencies})
    data = trend.index_trend(view.clause, grain=grain, **view.window)
    if data.trimmed:
        view.errors.append(_("The period is too long for a trend: only its last %(max)s months or "
                             "quarters are shown.", max=trend.MAX_BUCKETS))
    lines = _series(view, data, agencies, codes)
    labels = [bucket_label(b) for b in data.buckets]
    if csv_name:
        return csv_response("trend", f"{csv_name}-{grain}", view, _csv_rows(lines, labels, locale))
    page_args = view.query_args(grain=grain)
    return render_template(
        "dashboards/trend.html", view=view, filters=view.filters, grain=grain, lines=lines,
        labels=labels, buckets=data.buckets, figure=_figure(lines, labels, locale),
        flagged=_flagged_per_bucket(view, data, lines, agencies),
        agency_choices=[Choice(a.code, a.name_vi, a.name_en or "", a.depth) for a in agencies],
        chosen=codes or [line.code for line in lines[1:]], defaulted=not codes,
        csv_url=url_for("dashboards.trend", format="csv", chart="trend", agencies=codes, **page_args),
        seams=rolled_up(view.clause),
        shown_min=current_app.config["MIN_RESPONSES_SHOWN"],
        ranked_min=current_app.config["MIN_RESPONSES_RANKED"],
        format_local_date=format_local_date,
    )

