"""The events one feature publishes and another subscribes to: the named interface that keeps
features from importing each other (CONTRIBUTING.md, "Layers").

Surveys publish what happens to responses; the dashboards subscribe when the app is built
(`feedback.dashboards.summary.subscribe`) and keep their summary tables in step. A signal is sent inside
the publisher's transaction, after its flush, so the receivers' writes commit or roll back with
it: the summary never disagrees with the responses. Blinker calls the receivers in the sender's
thread, one after the other; with one receiver a send costs a few microseconds.
"""

from blinker import Namespace

_events = Namespace()

# Responses just inserted (kwargs: responses, a list of Response; version, their SurveyVersion or
# frozen copy when they share one, else None). Sent by surveys.services.store_response.
response_stored = _events.signal("response-stored")
# Counted responses just excluded (kwargs: responses): an organizer's exclusion or a burst held.
responses_excluded = _events.signal("responses-excluded")
# Excluded responses just counted again by an organizer (kwargs: responses).
responses_restored = _events.signal("responses-restored")
# Asked, not told: how many counted open-link responses an agency received on the local days
# [first, after) (kwargs: agency_id, first, after); the receiver returns the number. The burst
# check asks it of whoever keeps the per-day counts (the dashboards' summary).
open_link_day_total = _events.signal("open-link-day-total")
# An agency was merged, split or dissolved into a successor (kwargs: predecessor (Agency),
# successor (Agency), on (date), carries_history (bool)). Sent by agencies.reorganize after the flush.
agency_succeeded = _events.signal("agency-succeeded")
# An agency ended in a reorganization, with or without a successor (kwargs: agency, on (date)):
# whatever it offered ends with it. Sent by agencies.reorganize after the flush.
agency_ended = _events.signal("agency-ended")
# A counter rating stored, changed (reasons added) or excluded (kwargs: before, after: each a
# counters.ratings.RatingFacts or None). Sent by counters.ratings; the dashboards' counter summary
# takes `before` away and adds `after`.
counter_rating_changed = _events.signal("counter-rating-changed")
