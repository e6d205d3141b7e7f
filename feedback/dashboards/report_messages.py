"""The monthly report's email, in the leader's language, from the snapshot stored in the outbox:
the headline figures of the subtree and the attention list, with the link to the printable page."""

from feedback.core.i18n import format_number, in_language
from feedback.core.i18n import gettext as _
from feedback.dashboards import attention, report
from feedback.notifications import messages


def _number(value) -> str:
    """A measure with one decimal in the reader's language."""
    return format_number(value, "0.0")


def _index_line(context: dict) -> str:
    """The month's index with its interval and n, or why it is not shown."""
    mean, low, high, n = context["index"]
    if mean is None:
        return _("Satisfaction index: not enough responses to show it (n = %(n)s).", n=format_number(n))
    return _("Satisfaction index: %(value)s (95%% interval %(low)s–%(high)s; n = %(n)s).",
             value=_number(mean), low=_number(low), high=_number(high), n=format_number(n))


def _change_line(context: dict) -> str:
    """The change against the month before, in the words the dashboard uses."""
    previous, n = context["previous"]
    words = {"up": _("up, beyond chance"), "down": _("down, beyond chance"),
             "same": _("no clear change (the 95%% intervals overlap)"),
             "unknown": _("not enough responses to compare")}[context["direction"]]
    if previous is None:
        return _("Against the month before: %(words)s.", words=words)
    return _("Against the month before (%(value)s; n = %(n)s): %(words)s.", value=_number(previous),
             n=format_number(n), words=words)


def _on_time_line(context: dict) -> str:
    """The petitions answered on time, or why no rate is given."""
    rate, on_time, due = context["on_time"]
    if rate is None:
        return _("Petitions answered on time: %(on_time)s of %(due)s due, too few for a rate.",
                 on_time=format_number(on_time), due=format_number(due))
    return _("Petitions answered on time: %(rate)s%% (%(on_time)s of %(due)s due).", rate=_number(rate),
             on_time=format_number(on_time), due=format_number(due))


def _attention_lines(context: dict, locale: str) -> str:
    """The attention list, one agency and its reason a line."""
    if not context["attention"]:
        return _("Nothing stands out this month: no clear fall, no overdue petition, no burst of "
                 "flagged responses.")
    items = [attention.Item(i["reason"], 0, i["code"], i["name_vi"], i["name_en"], 0.0, i["figures"])
             for i in context["attention"]]
    return "\n".join([_("Needs attention:"), *(f"- {i.name(locale)} ({i.code}): {i.why}" for i in items)])


def _monthly_report(context: dict, locale: str) -> tuple[str, list[str]]:
    """Subject and paragraphs of one subtree's monthly report."""
    agency = in_language(context["agency_vi"], context["agency_en"], locale)
    subject = _("Monthly report %(month)s: %(agency)s", month=context["month"], agency=agency)
    return subject, [
        _("The figures of %(agency)s and the agencies under it for %(month)s:", agency=agency,
          month=context["month"]),
        "\n".join([_index_line(context), _change_line(context),
                   _("Responses: %(n)s (flagged and left out: %(flagged)s).",
                     n=format_number(context["responses"]), flagged=format_number(context["flagged"])),
                   _on_time_line(context)]),
        _attention_lines(context, locale),
        _("The printable report: %(url)s", url=context["url"]),
    ]


def register_composers() -> None:
    """Hand the monthly report's composer to the outbox (called when the app is built)."""
    messages.register(report.KIND, _monthly_report)
