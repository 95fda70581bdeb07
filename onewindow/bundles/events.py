"""What bundles do on case events (subscribed in ``BundlesConfig.ready``): the one combined
correction notice follows its sub-cases (docs/rules/bundles.md §R6)."""

from __future__ import annotations

from typing import Any

from onewindow.bundles import selectors, services
from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.cases.services.intake import INTAKE_DELEGATES
from onewindow.cases.subscriptions import on_enter, on_event
from onewindow.certificates.selectors import DELIVERY_DELEGATES

# Leaving correction: answered (resubmitted), or ended there (rejected, withdrawn).
LEAVING_CORRECTION = ("resubmitted", "rejected", "withdrawn")


def _entered_correction(case: Case, event: CaseEvent, actor: Any) -> None:
    services.correction_open_for(case, event.at)


def _left_correction(case: Case, event: CaseEvent, actor: Any) -> None:
    if event.old_status == CaseStatus.CORRECTION:
        services.correction_close_if_answered(case, event.at)


def _comprehensive_window(case: Case, actor: Any) -> bool:
    """docs/rules/bundles.md §R5, §R8: a sub-case of a bundle, at a window serving its
    department."""
    return selectors.is_bundle_case(case) and selectors.window_serves(actor, case.department_id)


def _delivery_window(user: Any, case: Case) -> bool:
    return _comprehensive_window(case, user)


def subscribe() -> None:
    on_enter(CaseStatus.CORRECTION, _entered_correction)
    on_event(_left_correction, kinds=LEAVING_CORRECTION)
    if _comprehensive_window not in INTAKE_DELEGATES:
        INTAKE_DELEGATES.append(_comprehensive_window)
    if _delivery_window not in DELIVERY_DELEGATES:
        DELIVERY_DELEGATES.append(_delivery_window)
