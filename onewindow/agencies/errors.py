"""The errors of the intermediary services market (one family with every app's, ``core.errors``)."""

from __future__ import annotations

from onewindow.core.errors import DomainError, Forbidden, WrongState


class AgencyError(DomainError):
    code = "agency_error"


class NotQualified(DomainError):
    """docs/rules/agencies.md §I4: the agency may not serve this requirement on this day."""

    code = "agency_not_qualified"


class BiddingClosed(WrongState):
    """docs/rules/agencies.md §I6: the bid deadline has passed."""

    code = "bidding_closed"


class JobState(WrongState):
    code = "agency_job_state"


class NotTheChooser(Forbidden):
    """docs/rules/agencies.md §I1, §I7: who may choose for this requirement."""

    code = "not_the_chooser"
