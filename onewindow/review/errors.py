"""The refusals of the parallel review and the decision (kinds of ``onewindow.core.errors``).

``NotAllowed`` and ``TaskNotAllowed`` carry the code ``forbidden`` but are answered as refusals
(HTTP 400), as they always were: views check the user's department and role first (and answer 404).
"""

from __future__ import annotations

from onewindow.cases.errors import CaseError, ConcurrentChange


class TaskConflict(ConcurrentChange):
    """Someone else changed the task between reading and writing it."""

    code = "conflict"


class TaskNotAllowed(CaseError):
    """The user's department or role may not act on this task or step."""

    code = "forbidden"


class OpinionRefused(CaseError):
    """docs/rules/licensing.md §C2: a 不同意 without reasons (or conditions without text) is not
    accepted."""

    code = "reasons_required"


class NotAllowed(CaseError):
    """The user's role or department may not do this (views check and 404 first)."""

    code = "forbidden"


class OpinionsIncomplete(CaseError):
    code = "opinions_incomplete"


class LeadOpinionMissing(CaseError):
    code = "lead_opinion_missing"


class ReasonsRequired(CaseError):
    code = "reasons_required"


class RemediesRequired(CaseError):
    code = "remedies_required"


class ExtensionRefused(CaseError):
    code = "extension_refused"


class SuspensionRefused(CaseError):
    code = "suspension_refused"
