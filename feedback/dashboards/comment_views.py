"""The comments page (/dashboard/comments): citizens' free-text answers in the leader's scope,
searched, filtered and paged, with comments per agency as a chart, a table and CSV downloads."""


from flask import render_template, request
from flask_babel import lazy_gettext as _l

from feedback.accounts.authz import roles_required
from feedback.accounts.models import Role
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.dashboards import comment_charts, comments
from feedback.dashboards.blueprint import bp, chart_numbers
from feedback.dashboards.downloads import csv_requested, csv_response
from feedback.dashboards.scope import DashboardView, current_view, zone

COMMENTS_CSV = ("comments", "agencies")
UNKNOWN_QUESTION = _l("Unknown question. Comments on every question are shown instead.")


def _comment_filter(view: DashboardView) -> tuple[comments.CommentFilter, list[comments.QuestionChoice]]:
    """The search, question and flagged choice of the request, and the questions the viewer may
    pick; a question outside them is reset (and said so) like an unknown one."""
    questions = comments.free_text_questions(view.clause, view.survey_id)
    key = (request.args.get("question") or "").strip()
    if key and key not in {q.key for q in questions}:
        view.errors.append(UNKNOWN_QUESTION)
        key = ""
    search = " ".join((request.args.get("q") or "").split())[:comments.SEARCH_MAX]
    return comments.CommentFilter(search=search, question=key,
                                  flagged=request.args.get("flagged") == "1"), questions


def _page_args(view: DashboardView, chosen: comments.CommentFilter) -> dict[str, str]:
    """Every filter of the page as query parameters (for page links and CSV links)."""
    args = view.query_args()
    if chosen.search:
        args["q"] = chosen.search
    if chosen.question:
        args["question"] = chosen.question
    if chosen.flagged:
        args["flagged"] = "1"
    return args


def _page_number(total: int) -> int:
    """The page asked for, from 1; past the end it is the last page, and anything unusable is 1."""
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    pages = max(1, -(-total // comments.PAGE_SIZE))
    return min(max(page, 1), pages)


def _figure(per_agency: list[comments.AgencyComments], locale: str) -> dict | None:
    """The comments-per-agency chart in the page's language, or None without any comment."""
    if not per_agency:
        return None
    numbers = chart_numbers()
    return comment_charts.comments_chart(
        per_agency, locale=locale, format_count=numbers["format_count"], separators=numbers["separators"],
        text=comment_charts.CommentChartText(axis_title=_("Comments"), comments=_("Comments"),
                                             newest=_("Newest")))


def _comments_rows(view: DashboardView, window: dict, locale: str, services: dict[str, str]) -> list[list]:
    """The listed comments under the current filters, all pages, newest first, up to CSV_MAX, as
    CSV rows, header first."""
    local = zone()
    header = [_("Date"), _("Agency code"), _("Agency"), _("Service"), _("Question"), _("Comment"),
              _("Flagged")]
    return [header, *([c.submitted_at.astimezone(local).strftime("%Y-%m-%d %H:%M"), c.agency_code,
                       c.agency_name(locale), services.get(c.service or "", c.service or ""),
                       c.question(locale), c.text, _("yes") if c.flagged else ""]
                      for c in comments.list_comments(view.clause, limit=comments.CSV_MAX, **window))]


@bp.route("/comments", endpoint="comments")
@roles_required(Role.LEADER)
def comments_page():
    """The comments page; ?format=csv&chart=comments gives the listed comments, ?format=csv&chart=agencies
    the numbers of the chart."""
    view = current_view()
    locale = current_locale()
    chosen, questions = _comment_filter(view)
    window = {**view.window, "comments": chosen}
    services = {c.value: c.label(locale) for c in view.service_choices}
    csv_name = csv_requested(COMMENTS_CSV)
    if csv_name == "agencies":
        rows = [[_("Agency code"), _("Agency"), _("Comments")]]
        rows += [[a.code, a.name(locale), a.count]
                 for a in comments.comments_per_agency(view.clause, **window)[:comments.CHART_AGENCIES]]
        return csv_response("comments", csv_name, view, rows)
    if csv_name:
        return csv_response("comments", csv_name, view, _comments_rows(view, window, locale, services))
    per_agency = comments.comments_per_agency(view.clause, **window)
    # Every comment belongs to one agency, so the chart's counts add up to the list's length.
    total = sum(a.count for a in per_agency)
    page = _page_number(total)
    charted = per_agency[:comments.CHART_AGENCIES]
    return render_template(
        "dashboards/comments.html", view=view, chosen=chosen, questions=questions, total=total,
        page=page, page_size=comments.PAGE_SIZE, csv_max=comments.CSV_MAX, services=services,
        rows=comments.list_comments(view.clause, offset=(page - 1) * comments.PAGE_SIZE, **window),
        per_agency=charted, other_agencies=len(per_agency) - len(charted),
        other_comments=sum(a.count for a in per_agency[len(charted):]),
        figure=_figure(charted, locale), page_args=_page_args(view, chosen), locale=locale,
    )
