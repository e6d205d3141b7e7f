"""The question detail page: Likert distributions, choice distributions, NPS and question rates."""

from dataclasses import dataclass

from flask import current_app, render_template, request

from feedback.accounts.authz import roles_required
from feedback.accounts.models import Role
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.dashboards import answers
from feedback.dashboards import question_charts as charts
from feedback.dashboards.blueprint import bp, chart_numbers
from feedback.dashboards.downloads import csv_response, decimal, interval_header, unknown_chart
from feedback.dashboards.scope import current_view
from feedback.surveys.models import QuestionType

QUESTION_CSV = ("likert", "rates", "nps")
CHOICE_PREFIX = "choice-"


def likert_levels() -> tuple[str, str, str, str, str]:
    """The five Likert answers' names in the request's language."""
    return (_("Very dissatisfied"), _("Dissatisfied"), _("Neutral"), _("Satisfied"), _("Very satisfied"))


@dataclass(frozen=True)
class Page:
    """The page's questions, sorted into what each part shows."""

    likert: list      # (QuestionAnswers, LikertSplit | None, shown)
    choices: list     # (QuestionAnswers, [ValueCount], shown)
    ratings: list     # (QuestionAnswers, Nps | None, shown)


def _page(listed: list[answers.QuestionAnswers], shown_min: int) -> Page:
    """The questions by kind, each with its numbers and whether it has enough answers to show."""
    yes_no = (_("Yes"), _("No"))
    vi_yes_no = ("Có", "Không")
    likert, choices, ratings = [], [], []
    for q in listed:
        enough = answers.shown(q, shown_min)
        if q.type == QuestionType.LIKERT5:
            likert.append((q, answers.likert_split(q), enough))
        elif q.type == QuestionType.RATING10:
            ratings.append((q, answers.nps(q), enough))
        elif q.type in answers.CHOICE_TYPES:
            values = answers.distribution(q, yes=(vi_yes_no[0], yes_no[0]), no=(vi_yes_no[1], yes_no[1]))
            choices.append((q, values, enough))
    return Page(likert, choices, ratings)


def _csv_table(name: str, page: Page, locale: str):
    """Header and rows of the CSV named `name`, or None when the page has no such table."""
    levels = likert_levels()
    if name == "likert":
        header = [_("Question key"), _("Question")]
        for level, label in enumerate(levels, start=1):
            header += [f"{level} {label}", f"{level} {label} (%)"]
        header += [_("Valid answers"), _("Not applicable")]
        return header, [[q.key, q.text(locale), *[cell for i in range(5) for cell in (
                            split.counts[i], decimal(split.shares[i]))], split.n, split.not_applicable]
                        for q, split, shown in page.likert if shown]
    if name == "rates":
        header = [_("Question key"), _("Question"), _("Satisfied (4–5), %%").replace("%%", "%"),
                  *interval_header(), _("Satisfied answers"),
                  _("Valid answers"), _("Not applicable")]
        return header, [[q.key, q.text(locale), decimal(split.rate), decimal(split.low),
                         decimal(split.high), split.positive, split.n, split.not_applicable]
                        for q, split, shown in page.likert if shown]
    if name == "nps":
        header = [_("Question key"), _("Question"), "NPS", _("Promoters (9–10)"), _("Passives (7–8)"),
                  _("Detractors (0–6)"), _("Answers")]
        return header, [[q.key, q.text(locale), round(score.score, 1), score.promoters, score.passives,
                         score.detractors, score.n] for q, score, shown in page.ratings if shown]
    if name.startswith(CHOICE_PREFIX):
        key = name[len(CHOICE_PREFIX):]
        for q, values, shown in page.choices:
            if q.key == key and shown:
                header = [_("Answer"), _("Answers"), _("Share of respondents (%%)").replace("%%", "%")]
                return header, [[v.label(locale), v.count, decimal(v.share)] for v in values]
    return None


def _figures(page: Page, locale: str) -> dict:
    """The page's figures in its language: None where nothing has enough answers."""
    numbers = chart_numbers()
    short = {q.key: q.short_label(locale) for q, _s, _shown in (*page.likert, *page.ratings)}
    likert_rows = [(q.key, q.text(locale), split) for q, split, shown in page.likert if shown]
    figures = {"likert": None, "nps": None, "choices": {}}
    if likert_rows:
        figures["likert"] = charts.likert_chart(likert_rows, text=charts.LikertText(
            levels=likert_levels(), axis_title=_("Share of valid answers (%%)").replace("%%", "%"),
            answers=_("answers"), share=_("Share")), short=short, **numbers)
    nps_rows = [(q.key, q.text(locale), score) for q, score, shown in page.ratings if shown]
    if nps_rows:
        figures["nps"] = charts.nps_chart(nps_rows, text=charts.NpsText(
            groups=(_("Detractors (0–6)"), _("Passives (7–8)"), _("Promoters (9–10)")),
            axis_title=_("Share of answers (%%)").replace("%%", "%"), answers=_("answers")),
            short=short, **numbers)
    for q, values, shown in page.choices:
        if shown:
            figures["choices"][q.key] = charts.choice_chart(
                [(v.value, v.label(locale), v.count, v.share) for v in values],
                text=charts.CountText(axis_title=_("Answers"), answers=_("Answers")), **numbers)
    return figures


@bp.route("/questions")
@roles_required(Role.LEADER)
def questions():
    """Every question's answers over the chosen agencies and period; with ?format=csv&chart=
    likert|rates|nps|choice-<key> the numbers of one chart or table."""
    view = current_view()
    locale = current_locale()
    shown_min = current_app.config["MIN_RESPONSES_SHOWN"]
    page = _page(answers.answer_counts(view.clause, **view.window), shown_min)
    if request.args.get("format") == "csv":
        table = _csv_table(request.args.get("chart", ""), page, locale)
        if table is None:
            return unknown_chart()
        header, rows = table
        return csv_response("questions", request.args["chart"], view, [header, *rows])
    figures = _figures(page, locale)
    any_figure = bool(figures["likert"] or figures["nps"] or figures["choices"])
    return render_template(
        "dashboards/questions.html", view=view, locale=locale, page=page, figures=figures,
        any_figure=any_figure, levels=likert_levels(), shown_min=shown_min,
    )
