"""The publicity's hand-off: a grant decision publishes the result when the item's rule asks
for it (docs/rules/publicity.md §L2), in the decision's transaction.

Imported by ``PublicityConfig.ready``. Ordered after the certificates' handler (order 100), so
the certificate number and validity are there to be published.
"""

from __future__ import annotations

from typing import Any

from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.subscriptions import on_event
from onewindow.publicity.services import publicity_publish


def publicity_on_grant(case: Case, event: CaseEvent, actor: Any) -> None:
    publicity_publish(case=case, now=event.at)


on_event(publicity_on_grant, kinds=("decision_granted",), order=200)
