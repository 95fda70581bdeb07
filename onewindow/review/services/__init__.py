"""Writes of the parallel review (并联审批, docs/product.md §C5; docs/rules/licensing.md §C1–§C3).

- ``review_open``: on acceptance one task per department opens at the same moment (C1).
- ``task_step_complete`` / ``task_return`` / ``task_opinion_give`` / ``task_material_request``:
  a department's reviewers move their task; every change is a conditional UPDATE on
  (pk, revision), so two reviewers deciding the same task at once give exactly one result and the
  other a ``TaskConflict``.
- ``material_request_answer``: the applicant (or the window clerk for them) answers a request.
- ``tasks_deem_consent``: the periodic job recording silence as consent (C2).
- ``review_cancel``: a withdrawn or terminated case cancels its pending tasks.

Every service validates first and raises a ``CaseError`` with a Chinese message (nothing is
written), then writes task rows, an event on the case and, where the applicant must act, a notice.
"""

from onewindow.review.services.materials import material_request_answer, task_material_request
from onewindow.review.services.opening import review_cancel, review_open
from onewindow.review.services.periodic import tasks_deem_consent
from onewindow.review.services.tasks import (
    CONFLICT_MESSAGE,
    GIVEN_KINDS,
    OPINIONS_COMPLETE,
    ROLE_RANK,
    TEXT_MAX,
    OpinionRefused,
    TaskConflict,
    TaskNotAllowed,
    may_do_step,
    task_opinion_give,
    task_return,
    task_step_complete,
)

__all__ = [
    "CONFLICT_MESSAGE",
    "GIVEN_KINDS",
    "OPINIONS_COMPLETE",
    "ROLE_RANK",
    "TEXT_MAX",
    "OpinionRefused",
    "TaskConflict",
    "TaskNotAllowed",
    "material_request_answer",
    "may_do_step",
    "review_cancel",
    "review_open",
    "task_material_request",
    "task_opinion_give",
    "task_return",
    "task_step_complete",
    "tasks_deem_consent",
]
