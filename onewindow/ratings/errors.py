"""The errors of satisfaction ratings (one family with every app's, ``core.errors``)."""

from __future__ import annotations

from onewindow.core.errors import ConcurrentChange, DomainError, Forbidden, Invalid, WrongState

__all__ = [
    "ConcurrentChange",
    "Forbidden",
    "Invalid",
    "RatingError",
    "RatingRefused",
    "RatingWrongState",
]


class RatingError(DomainError):
    """A rating rule forbids this action."""

    code = "rating_error"


class RatingRefused(RatingError):
    """This rating may not be given (already rated, period over, link used, not the rater's)."""

    code = "rating_refused"


class RatingWrongState(WrongState):
    """The bad review's or appeal's status does not allow the step."""

    code = "wrong_status"
