"""The counter ratings' notification: the confidential alert to the parent agency's leaders when a
citizen ticks "asked for extra papers or money". `register_composers` hands it to the outbox."""

from feedback.core.i18n import gettext as _
from feedback.core.i18n import in_language
from feedback.counters.ratings import ALERT_KIND
from feedback.notifications import messages


def _alert(context: dict, locale: str) -> tuple[str, list[str]]:
    """Subject and paragraphs of the alert: the agency and the day, nothing about the citizen."""
    agency = in_language(context["agency_vi"], context["agency_en"], locale)
    subject = _(
        "Confidential: a citizen reports being asked for extra papers or money at %(agency)s", agency=agency
    )
    return subject, [
        _(
            "On %(day)s a citizen rating the service at %(agency)s (%(code)s) ticked “asked for extra papers "
            "or money”.",
            day=context["day"],
            agency=agency,
            code=context["agency_code"],
        ),
        _(
            "This alert is confidential. It carries nothing that identifies the citizen. The officers' "
            "results are on the officers' dashboard for leaders whose grant covers the agency."
        ),
    ]


def register_composers() -> None:
    """Hand the alert's composer to the outbox (called when the app is built)."""
    messages.register(ALERT_KIND, _alert)
