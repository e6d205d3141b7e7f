"""The dimensions page: agency × SIPAS dimension heatmap and the subtree's weakest questions."""


from flask import current_app, render_template

from feedback.accounts.authz import roles_required
from feedback.accounts.models import Role
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.dashboards import answers, metrics
from feedback.dashboards import question_charts as charts
from feedback.dashboards.blueprint import bp, chart_numbers
from feedback.dashboards.downloads import csv_requested, csv_response, decimal, interval_header
from feedback.dashboards.scope import current_view

DIMENSION_CSV = ("heatmap", "weakest")
WEAKEST_COUNT = 10


def _heatmap_csv(grid: answers.DimensionGrid, locale: str) -> list[list]:
    """The heatmap's CSV rows, header first: per agency, each dimension's rate, interval and n."""
    header = [_("Agency code"), _("Agency")]
    for d in grid.dimensions:
        label = d.label(locale)
        header += [f"{label}: {heading}" for heading in (_("Rate"), *interval_header(), "n")]
    rows = []
    for row in grid.rows:
        cells = [row.code, row.name(locale)]
        for d in grid.dimensions:
            est = row.rates[d.dimension]
            cells += [decimal(est.mean), decimal(est.low), decimal(est.high), est.n]
        rows.append(cells)
    return [header, *rows]


def _weakest_csv(weakest: list, locale: str, labels: dict) -> list[list]:
    """The weakest questions' CSV rows, header first."""
    header = [_("Question"), _("Dimension"), _("Satisfied (4–5), %%").replace("%%", "%"),
              *interval_header(), _("Satisfied answers"), "n"]
    return [header, *([q.text(locale), labels.get(q.dimension, q.dimension or ""), decimal(q.rate),
                       decimal(q.low), decimal(q.high), q.positive, q.n] for q in weakest)]


@bp.route("/dimensions")
@roles_required(Role.LEADER)
def dimensions():
    """The heatmap of the chosen subtree's agencies by dimension and its weakest questions; with
    ?format=csv&chart=heatmap|weakest the numbers of one of them."""
    view = current_view()
    locale = current_locale()
    csv_name = csv_requested(DIMENSION_CSV)
    grid = answers.agency_dimension_rates(view.clause, root=view.agency, **view.window)
    weakest = answers.weakest_questions(metrics.question_rates(view.clause, **view.window),
                                        WEAKEST_COUNT)
    labels = {d.dimension: d.label(locale) for d in grid.dimensions}
    if csv_name:
        rows = _heatmap_csv(grid, locale) if csv_name == "heatmap" else _weakest_csv(weakest, locale, labels)
        return csv_response("dimensions", csv_name, view, rows)
    figure = None
    if grid.dimensions and any(e.mean is not None for r in grid.rows for e in r.rates.values()):
        figure = charts.dimension_heatmap(
            [(r.code, r.name(locale), [r.rates[d.dimension] for d in grid.dimensions]) for r in grid.rows],
            [d.label(locale) for d in grid.dimensions],
            text=charts.HeatmapText(rate=_("Rate"), interval=_("%(level)s interval", level="95%"),
                                    responses=_("Responses"), not_enough=_("Not enough responses")),
            **chart_numbers())
    return render_template(
        "dashboards/dimensions.html", view=view, locale=locale, grid=grid, figure=figure,
        weakest=weakest, labels=labels, scale_colour=charts.scale_colour,
        shown_min=current_app.config["MIN_RESPONSES_SHOWN"],
        ranked_min=current_app.config["MIN_RESPONSES_RANKED"],
    )
