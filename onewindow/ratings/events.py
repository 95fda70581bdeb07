"""The case event of ratings and the ratings' hand-off (docs/rules/satisfaction.md §E4).

Imported by ``RatingsConfig.ready``: registers the event kind a rating writes on its case
(``cases.events``) and subscribes to a case entering a finished status (``cases.subscriptions``):
its service is recorded and the applicant gets the one-time rating link by SMS/email, in the
transaction that finished the case.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from onewindow.cases.events import EventKind, event_kind_register
from onewindow.cases.subscriptions import on_enter
from onewindow.ratings.services import FINISHED, case_finished

event_kind_register(
    # Internal (the rating is the rater's, not a step of the case): no progress line, no message.
    EventKind("case_rated", gettext_lazy("服务评价")),
)

for status in FINISHED:
    on_enter(status, case_finished)
